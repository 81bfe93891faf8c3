"""OGP rules applied to query results: delay status of commitments, submission status of plans."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.rules import SubmissionStatus, cycle_position, delay_status, plan_calendar, plan_submission_status

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

    commitments: queries.commitments columns; progress: queries.latest_progress; milestones: queries.milestones.
    The latest report from any source is the commitment's progress; without one, its IRM completion.
    """
    latest = latest_overall(progress).set_index("commitment_id") if not progress.empty else None
    by_commitment: dict[int, list[tuple]] = {}
    for row in milestones.itertuples(index=False):
        by_commitment.setdefault(row.commitment_id, []).append((row.title, row.due_date, row.done_date))
    rows = []
    for row in commitments.itertuples(index=False):
        report = latest.loc[row.commitment_id] if latest is not None and row.commitment_id in latest.index else None
        completion = report["completion"] if report is not None else row.completion
        status = delay_status(
            start=row.start_date,
            end=row.end_date,
            completion=completion,
            milestones=by_commitment.get(row.commitment_id, ()),
            today=today,
            last_report_on=report["as_of"] if report is not None else None,
        )
        rows.append(
            (
                row.commitment_id,
                status.status,
                status.reason,
                status.severity,
                report["source"] if report is not None else None,
                report["as_of"] if report is not None else None,
                completion,
            )
        )
    return pd.DataFrame(rows, columns=DELAY_COLUMNS)


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
