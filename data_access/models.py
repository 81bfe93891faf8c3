"""SQLAlchemy 2 typed ORM models of OGP members, action plans, commitments and their progress."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dashboard.domain.recordable import parse_result

# Where a row came from: the generated sample or a real import. The UI labels sample data.
ORIGIN_SAMPLE = "sample"
ORIGIN_IMPORT = "import"


class Base(DeclarativeBase):
    """Declarative base with a naming convention so Alembic names constraints the same everywhere."""

    type_annotation_map = {dict[str, Any]: JSON}

    if TYPE_CHECKING:
        # Every model here maps one Table (SQLAlchemy types __table__ as any FromClause).
        __table__: ClassVar[Table]


Base.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

commitment_policy_area = Table(
    "commitment_policy_area",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_area_id", ForeignKey("policy_area.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_commitment_policy_area_policy_area_id", "policy_area_id"),
)


class Member(Base):
    """An OGP member: a national government, a local one, or 'Other' (e.g. Kosovo)."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # ISO3 for nationals, OGP's code for locals
    name: Mapped[str] = mapped_column(String(200))
    member_type: Mapped[str] = mapped_column(String(20))  # National / Legacy Local / Other
    region: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(40), default="Active")
    joined_year: Mapped[int | None]
    origin: Mapped[str] = mapped_column(String(10), default=ORIGIN_IMPORT)

    action_plans: Mapped[list[ActionPlan]] = relationship(back_populates="member", cascade="all, delete-orphan")


class ActionPlan(Base):
    """A member's action plan: two (or four) years of commitments."""

    __tablename__ = "action_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    ogp_id: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. AP_ALB01
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    submission_year: Mapped[int | None]
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    end_year: Mapped[int | None]
    duration_years: Mapped[int | None]
    cohort: Mapped[str | None] = mapped_column(String(20))  # e.g. "2022 (even)"
    co_creation_met: Mapped[bool | None] = mapped_column(Boolean)
    origin: Mapped[str] = mapped_column(String(10), default=ORIGIN_IMPORT)

    member: Mapped[Member] = relationship(back_populates="action_plans")
    commitments: Mapped[list[Commitment]] = relationship(back_populates="action_plan", cascade="all, delete-orphan")


class PolicyArea(Base):
    """One of OGP's policy-area tags (a parent group, a sub-area or a cross-cutting tag)."""

    __tablename__ = "policy_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    parent: Mapped[str | None] = mapped_column(String(120))
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)


class Commitment(Base):
    """One commitment of an action plan, with every IRM rating as written in OGP's sheet."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ogp_id: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. AL0002
    action_plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    short_title: Mapped[str | None] = mapped_column(Text)
    full_text: Mapped[str | None] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(Text)  # the plan's own free-text heading
    lead_institution: Mapped[str | None] = mapped_column(Text)
    supporting_institutions: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    start_date_raw: Mapped[str | None] = mapped_column(String(100))
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date_raw: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)

    # IRM ratings, stored exactly as written (a rating, or ND / NR / NA); see dashboard.domain.scales.INDICATORS.
    specificity: Mapped[str | None] = mapped_column(String(40))
    verifiable: Mapped[str | None] = mapped_column(String(40))
    ogp_value_access_to_information: Mapped[str | None] = mapped_column(String(40))
    ogp_value_civic_participation: Mapped[str | None] = mapped_column(String(40))
    ogp_value_public_accountability: Mapped[str | None] = mapped_column(String(40))
    ogp_value_technology: Mapped[str | None] = mapped_column(String(40))
    potential_impact: Mapped[str | None] = mapped_column(String(40))
    potential_for_results: Mapped[str | None] = mapped_column(String(40))
    completion_midterm: Mapped[str | None] = mapped_column(String(40))
    completion_end_of_term: Mapped[str | None] = mapped_column(String(40))
    change_in_completion: Mapped[str | None] = mapped_column(String(40))
    early_results: Mapped[str | None] = mapped_column(String(40))
    diog_overall: Mapped[str | None] = mapped_column(String(40))
    diog_access_to_information: Mapped[str | None] = mapped_column(String(40))
    diog_civic_participation: Mapped[str | None] = mapped_column(String(40))
    diog_public_accountability: Mapped[str | None] = mapped_column(String(40))
    starred_2015: Mapped[str | None] = mapped_column(String(40))
    starred_midterm: Mapped[str | None] = mapped_column(String(40))
    starred_end_of_term: Mapped[str | None] = mapped_column(String(40))
    midterm_report_year: Mapped[str | None] = mapped_column(String(10))
    end_of_term_report_year: Mapped[str | None] = mapped_column(String(10))

    # Derived once on write so the dashboard aggregates in SQL: the latest IRM completion and star.
    completion: Mapped[str | None] = mapped_column(String(40), index=True)
    starred: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    # Every other column of OGP's sheet, kept verbatim so an export reproduces the file.
    sheet_extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(10), default=ORIGIN_IMPORT)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    action_plan: Mapped[ActionPlan] = relationship(back_populates="commitments")
    policy_areas: Mapped[list[PolicyArea]] = relationship(secondary=commitment_policy_area, order_by=PolicyArea.id)
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="Milestone.due_date"
    )
    progress_reports: Mapped[list[ProgressReport]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="ProgressReport.as_of"
    )

    __mapper_args__ = {"version_id_col": version}


class Milestone(Base):
    """A milestone of a commitment with its due date and, once met, the date it was done."""

    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    done_date: Mapped[dt.date | None] = mapped_column(Date)
    done_evidence: Mapped[str | None] = mapped_column(Text)  # what shows it was done (a link or words)
    # Rescheduled: the first due date is kept (as national trackers show "rescheduled from"), with the reason.
    original_due_date: Mapped[dt.date | None] = mapped_column(Date)
    reschedule_reason: Mapped[str | None] = mapped_column(Text)

    commitment: Mapped[Commitment] = relationship(back_populates="milestones")


def _as_of(context: Any) -> Any:
    """known_from's default: the report's own date."""
    return context.get_current_parameters()["as_of"]


def _result_scale(context: Any) -> str | None:
    """result_scale's default: the scale that has the result (imports, the sample, OGP's sheet give bare values)."""
    value = context.get_current_parameters().get("result")
    found = parse_result(value) if value else None
    return found[1] if found else None


class ProgressReport(Base):
    """One dated statement of a commitment's progress from one source. Append-only: never updated."""

    __tablename__ = "progress_report"
    __table_args__ = (
        CheckConstraint(
            "source IN ('government', 'civil_society', 'support_unit', 'irm_midterm', 'irm_end_of_term', "
            "'irm_results')",
            name="source",
        ),
        Index("ix_progress_report_commitment_as_of", "commitment_id", "as_of"),
        UniqueConstraint("commitment_id", "source", "as_of", "completion", name="uq_progress_report_statement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(20))
    completion: Mapped[str] = mapped_column(String(40))  # completion scale value, or ND / NR / NA
    result: Mapped[str | None] = mapped_column(String(40))  # early results or DIOG where given
    # Which of the two scales `result` is on (both have "Outstanding"): early_results or diog; None when a sheet
    # or an import gave a value both scales share without saying which.
    result_scale: Mapped[str | None] = mapped_column(String(20), default=_result_scale)
    note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    # The day the report became known: its as_of when it restates a published report (OGP's sheet, the sample's
    # history), the day it was recorded when entered here. /changes replays a past day with what was known then.
    # Defaults to as_of; what is entered here (recording, progress imports) sets the day it was recorded.
    known_from: Mapped[dt.date] = mapped_column(Date, index=True, default=_as_of)
    # A correction names the report it replaces: both stay in the history, the replaced one no longer counts
    # (data_access.queries.in_force). One correction per report; a correction can itself be corrected.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("progress_report.id"), unique=True)

    commitment: Mapped[Commitment] = relationship(back_populates="progress_reports")


class CommitmentSearch(Base):
    """The words of one commitment that search looks in (data_access.search keeps it equal to the commitments).

    Each field holds folded words (dashboard.domain.search.document), ranked from heading to body. The engines'
    own indexes sit beside it, outside these models: an FTS5 table `commitment_fts` on SQLite, a generated
    tsvector column `document` with a GIN index on PostgreSQL (migration 0006).
    """

    __tablename__ = "commitment_search"

    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True)
    heading: Mapped[str] = mapped_column(Text, default="")  # OGP id, title, short title
    people: Mapped[str] = mapped_column(Text, default="")  # lead and supporting institutions
    topics: Mapped[str] = mapped_column(Text, default="")  # policy areas, the plan's own theme
    body: Mapped[str] = mapped_column(Text, default="")  # the commitment's full text


class StatusSnapshot(Base):
    """One day's stored statuses and the data stamp they were computed from (data_access.statuses)."""

    __tablename__ = "status_snapshot"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    data_stamp: Mapped[str] = mapped_column(String(80))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PlanStatus(Base):
    """An action plan's submission status, process status and cycle position on one day (domain.status)."""

    __tablename__ = "plan_status"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"), primary_key=True)
    due_date: Mapped[dt.date] = mapped_column(Date)
    delivered: Mapped[bool] = mapped_column(Boolean)
    submission_status: Mapped[str] = mapped_column(String(30))
    submission_reason: Mapped[str] = mapped_column(Text)
    process_status: Mapped[str] = mapped_column(String(30))
    process_reason: Mapped[str] = mapped_column(Text)
    phase: Mapped[str] = mapped_column(String(20))
    month: Mapped[int | None]
    total_months: Mapped[int | None]
    midterm: Mapped[dt.date | None] = mapped_column(Date)
    elapsed_share: Mapped[float | None] = mapped_column(Float)
    position: Mapped[str] = mapped_column(String(80))
    late_or_contrary: Mapped[bool] = mapped_column(Boolean)
    needs_attention: Mapped[bool] = mapped_column(Boolean)
    commitments: Mapped[int]
    reported: Mapped[int]  # commitments with a progress report dated on or before the day
    high_completion: Mapped[int]  # commitments whose evidence is Substantial or Complete
    progress_share: Mapped[float | None] = mapped_column(Float)  # mean share of work done; None without commitments
    last_report_on: Mapped[dt.date | None] = mapped_column(Date)
    schedule: Mapped[str] = mapped_column(String(20))  # on schedule / behind / no commitments


class CommitmentStatus(Base):
    """A commitment's delay status on one day, with the evidence it rests on (domain.status)."""

    __tablename__ = "commitment_status"
    __table_args__ = (Index("ix_commitment_status_day_delay_status", "day", "delay_status"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True)
    delay_status: Mapped[str] = mapped_column(String(20))
    delay_reason: Mapped[str] = mapped_column(Text)
    severity: Mapped[float] = mapped_column(Float)
    evidence_source: Mapped[str | None] = mapped_column(String(20))
    evidence_as_of: Mapped[dt.date | None] = mapped_column(Date)
    evidence_completion: Mapped[str | None] = mapped_column(String(40))


class AppMeta(Base):
    """Key/value facts about the database: data version (bumped by every write), last import."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


user_member = Table(
    "user_member",
    Base.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("member.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    """A person who signs in: a role, and for support staff the members they are assigned to."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('viewer', 'support', 'irm', 'admin')", name="role"),
        CheckConstraint("digest IN ('off', 'daily', 'weekly')", name="digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The e-mail digest of what the user follows (data_access.inbox, dashboard.digests): off, daily or weekly.
    email: Mapped[str | None] = mapped_column(String(254))
    digest: Mapped[str] = mapped_column(String(10), default="off", server_default="off")
    digest_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    members: Mapped[list[Member]] = relationship(secondary=user_member, order_by=Member.code)


class UserSession(Base):
    """One signed-in session: its random id is in the (signed) cookie, or for kind 'api' it is an API token sent
    as a bearer token; revoking the row ends the session at once, wherever the cookie or token is (sign-out,
    revoke-token, deactivation, password change). Only the id's SHA-256 is stored."""

    __tablename__ = "user_session"
    __table_args__ = (CheckConstraint("kind IN ('browser', 'api')", name="kind"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="browser", server_default="browser")
    label: Mapped[str | None] = mapped_column(String(80))  # what an API token is for
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_why: Mapped[str | None] = mapped_column(String(40))  # sign-out, deactivated, password-reset, ...
    address: Mapped[str | None] = mapped_column(String(64))


class DelayNote(Base):
    """A note on why a commitment is delayed, from the person who learned it. Append-only."""

    __tablename__ = "delay_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class AuditEntry(Base):
    """One change: who, when, what (entity and field), old and new value."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))  # e.g. add-progress-report, set-rating, set-role, import-ogp
    entity: Mapped[str] = mapped_column(String(40))  # commitment, user, ...
    entity_id: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(80))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int | None]  # the entity's version after this change (optimistic locking)


class Follow(Base):
    """A member, action plan or commitment a user follows: what their inbox and digest tell them about."""

    __tablename__ = "follow"
    __table_args__ = (
        CheckConstraint("kind IN ('member', 'action_plan', 'commitment')", name="kind"),
        UniqueConstraint("user_id", "kind", "ref", name="uq_follow_user_kind_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(40))  # member code, action plan id or commitment id (OGP's ids)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    since: Mapped[dt.date] = mapped_column(Date)  # the dashboard's day of the follow: events from it on


class StatusSeen(Base):
    """The last status of each commitment and plan the inbox collector saw (data_access.inbox): a stored status
    that differs from it is a status change, recorded once."""

    __tablename__ = "status_seen"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # commitment, action_plan
    entity_id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(40))
    delivered: Mapped[bool] = mapped_column(Boolean, default=True)  # plans: delivered then (domain.changes)


class StatusChange(Base):
    """A status change the collector found (named by dashboard.domain.changes), once, for every follower."""

    __tablename__ = "status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # commitment, action_plan
    entity_id: Mapped[int] = mapped_column(index=True)
    change: Mapped[str] = mapped_column(String(40))
    before: Mapped[str] = mapped_column(String(40))
    after: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    day: Mapped[dt.date] = mapped_column(Date, index=True)


class InboxEvent(Base):
    """One thing a user is told about (in the app's inbox and once in their e-mail digest); `key` names the
    event, so collecting again never adds it twice."""

    __tablename__ = "inbox_event"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_inbox_event_user_key"),
        Index("ix_inbox_event_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))  # data_access.inbox.EVENT_KINDS
    subject: Mapped[str] = mapped_column(String(40))  # the commitment, plan or member id it is about
    title: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300))  # the page it is about
    happened_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    emailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
