"""Queries behind the cycle, delays and IRM pages: where plans stand, what is late, what lacks evidence.

Each function takes keyword-only filters (those of data_access.queries) and returns a DataFrame with
the documented columns (an empty frame keeps them). Rules come from dashboard.domain.rules/status; SQL binds
every value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.domain.rules import AT_RISK_BEHIND_SHARE, PROGRESS_SHARE, sources_disagree
from dashboard.domain.scales import COMPLETION, HIGH_COMPLETION
from dashboard.domain.status import commitment_delays, latest_overall, plan_statuses
from data_access import queries
from data_access.models import Commitment

RECENTLY_ENDED_DAYS = 365  # delays and disagreements cover plans running today or ended within 12 months
SUBMISSION_LOOKBACK_DAYS = 730  # plan due dates shown on the cycle page: from two years back...
SUBMISSION_LOOKAHEAD_DAYS = 365  # ...to one year ahead
LATE_SUBMISSIONS = ("contrary to process", "overdue", "late", "due")  # worst first
DEADLINE_DAYS = 90


def _as_date(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return value if isinstance(value, dt.date) else pd.Timestamp(value).date()


def _progress_share(completion: str | None) -> float | None:
    """Share of the work done at a completion level; None for Withdrawn (not expected to progress)."""
    if not completion:
        return 0.0
    level = COMPLETION.canonical(completion)
    if level == "Withdrawn":
        return None
    return PROGRESS_SHARE.get(level, 0.0)


def _delivered(submitted_on: dt.date | None, commitments: int, as_of: dt.date) -> bool:
    """Whether a plan was delivered by `as_of`.

    Imported plans carry no delivery date but have commitments; a plan without either was not delivered.
    """
    return commitments > 0 if submitted_on is None else submitted_on <= as_of


# --- Cycle --------------------------------------------------------------------------------------

CYCLE_PLAN_COLUMNS = [
    "plan_id",
    "action_plan",  # OGP plan id, e.g. AP_ALB05
    "member_code",
    "member_name",
    "region",
    "submitted_on",
    "start_date",
    "end_date",
    "midterm",
    "month",
    "total_months",
    "position",  # e.g. "Month 14 of 24"
    "expected_share",  # share of the implementation period gone on the date (0..1)
    "commitments",
    "reported",  # commitments with a progress report dated on or before the date
    "high_completion",  # commitments whose latest report is Substantial or Complete
    "progress_share",  # mean share of work done (Limited 1/3, Substantial 2/3, Complete 1; no report 0)
    "last_report_on",
    "schedule",  # "on schedule", "behind" or "no commitments"
]


def cycle_plans(engine: Engine, *, as_of: dt.date, **filters: Any) -> pd.DataFrame:
    """Plans in implementation and delivered on `as_of`, with expected vs reported progress on that date.

    Only progress reports dated on or before `as_of` count, so a past date replays what was known then.
    A plan counts as behind when its mean progress share trails the share of time gone by more than
    the at-risk margin of the delay rule (0.25). Columns CYCLE_PLAN_COLUMNS, ordered by member name.
    """
    plans = queries.action_plans(engine, running_on=as_of, **filters)
    delivered = [
        _delivered(_as_date(d), n, as_of) for d, n in zip(plans["submitted_on"], plans["commitments"], strict=True)
    ]
    plans = plans[pd.Series(delivered, index=plans.index, dtype=bool)] if not plans.empty else plans
    if plans.empty:
        return pd.DataFrame(columns=CYCLE_PLAN_COLUMNS)
    statuses = plan_statuses(plans, as_of).set_index("plan_id")
    with engine.connect() as conn:
        links = conn.execute(
            select(Commitment.id, Commitment.action_plan_id).where(
                Commitment.action_plan_id.in_([int(p) for p in plans["plan_id"]])
            )
        ).all()
    plan_of = dict(links)
    latest = latest_overall(queries.latest_progress(engine, on=as_of, plan=list(plans["action_plan"])))
    columns = (latest[c].tolist() for c in ("commitment_id", "completion", "as_of"))
    reports = {cid: (completion, as_of) for cid, completion, as_of in zip(*columns, strict=True)}
    per_plan: dict[int, list[tuple[float | None, bool, dt.date | None]]] = {}
    for commitment, plan in plan_of.items():
        report = reports.get(commitment)
        completion = report[0] if report is not None else None
        per_plan.setdefault(plan, []).append(
            (
                _progress_share(completion),
                completion is not None and COMPLETION.canonical(completion) in HIGH_COMPLETION,
                _as_date(report[1]) if report is not None else None,
            )
        )
    rows = []
    for plan in plans.itertuples(index=False):
        status = statuses.loc[plan.plan_id] if plan.plan_id in statuses.index else None
        items = per_plan.get(plan.plan_id, [])
        shares = [share for share, _, _ in items if share is not None]
        dates = [day for _, _, day in items if day is not None]
        progress = sum(shares) / len(shares) if shares else None
        expected = float(status["elapsed_share"]) if status is not None else None
        if progress is None or expected is None:
            schedule = "no commitments"
        else:
            schedule = "behind" if expected - progress > AT_RISK_BEHIND_SHARE else "on schedule"
        rows.append(
            (
                plan.plan_id,
                plan.action_plan,
                plan.member_code,
                plan.member_name,
                plan.region,
                _as_date(plan.submitted_on),
                _as_date(plan.start_date),
                _as_date(plan.end_date),
                status["midterm"] if status is not None else None,
                int(status["month"]) if status is not None else None,
                int(status["total_months"]) if status is not None else None,
                status["position"] if status is not None else None,
                expected,
                len(items),
                len(dates),
                sum(1 for _, high, _ in items if high),
                progress,
                max(dates) if dates else None,
                schedule,
            )
        )
    return pd.DataFrame(rows, columns=CYCLE_PLAN_COLUMNS)


SUBMISSION_COLUMNS = [
    "plan_id",
    "action_plan",
    "member_code",
    "member_name",
    "due_date",
    "submitted_on",  # None when not delivered by the date
    "submission_status",  # due, overdue, late, contrary to process
    "submission_reason",
    "days_after_due",  # negative while days are left
]


def plan_submissions(engine: Engine, *, as_of: dt.date, **filters: Any) -> pd.DataFrame:
    """Plans due, overdue, late or contrary to process on `as_of` (31 August / 1 January rule).

    A plan delivered after `as_of` counts as not delivered then. Due dates from two years before to
    one year after `as_of` are considered. Columns SUBMISSION_COLUMNS, worst status first, then due date.
    """
    plans = queries.action_plans(engine, **filters)
    if plans.empty:
        return pd.DataFrame(columns=SUBMISSION_COLUMNS)
    plans = plans.copy()
    submitted = plans["submitted_on"].map(_as_date)
    future = submitted.map(lambda d: d is not None and d > as_of).astype(bool)
    plans["submitted_on"] = submitted.where(~future, None).astype(object)
    # A plan delivered after the replay date had no commitments yet on that date.
    plans.loc[future, "commitments"] = 0
    statuses = plan_statuses(plans, as_of)
    frame = plans.merge(statuses, on="plan_id")
    frame["due_date"] = frame["due_date"].map(_as_date)
    window = frame["due_date"].map(
        lambda d: (
            as_of - dt.timedelta(days=SUBMISSION_LOOKBACK_DAYS)
            <= d
            <= as_of + dt.timedelta(days=SUBMISSION_LOOKAHEAD_DAYS)
        )
    )
    frame = frame[window.astype(bool) & frame["submission_status"].isin(LATE_SUBMISSIONS)].copy()
    if frame.empty:
        return pd.DataFrame(columns=SUBMISSION_COLUMNS)
    frame["days_after_due"] = [
        ((_as_date(s) or as_of) - d).days for s, d in zip(frame["submitted_on"], frame["due_date"], strict=True)
    ]
    frame["rank"] = frame["submission_status"].map(LATE_SUBMISSIONS.index)
    frame = frame.sort_values(["rank", "due_date", "member_name", "action_plan"])
    return frame[SUBMISSION_COLUMNS].reset_index(drop=True)


# --- Delays -------------------------------------------------------------------------------------


def scope_plan_ids(engine: Engine, *, today: dt.date, **filters: Any) -> list[str]:
    """OGP ids of plans running today or ended within the last 12 months (started on or before today)."""
    since = today - dt.timedelta(days=RECENTLY_ENDED_DAYS)
    return queries.plan_ids(engine, running_from=since, running_to=today, **filters)


DELAY_ROW_COLUMNS = [
    "commitment_id",
    "ogp_id",
    "title",
    "member_code",
    "member_name",
    "action_plan",
    "start_date",
    "end_date",
    "delay_status",
    "delay_reason",
    "severity",  # months behind, overdue or past the end (higher is worse)
    "progress_completion",  # latest reported completion (any source), else the IRM rating
    "progress_source",
    "progress_as_of",
]
DELAY_SHOWN_BY_DEFAULT = ("delayed", "at risk")
DELAY_ORDER = ("delayed", "at risk", "on track", "not assessable", "complete")


def delay_rows(
    engine: Engine,
    *,
    today: dt.date,
    plan_ids: list[str] | None = None,
    deadline_days: int = DEADLINE_DAYS,
    **filters: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(delay rows of every commitment in scope, their undone milestones due by today + deadline_days).

    Scope: commitments of plans running today or ended within the last 12 months; commitment filters
    (policy area, completion, starred) apply. Rows: DELAY_ROW_COLUMNS, worst first (severity, status).
    The milestones are all upcoming_deadlines needs for the same number of days.
    """
    plan_ids = scope_plan_ids(engine, today=today, **filters) if plan_ids is None else plan_ids
    if not plan_ids:
        return pd.DataFrame(columns=DELAY_ROW_COLUMNS), pd.DataFrame(columns=queries.MILESTONE_COLUMNS)
    kwargs = {k: v for k, v in filters.items() if v is not None}
    needed = [
        "commitment_id",
        "ogp_id",
        "title",
        "member_code",
        "member_name",
        "action_plan",
        "start_date",
        "end_date",
        "completion",
    ]
    commitments = queries.commitments(engine, plan=plan_ids, columns=needed, **kwargs)
    due_by = today + dt.timedelta(days=deadline_days)
    milestones = queries.milestones(engine, plan=plan_ids, undone_due_by=due_by, **kwargs)
    progress = queries.latest_progress(engine, on=today, plan=plan_ids, **kwargs)
    delays = commitment_delays(commitments, progress, milestones, today)
    frame = commitments.merge(delays, on="commitment_id")
    frame["rank"] = frame["delay_status"].map(DELAY_ORDER.index)
    frame = frame.sort_values(["severity", "rank", "ogp_id"], ascending=[False, True, True])
    return frame[DELAY_ROW_COLUMNS].reset_index(drop=True), milestones


DEADLINE_COLUMNS = [
    "due_date",
    "days_left",
    "kind",  # "Milestone due", "Commitment ends", "Action plan due"
    "member_code",
    "member_name",
    "item",  # commitment OGP id or action-plan id
    "title",
]


def upcoming_deadlines(
    delays: pd.DataFrame,
    milestones: pd.DataFrame,
    submissions: pd.DataFrame,
    *,
    today: dt.date,
    days: int = DEADLINE_DAYS,
) -> pd.DataFrame:
    """Deadlines from today to `days` ahead: undone milestones, ends of unfinished commitments, plan due dates.

    delays: delay_rows output; milestones: queries.milestones of those commitments; submissions:
    plan_submissions output. Columns DEADLINE_COLUMNS, soonest first.
    """
    last = today + dt.timedelta(days=days)
    rows = []
    # Plain column lists: iterating DataFrame rows of string columns is slow for the tens of thousands in scope.
    ids, codes, names, ogp_ids, titles, ends, statuses = (
        delays[c].tolist()
        for c in ("commitment_id", "member_code", "member_name", "ogp_id", "title", "end_date", "delay_status")
    )
    owners = {cid: (code, name, ogp_id) for cid, code, name, ogp_id in zip(ids, codes, names, ogp_ids, strict=True)}
    columns = (milestones[c].tolist() for c in ("commitment_id", "due_date", "done_date", "title"))
    for commitment_id, due_value, done, title in zip(*columns, strict=True):
        due = _as_date(due_value)
        owner = owners.get(commitment_id)
        if owner is None or due is None or _as_date(done) is not None or not today <= due <= last:
            continue
        rows.append((due, "Milestone due", *owner, title))
    for code, name, ogp_id, title, end_value, status in zip(codes, names, ogp_ids, titles, ends, statuses, strict=True):
        end = _as_date(end_value)
        if end is not None and today <= end <= last and status != "complete":
            rows.append((end, "Commitment ends", code, name, ogp_id, title))
    for row in submissions.itertuples(index=False):
        due = _as_date(row.due_date)
        if row.submission_status == "due" and due is not None and today <= due <= last:
            title = "New action plan due"
            rows.append((due, "Action plan due", row.member_code, row.member_name, row.action_plan, title))
    frame = pd.DataFrame(rows, columns=["due_date", "kind", "member_code", "member_name", "item", "title"])
    frame["days_left"] = [(d - today).days for d in frame["due_date"]]
    kind_order = {"Action plan due": 0, "Milestone due": 1, "Commitment ends": 2}
    frame["rank"] = frame["kind"].map(kind_order)
    frame = frame.sort_values(["due_date", "rank", "member_name", "item"])
    return frame[DEADLINE_COLUMNS].reset_index(drop=True)


# --- IRM ----------------------------------------------------------------------------------------

NO_RECENT_COLUMNS = [
    "commitment_id",
    "ogp_id",
    "title",
    "member_code",
    "member_name",
    "action_plan",
    "last_report_on",  # None when there has never been a report
    "last_report_source",
    "last_completion",
    "days_since_report",  # None when there has never been a report
]


def no_recent_reports(engine: Engine, *, today: dt.date, days: int, **filters: Any) -> pd.DataFrame:
    """Commitments of plans in implementation today with no progress report in the last `days` days.

    Only commitments that started at least `days` days ago count (a younger one cannot be missing a
    report yet); a commitment without a start date uses its plan's. A report dated exactly `days` ago
    still counts as recent. Columns NO_RECENT_COLUMNS: never reported first, then the oldest last report.
    """
    plans = queries.action_plans(engine, running_on=today, **filters)
    plan_ids = list(plans["action_plan"])
    if not plan_ids:
        return pd.DataFrame(columns=NO_RECENT_COLUMNS)
    kwargs = {k: v for k, v in filters.items() if v is not None}
    needed = ["commitment_id", "ogp_id", "title", "member_code", "member_name", "action_plan", "start_date"]
    commitments = queries.commitments(engine, plan=plan_ids, columns=needed, **kwargs)
    latest = latest_overall(queries.latest_progress(engine, on=today, plan=plan_ids, **kwargs))
    report_columns = (latest[c].tolist() for c in ("commitment_id", "as_of", "source", "completion"))
    reports = {cid: (as_of, source, completion) for cid, as_of, source, completion in zip(*report_columns, strict=True)}
    cutoff = today - dt.timedelta(days=days)
    plan_starts = dict(zip(plans["action_plan"], plans["start_date"], strict=True))
    rows = []
    # Plain column lists: iterating DataFrame rows of string columns is slow for thousands of commitments.
    names = ("commitment_id", "ogp_id", "title", "member_code", "member_name", "action_plan", "start_date")
    for commitment_id, ogp_id, title, code, name, plan, start_value in zip(
        *(commitments[c].tolist() for c in names), strict=True
    ):
        start = _as_date(start_value) or _as_date(plan_starts.get(plan))
        if start is None or start > cutoff:
            continue
        report = reports.get(commitment_id)
        last = _as_date(report[0]) if report is not None else None
        if last is not None and last >= cutoff:
            continue
        rows.append(
            (
                commitment_id,
                ogp_id,
                title,
                code,
                name,
                plan,
                last,
                report[1] if report is not None else None,
                report[2] if report is not None else None,
                (today - last).days if last is not None else None,
            )
        )
    frame = pd.DataFrame(rows, columns=NO_RECENT_COLUMNS)
    frame["never"] = frame["last_report_on"].isna()
    frame["sort_day"] = frame["last_report_on"].map(lambda d: _as_date(d) or dt.date.min)
    frame = frame.sort_values(["never", "sort_day", "ogp_id"], ascending=[False, True, True])
    return frame[NO_RECENT_COLUMNS].reset_index(drop=True)


DISAGREEMENT_COLUMNS = [
    "commitment_id",
    "ogp_id",
    "title",
    "member_code",
    "member_name",
    "action_plan",
    "government_completion",
    "government_as_of",
    "civil_society_completion",
    "civil_society_as_of",
    "levels_apart",
]


def source_disagreements(engine: Engine, *, today: dt.date, **filters: Any) -> pd.DataFrame:
    """Commitments whose latest government and latest civil-society reports are two or more levels apart.

    Scope as the delays page (plans running today or ended within 12 months); reports dated after
    today are ignored. Columns DISAGREEMENT_COLUMNS, widest gap first.
    """
    plan_ids = scope_plan_ids(engine, today=today, **filters)
    if not plan_ids:
        return pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    kwargs = {k: v for k, v in filters.items() if v is not None}
    latest = queries.latest_progress(engine, on=today, plan=plan_ids, **kwargs)

    def by_source(source: str) -> dict[Any, tuple[Any, Any]]:
        rows = latest[latest["source"] == source]
        columns = (rows[c].tolist() for c in ("commitment_id", "completion", "as_of"))
        return {cid: (completion, as_of) for cid, completion, as_of in zip(*columns, strict=True)}

    government, civil = by_source("government"), by_source("civil_society")
    clashing = [c for c in government if c in civil and sources_disagree(government[c][0], civil[c][0])]
    if not clashing:
        return pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    names = ("commitment_id", "ogp_id", "title", "member_code", "member_name", "action_plan")
    commitments = queries.commitments(engine, plan=plan_ids, columns=names, **kwargs)
    names = ("commitment_id", "ogp_id", "title", "member_code", "member_name", "action_plan")
    info = {row[0]: row[1:] for row in zip(*(commitments[c].tolist() for c in names), strict=True)}
    rows = []
    for c in clashing:
        if c not in info:
            continue
        (gov, gov_as_of), (cso, cso_as_of) = government[c], civil[c]
        gov_rank, cso_rank = COMPLETION.rank(gov), COMPLETION.rank(cso)
        if gov_rank is None or cso_rank is None:  # sources_disagree only pairs ranked levels
            continue
        gap = abs(gov_rank - cso_rank)
        rows.append((c, *info[c], gov, _as_date(gov_as_of), cso, _as_date(cso_as_of), gap))
    frame = pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
    return frame.sort_values(["levels_apart", "ogp_id"], ascending=[False, True]).reset_index(drop=True)


COMPLETION_CHANGE_COLUMNS = ["completion_midterm", "completion_end_of_term", "commitments"]


def completion_change_counts(engine: Engine, **filters: Any) -> pd.DataFrame:
    """Commitments per (mid-term, end-of-term) IRM completion pair, as written (ND/NR/NA kept, blank None).

    Columns COMPLETION_CHANGE_COLUMNS.
    """
    kwargs = {k: v for k, v in filters.items() if v is not None}
    stmt = queries.commitment_scope(
        select(Commitment.completion_midterm, Commitment.completion_end_of_term, func.count(Commitment.id)), kwargs
    )
    stmt = stmt.group_by(Commitment.completion_midterm, Commitment.completion_end_of_term)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=COMPLETION_CHANGE_COLUMNS)
