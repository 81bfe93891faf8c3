"""OGP rules applied to many rows: the status of every action plan and every commitment on one day.

The rules themselves (rules.delay_status, rules.plan_submission_status, rules.process_status,
rules.cycle_position) decide each row; this module only gathers each row's facts and applies them, so a
status shown anywhere is the rule's verdict and nothing else. data_access.statuses stores the result.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from dashboard.domain.rules import (
    AT_RISK_BEHIND_SHARE,
    PROGRESS_SHARE,
    NextPlan,
    SubmissionStatus,
    cycle_position,
    delay_status,
    evidence_level,
    format_day,
    is_evidence,
    new_plan_deadline,
    plan_calendar,
    plan_submission_status,
    process_status,
)
from dashboard.domain.scales import ATTENTION_SUBMISSIONS, HIGH_COMPLETION, LATE_SUBMISSIONS

# Plans whose due date (or new-plan deadline) falls from two years before the day to one year after it
# are "current" for lateness: the overview's count and the lists of late plans cover exactly these.
LATENESS_LOOKBACK_DAYS = 730
LATENESS_LOOKAHEAD_DAYS = 365

EVIDENCE_COLUMNS = ["commitment_id", "source", "as_of", "completion"]
COMMITMENT_STATUS_COLUMNS = [
    "commitment_id",
    "delay_status",
    "delay_reason",
    "severity",  # months, never more than the time since the date the reason names
    "evidence_source",  # source of the evidence the status rests on (None: the IRM rating, or nothing)
    "evidence_as_of",
    "evidence_completion",  # the level the status rests on (a report's, else the IRM rating), or None
]
PLAN_STATUS_COLUMNS = [
    "plan_id",
    "due_date",
    "delivered",  # delivered on the day (a delivery date on or before it, or commitments without a date)
    "submission_status",  # rules.plan_submission_status, or "delivered" when the data has no delivery date
    "submission_reason",
    "process_status",  # rules.process_status: contrary to process / unknown (not in the data) / in process
    "process_reason",
    "phase",  # not started / implementing / ended (only delivered plans are implementing)
    "month",
    "total_months",
    "midterm",
    "elapsed_share",
    "position",  # e.g. "Month 14 of 24"
    "late_or_contrary",  # counted as late or contrary to process on the day (within the current window)
    "needs_attention",  # late, contrary or due within the current window
    "commitments",
    "reported",  # commitments with a progress report dated on or before the day
    "high_completion",  # commitments whose evidence is Substantial or Complete
    "progress_share",  # mean share of work done over the commitments with evidence of a level; None without any
    "last_report_on",
    "schedule",  # behind (progress trails time by > the at-risk margin) / on schedule / no evidence / no commitments
]


def _day(value: Any) -> dt.date | None:
    """A date (datetime values as their day); None for None, NaN and NaT."""
    if value is None or value is pd.NaT or not isinstance(value, dt.date):
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def latest_evidence(progress: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Per commitment, its latest progress report dated on or before `day` that is evidence (rules.is_evidence:
    a level, or Withdrawn), with its completion as a canonical level.

    progress: reports with columns commitment_id, source, as_of, completion (more columns are ignored).
    A later "No Evidence" report does not hide an earlier report of a level. Columns EVIDENCE_COLUMNS.
    """
    if progress.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    evidence = progress["completion"].map(is_evidence).astype(bool)
    levels = progress["completion"].map(lambda c: evidence_level(c) or ("Withdrawn" if is_evidence(c) else None))
    dates = progress["as_of"].map(_day)
    usable = progress.assign(completion=levels, as_of=dates)
    usable = usable[evidence & dates.map(lambda d: d is not None and d <= day).astype(bool)]
    ordered = usable.sort_values(["commitment_id", "as_of"], kind="stable")
    return ordered.groupby("commitment_id", as_index=False).tail(1)[EVIDENCE_COLUMNS].reset_index(drop=True)


def commitment_statuses(
    commitments: pd.DataFrame, evidence: pd.DataFrame, milestones: pd.DataFrame, day: dt.date
) -> pd.DataFrame:
    """The delay status of each commitment on `day` (rules.delay_status); columns COMMITMENT_STATUS_COLUMNS.

    commitments: commitment_id, start_date, end_date, completion (the IRM's latest rating), plan_end.
    evidence: latest_evidence output. milestones: commitment_id, title, due_date, done_date (milestones
    done or due after the day may be left out). A report's level is the commitment's evidence; without
    one, the IRM rating.
    """
    if commitments.empty:
        return pd.DataFrame(columns=COMMITMENT_STATUS_COLUMNS)
    reports = {
        cid: (source, as_of, completion)
        for cid, source, as_of, completion in zip(*(evidence[c].tolist() for c in EVIDENCE_COLUMNS), strict=True)
    }
    owned: dict[Any, list[tuple[str, dt.date | None, dt.date | None]]] = {}
    for cid, title, due, done in zip(
        *(milestones[c].tolist() for c in ("commitment_id", "title", "due_date", "done_date")), strict=True
    ):
        owned.setdefault(cid, []).append((title, _day(due), _day(done)))
    rows = []
    columns = ("commitment_id", "start_date", "end_date", "completion", "plan_end")
    for cid, start, end, irm, plan_end in zip(*(commitments[c].tolist() for c in columns), strict=True):
        report = reports.get(cid)
        source, as_of, completion = report if report is not None else (None, None, irm if is_evidence(irm) else None)
        status = delay_status(
            start=_day(start),
            end=_day(end),
            completion=completion,
            milestones=owned.get(cid, ()),
            today=day,
            last_report_on=as_of,
            plan_end=_day(plan_end),
        )
        rows.append((cid, status.status, status.reason, status.severity, source, as_of, completion))
    return pd.DataFrame(rows, columns=COMMITMENT_STATUS_COLUMNS)


def _number(value: Any) -> int | None:
    """A plan number as an int; None for None and NaN."""
    return None if value is None or value != value else int(value)


def _next_plans(plans: pd.DataFrame) -> dict[Any, NextPlan]:
    """What the data holds about the plan after each plan of a member (by plan number, else submission year)."""
    found: dict[Any, NextPlan] = {}
    for _, own in plans.groupby("member_code", sort=False):
        records = sorted(
            own.to_dict("records"),
            key=lambda r: (_number(r["number"]) or 0, _number(r["submission_year"]) or 0, str(r["action_plan"])),
        )
        numbers = {_number(r["number"]) for r in records} - {None}
        for plan, following in zip(records, [*records[1:], None], strict=True):
            number = _number(plan["number"])
            if following is None:
                found[plan["plan_id"]] = NextPlan(missing="no later plan of this member is in the data")
            elif number is not None and number + 1 not in numbers:
                found[plan["plan_id"]] = NextPlan(missing=f"plan number {number + 1} of this member is not in the data")
            else:
                found[plan["plan_id"]] = NextPlan(
                    label=str(following["action_plan"]),
                    submitted_on=following["_submitted"],
                    delivered=bool(following["_delivered"]),
                )
    return found


def plan_progress(statuses: pd.DataFrame, plan_of: pd.Series) -> pd.DataFrame:
    """Per plan: commitments, reported, high_completion, progress_share and last_report_on from the commitment
    statuses (commitment_statuses output) and plan_of (commitment id -> plan id).

    progress_share is the mean share of work done over the commitments whose evidence shows a level (None when
    none does: the plan's progress is then unknown, not zero).
    """
    columns = ["plan_id", "commitments", "reported", "high_completion", "progress_share", "last_report_on"]
    if statuses.empty:
        return pd.DataFrame(columns=columns)
    frame = statuses.assign(
        plan_id=statuses["commitment_id"].map(plan_of),
        # Only commitments with evidence of a level count: no report is not proof of no progress.
        share=statuses["evidence_completion"].map(lambda level: PROGRESS_SHARE.get(level) if level else None),
        reported=statuses["evidence_source"].notna(),
        high=statuses["evidence_completion"].isin(sorted(HIGH_COMPLETION)),
        report_day=[
            d if s is not None else None
            for d, s in zip(statuses["evidence_as_of"], statuses["evidence_source"], strict=True)
        ],
    )
    grouped = frame.groupby("plan_id")
    out = pd.DataFrame(
        {
            "commitments": grouped.size(),
            "reported": grouped["reported"].sum(),
            "high_completion": grouped["high"].sum(),
            "progress_share": grouped["share"].mean(),
            "last_report_on": grouped["report_day"].agg(
                lambda days: max((d for d in days if d is not None), default=None)
            ),
        }
    ).reset_index()
    return out[columns]


def plan_statuses(plans: pd.DataFrame, day: dt.date, progress: pd.DataFrame | None = None) -> pd.DataFrame:
    """The submission status, process status, cycle position and schedule of each plan on `day`.

    plans: data_access.queries.action_plans rows (all plans of the members concerned: the plan after each
    one decides the 12-month rule). progress: plan_progress output (without it no plan has commitments in
    view). A plan delivered after `day` counts as not delivered then, so a past day replays what was known.
    Columns PLAN_STATUS_COLUMNS.
    """
    progress_of = {} if progress is None else {row["plan_id"]: row for row in progress.to_dict("records")}
    if plans.empty:
        return pd.DataFrame(columns=PLAN_STATUS_COLUMNS)
    submitted = [_day(d) for d in plans["submitted_on"]]
    known = [d if d is not None and d <= day else None for d in submitted]
    commitments = [
        0 if s is not None and k is None else int(n or 0)
        for s, k, n in zip(submitted, known, plans["commitments"], strict=True)
    ]
    delivered = [k is not None or n > 0 for k, n in zip(known, commitments, strict=True)]
    plans = plans.assign(_submitted=known, _delivered=delivered)
    following = _next_plans(plans)
    early, late = day - dt.timedelta(days=LATENESS_LOOKBACK_DAYS), day + dt.timedelta(days=LATENESS_LOOKAHEAD_DAYS)
    rows = []
    for plan in plans.to_dict("records"):
        year = plan["submission_year"]
        if year is None or year != year:
            continue
        start, end, due = plan_calendar(int(year), None)
        start, end = _day(plan["start_date"]) or start, _day(plan["end_date"]) or end
        if plan["_submitted"] is None and plan["_delivered"]:
            submission = SubmissionStatus(
                "delivered",
                f"Delivered; the data has no delivery date, so whether it met the {format_day(due)} deadline "
                "cannot be told",
                0,
            )
        else:
            submission = plan_submission_status(due, plan["_submitted"], day)
        co_creation = plan["co_creation_met"]
        process = process_status(
            plan_end=end if plan["_delivered"] else None,
            next_plan=following[plan["plan_id"]],
            co_creation_met=None if co_creation is None or co_creation != co_creation else bool(co_creation),
            any_progress_assessed=None,
            today=day,
        )
        position = cycle_position(start, end, day) if end > start else None
        phase = position.phase if position is not None else "ended"
        if phase == "implementing" and not plan["_delivered"]:
            phase = "not started"
        done = progress_of.get(plan["plan_id"], {})
        share = done.get("progress_share")
        share = None if share is None or share != share else float(share)
        if not done.get("commitments") or position is None:
            schedule = "no commitments"
        elif share is None:
            schedule = "no evidence"
        else:
            schedule = "behind" if position.elapsed_share - share > AT_RISK_BEHIND_SHARE else "on schedule"
        deadline_window = early <= due <= late
        # A missed new-plan deadline is current while it passed within the lookback.
        contrary = process.status == "contrary to process" and (
            deadline_window or early <= new_plan_deadline(end) <= day
        )
        rows.append(
            (
                plan["plan_id"],
                due,
                plan["_delivered"],
                submission.status,
                submission.reason,
                process.status,
                "; ".join(process.reasons),
                phase,
                position.month if position is not None else None,
                position.total_months if position is not None else None,
                position.midterm if position is not None else None,
                position.elapsed_share if position is not None else None,
                position.label if position is not None else "No usable implementation period",
                (deadline_window and submission.status in LATE_SUBMISSIONS) or contrary,
                (deadline_window and submission.status in ATTENTION_SUBMISSIONS) or contrary,
                int(done.get("commitments") or 0),
                int(done.get("reported") or 0),
                int(done.get("high_completion") or 0),
                share,
                done.get("last_report_on"),
                schedule,
            )
        )
    return pd.DataFrame(rows, columns=PLAN_STATUS_COLUMNS)


def plan_verdict(
    submission_status: str, submission_reason: str, process_status: str, process_reason: str
) -> tuple[str, str]:
    """The one status a plan shows in a list, and why: contrary to process when the data proves either rule
    broken, else its submission status; the reasons of both when they say something."""
    status = "contrary to process" if process_status == "contrary to process" else submission_status
    reasons = [submission_reason] + ([process_reason] if process_status != "in process" and process_reason else [])
    return status, "; ".join(r for r in reasons if r)
