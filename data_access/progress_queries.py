"""Queries behind the delays and IRM pages that go beyond the stored statuses: deadlines ahead, commitments
without recent reports, sources that disagree, and the IRM's completion change.

Each function takes keyword-only filters (those of data_access.queries, including the status day) and
returns a DataFrame with the documented columns (an empty frame keeps them). Statuses come from the status
layer (data_access.statuses); rules from dashboard.domain; SQL binds every value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, literal, select, union_all
from sqlalchemy.orm import aliased

from dashboard.domain.rules import levels_apart
from dashboard.domain.scales import COMPLETION, SOURCE_GROUPS
from dashboard.domain.status import latest_evidence
from data_access import queries, statuses
from data_access.models import ActionPlan, Commitment, CommitmentStatus, Member, Milestone, PlanStatus, ProgressReport

DEADLINE_DAYS = 90
MAX_ROWS = 500  # rows a list shows; its count and its export cover them all


def _clean(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in filters.items() if v is not None}


def _on_day(day: dt.date) -> Any:
    """Join condition: the stored status of the commitment on `day`."""
    return and_(CommitmentStatus.commitment_id == Commitment.id, CommitmentStatus.day == day)


# --- Deadlines -----------------------------------------------------------------------------------

DEADLINE_COLUMNS = [
    "due_date",
    "days_left",
    "kind",  # "Action plan due", "Milestone due", "Commitment ends"
    "member_code",
    "member_name",
    "item",  # commitment OGP id or action-plan id
    "title",
]
KIND_ORDER = {"Action plan due": 0, "Milestone due": 1, "Commitment ends": 2}


def upcoming_deadlines(
    engine: Engine, *, day: dt.date, days: int = DEADLINE_DAYS, **filters: Any
) -> tuple[pd.DataFrame, int]:
    """(the first MAX_ROWS deadlines from `day` to `days` ahead, soonest first; how many there are in all).

    Deadlines: plans due and not delivered, undone milestones and ends of commitments that are neither
    complete nor closed. Columns DEADLINE_COLUMNS.
    """
    statuses.ensure(engine, day)
    last = day + dt.timedelta(days=days)
    filters = _clean(filters)
    open_commitment = CommitmentStatus.delay_status.not_in(["complete", "closed"])
    milestones = queries.commitment_scope(
        select(
            Milestone.due_date.label("due_date"),
            literal("Milestone due").label("kind"),
            Member.code.label("member_code"),
            Member.name.label("member_name"),
            Commitment.ogp_id.label("item"),
            Milestone.title.label("title"),
        ),
        filters,
    )
    milestones = milestones.join(Milestone, Milestone.commitment_id == Commitment.id).join(
        CommitmentStatus, _on_day(day)
    )
    milestones = milestones.where(
        Milestone.done_date.is_(None), Milestone.due_date >= day, Milestone.due_date <= last, open_commitment
    )
    ends = queries.commitment_scope(
        select(
            Commitment.end_date.label("due_date"),
            literal("Commitment ends").label("kind"),
            Member.code,
            Member.name,
            Commitment.ogp_id,
            Commitment.title,
        ),
        filters,
    ).join(CommitmentStatus, _on_day(day))
    ends = ends.where(Commitment.end_date >= day, Commitment.end_date <= last, open_commitment)
    plans = queries.plan_scope(
        select(
            PlanStatus.due_date,
            literal("Action plan due").label("kind"),
            Member.code,
            Member.name,
            ActionPlan.ogp_id,
            literal("New action plan due").label("title"),
        ),
        **filters,
    ).join(PlanStatus, and_(PlanStatus.plan_id == ActionPlan.id, PlanStatus.day == day))
    plans = plans.where(PlanStatus.submission_status == "due", PlanStatus.due_date >= day, PlanStatus.due_date <= last)
    every = union_all(milestones, ends, plans).subquery()
    with engine.connect() as conn:  # one run of the union: the window is short, its rows are few
        rows = conn.execute(select(every)).all()
    total = len(rows)
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=["due_date", "kind", "member_code", "member_name", "item", "title"]
    )
    frame["days_left"] = [(d - day).days for d in frame["due_date"]]
    frame["rank"] = frame["kind"].map(KIND_ORDER)
    frame = frame.sort_values(["due_date", "rank", "member_name", "item"], kind="stable").head(MAX_ROWS)
    return frame[DEADLINE_COLUMNS].reset_index(drop=True), total


# --- No recent report ----------------------------------------------------------------------------

NO_RECENT_COLUMNS = [
    *queries.IDENTITY_COLUMNS,
    "last_report_on",  # None when there has never been a report
    "last_report_source",
    "last_completion",
    "days_since_report",  # None when there has never been a report
]


def no_recent_reports(engine: Engine, *, day: dt.date, days: int, **filters: Any) -> tuple[pd.DataFrame, int]:
    """(the first MAX_ROWS commitments with no progress report in the `days` before `day`; how many in all).

    Scope: commitments of plans in implementation on the day (stored plan statuses) that started at least
    `days` days before it (a younger one cannot be missing a report yet; without its own start date, its
    plan's). A report dated exactly `days` ago still counts as recent. Never reported first, then the oldest.
    Columns NO_RECENT_COLUMNS.
    """
    statuses.ensure(engine, day)
    cutoff = day - dt.timedelta(days=days)
    filters = _clean(filters)
    # Each commitment's latest report by a correlated lookup on (commitment_id, as_of): an index seek per row.
    # (Joining a window-ranked subquery instead made SQLite scan it once per commitment: seconds at scale 10.)
    latest_id = (
        select(ProgressReport.id)
        .where(ProgressReport.commitment_id == Commitment.id, ProgressReport.as_of <= day, queries.in_force())
        .order_by(ProgressReport.as_of.desc(), ProgressReport.id.desc())
        .limit(1)
        .correlate(Commitment)
        .scalar_subquery()
    )
    latest = aliased(ProgressReport)
    stmt = select(
        *queries.COMMITMENT_IDENTITY,
        latest.as_of,
        latest.source,
        latest.completion,
    )
    stmt = queries.commitment_scope(stmt, filters)
    stmt = stmt.join(PlanStatus, and_(PlanStatus.plan_id == ActionPlan.id, PlanStatus.day == day))
    stmt = stmt.outerjoin(latest, latest.id == latest_id)
    stmt = stmt.where(
        PlanStatus.phase == "implementing",
        func.coalesce(Commitment.start_date, ActionPlan.start_date) <= cutoff,
        (latest.as_of.is_(None)) | (latest.as_of < cutoff),
    )
    with engine.connect() as conn:
        total = int(conn.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
        ordered = stmt.order_by(latest.as_of.is_not(None), latest.as_of, Commitment.ogp_id).limit(MAX_ROWS)
        rows = conn.execute(ordered).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=NO_RECENT_COLUMNS[:-1])
    frame["days_since_report"] = [(day - d).days if d is not None else None for d in frame["last_report_on"]]
    return frame[NO_RECENT_COLUMNS], total


# --- Sources that disagree -------------------------------------------------------------------------

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
    "irm_completion",  # the IRM's own latest rating beside them, when there is one
]


def source_disagreements(engine: Engine, *, day: dt.date, **filters: Any) -> pd.DataFrame:
    """Commitments whose latest government and civil-society reports of a level, dated within 120 days of each
    other, are two or more levels apart (rules.levels_apart), widest gap first; columns DISAGREEMENT_COLUMNS.

    Scope: commitments not closed on the day (their plan ended at most 12 months before); reports dated after
    the day are ignored.
    """
    statuses.ensure(engine, day)
    filters = _clean(filters)
    scope = queries.commitment_scope(select(Commitment.id), filters).join(CommitmentStatus, _on_day(day))
    scope = scope.where(CommitmentStatus.delay_status != "closed")
    reports_stmt = select(
        ProgressReport.commitment_id, ProgressReport.source, ProgressReport.as_of, ProgressReport.completion
    ).where(
        ProgressReport.source.in_(["government", "civil_society"]),
        ProgressReport.as_of <= day,
        ProgressReport.commitment_id.in_(scope),
        queries.in_force(),
    )
    with engine.connect() as conn:
        reports = pd.DataFrame(
            [tuple(r) for r in conn.execute(reports_stmt)], columns=["commitment_id", "source", "as_of", "completion"]
        )
    if reports.empty:
        return pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    latest = {
        source: latest_evidence(reports[reports["source"] == source], day).set_index("commitment_id")
        for source in ("government", "civil_society")
    }
    government, civil = latest["government"], latest["civil_society"]
    pairs = []
    for commitment_id in government.index.intersection(civil.index):
        gov, cso = government.loc[commitment_id], civil.loc[commitment_id]
        apart = levels_apart(gov["completion"], gov["as_of"], cso["completion"], cso["as_of"])
        if apart is not None and apart >= 2:
            pairs.append((commitment_id, gov["completion"], gov["as_of"], cso["completion"], cso["as_of"], apart))
    if not pairs:
        return pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    ids = [int(p[0]) for p in pairs]
    info_stmt = queries.commitment_scope(
        select(
            *queries.COMMITMENT_IDENTITY,
            Commitment.completion,
        ),
        {},
    ).where(Commitment.id.in_(ids))
    with engine.connect() as conn:
        info = {row[0]: tuple(row[1:]) for row in conn.execute(info_stmt)}
    rows = [
        (cid, *info[cid][:5], gov, gov_day, cso, cso_day, apart, info[cid][5])
        for cid, gov, gov_day, cso, cso_day, apart in pairs
        if cid in info
    ]
    frame = pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
    return frame.sort_values(["levels_apart", "ogp_id"], ascending=[False, True]).reset_index(drop=True)


# --- IRM completion change -------------------------------------------------------------------------

COMPLETION_CHANGE_COLUMNS = ["completion_midterm", "completion_end_of_term", "commitments"]


def completion_change_counts(engine: Engine, **filters: Any) -> pd.DataFrame:
    """Commitments per (mid-term, end-of-term) IRM completion pair, as written (ND/NR/NA kept, blank None).

    Columns COMPLETION_CHANGE_COLUMNS.
    """
    stmt = queries.commitment_scope(
        select(Commitment.completion_midterm, Commitment.completion_end_of_term, func.count(Commitment.id)),
        _clean(filters),
    )
    stmt = stmt.group_by(Commitment.completion_midterm, Commitment.completion_end_of_term)
    return queries.frame(engine, stmt, COMPLETION_CHANGE_COLUMNS)


# --- Progress reported so far, by source -----------------------------------------------------------

PROGRESS_BY_SOURCE_COLUMNS = ["group", "source", "completion", "commitments"]


def progress_by_source(engine: Engine, *, on: dt.date, by: str = "region", **filters: Any) -> pd.DataFrame:
    """Commitments per group (`by`: a data_access.queries commitment column, e.g. region), source (SOURCE_GROUPS:
    Government, Civil society, OGP Support Unit, IRM) and the level of that source's latest report dated on or
    before `on`; completion None: that source has not reported on the commitment. Every source appears for
    every group. Columns PROGRESS_BY_SOURCE_COLUMNS."""
    filters = _clean(filters)
    scope = queries.commitments(engine, columns=["commitment_id", by], **filters)
    if scope.empty:
        return pd.DataFrame(columns=PROGRESS_BY_SOURCE_COLUMNS)
    latest = queries.latest_progress(engine, on=on, **filters)
    latest = latest.assign(source=latest["source"].map(SOURCE_GROUPS))
    latest = (
        latest.sort_values(["commitment_id", "source", "as_of"], kind="stable")
        .groupby(["commitment_id", "source"], as_index=False)
        .tail(1)
    )
    level = latest["completion"].map(lambda c: COMPLETION.canonical(c) if COMPLETION.is_rating(c) else None)
    latest = latest.assign(completion=level)
    rows = []
    for source in dict.fromkeys(SOURCE_GROUPS.values()):
        reported = latest[latest["source"] == source][["commitment_id", "completion"]]
        joined = scope.merge(reported, on="commitment_id", how="left")
        joined["completion"] = joined["completion"].astype(object).where(joined["completion"].notna(), None)
        counted = joined.groupby([by, "completion"], dropna=False).size().reset_index(name="commitments")
        rows.append(counted.rename(columns={by: "group"}).assign(source=source))
    found = pd.concat(rows, ignore_index=True)[PROGRESS_BY_SOURCE_COLUMNS]
    found["completion"] = found["completion"].astype(object).where(found["completion"].notna(), None)
    return found


# --- Progress reports, paged (the API) -------------------------------------------------------------

REPORT_COLUMNS = [
    "ogp_id",
    "member_code",
    "as_of",
    "source",
    "completion",
    "result",
    "note",
    "evidence_url",
    "recorded_by",
    "known_from",
]


def progress_reports(
    engine: Engine,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str | None = None,
    offset: int = 0,
    limit: int = 100,
    **filters: Any,
) -> tuple[pd.DataFrame, int]:
    """Progress reports of the commitments matching the filters, dated from `since` to `until` (inclusive) and
    from `source` when given, newest first; one page (columns REPORT_COLUMNS) and how many there are in all."""
    conditions = []
    if since is not None:
        conditions.append(ProgressReport.as_of >= since)
    if until is not None:
        conditions.append(ProgressReport.as_of <= until)
    if source is not None:
        conditions.append(ProgressReport.source == source)
    scoped = queries.commitment_scope(select(Commitment.id), _clean(filters))
    base = select(ProgressReport).where(ProgressReport.commitment_id.in_(scoped), *conditions).subquery()
    page = (
        select(
            Commitment.ogp_id,
            Member.code,
            base.c.as_of,
            base.c.source,
            base.c.completion,
            base.c.result,
            base.c.note,
            base.c.evidence_url,
            base.c.recorded_by,
            base.c.known_from,
        )
        .join(Commitment, Commitment.id == base.c.commitment_id)
        .join(ActionPlan, ActionPlan.id == Commitment.action_plan_id)
        .join(Member, Member.id == ActionPlan.member_id)
        .order_by(base.c.as_of.desc(), base.c.id.desc())
        .offset(max(int(offset), 0))
        .limit(max(int(limit), 0))
    )
    with engine.connect() as conn:
        total = int(conn.scalar(select(func.count()).select_from(base)) or 0)
    return queries.frame(engine, page, REPORT_COLUMNS), total
