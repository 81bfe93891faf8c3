"""Writes from the dashboard: progress reports, delay notes and IRM ratings, each one transaction with
optimistic locking on the commitment's version and an audit entry for every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from dashboard.domain.recordable import EARLIEST, MAX_NOTE, MAX_URL, RECORDABLE_RATINGS, parse_result
from dashboard.domain.roles import Actor, allowed_sources, can_add_delay_note, can_record_progress, can_record_rating
from dashboard.domain.rules import format_day, latest_completion, report_date_problem
from dashboard.domain.scales import COMPLETION, INDICATOR_BY_ATTR, MISSING_CODES, PROGRESS_SOURCES
from data_access.db import bump_data_version, session_scope
from data_access.models import ActionPlan, AuditEntry, Commitment, DelayNote, Milestone, ProgressReport


class PermissionDenied(Exception):
    """The actor may not make this change."""


class ValidationFailed(Exception):
    """Some fields are invalid: errors maps field name -> message (shown beside the field)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass
class Conflict(Exception):
    """Someone else changed the commitment since it was loaded; nothing was written."""

    current_version: int
    changes: pd.DataFrame  # AUDIT_COLUMNS of the changes made since the version the user saw

    def __str__(self) -> str:
        return f"the commitment changed since you opened it (now version {self.current_version})"


AUDIT_COLUMNS = ["at", "username", "action", "entity", "entity_id", "field", "old_value", "new_value", "version"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def validate_progress(fields: dict[str, Any], *, actor: Actor, today: dt.date) -> dict[str, Any]:
    """Clean values of a progress-report form, or ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    raw_date = _text(fields.get("as_of"))
    try:
        as_of = dt.date.fromisoformat(raw_date[:10]) if raw_date else None
    except ValueError:
        as_of = None
    if as_of is None:
        errors["as_of"] = "Enter the date the report describes (YYYY-MM-DD)."
    elif as_of > today:
        errors["as_of"] = f"The date cannot be in the future (today is {today.isoformat()})."
    elif as_of < EARLIEST:
        errors["as_of"] = "The date cannot be before OGP was founded (20 Sep 2011)."
    clean["as_of"] = as_of
    source = _text(fields.get("source"))
    if source not in PROGRESS_SOURCES:
        errors["source"] = "Choose who the report comes from."
    elif source not in allowed_sources(actor):
        errors["source"] = f"Your role may not record reports from '{PROGRESS_SOURCES[source]}'."
    clean["source"] = source
    completion = _text(fields.get("completion"))
    if completion not in COMPLETION.values:
        errors["completion"] = f"Choose a completion level: {', '.join(COMPLETION.values)}."
    clean["completion"] = completion
    raw_result = _text(fields.get("result"))
    result = parse_result(raw_result) if raw_result else None
    if raw_result and result is None:
        errors["result"] = "Choose an early-results or 'did it open government' value, or leave it empty."
    clean["result"], clean["result_scale"] = result if result is not None else (None, None)
    note = _text(fields.get("note")) or None
    if note is not None and len(note) > MAX_NOTE:
        errors["note"] = f"The note has {len(note):,} characters; the limit is {MAX_NOTE:,}."
    clean["note"] = note
    url = _text(fields.get("evidence_url")) or None
    if url is not None:
        parsed = urlparse(url)
        if len(url) > MAX_URL:
            errors["evidence_url"] = f"The link is longer than {MAX_URL} characters."
        elif parsed.scheme not in ("http", "https") or not parsed.netloc:
            errors["evidence_url"] = "The evidence link must start with http:// or https://."
    clean["evidence_url"] = url
    if errors:
        raise ValidationFailed(errors)
    return clean


def _locked_commitment(session: Session, ogp_id: str) -> tuple[Commitment, str]:
    commitment = session.scalar(
        select(Commitment)
        .options(joinedload(Commitment.action_plan).joinedload(ActionPlan.member))
        .where(Commitment.ogp_id == ogp_id)
    )
    if commitment is None:
        raise ValidationFailed({"commitment": f"No commitment with id '{ogp_id[:20]}'."})
    return commitment, commitment.action_plan.member.code


def changes_since(session_or_engine: Session | Engine, ogp_id: str, version: int) -> pd.DataFrame:
    """Audit entries of a commitment made after the given version (what another person changed)."""
    stmt = (
        select(*(getattr(AuditEntry, c) for c in AUDIT_COLUMNS))
        .where(AuditEntry.entity == "commitment", AuditEntry.entity_id == ogp_id, AuditEntry.version > version)
        .order_by(AuditEntry.id)
    )
    if isinstance(session_or_engine, Session):
        rows = session_or_engine.execute(stmt).all()
    else:
        with Session(session_or_engine) as session:
            rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=AUDIT_COLUMNS)


def _write(engine: Engine, actor: Actor, ogp_id: str, expected_version: int, apply) -> int:
    """Run `apply(session, commitment, member_code) -> [(action, field, old, new)]` under optimistic locking."""
    try:
        with session_scope(engine) as session:
            commitment, member_code = _locked_commitment(session, ogp_id)
            if commitment.version != expected_version:
                raise Conflict(commitment.version, changes_since(session, ogp_id, expected_version))
            audit = apply(session, commitment, member_code)
            if not audit:
                return commitment.version  # nothing changed: no new version for other editors to trip over
            commitment.updated_at = _now()  # the UPDATE bumps the version, guarded by WHERE version = expected
            flag_modified(commitment, "updated_at")  # UPDATE even when the clock shows the same second as before
            session.flush()
            for action, field, old, new in audit:
                session.add(
                    AuditEntry(
                        at=_now(),
                        username=actor.username or "anonymous",
                        action=action,
                        entity="commitment",
                        entity_id=ogp_id,
                        field=field,
                        old_value=old,
                        new_value=new,
                        version=commitment.version,
                    )
                )
            bump_data_version(session)
            return commitment.version
    except StaleDataError:
        # Another transaction committed between our read and our UPDATE: report what it changed.
        with Session(engine) as session:
            current, _ = _locked_commitment(session, ogp_id)
            raise Conflict(current.version, changes_since(session, ogp_id, expected_version)) from None


def add_progress_report(
    engine: Engine, actor: Actor, *, ogp_id: str, expected_version: int, fields: dict[str, Any], today: dt.date
) -> int:
    """Append a progress report (never replaces one); returns the commitment's new version."""
    source = _text(fields.get("source"))
    if not allowed_sources(actor) or (source in PROGRESS_SOURCES and source not in allowed_sources(actor)):
        # A role that may not record this source is refused as such, not told to fix a form field.
        raise PermissionDenied(f"{actor.label} may not record progress reports from this source.")
    clean = validate_progress(fields, actor=actor, today=today)
    replaces = _text(fields.get("supersedes"))
    if replaces and not replaces.isdigit():
        raise ValidationFailed({"supersedes": "Choose the report this one corrects, or none."})

    def apply(session: Session, commitment: Commitment, member_code: str):
        if not can_record_progress(actor, member_code, clean["source"]):
            raise PermissionDenied(f"{actor.label} may not record progress for {member_code}.")
        corrected = _corrected_report(session, commitment, int(replaces), clean["source"]) if replaces else None
        plan = commitment.action_plan
        problem = report_date_problem(
            clean["as_of"], commitment.start_date or plan.start_date, commitment.end_date or plan.end_date
        )
        if problem:
            raise ValidationFailed({"as_of": problem})
        session.add(
            ProgressReport(
                commitment=commitment,
                recorded_by=actor.username,
                known_from=today,
                supersedes_id=corrected.id if corrected else None,
                **clean,
            )
        )
        summary = f"{clean['as_of'].isoformat()} {PROGRESS_SOURCES[clean['source']]}: {clean['completion']}"
        if corrected is None:
            return [("add-progress-report", "progress_report", None, summary)]
        old = f"{corrected.as_of.isoformat()} {PROGRESS_SOURCES[corrected.source]}: {corrected.completion}"
        return [("correct-progress-report", "progress_report", old, summary)]

    return _write(engine, actor, ogp_id, expected_version, apply)


def _corrected_report(session: Session, commitment: Commitment, report_id: int, source: str) -> ProgressReport:
    """The report a correction replaces: one of this commitment's, from the same source, not replaced yet."""
    report = session.get(ProgressReport, report_id)
    if report is None or report.commitment_id != commitment.id:
        raise ValidationFailed({"supersedes": "That report is not one of this commitment's."})
    if report.source != source:
        origin = PROGRESS_SOURCES[report.source]
        raise ValidationFailed({"supersedes": f"A correction comes from the same source; that one is from {origin}."})
    if session.scalar(select(ProgressReport.id).where(ProgressReport.supersedes_id == report.id)) is not None:
        raise ValidationFailed({"supersedes": "That report was corrected already: correct the correction instead."})
    return report


def add_delay_note(engine: Engine, actor: Actor, *, ogp_id: str, expected_version: int, note: str) -> int:
    """Append a note on why a commitment is delayed; returns the commitment's new version."""
    text = _text(note)
    if not text:
        raise ValidationFailed({"note": "Write the note first."})
    if len(text) > MAX_NOTE:
        raise ValidationFailed({"note": f"The note has {len(text):,} characters; the limit is {MAX_NOTE:,}."})

    def apply(session: Session, commitment: Commitment, member_code: str):
        if not can_add_delay_note(actor, member_code):
            raise PermissionDenied(f"{actor.label} may not add delay notes for {member_code}.")
        session.add(DelayNote(commitment_id=commitment.id, note=text, recorded_by=actor.username))
        return [("add-delay-note", "delay_note", None, text)]

    return _write(engine, actor, ogp_id, expected_version, apply)


MILESTONE_ACTIONS = ("done", "reschedule")


def _day(raw: Any, field: str, errors: dict[str, str]) -> dt.date | None:
    text = _text(raw)
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        errors[field] = f"'{text[:20]}' is not a date (YYYY-MM-DD)."
        return None


def record_milestone(
    engine: Engine,
    actor: Actor,
    *,
    ogp_id: str,
    expected_version: int,
    milestone_id: Any,
    action: Any,
    day: Any,
    text: Any,
    today: dt.date,
) -> int:
    """Mark a milestone done (on a day, with its evidence) or reschedule it (a new due date and the reason; the
    first due date is kept and shown). Support staff of the member, IRM and admins; returns the new version."""
    errors: dict[str, str] = {}
    action = _text(action)
    if action not in MILESTONE_ACTIONS:
        errors["action"] = "Choose: mark it done, or reschedule it."
    when = _day(day, "date", errors)
    words = _text(text)
    if when is None and "date" not in errors:
        errors["date"] = "Give the day it was done." if action == "done" else "Give the new due date."
    if action == "done" and when is not None and when > today:
        errors["date"] = f"{format_day(when)} is in the future: mark a milestone done once it is."
    if action == "reschedule" and not words:
        errors["text"] = "Say why it moves (national trackers show the reason beside the new date)."
    if len(words) > MAX_NOTE:
        errors["text"] = f"{len(words):,} characters; the limit is {MAX_NOTE:,}."
    try:
        wanted = int(milestone_id)
    except (TypeError, ValueError):
        errors["milestone"] = "Choose a milestone."
        wanted = -1
    if errors or when is None:
        raise ValidationFailed(errors)
    day_of: dt.date = when

    def apply(session: Session, commitment: Commitment, member_code: str):
        when = day_of
        if not can_add_delay_note(actor, member_code):
            raise PermissionDenied(f"{actor.label} may not update milestones for {member_code}.")
        milestone = session.get(Milestone, wanted)
        if milestone is None or milestone.commitment_id != commitment.id:
            raise ValidationFailed({"milestone": "That milestone is not one of this commitment's."})
        plan = commitment.action_plan
        problem = report_date_problem(
            when, commitment.start_date or plan.start_date, commitment.end_date or plan.end_date
        )
        if problem:
            raise ValidationFailed({"date": problem.replace("a report may be dated", "a milestone may be dated")})
        if action == "done":
            if milestone.done_date == when and (milestone.done_evidence or "") == words:
                return []
            old = milestone.done_date.isoformat() if milestone.done_date else None
            milestone.done_date, milestone.done_evidence = when, words or None
            return [("milestone-done", f"milestone {milestone.id}", old, f"{when.isoformat()} {words}".strip())]
        if milestone.due_date == when:
            return []
        old_due = milestone.due_date
        if milestone.original_due_date is None:
            milestone.original_due_date = old_due  # the first due date stays, however often it moves
        milestone.due_date, milestone.reschedule_reason = when, words
        old = old_due.isoformat() if old_due else None
        return [("milestone-rescheduled", f"milestone {milestone.id}", old, f"{when.isoformat()}: {words}")]

    return _write(engine, actor, ogp_id, expected_version, apply)


def set_rating(engine: Engine, actor: Actor, *, ogp_id: str, expected_version: int, indicator: str, value: str) -> int:
    """Record an IRM rating (value of the indicator's scale, or ND/NR/NA); returns the new version."""
    if indicator not in RECORDABLE_RATINGS:
        raise ValidationFailed({"indicator": "Choose a rating to record."})
    scale = INDICATOR_BY_ATTR[indicator].scale
    value = _text(value)
    allowed = ", ".join(scale.values + tuple(MISSING_CODES))
    if not value:
        raise ValidationFailed({"value": f"Choose a {scale.label} rating ({allowed})."})
    if not scale.is_valid(value):
        raise ValidationFailed({"value": f"'{value[:40]}' is not on the {scale.label} scale ({allowed})."})

    def apply(session: Session, commitment: Commitment, member_code: str):
        if not can_record_rating(actor, member_code):
            raise PermissionDenied(f"{actor.label} may not record IRM ratings.")
        old = getattr(commitment, indicator)
        if old == value:
            return []
        setattr(commitment, indicator, value)
        commitment.completion = latest_completion(commitment.completion_midterm, commitment.completion_end_of_term)
        return [("set-rating", indicator, old, value)]

    return _write(engine, actor, ogp_id, expected_version, apply)


def audit_log(
    engine: Engine, *, since: dt.datetime | None = None, entity: str | None = None, entity_id: str | None = None
) -> pd.DataFrame:
    """Audit entries (AUDIT_COLUMNS), oldest first, optionally since a time or for one entity."""
    stmt = select(*(getattr(AuditEntry, c) for c in AUDIT_COLUMNS)).order_by(AuditEntry.at, AuditEntry.id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if entity is not None:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    with Session(engine) as session:
        rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=AUDIT_COLUMNS)


def latest_delay_notes(engine: Engine, commitment_ids: Sequence[int]) -> dict[int, tuple[str, str, dt.datetime]]:
    """The newest delay note of each of these commitments: id -> (note, recorded_by, recorded_at)."""
    if not len(commitment_ids):
        return {}
    ranked = select(
        DelayNote.commitment_id,
        DelayNote.note,
        DelayNote.recorded_by,
        DelayNote.recorded_at,
        func.row_number()
        .over(partition_by=DelayNote.commitment_id, order_by=(DelayNote.recorded_at.desc(), DelayNote.id.desc()))
        .label("rank"),
    ).where(DelayNote.commitment_id.in_([int(i) for i in commitment_ids]))
    latest = ranked.subquery()
    stmt = select(latest.c.commitment_id, latest.c.note, latest.c.recorded_by, latest.c.recorded_at).where(
        latest.c.rank == 1
    )
    with Session(engine) as session:
        return {int(cid): (note, by, at) for cid, note, by, at in session.execute(stmt).all()}


def delay_notes(engine: Engine, ogp_id: str) -> pd.DataFrame:
    """Delay notes of a commitment, newest first: columns recorded_at, recorded_by, note."""
    stmt = (
        select(DelayNote.recorded_at, DelayNote.recorded_by, DelayNote.note)
        .join(Commitment, Commitment.id == DelayNote.commitment_id)
        .where(Commitment.ogp_id == ogp_id)
        .order_by(DelayNote.recorded_at.desc(), DelayNote.id.desc())
    )
    with Session(engine) as session:
        rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["recorded_at", "recorded_by", "note"])
