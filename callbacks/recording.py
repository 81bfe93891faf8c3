"""Writes from the commitment page: progress reports, delay notes and IRM ratings.

Each save is a plain function of (context, actor, page URL, expected version, form values) so tests call it with
any Actor; the registered callbacks pass the signed-in actor read on the server (never a role from the browser).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dash import Dash, Input, Output, State, no_update
from sqlalchemy.exc import SQLAlchemyError

from callbacks.commitment_sections import find_commitment, live_sections
from callbacks.urls import current_filters
from dashboard.domain.roles import Actor, can_add_delay_note, can_record_progress, can_record_rating
from dashboard.domain.scales import INDICATOR_BY_ATTR, PROGRESS_SOURCES
from dashboard.web.auth import current_actor
from dashboard.web.context import AppContext
from data_access import recording
from data_access.db import failure_reason
from data_access.recording import Conflict, PermissionDenied, ValidationFailed
from layouts import ids
from layouts import recording as form
from layouts.commitments import DETAIL_RECORD_SECTION, LIVE_SECTIONS

log = logging.getLogger(__name__)
COMMITMENT_PATH = re.compile(r"^/commitments/([^/?#]{1,40})/?$")
NOT_SAVED = "Nothing was saved."
KEPT = "What you typed is still in the form."
_FORM_FIELDS: dict[str, dict[str, str]] = {
    "progress": form.PROGRESS_FIELDS,
    "delay_note": form.DELAY_NOTE_FIELDS,
    "rating": form.RATING_FIELDS,
    "milestone": form.MILESTONE_FIELDS,
}


@dataclass
class SaveResult:
    """What a save did: the alert to show, messages beside fields, and on success the new version and the
    re-rendered page sections (LIVE_SECTIONS ids -> children; a missing id keeps its current content)."""

    saved: bool
    alert: Any = None
    errors: dict[str, str] = field(default_factory=dict)
    version: int | None = None
    sections: dict[str, Any] | None = None


def commitment_id_from_path(pathname: str | None) -> str | None:
    """The commitment id of a /commitments/<id> path, or None for any other path (or a forged non-text one)."""
    match = COMMITMENT_PATH.match(pathname) if isinstance(pathname, str) else None
    return match.group(1) if match else None


def _refused(message: str) -> SaveResult:
    return SaveResult(saved=False, alert=form.refused_alert(f"{message} {NOT_SAVED}"))


def _expected_version(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def _database_refusal_said(save: Callable[..., SaveResult]) -> Callable[..., SaveResult]:
    """A save that the database refuses (locked, full, unreachable) answers why in words; the form keeps what
    was typed (only a saved result resets it)."""

    @functools.wraps(save)
    def guarded(*args: Any, **kwargs: Any) -> SaveResult:
        try:
            return save(*args, **kwargs)
        except SQLAlchemyError as error:
            log.warning("save refused by the database: %s", type(error).__name__)
            return SaveResult(saved=False, alert=form.refused_alert(f"{NOT_SAVED} {failure_reason(error)} {KEPT}"))

    return guarded


@_database_refusal_said
def _save(
    ctx: AppContext,
    actor: Actor,
    *,
    pathname: str | None,
    search: str | None,
    expected_version: Any,
    form_name: str,
    permitted: Callable[[Actor, str], bool],
    what: str,
    write: Callable[[str, int], tuple[int, str]],
) -> SaveResult:
    """Check the actor, write through data_access.recording (which checks again) and re-render on success."""
    # A forged request may send anything as the URL's query: only text is one (checked before writing, so a
    # write never commits and then fails to re-render).
    search = search if isinstance(search, str) else None
    raw_id = commitment_id_from_path(pathname)
    detail = find_commitment(ctx, raw_id) if raw_id else None
    if detail is None:
        return _refused("This page does not show a known commitment.")
    if not actor.is_authenticated:
        return _refused(f"Sign in as support or IRM staff to {what}.")
    if not permitted(actor, detail["member_code"]):
        return _refused(f"Your account ({actor.label}) may not {what} for {detail['member_name']}.")
    version = _expected_version(expected_version)
    if version is None:
        return _refused("The page lost track of the commitment's version; reload the page and try again.")
    try:
        new_version, message = write(detail["ogp_id"], version)
    except ValidationFailed as exc:
        other = [msg for name, msg in exc.errors.items() if name not in _FORM_FIELDS[form_name]]
        alert = form.refused_alert(" ".join(other)) if other else form.invalid_alert()
        return SaveResult(saved=False, alert=alert, errors=dict(exc.errors))
    except PermissionDenied as exc:
        return _refused(str(exc))
    except Conflict as exc:
        return SaveResult(saved=False, alert=form.conflict_alert(exc.changes))
    try:
        filters, _ = current_filters(ctx, search)
        fresh = find_commitment(ctx, detail["ogp_id"]) or detail
        sections = live_sections(ctx, filters, fresh, actor, notice=form.saved_alert(message), active_form=form_name)
    except SQLAlchemyError as error:  # saved, but the page could not be redrawn: say both, never "not saved"
        notice = f"{message} The page could not be refreshed ({failure_reason(error)}); reload it to see the change."
        return SaveResult(saved=False, alert=form.saved_alert(notice), version=new_version)
    return SaveResult(saved=True, version=new_version, sections=sections)


def save_progress_report(
    ctx: AppContext,
    actor: Actor,
    *,
    pathname: str | None,
    search: str | None,
    expected_version: Any,
    fields: dict[str, Any],
) -> SaveResult:
    """Add a progress report to the commitment of the page (the fields of form.PROGRESS_FIELDS)."""
    values = {name: fields.get(name) for name in form.PROGRESS_FIELDS}
    for name in ("result", "supersedes"):
        if values[name] == form.RESULT_NONE:
            values[name] = None

    def write(ogp_id: str, version: int) -> tuple[int, str]:
        new_version = recording.add_progress_report(
            ctx.engine, actor, ogp_id=ogp_id, expected_version=version, fields=values, today=ctx.today()
        )
        source = PROGRESS_SOURCES.get(str(values["source"]), "")
        return new_version, f"Progress report saved: {values['completion']} as of {values['as_of']} ({source})."

    return _save(
        ctx,
        actor,
        pathname=pathname,
        search=search,
        expected_version=expected_version,
        form_name="progress",
        permitted=can_record_progress,
        what="record progress",
        write=write,
    )


def save_delay_note(
    ctx: AppContext, actor: Actor, *, pathname: str | None, search: str | None, expected_version: Any, note: Any
) -> SaveResult:
    """Add a note on why the page's commitment is delayed."""

    def write(ogp_id: str, version: int) -> tuple[int, str]:
        text = "" if note is None else str(note)
        new_version = recording.add_delay_note(ctx.engine, actor, ogp_id=ogp_id, expected_version=version, note=text)
        return new_version, "Delay note saved."

    return _save(
        ctx,
        actor,
        pathname=pathname,
        search=search,
        expected_version=expected_version,
        form_name="delay_note",
        permitted=can_add_delay_note,
        what="add delay notes",
        write=write,
    )


def save_rating(
    ctx: AppContext,
    actor: Actor,
    *,
    pathname: str | None,
    search: str | None,
    expected_version: Any,
    indicator: Any,
    value: Any,
) -> SaveResult:
    """Record an IRM rating of the page's commitment (IRM researchers and admins only)."""

    def write(ogp_id: str, version: int) -> tuple[int, str]:
        name = str(indicator or "")
        new_version = recording.set_rating(
            ctx.engine, actor, ogp_id=ogp_id, expected_version=version, indicator=name, value=str(value or "")
        )
        label = INDICATOR_BY_ATTR[name].label if name in INDICATOR_BY_ATTR else name
        return new_version, f"Rating saved: {label} is now {value}."

    return _save(
        ctx,
        actor,
        pathname=pathname,
        search=search,
        expected_version=expected_version,
        form_name="rating",
        permitted=can_record_rating,
        what="record IRM ratings",
        write=write,
    )


def save_milestone(
    ctx: AppContext,
    actor: Actor,
    *,
    pathname: str | None,
    search: str | None,
    expected_version: Any,
    fields: dict[str, Any],
) -> SaveResult:
    """Mark one of the page's milestones done, or reschedule it (the fields of form.MILESTONE_FIELDS)."""

    def write(ogp_id: str, version: int) -> tuple[int, str]:
        new_version = recording.record_milestone(
            ctx.engine,
            actor,
            ogp_id=ogp_id,
            expected_version=version,
            milestone_id=fields.get("milestone"),
            action=fields.get("action"),
            day=fields.get("date"),
            text=fields.get("text"),
            today=ctx.today(),
        )
        done = fields.get("action") == "done"
        return new_version, f"Milestone {'marked done' if done else 'rescheduled'}: {fields.get('date')}."

    return _save(
        ctx,
        actor,
        pathname=pathname,
        search=search,
        expected_version=expected_version,
        form_name="milestone",
        permitted=can_add_delay_note,
        what="update milestones",
        write=write,
    )


def reload_commitment(ctx: AppContext, actor: Actor, *, pathname: str | None, search: str | None) -> SaveResult:
    """After a conflict: the current state and version of the commitment; the forms (what was typed) stay."""
    search = search if isinstance(search, str) else None
    try:
        raw_id = commitment_id_from_path(pathname)
        detail = find_commitment(ctx, raw_id) if raw_id else None
        if detail is None:
            return _refused("This page does not show a known commitment.")
        filters, _ = current_filters(ctx, search)
        sections = live_sections(ctx, filters, detail, actor)
    except SQLAlchemyError as error:
        log.warning("reload refused by the database: %s", type(error).__name__)
        return SaveResult(saved=False, alert=form.refused_alert(f"{failure_reason(error)} {KEPT}"))
    del sections[DETAIL_RECORD_SECTION]
    return SaveResult(saved=False, alert=form.reloaded_alert(), version=detail["version"], sections=sections)


def callback_outputs(result: SaveResult, fields: dict[str, str]) -> list[Any]:
    """A SaveResult as the callback's outputs: sections, version, alert, then (invalid, message) per field."""
    sections = result.sections or {}
    values: list[Any] = [sections.get(section_id, no_update) for section_id in LIVE_SECTIONS]
    values.append(result.version if result.version is not None else no_update)
    if result.saved:  # the Record card was re-rendered with the success message and empty forms
        return values + [no_update] * (1 + 2 * len(fields))
    values.append(result.alert)
    for name in fields:
        values.extend([name in result.errors, result.errors.get(name)])
    return values


def _outputs(fields: dict[str, str]) -> list[Output]:
    outputs = [Output(section_id, "children", allow_duplicate=True) for section_id in LIVE_SECTIONS]
    outputs.append(Output(form.RECORD_VERSION, "data", allow_duplicate=True))
    outputs.append(Output(form.RECORD_ALERT, "children", allow_duplicate=True))
    for input_id in fields.values():
        outputs.extend([Output(input_id, "invalid"), Output(form.feedback_id(input_id), "children")])
    return outputs


def _page_state() -> list[State]:
    return [State(ids.URL, "pathname"), State(ids.URL, "search"), State(form.RECORD_VERSION, "data")]


def _wire_fields_form(
    app: Dash, app_ctx: AppContext, fields: dict[str, str], save_button: str, save: Callable[..., SaveResult]
) -> None:
    """Wire a form whose save function takes every field of `fields` as one dict (progress, milestones)."""
    outputs = _outputs(fields)

    @app.callback(
        *outputs,
        Input(save_button, "n_clicks"),
        *_page_state(),
        *(State(input_id, "value") for input_id in fields.values()),
        running=[(Output(save_button, "disabled"), True, False)],
        prevent_initial_call=True,
    )
    def _save(clicks, pathname, search, version, *values):
        if not clicks:
            return [no_update] * len(outputs)
        result = save(
            app_ctx,
            current_actor(),
            pathname=pathname,
            search=search,
            expected_version=version,
            fields=dict(zip(fields, values, strict=True)),
        )
        return callback_outputs(result, fields)


def register(app: Dash, app_ctx: AppContext) -> None:
    """Wire the save buttons, the rating scale choice and the reload after a conflict."""
    _wire_fields_form(app, app_ctx, form.PROGRESS_FIELDS, form.PROGRESS_SAVE, save_progress_report)

    note_outputs = _outputs(form.DELAY_NOTE_FIELDS)

    @app.callback(
        *note_outputs,
        Input(form.DELAY_NOTE_SAVE, "n_clicks"),
        *_page_state(),
        State(form.DELAY_NOTE_TEXT, "value"),
        running=[(Output(form.DELAY_NOTE_SAVE, "disabled"), True, False)],
        prevent_initial_call=True,
    )
    def _save_delay_note(clicks, pathname, search, version, note):
        if not clicks:
            return [no_update] * len(note_outputs)
        result = save_delay_note(
            app_ctx, current_actor(), pathname=pathname, search=search, expected_version=version, note=note
        )
        return callback_outputs(result, form.DELAY_NOTE_FIELDS)

    _wire_fields_form(app, app_ctx, form.MILESTONE_FIELDS, form.MILESTONE_SAVE, save_milestone)

    rating_outputs = _outputs(form.RATING_FIELDS)

    @app.callback(
        *rating_outputs,
        Input(form.RATING_SAVE, "n_clicks"),
        *_page_state(),
        State(form.RATING_INDICATOR, "value"),
        State(form.RATING_VALUE, "value"),
        running=[(Output(form.RATING_SAVE, "disabled"), True, False)],
        prevent_initial_call=True,
    )
    def _save_rating(clicks, pathname, search, version, indicator, value):
        if not clicks:
            return [no_update] * len(rating_outputs)
        result = save_rating(
            app_ctx,
            current_actor(),
            pathname=pathname,
            search=search,
            expected_version=version,
            indicator=indicator,
            value=value,
        )
        return callback_outputs(result, form.RATING_FIELDS)

    @app.callback(
        Output(form.RATING_VALUE, "options"),
        Output(form.RATING_VALUE, "value"),
        Input(form.RATING_INDICATOR, "value"),
        prevent_initial_call=True,
    )
    def _rating_scale(indicator):
        return form.rating_value_options(indicator), None

    reload_outputs = _outputs({})

    @app.callback(
        *reload_outputs,
        Input(form.RECORD_RELOAD, "n_clicks"),
        State(ids.URL, "pathname"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def _reload(clicks, pathname, search):
        if not clicks:
            return [no_update] * len(reload_outputs)
        return callback_outputs(reload_commitment(app_ctx, current_actor(), pathname=pathname, search=search), {})
