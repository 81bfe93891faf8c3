"""OGP rules applied to query results: delay status of commitments, submission status of plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dashboard.domain.rules import (
    AT_RISK_BEHIND_SHARE,
    DAYS_PER_MONTH,
    DELAYED_BEHIND_SHARE,
    MILESTONE_DELAYED_AFTER_DAYS,
    PROGRESS_SHARE,
    SubmissionStatus,
    _span,
    cycle_position,
    format_day,
    plan_calendar,
    plan_submission_status,
)
from dashboard.domain.scales import COMPLETION

DELAY_COLUMNS = [
    "commitment_id",
    "delay_status",
    "delay_reason",
    "severity",
    "progress_source",  # source of the latest progress report (any source)
    "progress_as_of",
    "progress_completion",
]


def latest_overall(progress: pd.DataFrame) -> pd.DataFrame:
    """The single latest report per commitment across sources, from queries.latest_progress output."""
    if progress.empty:
        return progress.assign(as_of=pd.Series(dtype=object))
    ordered = progress.sort_values(["commitment_id", "as_of"])
    return ordered.groupby("commitment_id", as_index=False).tail(1)


def commitment_delays(
    commitments: pd.DataFrame, progress: pd.DataFrame, milestones: pd.DataFrame, today: dt.date
) -> pd.DataFrame:
    """Delay status, reason and severity per commitment; columns DELAY_COLUMNS.

    commitments: queries.commitments columns; progress: queries.latest_progress; milestones: queries.milestones
    (done milestones and those due later may be left out: only undone ones due before today count).
    The latest report from any source is the commitment's progress; without one, its IRM completion.
    """
    if commitments.empty:
        return pd.DataFrame(columns=DELAY_COLUMNS)
    ids = commitments["commitment_id"].tolist()
    reports: dict[Any, tuple[Any, Any, Any]] = {}
    if not progress.empty:
        latest = latest_overall(progress)
        columns = (latest[c].tolist() for c in ("commitment_id", "source", "as_of", "completion"))
        reports = {cid: (source, as_of, completion) for cid, source, as_of, completion in zip(*columns, strict=True)}
    found = [reports.get(cid) for cid in ids]
    completions = [
        report[2] if report is not None else irm
        for report, irm in zip(found, commitments["completion"].tolist(), strict=True)
    ]
    oldest = _oldest_overdue(milestones, today)
    statuses, reasons, severities = delay_statuses(
        commitments["start_date"].tolist(),
        commitments["end_date"].tolist(),
        completions,
        [report[1] if report is not None else None for report in found],
        [oldest.get(cid) for cid in ids],
        today,
    )
    return pd.DataFrame(
        {
            "commitment_id": ids,
            "delay_status": statuses,
            "delay_reason": reasons,
            "severity": severities,
            "progress_source": [report[0] if report is not None else None for report in found],
            "progress_as_of": [report[1] if report is not None else None for report in found],
            "progress_completion": completions,
        },
        columns=DELAY_COLUMNS,
    )


def _day_or_none(value: Any) -> dt.date | None:
    """A date (datetime values as their day); None for None, NaN and NaT."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _oldest_overdue(milestones: pd.DataFrame, today: dt.date) -> dict[int, tuple[dt.date, str]]:
    """(due date, title) of each commitment's oldest undone milestone due before today (as delay_status picks it)."""
    oldest: dict[int, tuple[dt.date, str]] = {}
    if milestones.empty:
        return oldest
    columns = (milestones[c].tolist() for c in ("commitment_id", "title", "due_date", "done_date"))
    for commitment, title, due, done in zip(*columns, strict=True):
        if done is not None or due is None or due != due or due >= today:  # due != due: NaN/NaT
            continue
        item = (due, title)
        current = oldest.get(commitment)
        if current is None or item < current:
            oldest[commitment] = item
    return oldest


def delay_statuses(
    starts: Sequence[Any],
    ends: Sequence[Any],
    completions: Sequence[Any],
    last_reports: Sequence[Any],
    overdue: Sequence[tuple[dt.date, str] | None],
    today: dt.date,
) -> tuple[list[str], list[str], list[float]]:
    """(statuses, reasons, severities) of many commitments at once; the same as rules.delay_status row by row.

    overdue: per commitment its oldest undone milestone due before today as (due date, title), else None.
    The arithmetic is vectorised; only the reason words are built per commitment.
    """
    n = len(starts)
    canonical: dict[Any, str | None] = {}
    levels = []
    for value in completions:
        if value not in canonical:
            canonical[value] = COMPLETION.canonical(value) if isinstance(value, str) and value else None
        levels.append(canonical[value])
    start_days = [_day_or_none(d) for d in starts]
    end_days = [_day_or_none(d) for d in ends]
    report_days = [_day_or_none(d) for d in last_reports]
    t = today.toordinal()
    s = np.array([d.toordinal() if d is not None else t for d in start_days], dtype=np.int64)
    e = np.array([d.toordinal() if d is not None else t + 1 for d in end_days], dtype=np.int64)
    has_dates = np.array([a is not None and b is not None for a, b in zip(start_days, end_days, strict=True)], bool)
    level_arr = np.array(levels, dtype=object)
    complete = level_arr == "Complete"
    withdrawn = level_arr == "Withdrawn"
    unusable = ~has_dates | (e <= s)
    not_started = t < s

    total_days = np.where(unusable, 1, e - s)
    total_months = np.maximum(1, np.rint((total_days + 1) / DAYS_PER_MONTH).astype(np.int64))
    elapsed = np.minimum(np.maximum((t - s) / total_days, 0.0), 1.0)
    reported = np.array([level in PROGRESS_SHARE for level in levels], dtype=bool)
    progress = np.array([PROGRESS_SHARE.get(level, 0.0) if level is not None else 0.0 for level in levels])
    behind = elapsed - progress
    months_behind = np.maximum(behind, 0.0) * total_months
    expected_rank = sum(
        (elapsed + 1e-9 >= PROGRESS_SHARE[level]).astype(np.int64) for level in ("Limited", "Substantial", "Complete")
    )
    expected_names = np.array(["Not Started", "Limited", "Substantial", "Complete"], dtype=object)[expected_rank]
    has_overdue = np.array([item is not None for item in overdue], dtype=bool)
    due_days = np.array([item[0].toordinal() if item is not None else t for item in overdue], dtype=np.int64)
    overdue_days = t - due_days
    severity_raw = np.maximum(np.maximum(months_behind, overdue_days / DAYS_PER_MONTH), (t - e) / DAYS_PER_MONTH)
    ended = t > e

    # Case codes, in the order delay_status tests them.
    case_code = np.select(
        [
            complete,
            withdrawn,
            unusable,
            not_started,
            ended,
            overdue_days > MILESTONE_DELAYED_AFTER_DAYS,
            behind > DELAYED_BEHIND_SHARE,
            has_overdue,
            behind > AT_RISK_BEHIND_SHARE,
        ],
        list(range(9)),
        default=9,
    ).tolist()
    elapsed_list, severity_list = elapsed.tolist(), severity_raw.tolist()
    statuses: list[str] = []
    reasons: list[str] = []
    severities: list[float] = []
    for i in range(n):
        code = case_code[i]
        if code <= 3:
            statuses.append(_EARLY_STATUS[code])
            if code < 3:
                reasons.append(_EARLY_REASON[code])
            else:
                start = start_days[i]
                assert start is not None  # code 3 (not started) is reached only with usable dates
                reasons.append(f"Starts {format_day(start)}")
            severities.append(0.0)
            continue
        level = levels[i]
        if reported[i]:
            on = report_days[i]
            progress_words = f"reported {level} on {format_day(on)}" if on else f"reported {level}"
        else:
            progress_words = "no progress reported"
        severities.append(round(severity_list[i], 2))
        statuses.append(_LATE_STATUS[code])
        if code == 4:
            end = end_days[i]
            assert end is not None  # code 4 (ended) is reached only with usable dates
            reasons.append(f"Ended {format_day(end)} ({_span(end, today)} ago) and is not complete: {progress_words}")
        elif code in (5, 7):
            item = overdue[i]
            assert item is not None  # codes 5 and 7 are reached only with an overdue milestone
            due, title = item
            reasons.append(f"Milestone '{title}' was due {format_day(due)} and is {_span(due, today)} overdue")
        else:
            reasons.append(
                f"{progress_words[0].upper()}{progress_words[1:]}; "
                f"{elapsed_list[i]:.0%} of the time has passed (expected {expected_names[i]})"
            )
    return statuses, reasons, severities


_EARLY_STATUS = ("complete", "not assessable", "not assessable", "on track")
_EARLY_REASON = ("Reported Complete", "Withdrawn", "No usable start and end dates")
_LATE_STATUS = {4: "delayed", 5: "delayed", 6: "delayed", 7: "at risk", 8: "at risk", 9: "on track"}


PLAN_STATUS_COLUMNS = [
    "plan_id",
    "due_date",
    "submission_status",
    "submission_reason",
    "month",
    "total_months",
    "midterm",
    "elapsed_share",
    "phase",
    "position",
]


def plan_statuses(plans: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Due date, submission status and cycle position per plan (queries.action_plans rows)."""
    rows = []
    for plan in plans.itertuples(index=False):
        if plan.submission_year is None or pd.isna(plan.submission_year):
            continue
        start, end, due = plan_calendar(int(plan.submission_year), None)
        start = plan.start_date or start
        end = plan.end_date or end
        submitted = plan.submitted_on if plan.submitted_on is not None and not pd.isna(plan.submitted_on) else None
        if submitted is None and plan.commitments:
            # Imported plans carry no delivery date, but a plan with commitments was delivered.
            submission = SubmissionStatus("delivered", "Delivered (delivery date not recorded)", 0)
        else:
            submission = plan_submission_status(due, submitted, today)
        position = cycle_position(start, end, today)
        rows.append(
            (
                plan.plan_id,
                due,
                submission.status,
                submission.reason,
                position.month,
                position.total_months,
                position.midterm,
                position.elapsed_share,
                position.phase,
                position.label,
            )
        )
    return pd.DataFrame(rows, columns=PLAN_STATUS_COLUMNS)
