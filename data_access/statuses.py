"""The status layer: every plan's and commitment's status, computed once per data version and day, stored.

`ensure(engine, day)` makes the stored statuses of `day` current: when the data stamp (bumped by every
import and write) differs from the one they were computed from, it recomputes them all with the domain
rules (dashboard.domain.status) and replaces them in one transaction, so every worker and server reads
the same statuses and nothing recomputes them per page. A few recent days are kept (replays of the cycle
page ask for past days); statuses of an older data version are dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, delete, func, literal, select, text, update
from sqlalchemy.orm import Session

from dashboard.domain.status import commitment_statuses, latest_evidence, plan_progress, plan_statuses
from data_access import queries
from data_access.db import session_scope
from data_access.models import (
    ActionPlan,
    AppMeta,
    Commitment,
    CommitmentStatus,
    Member,
    Milestone,
    PlanStatus,
    ProgressReport,
    StatusSnapshot,
)

log = logging.getLogger(__name__)

DAYS_KEPT = 8  # snapshots kept per data version: today and recent replays
CHUNK = 5000  # rows per INSERT
STATUS_LOCK_KEY = 0x06_0A_57_A7  # PostgreSQL advisory lock of the status writers


# The (engine, day) pairs already made current in this view (None: outside a view, check every time).
_CHECKED: ContextVar[set[tuple[int, dt.date]] | None] = ContextVar("statuses_checked", default=None)


@contextmanager
def one_check_per_view() -> Iterator[None]:
    """Within this block (one page being built), ensure() checks each day's statuses once, not once per query:
    a page reads them 3-4 times, and the data changing halfway through a page is no reason to read it again."""
    token = _CHECKED.set(set())
    try:
        yield
    finally:
        _CHECKED.reset(token)


def ensure(engine: Engine, day: dt.date) -> dt.date:
    """Make the stored statuses of `day` current for the data as it is now; returns the day.

    One query when they are current: the data stamp and the day's snapshot read together (none when this view
    has checked them already: one_check_per_view).
    """
    checked = _CHECKED.get()
    if checked is not None and (id(engine), day) in checked:
        return day
    meta = select(AppMeta.key, AppMeta.value).where(AppMeta.key.in_(queries.STAMP_KEYS))
    snapshot = select(literal("snapshot"), StatusSnapshot.data_stamp).where(StatusSnapshot.day == day)
    with engine.connect() as conn:
        found = dict(conn.execute(meta.union_all(snapshot)).all())
    if found.get("snapshot") != queries.stamp_of(found):
        refresh(engine, day)
    if checked is not None:
        checked.add((id(engine), day))
    return day


def refresh(engine: Engine, day: dt.date) -> None:
    """Recompute and store the statuses of `day` (other days of an older data version are dropped).

    The statuses are computed before the write transaction (two workers may both compute; the second
    to write finds the snapshot current and writes nothing) and labelled with the data stamp read first:
    a write that lands meanwhile changes the stamp, so the next ensure() recomputes.
    """
    stamp = queries.data_stamp(engine)
    started = dt.datetime.now(dt.UTC)
    plans, commitments = compute(engine, day)
    with session_scope(engine) as session:
        serialise_writers(session)
        current = session.scalar(select(StatusSnapshot.data_stamp).where(StatusSnapshot.day == day))
        if current == stamp:
            return
        _drop_outdated(session, day, stamp)
        session.execute(delete(PlanStatus).where(PlanStatus.day == day))
        session.execute(delete(CommitmentStatus).where(CommitmentStatus.day == day))
        _insert(session, PlanStatus, plans.assign(day=day))
        _insert(session, CommitmentStatus, commitments.assign(day=day))
        session.merge(StatusSnapshot(day=day, data_stamp=stamp, computed_at=started.replace(tzinfo=None)))
    log.info(
        "statuses of %s computed for data %s: %d plans, %d commitments in %.2f s",
        day,
        stamp,
        len(plans),
        len(commitments),
        (dt.datetime.now(dt.UTC) - started).total_seconds(),
    )


def serialise_writers(session: Session) -> None:
    """Take the status writers' lock for this transaction, so two workers refreshing at once write in turn
    (the second then finds the snapshot current). PostgreSQL: an advisory lock; SQLite: its write lock,
    taken by a write that changes nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STATUS_LOCK_KEY})
    else:
        session.execute(update(AppMeta).where(AppMeta.key == "data_version").values(value=AppMeta.value))


def _drop_outdated(session: Session, day: dt.date, stamp: str) -> None:
    """Drop snapshots of another data version, and the oldest beyond DAYS_KEPT."""
    snapshots = session.execute(select(StatusSnapshot.day, StatusSnapshot.data_stamp)).all()
    current_days = sorted((d for d, s in snapshots if s == stamp and d != day), reverse=True)
    stale = [d for d, s in snapshots if s != stamp and d != day] + current_days[DAYS_KEPT - 1 :]
    if stale:
        session.execute(delete(PlanStatus).where(PlanStatus.day.in_(stale)))
        session.execute(delete(CommitmentStatus).where(CommitmentStatus.day.in_(stale)))
        session.execute(delete(StatusSnapshot).where(StatusSnapshot.day.in_(stale)))


def _insert(session: Session, model: Any, frame: pd.DataFrame) -> None:
    """Insert a frame's rows with one Core executemany per chunk (the ORM's bulk path cost 5x the driver's time)."""
    table = model.__table__
    columns = [c.name for c in table.columns]
    values = frame[columns].astype(object).where(frame[columns].notna(), None)
    records = [dict(zip(columns, row, strict=True)) for row in values.itertuples(index=False, name=None)]
    connection = session.connection()
    for start in range(0, len(records), CHUNK):
        connection.execute(table.insert(), records[start : start + CHUNK])


def compute(engine: Engine, day: dt.date, *, known_by: dt.date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(plan statuses, commitment statuses) of every plan and commitment on `day`, from the data as it is.

    known_by: only the progress reports known by that day count (ProgressReport.known_from), so a past day
    shows what the dashboard knew then, not what was learnt about it later (data_access.changes).
    """
    plans = queries.action_plans(engine)
    commitment_stmt = select(
        Commitment.id,
        Commitment.start_date,
        Commitment.end_date,
        Commitment.completion,
        ActionPlan.end_date,
        ActionPlan.id,
        ActionPlan.submitted_on,
    ).join(ActionPlan, Commitment.action_plan_id == ActionPlan.id)
    report_stmt = select(
        ProgressReport.id,
        ProgressReport.commitment_id,
        ProgressReport.source,
        ProgressReport.as_of,
        ProgressReport.completion,
    ).where(ProgressReport.as_of <= day)
    if known_by is not None:
        report_stmt = report_stmt.where(ProgressReport.known_from <= known_by)
    milestone_stmt = select(Milestone.commitment_id, Milestone.title, Milestone.due_date, Milestone.done_date).where(
        Milestone.done_date.is_(None), Milestone.due_date < day
    )
    with engine.connect() as conn:
        commitments = pd.DataFrame(
            [tuple(r) for r in conn.execute(commitment_stmt)],
            columns=["commitment_id", "start_date", "end_date", "completion", "plan_end", "plan_id", "submitted_on"],
        )
        reports = pd.DataFrame(
            [tuple(r) for r in conn.execute(report_stmt)],
            columns=["report_id", "commitment_id", "source", "as_of", "completion"],
        )
        # Corrected reports no longer count (queries.in_force); filtered here, where it costs nothing at scale.
        replaced = set(conn.scalars(queries.replaced_ids(known_by)))
        milestones = pd.DataFrame(
            [tuple(r) for r in conn.execute(milestone_stmt)],
            columns=["commitment_id", "title", "due_date", "done_date"],
        )
    if replaced:
        reports = reports[~reports["report_id"].isin(replaced)]
    reports = reports.drop(columns="report_id")
    # A plan delivered after the day had no commitments then: its commitments are not in view on that day.
    delivered_later = commitments["submitted_on"].map(lambda d: d is not None and d == d and d > day).astype(bool)
    commitment_rows = commitment_statuses(commitments, latest_evidence(reports, day), milestones, day)
    in_view = commitment_rows[~delivered_later.to_numpy()] if len(commitment_rows) else commitment_rows
    plan_of = commitments.set_index("commitment_id")["plan_id"]
    # in_view (not stored): False for the commitments of a plan delivered after the day.
    commitment_rows = commitment_rows.assign(in_view=~delivered_later.to_numpy() if len(commitment_rows) else [])
    return plan_statuses(plans, day, plan_progress(in_view, plan_of)), commitment_rows


# --- Reading ---------------------------------------------------------------------------------------

COMMITMENT_ROW_COLUMNS = [
    *queries.IDENTITY_COLUMNS,
    "start_date",
    "end_date",
    "delay_status",
    "delay_reason",
    "severity",
    "evidence_completion",
    "evidence_source",
    "evidence_as_of",
]


def _status_join(stmt: Any, day: dt.date) -> Any:
    return stmt.join(
        CommitmentStatus, and_(CommitmentStatus.commitment_id == Commitment.id, CommitmentStatus.day == day)
    )


def commitment_rows(
    engine: Engine,
    *,
    day: dt.date,
    statuses: Sequence[str] | None = None,
    limit: int | None = None,
    **filters: Any,
) -> pd.DataFrame:
    """Commitments with their stored status on `day`, worst first (severity, then id); columns COMMITMENT_ROW_COLUMNS.

    statuses keeps only those delay statuses; filters are data_access.queries commitment filters.
    """
    ensure(engine, day)
    stmt = select(
        *queries.COMMITMENT_IDENTITY,
        Commitment.start_date,
        Commitment.end_date,
        CommitmentStatus.delay_status,
        CommitmentStatus.delay_reason,
        CommitmentStatus.severity,
        CommitmentStatus.evidence_completion,
        CommitmentStatus.evidence_source,
        CommitmentStatus.evidence_as_of,
    )
    stmt = _status_join(queries.commitment_scope(stmt, _clean(filters)), day)
    if statuses:
        stmt = stmt.where(CommitmentStatus.delay_status.in_(list(statuses)))
    stmt = stmt.order_by(CommitmentStatus.severity.desc(), Commitment.ogp_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return queries.frame(engine, stmt, COMMITMENT_ROW_COLUMNS)


def status_counts(engine: Engine, *, day: dt.date, by: str | None = None, **filters: Any) -> pd.DataFrame:
    """Commitments per delay status on `day` (and per member code when by="member_code").

    Columns: [member_code,] delay_status, commitments.
    """
    ensure(engine, day)
    keys = [Member.code] if by == "member_code" else []
    stmt = select(*keys, CommitmentStatus.delay_status, func.count(Commitment.id))
    stmt = _status_join(queries.commitment_scope(stmt, _clean(filters)), day)
    stmt = stmt.group_by(*keys, CommitmentStatus.delay_status)
    columns = (["member_code"] if keys else []) + ["delay_status", "commitments"]
    return queries.frame(engine, stmt, columns)


PLAN_ROW_COLUMNS = [
    "plan_id",
    "action_plan",
    "member_code",
    "member_name",
    "region",
    "number",
    "submission_year",
    "submitted_on",  # the delivery date if on or before the day (a replay does not know later deliveries)
    "start_date",
    "end_date",
    "commitments",
    "due_date",
    "delivered",
    "submission_status",
    "submission_reason",
    "process_status",
    "process_reason",
    "phase",
    "month",
    "total_months",
    "midterm",
    "elapsed_share",
    "position",
    "late_or_contrary",
    "needs_attention",
    "reported",
    "high_completion",
    "progress_share",
    "last_report_on",
    "schedule",
]


def plan_rows(
    engine: Engine,
    *,
    day: dt.date,
    phase: str | None = None,
    late_or_contrary: bool | None = None,
    needs_attention: bool | None = None,
    **filters: Any,
) -> pd.DataFrame:
    """Action plans with their stored status on `day`, by member name and plan number; columns PLAN_ROW_COLUMNS.

    Plan-level filters apply (member, region, member type, cycle); phase / late_or_contrary / needs_attention
    keep the plans with that value.
    """
    ensure(engine, day)
    count = select(func.count(Commitment.id)).where(Commitment.action_plan_id == ActionPlan.id).scalar_subquery()
    stmt = select(
        ActionPlan.id,
        ActionPlan.ogp_id,
        Member.code,
        Member.name,
        Member.region,
        ActionPlan.number,
        ActionPlan.submission_year,
        ActionPlan.submitted_on,
        ActionPlan.start_date,
        ActionPlan.end_date,
        count,
        PlanStatus.due_date,
        PlanStatus.delivered,
        PlanStatus.submission_status,
        PlanStatus.submission_reason,
        PlanStatus.process_status,
        PlanStatus.process_reason,
        PlanStatus.phase,
        PlanStatus.month,
        PlanStatus.total_months,
        PlanStatus.midterm,
        PlanStatus.elapsed_share,
        PlanStatus.position,
        PlanStatus.late_or_contrary,
        PlanStatus.needs_attention,
        PlanStatus.reported,
        PlanStatus.high_completion,
        PlanStatus.progress_share,
        PlanStatus.last_report_on,
        PlanStatus.schedule,
    )
    stmt = queries.plan_scope(stmt, **_clean(filters)).join(
        PlanStatus, and_(PlanStatus.plan_id == ActionPlan.id, PlanStatus.day == day)
    )
    if phase is not None:
        stmt = stmt.where(PlanStatus.phase == phase)
    if late_or_contrary is not None:
        stmt = stmt.where(PlanStatus.late_or_contrary.is_(late_or_contrary))
    if needs_attention is not None:
        stmt = stmt.where(PlanStatus.needs_attention.is_(needs_attention))
    stmt = stmt.order_by(Member.name, ActionPlan.number)
    frame = queries.frame(engine, stmt, PLAN_ROW_COLUMNS)
    if not frame.empty:
        frame["submitted_on"] = [d if isinstance(d, dt.date) and d <= day else None for d in frame["submitted_on"]]
    return frame


def _clean(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in filters.items() if v is not None}


def commitment_status(engine: Engine, *, day: dt.date, commitment_id: int) -> dict[str, Any] | None:
    """The stored status of one commitment on `day` (keys of COMMITMENT_STATUS_COLUMNS), or None."""
    ensure(engine, day)
    stmt = select(
        CommitmentStatus.delay_status,
        CommitmentStatus.delay_reason,
        CommitmentStatus.severity,
        CommitmentStatus.evidence_source,
        CommitmentStatus.evidence_as_of,
        CommitmentStatus.evidence_completion,
    ).where(CommitmentStatus.day == day, CommitmentStatus.commitment_id == int(commitment_id))
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    keys = ["delay_status", "delay_reason", "severity", "evidence_source", "evidence_as_of", "evidence_completion"]
    return {"commitment_id": int(commitment_id), **dict(zip(keys, row, strict=True))}
