"""Read-only queries for the dashboard: keyword-only filters in, DataFrames with documented columns out.

Aggregation happens in SQL; every value is a bound parameter; sort keys come from whitelists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVarTuple

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, distinct, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Subquery

from dashboard.domain.scales import HIGH_COMPLETION
from data_access.models import (
    ORIGIN_SAMPLE,
    ActionPlan,
    AppMeta,
    Commitment,
    CommitmentStatus,
    Member,
    Milestone,
    PolicyArea,
    ProgressReport,
    commitment_policy_area,
)

COMMITMENT_COLUMNS = [
    "commitment_id",  # database id
    "ogp_id",  # OGP's unique identifier, e.g. AL0002
    "title",
    "member_code",
    "member_name",
    "region",
    "member_type",
    "action_plan",  # OGP plan id, e.g. AP_ALB01
    "submission_year",
    "start_date",
    "end_date",
    "lead_institution",
    "completion",  # latest IRM completion rating, None when not yet assessed
    "starred",
    "potential_impact",
    "potential_for_results",
]


def frame(engine: Engine, stmt: Select, columns: Sequence[str]) -> pd.DataFrame:
    """Run a select and return its rows as a DataFrame that keeps its columns when empty."""
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def commitment_conditions(
    *,
    member: Sequence[str] | None = None,
    region: Sequence[str] | None = None,
    member_type: Sequence[str] | None = None,
    plan: Sequence[str] | None = None,
    cycle: Sequence[int] | None = None,
    policy_area: Sequence[str] | None = None,
    completion: Sequence[str] | None = None,
    starred: bool | None = None,
    as_of: dt.date | None = None,
    delay_status: Sequence[str] | None = None,
    status_day: dt.date | None = None,
    search: Select[Any] | None = None,
) -> list[ColumnElement[bool]]:
    """WHERE clauses over Commitment/ActionPlan/Member for the filters given (None = no filter).

    delay_status keeps commitments with those stored statuses on status_day (data_access.statuses must
    have made that day's statuses current; callers do so through statuses.ensure). search is a select of
    (commitment_id, score) from data_access.search.matches: only the commitments it finds are kept.
    """
    conditions: list[ColumnElement[bool]] = []
    if member:
        conditions.append(Member.code.in_(list(member)))
    if region:
        conditions.append(Member.region.in_(list(region)))
    if member_type:
        conditions.append(Member.member_type.in_(list(member_type)))
    if plan:
        conditions.append(ActionPlan.ogp_id.in_(list(plan)))
    if cycle:
        conditions.append(ActionPlan.submission_year.in_([int(c) for c in cycle]))
    if policy_area:
        tagged = (
            select(commitment_policy_area.c.commitment_id)
            .join(PolicyArea, PolicyArea.id == commitment_policy_area.c.policy_area_id)
            .where(PolicyArea.slug.in_(list(policy_area)))
        )
        conditions.append(Commitment.id.in_(tagged))
    if completion:
        conditions.append(Commitment.completion.in_(list(completion)))
    if starred is not None:
        conditions.append(Commitment.starred.is_(starred))
    if as_of is not None:
        conditions.append(or_(ActionPlan.start_date.is_(None), ActionPlan.start_date <= as_of))
    if delay_status:
        if status_day is None:
            raise ValueError("a delay_status filter needs the status_day its statuses were computed for")
        with_status = select(CommitmentStatus.commitment_id).where(
            CommitmentStatus.day == status_day, CommitmentStatus.delay_status.in_(list(delay_status))
        )
        conditions.append(Commitment.id.in_(with_status))
    if search is not None:
        conditions.append(Commitment.id.in_(select(search.subquery().c.commitment_id)))
    return conditions


_Row = TypeVarTuple("_Row")


def commitment_scope(stmt: Select[*_Row], filters: dict[str, Any]) -> Select[*_Row]:
    """A select over Commitment joined to its ActionPlan and Member, restricted by commitment_conditions(**filters)."""
    stmt = stmt.select_from(Commitment).join(ActionPlan, Commitment.action_plan_id == ActionPlan.id)
    stmt = stmt.join(Member, ActionPlan.member_id == Member.id)
    conditions = commitment_conditions(**filters)
    return stmt.where(and_(*conditions)) if conditions else stmt


# The columns that name a commitment in every list: database id, OGP id, title, member code and name, plan id.
COMMITMENT_IDENTITY = (Commitment.id, Commitment.ogp_id, Commitment.title, Member.code, Member.name, ActionPlan.ogp_id)
IDENTITY_COLUMNS = ["commitment_id", "ogp_id", "title", "member_code", "member_name", "action_plan"]

HIGH_COMPLETION_CASE = case((Commitment.completion.in_(sorted(HIGH_COMPLETION)), 1), else_=0)
ASSESSED_CASE = case((Commitment.completion.is_not(None), 1), else_=0)
STARRED_CASE = case((Commitment.starred.is_(True), 1), else_=0)
# "High ambition": Transformative potential impact (to 2019) or Substantial potential for results (2020-).
AMBITIOUS_CASE = case(
    (or_(Commitment.potential_impact == "Transformative", Commitment.potential_for_results == "Substantial"), 1),
    else_=0,
)
# Stars exist only while the IRM rated them (to the 2017-19 plans); ND after that is not "not starred".
STAR_RATED_CASE = case(
    (
        or_(
            Commitment.starred_midterm.in_(["0", "1"]),
            Commitment.starred_end_of_term.in_(["0", "1"]),
            Commitment.starred_2015.in_(["0", "1"]),
        ),
        1,
    ),
    else_=0,
)
AMBITION_RATED_CASE = case(
    (
        or_(
            Commitment.potential_impact.in_(["None", "Minor", "Moderate", "Transformative"]),
            Commitment.potential_for_results.in_(["Unclear", "Modest", "Substantial"]),
        ),
        1,
    ),
    else_=0,
)


_COMMITMENT_SELECT: dict[str, Any] = {
    "commitment_id": Commitment.id,
    "ogp_id": Commitment.ogp_id,
    "title": Commitment.title,
    "member_code": Member.code,
    "member_name": Member.name,
    "region": Member.region,
    "member_type": Member.member_type,
    "action_plan": ActionPlan.ogp_id,
    "submission_year": ActionPlan.submission_year,
    "start_date": Commitment.start_date,
    "end_date": Commitment.end_date,
    "lead_institution": Commitment.lead_institution,
    "completion": Commitment.completion,
    "starred": Commitment.starred,
    "potential_impact": Commitment.potential_impact,
    "potential_for_results": Commitment.potential_for_results,
}


def commitments(engine: Engine, *, columns: Sequence[str] | None = None, **filters: Any) -> pd.DataFrame:
    """Every commitment matching the filters; columns COMMITMENT_COLUMNS, ordered by member and id.

    `columns` (a subset of COMMITMENT_COLUMNS) fetches only those, in that order: large scopes need few.
    """
    names = list(columns) if columns is not None else COMMITMENT_COLUMNS
    unknown = [name for name in names if name not in _COMMITMENT_SELECT]
    if unknown:
        raise ValueError(f"unknown commitment columns {unknown}")
    stmt = commitment_scope(select(*(_COMMITMENT_SELECT[name] for name in names)), filters)
    return frame(engine, stmt.order_by(Member.name, Commitment.ogp_id), names)


def overview_counts(engine: Engine, **filters: Any) -> dict[str, int]:
    """Counts behind the overview KPIs: members, plans, commitments, assessed, high completion, starred and
    star_rated (commitments the IRM star-rated: stars exist only to the 2017-19 plans)."""
    stmt = commitment_scope(
        select(
            func.count(distinct(Member.id)),
            func.count(distinct(ActionPlan.id)),
            func.count(Commitment.id),
            func.coalesce(func.sum(ASSESSED_CASE), 0),
            func.coalesce(func.sum(HIGH_COMPLETION_CASE), 0),
            func.coalesce(func.sum(STARRED_CASE), 0),
            func.coalesce(func.sum(STAR_RATED_CASE), 0),
        ),
        filters,
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).one()
    keys = ["members", "action_plans", "commitments", "assessed", "high_completion", "starred", "star_rated"]
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


GROUPINGS: dict[str, Any] = {
    "region": Member.region,
    "member": Member.code,
    "member_type": Member.member_type,
    "cycle": ActionPlan.submission_year,
    "action_plan": ActionPlan.ogp_id,
}


def completion_counts(engine: Engine, *, by: str, **filters: Any) -> pd.DataFrame:
    """Commitments per group and completion level; columns [by, 'completion', 'commitments'].

    `by` is one of GROUPINGS or 'policy_area' (slug); completion None means not yet assessed.
    """
    if by == "policy_area":
        group = PolicyArea.slug
        stmt = select(group, Commitment.completion, func.count(Commitment.id))
        stmt = commitment_scope(stmt, filters)
        stmt = stmt.join(commitment_policy_area, commitment_policy_area.c.commitment_id == Commitment.id).join(
            PolicyArea, PolicyArea.id == commitment_policy_area.c.policy_area_id
        )
    elif by in GROUPINGS:
        group = GROUPINGS[by]
        stmt = commitment_scope(select(group, Commitment.completion, func.count(Commitment.id)), filters)
    else:
        raise ValueError(f"cannot group by {by!r}")
    stmt = stmt.group_by(group, Commitment.completion).order_by(group)
    return frame(engine, stmt, [by, "completion", "commitments"])


def cycle_trend(engine: Engine, **filters: Any) -> pd.DataFrame:
    """Per action-plan cycle (submission year): commitments, assessed, high completion, starred, ambitious.

    Columns: cycle, commitments, assessed, high_completion, star_rated, starred, ambition_rated, ambitious.
    """
    stmt = commitment_scope(
        select(
            ActionPlan.submission_year,
            func.count(Commitment.id),
            func.sum(ASSESSED_CASE),
            func.sum(HIGH_COMPLETION_CASE),
            func.sum(STAR_RATED_CASE),
            func.sum(STARRED_CASE),
            func.sum(AMBITION_RATED_CASE),
            func.sum(AMBITIOUS_CASE),
        ),
        filters,
    )
    stmt = stmt.where(ActionPlan.submission_year.is_not(None)).group_by(ActionPlan.submission_year)
    stmt = stmt.order_by(ActionPlan.submission_year)
    columns = [
        "cycle",
        "commitments",
        "assessed",
        "high_completion",
        "star_rated",
        "starred",
        "ambition_rated",
        "ambitious",
    ]
    return frame(engine, stmt, columns)


MEMBER_SUMMARY_COLUMNS = [
    "code",
    "name",
    "region",
    "member_type",
    "status",
    "action_plans",
    "commitments",
    "assessed",
    "high_completion",
    "starred",
    "star_rated",
]


def member_summary(engine: Engine, **filters: Any) -> pd.DataFrame:
    """One row per member with commitments matching the filters; columns MEMBER_SUMMARY_COLUMNS."""
    stmt = commitment_scope(
        select(
            Member.code,
            Member.name,
            Member.region,
            Member.member_type,
            Member.status,
            func.count(distinct(ActionPlan.id)),
            func.count(Commitment.id),
            func.sum(ASSESSED_CASE),
            func.sum(HIGH_COMPLETION_CASE),
            func.sum(STARRED_CASE),
            func.sum(STAR_RATED_CASE),
        ),
        filters,
    )
    stmt = stmt.group_by(Member.code, Member.name, Member.region, Member.member_type, Member.status)
    return frame(engine, stmt.order_by(Member.name), MEMBER_SUMMARY_COLUMNS)


PLAN_COLUMNS = [
    "plan_id",
    "action_plan",
    "member_code",
    "member_name",
    "region",
    "member_type",
    "member_status",
    "number",
    "submission_year",
    "submitted_on",
    "start_date",
    "end_date",
    "duration_years",
    "cohort",
    "co_creation_met",
    "commitments",
]


# Filters that apply to action plans; commitment-level filters (policy area, completion, starred) do not.
PLAN_FILTERS = ("member", "region", "member_type", "cycle")


def plan_scope(
    stmt: Select[*_Row],
    *,
    running_from: dt.date | None = None,
    running_to: dt.date | None = None,
    **filters: Any,
) -> Select[*_Row]:
    """A select over ActionPlan joined to its Member, restricted by the plan-level filters (PLAN_FILTERS).

    `running_from`/`running_to` keep plans whose implementation period overlaps that range (one date when
    equal); other filters are ignored.
    """
    stmt = stmt.select_from(ActionPlan).join(Member, ActionPlan.member_id == Member.id)
    conditions = commitment_conditions(**{k: v for k, v in filters.items() if k in PLAN_FILTERS})
    if running_to is not None:
        conditions.append(ActionPlan.start_date <= running_to)
    if running_from is not None:
        conditions.append(ActionPlan.end_date >= running_from)
    return stmt.where(and_(*conditions)) if conditions else stmt


def action_plans(engine: Engine, *, running_on: dt.date | None = None, **filters: Any) -> pd.DataFrame:
    """Action plans with their member and commitment count; columns PLAN_COLUMNS.

    `running_on` keeps plans whose implementation period contains that date. Commitment-level
    filters (policy area, completion, starred) do not apply to plans and are ignored.
    """
    count = select(func.count(Commitment.id)).where(Commitment.action_plan_id == ActionPlan.id).scalar_subquery()
    stmt = select(
        ActionPlan.id,
        ActionPlan.ogp_id,
        Member.code,
        Member.name,
        Member.region,
        Member.member_type,
        Member.status,
        ActionPlan.number,
        ActionPlan.submission_year,
        ActionPlan.submitted_on,
        ActionPlan.start_date,
        ActionPlan.end_date,
        ActionPlan.duration_years,
        ActionPlan.cohort,
        ActionPlan.co_creation_met,
        count,
    )
    stmt = plan_scope(stmt, running_from=running_on, running_to=running_on, **filters)
    stmt = stmt.order_by(Member.name, ActionPlan.number)
    return frame(engine, stmt, PLAN_COLUMNS)


def plan_ids(engine: Engine, *, running_from: dt.date, running_to: dt.date, **filters: Any) -> list[str]:
    """OGP ids of the plans matching the plan-level filters whose implementation overlaps the range, sorted."""
    stmt = plan_scope(select(ActionPlan.ogp_id), running_from=running_from, running_to=running_to, **filters)
    with engine.connect() as conn:
        return list(conn.scalars(stmt.order_by(ActionPlan.ogp_id)))


LATEST_PROGRESS_COLUMNS = ["commitment_id", "source", "as_of", "completion", "result"]


def replaced_ids(known_by: dt.date | None = None) -> Select[Any]:
    """The ids of the progress reports a correction replaces (data_access.recording), or that one known by
    `known_by` replaces when a past day is replayed."""
    correction = aliased(ProgressReport)
    replaced = select(correction.supersedes_id).where(correction.supersedes_id.is_not(None))
    if known_by is not None:
        replaced = replaced.where(correction.known_from <= known_by)
    return replaced


def in_force(known_by: dt.date | None = None) -> Any:
    """The condition "this progress report counts": no correction replaces it. Every "latest report" reads
    through it, or (the status layer, reading every report) through replaced_ids."""
    return ProgressReport.id.not_in(replaced_ids(known_by))


def ranked_reports(
    *,
    per_source: bool,
    on: dt.date | None = None,
    commitment_ids: Sequence[int] | Select | None = None,
) -> Subquery:
    """Subquery of progress reports ranked newest first: `rank` 1 is the latest report per commitment.

    per_source ranks within each (commitment, source) instead of across sources; `on` keeps reports dated on
    or before it; `commitment_ids` (ids, or a select of ids) limits the ranking to those commitments
    (ranking every report of the database is the slow part). Ties on the date go to the later entry.
    Columns: commitment_id, source, as_of, completion, result, rank.
    """
    partition = (ProgressReport.commitment_id, ProgressReport.source) if per_source else (ProgressReport.commitment_id,)
    ranked = (
        select(
            ProgressReport.commitment_id,
            ProgressReport.source,
            ProgressReport.as_of,
            ProgressReport.completion,
            ProgressReport.result,
            func.row_number()
            .over(partition_by=partition, order_by=(ProgressReport.as_of.desc(), ProgressReport.id.desc()))
            .label("rank"),
        )
    ).where(in_force())
    if on is not None:
        ranked = ranked.where(ProgressReport.as_of <= on)
    if isinstance(commitment_ids, Select):
        ranked = ranked.where(ProgressReport.commitment_id.in_(commitment_ids))
    elif commitment_ids is not None:
        ranked = ranked.where(ProgressReport.commitment_id.in_([int(i) for i in commitment_ids]))
    return ranked.subquery("latest_report")


def latest_progress(engine: Engine, *, on: dt.date | None = None, **filters: Any) -> pd.DataFrame:
    """Latest progress report per commitment and source dated on or before `on` (all when None).

    Columns LATEST_PROGRESS_COLUMNS; replaying a past date uses only reports that existed then.
    """
    scope = commitment_scope(select(Commitment.id), filters) if filters else None
    ranked = ranked_reports(per_source=True, on=on, commitment_ids=scope)
    stmt = select(ranked.c.commitment_id, ranked.c.source, ranked.c.as_of, ranked.c.completion, ranked.c.result).where(
        ranked.c.rank == 1
    )
    return frame(engine, stmt, LATEST_PROGRESS_COLUMNS)


MILESTONE_COLUMNS = ["milestone_id", "commitment_id", "title", "due_date", "done_date"]


def milestones(engine: Engine, *, undone_due_by: dt.date | None = None, **filters: Any) -> pd.DataFrame:
    """Milestones of the commitments matching the filters; columns MILESTONE_COLUMNS.

    `undone_due_by` keeps only milestones not done and due on or before that date (what delay statuses
    and deadlines look at), so large scopes fetch a fraction of the rows.
    """
    stmt = select(Milestone.id, Milestone.commitment_id, Milestone.title, Milestone.due_date, Milestone.done_date)
    if undone_due_by is not None:
        stmt = stmt.where(Milestone.done_date.is_(None), Milestone.due_date <= undone_due_by)
    if filters:
        stmt = stmt.where(Milestone.commitment_id.in_(commitment_scope(select(Commitment.id), filters)))
    return frame(engine, stmt.order_by(Milestone.commitment_id, Milestone.due_date), MILESTONE_COLUMNS)


def member_codes(engine: Engine) -> set[str]:
    """Codes of every member (to validate URL filters)."""
    with engine.connect() as conn:
        return set(conn.scalars(select(Member.code)))


def filter_options(engine: Engine) -> dict[str, list[Any]]:
    """Choices for the filter bar: members (code, name), cycles, policy areas (slug, name)."""
    with engine.connect() as conn:
        members = conn.execute(select(Member.code, Member.name).order_by(Member.name)).all()
        cycles = conn.scalars(
            select(ActionPlan.submission_year)
            .distinct()
            .where(ActionPlan.submission_year.is_not(None))
            .order_by(ActionPlan.submission_year)
        ).all()
        areas = conn.execute(select(PolicyArea.slug, PolicyArea.name).order_by(PolicyArea.id)).all()
    return {
        "members": [tuple(m) for m in members],
        "cycles": list(cycles),
        "policy_areas": [tuple(a) for a in areas],
    }


STAMP_KEYS = ("data_version", "data_updated_at")


def stamp_of(meta: dict[str, str]) -> str:
    """The data stamp from the app_meta entries STAMP_KEYS."""
    return f"{meta.get('data_version', 0)}@{meta.get('data_updated_at', '')}"


def data_stamp(engine: Engine) -> str:
    """'<data version>@<time of last change>': changes with every import and write (part of every cache key;
    the time tells apart a database that was rebuilt and counted its versions from 1 again)."""
    with engine.connect() as conn:
        meta = dict(conn.execute(select(AppMeta.key, AppMeta.value).where(AppMeta.key.in_(STAMP_KEYS))).all())
    return stamp_of(meta)


def data_status(engine: Engine) -> dict[str, Any]:
    """Where the data came from and when it last changed: is_sample, data_version, updated_at, last_import."""
    with engine.connect() as conn:
        meta = dict(conn.execute(select(AppMeta.key, AppMeta.value)).all())
        has_sample = conn.execute(
            select(literal(1)).select_from(Member).where(Member.origin == ORIGIN_SAMPLE).limit(1)
        ).first()
        latest_report = conn.scalar(select(func.max(ProgressReport.as_of)))
    return {
        "is_sample": has_sample is not None,
        "data_version": int(meta.get("data_version", 0)),
        "updated_at": meta.get("data_updated_at"),
        "last_import": meta.get("last_import"),
        "latest_report": latest_report,
    }
