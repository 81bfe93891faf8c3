"""Queries behind the commitments list and commitment pages: paged, sorted rows and one commitment in full.

Every value is a bound parameter; sort keys come from SORT_KEYS only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, false, func, select
from sqlalchemy.orm import Session, selectinload

from dashboard.domain.scales import COMPLETION, DELAY_STATUSES, POTENTIAL_FOR_RESULTS, POTENTIAL_IMPACT, Scale
from data_access import search as search_index
from data_access.models import ActionPlan, Commitment, CommitmentStatus, Member, Milestone, ProgressReport
from data_access.queries import COMMITMENT_IDENTITY, commitment_scope, ranked_reports

ROW_COLUMNS = [
    "commitment_id",  # database id
    "ogp_id",
    "title",
    "member_code",
    "member_name",
    "action_plan",  # OGP plan id, e.g. AP_ALB01
    "start_date",
    "end_date",
    "completion",  # latest IRM completion rating
    "starred",
    "potential_impact",
    "potential_for_results",
    "progress_completion",  # latest progress report from any source (None without one)
    "progress_source",
    "progress_as_of",
    "progress_result",
    "delay_status",  # stored status on the status day (data_access.statuses); None without a status day
    "delay_reason",
]
PROGRESS_COLUMNS = [
    "report_id",
    "as_of",
    "source",
    "completion",
    "result",
    "note",
    "evidence_url",
    "recorded_by",
    "result_scale",  # dashboard.domain.recordable.RESULT_SCALES, None when not known
]
MILESTONE_COLUMNS = [
    "milestone_id",
    "title",
    "due_date",
    "done_date",
    "done_evidence",
    "original_due_date",
    "reschedule_reason",
]
MAX_PAGE = 500


def _rank(column: Any, scale: Scale) -> Any:
    """A CASE that orders a rating column by its scale; codes (ND/NR/NA) and blanks rank as NULL."""
    whens = [(column == value, index) for index, value in enumerate(scale.values)]
    return case(*whens, else_=None)


# Worst status first when sorted ascending; within a status the most severe first.
DELAY_RANK = case(
    *[(CommitmentStatus.delay_status == status, index * 10_000) for index, status in enumerate(DELAY_STATUSES)],
    else_=None,
) - func.coalesce(CommitmentStatus.severity, 0)


def _sort_keys(latest: Any) -> dict[str, Any]:
    """Grid column id -> SQL expression; the whitelist of sortable columns."""
    return {
        "ogp_id": Commitment.ogp_id,
        "title": Commitment.title,
        "member_name": Member.name,
        "action_plan": ActionPlan.ogp_id,
        "end_date": Commitment.end_date,
        "progress_completion": _rank(latest.c.completion, COMPLETION),
        "progress_source": latest.c.source,
        "progress_as_of": latest.c.as_of,
        "completion": _rank(Commitment.completion, COMPLETION),
        "starred": Commitment.starred,
        "potential_impact": _rank(Commitment.potential_impact, POTENTIAL_IMPACT),
        "potential_for_results": _rank(Commitment.potential_for_results, POTENTIAL_FOR_RESULTS),
        "delay_status": DELAY_RANK,
    }


SORT_KEYS: frozenset[str] = frozenset(_sort_keys(ranked_reports(per_source=False)))
# Sort keys that need every commitment's latest report; the others page first and rank reports of the page only.
PROGRESS_SORT_KEYS = frozenset({"progress_completion", "progress_source", "progress_as_of"})


def _with_status(stmt: Any, status_day: dt.date | None) -> Any:
    """The select with each commitment's stored status on status_day joined (no status without a day)."""
    day_matches = CommitmentStatus.day == status_day if status_day is not None else false()
    return stmt.outerjoin(CommitmentStatus, and_(CommitmentStatus.commitment_id == Commitment.id, day_matches))


def _searched(engine: Engine, filters: dict[str, Any]) -> dict[str, Any]:
    """The filters with `search` (terms from dashboard.domain.search.parse_query) turned into this engine's
    select of matching commitments and their scores; without terms, no search."""
    terms = filters.get("search")
    rest = {k: v for k, v in filters.items() if k != "search"}
    return {**rest, "search": search_index.matches(engine.dialect.name, terms)} if terms else rest


def _ordered(stmt: Any, sort: str | None, descending: bool, keys: dict[str, Any], found: Select | None) -> Any:
    """The select in the order asked for: a sort key (blanks last, then OGP id); else by relevance when
    searching (best first); else by member and id."""
    if sort in SORT_KEYS:
        key = keys[sort]
        return stmt.order_by(key.is_(None), key.desc() if descending else key.asc(), Commitment.ogp_id)
    if found is not None:
        ranked = found.subquery()
        return stmt.join(ranked, ranked.c.commitment_id == Commitment.id).order_by(
            ranked.c.score.desc(), Commitment.ogp_id
        )
    return stmt.order_by(Member.name, Commitment.ogp_id)


def _rows_statement(
    ids: Sequence[int] | None, on: dt.date | None, filters: dict[str, Any], *, rank_ids_only: bool = False
) -> tuple[Select, Any]:
    latest = ranked_reports(per_source=False, on=on, commitment_ids=ids if rank_ids_only else None)
    stmt = select(
        *COMMITMENT_IDENTITY,
        Commitment.start_date,
        Commitment.end_date,
        Commitment.completion,
        Commitment.starred,
        Commitment.potential_impact,
        Commitment.potential_for_results,
        latest.c.completion,
        latest.c.source,
        latest.c.as_of,
        latest.c.result,
        CommitmentStatus.delay_status,
        CommitmentStatus.delay_reason,
    )
    stmt = commitment_scope(stmt, filters).outerjoin(
        latest, and_(latest.c.commitment_id == Commitment.id, latest.c.rank == 1)
    )
    stmt = _with_status(stmt, filters.get("status_day"))
    if ids is not None:
        stmt = stmt.where(Commitment.id.in_([int(i) for i in ids]))
    return stmt, latest


def commitment_rows(
    engine: Engine,
    *,
    ids: Sequence[int] | None = None,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int | None = None,
    on: dt.date | None = None,
    **filters: Any,
) -> pd.DataFrame:
    """Commitments matching the filters (and `ids` when given) with their latest progress; columns ROW_COLUMNS.

    `sort` must be one of SORT_KEYS (anything else sorts by relevance when `search` terms are given, else by
    member and id; blanks last); `on` limits reports to those dated on or before it. `limit` is capped at MAX_PAGE.
    """
    if ids is not None and not ids:
        return pd.DataFrame(columns=ROW_COLUMNS)
    filters = _searched(engine, filters)
    if sort not in PROGRESS_SORT_KEYS and (limit is not None or ids is not None):
        # Pick the page's commitments first, then rank progress reports for those rows only.
        page_ids = _page_ids(engine, ids, sort, descending, offset, limit, filters)
        if not page_ids:
            return pd.DataFrame(columns=ROW_COLUMNS)
        stmt, _ = _rows_statement(page_ids, on, {"status_day": filters.get("status_day")}, rank_ids_only=True)
        with engine.connect() as conn:
            found = {row[0]: tuple(row) for row in conn.execute(stmt).all()}
        return pd.DataFrame([found[i] for i in page_ids if i in found], columns=ROW_COLUMNS)
    stmt, latest = _rows_statement(ids, on, filters)
    # Rows without a value (no report, ND/NR/NA) come last in both directions.
    stmt = _ordered(stmt, sort, descending, _sort_keys(latest), filters.get("search"))
    stmt = stmt.offset(max(int(offset), 0))
    if limit is not None:
        stmt = stmt.limit(min(max(int(limit), 0), MAX_PAGE))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=ROW_COLUMNS)


def _page_ids(
    engine: Engine,
    ids: Sequence[int] | None,
    sort: str | None,
    descending: bool,
    offset: int,
    limit: int | None,
    filters: dict[str, Any],
) -> list[int]:
    """Ids of the commitments of one page, in order, for a sort that needs no progress report."""
    found = filters.get("search")
    if found is not None and sort not in SORT_KEYS:
        # In relevance order the ranked matches are joined (_ordered): no need to find them twice.
        filters = {k: v for k, v in filters.items() if k != "search"}
    stmt = _with_status(commitment_scope(select(Commitment.id), filters), filters.get("status_day"))
    if ids is not None:
        stmt = stmt.where(Commitment.id.in_([int(i) for i in ids]))
    stmt = _ordered(stmt, sort, descending, _sort_keys(ranked_reports(per_source=False)), found)
    stmt = stmt.offset(max(int(offset), 0))
    if limit is not None:
        stmt = stmt.limit(min(max(int(limit), 0), MAX_PAGE))
    with engine.connect() as conn:
        return [int(i) for i in conn.scalars(stmt)]


def commitment_count(engine: Engine, **filters: Any) -> int:
    """How many commitments match the filters (and the `search` terms, when given)."""
    stmt = commitment_scope(select(func.count(Commitment.id)), _searched(engine, filters))
    with engine.connect() as conn:
        return int(conn.scalar(stmt) or 0)


def milestones_of(engine: Engine, commitment_ids: Sequence[int]) -> pd.DataFrame:
    """Milestones of the given commitments; columns commitment_id, title, due_date, done_date."""
    columns = ["commitment_id", "title", "due_date", "done_date"]
    if not commitment_ids:
        return pd.DataFrame(columns=columns)
    stmt = (
        select(Milestone.commitment_id, Milestone.title, Milestone.due_date, Milestone.done_date)
        .where(Milestone.commitment_id.in_([int(i) for i in commitment_ids]))
        .order_by(Milestone.commitment_id, Milestone.due_date)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def commitment_detail(engine: Engine, ogp_id: str) -> dict[str, Any] | None:
    """One commitment in full (case-insensitive OGP id), or None when there is none.

    Keys: every Commitment column, plus member_code, member_name, action_plan, action_plan_number,
    policy_areas [(slug, name, parent)], milestones (DataFrame MILESTONE_COLUMNS) and
    progress (DataFrame PROGRESS_COLUMNS, oldest first).
    """
    stmt = (
        select(Commitment)
        .where(func.upper(Commitment.ogp_id) == ogp_id.upper())
        .options(
            selectinload(Commitment.action_plan).selectinload(ActionPlan.member),
            selectinload(Commitment.policy_areas),
            selectinload(Commitment.milestones),
            selectinload(Commitment.progress_reports),
        )
    )
    with Session(engine) as session:
        commitment = session.scalars(stmt).first()
        if commitment is None:
            return None
        detail = {column.key: getattr(commitment, column.key) for column in Commitment.__table__.columns}
        plan = commitment.action_plan
        reports = sorted(commitment.progress_reports, key=lambda r: (r.as_of, r.id))
        # A corrected report stays in the history but no longer counts: `progress` holds the reports in force
        # (queries.in_force), `corrected` the replaced ones with the day of the correction that replaced them.
        corrections = {r.supersedes_id: r.as_of for r in reports if r.supersedes_id is not None}
        in_force = [r for r in reports if r.id not in corrections]
        detail.update(
            member_code=plan.member.code,
            member_name=plan.member.name,
            action_plan=plan.ogp_id,
            action_plan_number=plan.number,
            policy_areas=[(a.slug, a.name, a.parent) for a in commitment.policy_areas],
            milestones=_with_none(
                pd.DataFrame(
                    [
                        (
                            m.id,
                            m.title,
                            m.due_date,
                            m.done_date,
                            m.done_evidence,
                            m.original_due_date,
                            m.reschedule_reason,
                        )
                        for m in commitment.milestones
                    ],
                    columns=MILESTONE_COLUMNS,
                )
            ),
            progress=_with_none(pd.DataFrame([_report_row(r) for r in in_force], columns=PROGRESS_COLUMNS)),
            corrected=_with_none(
                pd.DataFrame(
                    [(*_report_row(r), corrections[r.id]) for r in reports if r.id in corrections],
                    columns=[*PROGRESS_COLUMNS, "corrected_by"],
                )
            ),
        )
    return detail


def _report_row(report: ProgressReport) -> tuple[Any, ...]:
    return (
        report.id,
        report.as_of,
        report.source,
        report.completion,
        report.result,
        report.note,
        report.evidence_url,
        report.recorded_by,
        report.result_scale,
    )


def _with_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None (pandas would make them NaN), so layouts test them like the ORM's values."""
    return frame.astype(object).where(frame.notna(), None)
