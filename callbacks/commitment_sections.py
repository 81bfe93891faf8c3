"""The parts of a commitment's page that a save redraws, and finding a commitment by the id in its URL.

Shared by the commitment page (callbacks.commitments) and its recording forms (callbacks.recording).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from dashboard.domain.filters import Filters
from dashboard.domain.recordable import RECORDABLE_RATINGS
from dashboard.domain.roles import Actor
from dashboard.domain.rules import DelayStatus, cycle_position, format_day
from dashboard.web.context import AppContext
from data_access import commitment_queries, recording, statuses
from layouts import commitments as layout
from layouts import recording as record_layout
from layouts.text import note_text

COMMITMENT_ID = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{1,19}$")


def find_commitment(ctx: AppContext, raw_id: str) -> dict[str, Any] | None:
    """The commitment of an id taken from a URL (validated against COMMITMENT_ID first), or None."""
    wanted = unquote(raw_id or "").strip()
    if not COMMITMENT_ID.match(wanted.upper()):
        return None
    return commitment_queries.commitment_detail(ctx.engine, wanted)


def live_sections(
    ctx: AppContext,
    filters: Filters,
    detail: dict[str, Any],
    actor: Actor,
    *,
    notice: Any = None,
    active_form: str | None = None,
) -> dict[str, Any]:
    """Children of every part of the commitment page a save changes (layout.LIVE_SECTIONS), from the database."""
    today = filters.as_of or ctx.today()
    progress = detail["progress"]
    stored = statuses.commitment_status(ctx.engine, day=today, commitment_id=detail["id"])
    status = (
        DelayStatus(stored["delay_status"], stored["delay_reason"], stored["severity"])
        if stored is not None
        else DelayStatus("not assessable", "No status was computed for this commitment", 0.0)
    )
    start, end = detail["start_date"], detail["end_date"]
    position = (
        f"Implementation {format_day(start)} to {format_day(end)}: {cycle_position(start, end, today).label}"
        if start and end and end > start
        else None
    )
    ratings = {attr: detail.get(attr) for attr in RECORDABLE_RATINGS}
    ogp_id = detail["ogp_id"]
    return {
        layout.DETAIL_STATUS_SECTION: [
            layout.delay_card(status, position, _latest_note(ctx, detail["id"])),
            layout.latest_by_source(progress),
        ],
        layout.DETAIL_HISTORY_SECTION: layout.history_card(
            progress, layout.progress_figure(progress, today=today, end=end), detail.get("corrected")
        ),
        layout.DETAIL_RECORD_SECTION: record_layout.record_card(
            actor,
            detail["member_code"],
            detail["member_name"],
            ratings,
            ctx.today(),
            notice=notice,
            active_form=active_form,
            milestones=detail["milestones"],
            progress=progress,
        ),
        layout.DETAIL_NOTES_SECTION: record_layout.delay_notes_card(recording.delay_notes(ctx.engine, ogp_id)),
        layout.DETAIL_MILESTONES_SECTION: layout.milestones_card(
            detail["milestones"],
            layout.milestone_figure(detail["milestones"], today=today, start=start, end=end),
            today,
        ),
        layout.DETAIL_RATINGS_SECTION: layout.ratings_card(detail),
        layout.DETAIL_AUDIT_SECTION: record_layout.audit_card(
            recording.audit_log(ctx.engine, entity="commitment", entity_id=ogp_id)
        ),
    }


def _latest_note(ctx: AppContext, commitment_id: int) -> str | None:
    note = recording.latest_delay_notes(ctx.engine, [commitment_id]).get(int(commitment_id))
    return note_text(note) if note else None
