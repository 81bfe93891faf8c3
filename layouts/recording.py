"""Recording on the commitment page: the forms (progress report, delay note, IRM rating), delay notes and the
commitment's change history. Everything a user typed is shown as text, never as HTML."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.domain.recordable import MAX_NOTE, MAX_URL, RECORDABLE_RATINGS, RESULT_SCALES
from dashboard.domain.roles import (
    Actor,
    allowed_sources,
    can_add_delay_note,
    can_record_progress,
    can_record_rating,
)
from dashboard.domain.rules import format_day
from dashboard.domain.scales import COMPLETION, INDICATOR_BY_ATTR, MISSING_CODES, PROGRESS_SOURCES
from layouts.components import export_buttons

RECORD_CARD = "record-card"
RECORD_NOTE = "record-note"  # the sign-in hint shown instead of the forms
RECORD_TABS = "record-tabs"
RECORD_ALERT = "record-alert"  # success, refusal or conflict of the last save (one slot for all forms)
RECORD_VERSION = "record-version"  # dcc.Store: the commitment version the page was rendered with
RECORD_RELOAD = "record-reload"  # in the conflict warning: load the current state, keep what was typed

PROGRESS_AS_OF = "record-progress-as-of"
PROGRESS_SUPERSEDES = "record-progress-supersedes"  # the report this one corrects, or none
PROGRESS_SOURCE = "record-progress-source"
PROGRESS_COMPLETION = "record-progress-completion"
PROGRESS_RESULT = "record-progress-result"
PROGRESS_NOTE = "record-progress-note"
PROGRESS_EVIDENCE = "record-progress-evidence"
PROGRESS_SAVE = "record-progress-save"
DELAY_NOTE_TEXT = "record-delay-note"
DELAY_NOTE_SAVE = "record-delay-note-save"
RATING_INDICATOR = "record-rating-indicator"
RATING_VALUE = "record-rating-value"
RATING_SAVE = "record-rating-save"

# Form field (as data_access.recording names it in ValidationFailed.errors) -> input id, per form.
PROGRESS_FIELDS: dict[str, str] = {
    "as_of": PROGRESS_AS_OF,
    "source": PROGRESS_SOURCE,
    "completion": PROGRESS_COMPLETION,
    "result": PROGRESS_RESULT,
    "note": PROGRESS_NOTE,
    "evidence_url": PROGRESS_EVIDENCE,
    "supersedes": PROGRESS_SUPERSEDES,
}
DELAY_NOTE_FIELDS: dict[str, str] = {"note": DELAY_NOTE_TEXT}
RATING_FIELDS: dict[str, str] = {"indicator": RATING_INDICATOR, "value": RATING_VALUE}
RESULT_NONE = "none"  # the Result choice for "no result given" (a select cannot hold an empty value reliably)
MILESTONE_PICK = "record-milestone"
MILESTONE_ACTION = "record-milestone-action"
MILESTONE_DATE = "record-milestone-date"
MILESTONE_TEXT = "record-milestone-text"
MILESTONE_SAVE = "record-milestone-save"
MILESTONE_FIELDS: dict[str, str] = {
    "milestone": MILESTONE_PICK,
    "action": MILESTONE_ACTION,
    "date": MILESTONE_DATE,
    "text": MILESTONE_TEXT,
}
FORM_TABS = {
    "progress": "record-tab-progress",
    "delay_note": "record-tab-delay-note",
    "rating": "record-tab-rating",
    "milestone": "record-tab-milestone",
}

DELAY_NOTES = "commitment-delay-notes"
AUDIT = "commitment-audit"
AUDIT_SHOWN = 50
AUDIT_VALUE_CHARS = 160
FIELD_LABELS = {"progress_report": "Progress report", "delay_note": "Delay note"}
ACTION_LABELS = {
    "add-progress-report": "added a progress report",
    "add-delay-note": "added a delay note",
    "set-rating": "set an IRM rating",
}


def feedback_id(input_id: str) -> str:
    """Id of the message shown beside a form field."""
    return f"{input_id}-feedback"


def _field(label: str, control: Any, input_id: str, *, hint: str | None = None, width: int = 6) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=input_id, className="small fw-semibold mb-1"),
            control,
            dbc.FormFeedback(id=feedback_id(input_id), type="invalid"),
            dbc.FormText(hint, className="small") if hint else None,
        ],
        md=width,
        className="mb-2",
    )


def result_options() -> list[dict[str, str]]:
    """Optional result of a progress report: every value of early results, then of 'did it open government',
    each with its scale ("Outstanding" is on both: the value sent names the scale, data_access stores it)."""
    options = [{"label": "None given", "value": RESULT_NONE}]
    for name, (prefix, scale) in RESULT_SCALES.items():
        options += [{"label": f"{prefix}: {value}", "value": f"{name}:{value}"} for value in scale.values]
    return options


def rating_value_options(indicator: str | None) -> list[dict[str, str]]:
    """Values of the indicator's scale (lowest first), then the codes ND / NR / NA with their meaning."""
    if indicator not in RECORDABLE_RATINGS:
        return []
    scale = INDICATOR_BY_ATTR[indicator].scale
    values = [{"label": value, "value": value} for value in scale.values]
    codes = [{"label": f"{code}: {meaning.split(':')[0]}", "value": code} for code, meaning in MISSING_CODES.items()]
    return values + codes


def correction_options(progress: pd.DataFrame | None, actor: Actor) -> list[dict[str, str]]:
    """ "Corrects": none, or one of the reports in force from a source the actor may record, newest first."""
    options = [{"label": "Nothing: a new report", "value": RESULT_NONE}]
    if progress is None or progress.empty:
        return options
    allowed = set(allowed_sources(actor))
    for r in progress.iloc[::-1].itertuples(index=False):
        if r.source in allowed:
            label = f"The report of {_when(r.as_of)} from {PROGRESS_SOURCES[r.source]}: {r.completion}"
            options.append({"label": label, "value": str(r.report_id)})
    return options


def progress_form(actor: Actor, today: dt.date, progress: pd.DataFrame | None = None) -> html.Div:
    """A dated progress report from one source the actor may record, or a correction of an earlier one."""
    sources = [{"label": PROGRESS_SOURCES[s], "value": s} for s in allowed_sources(actor)]
    return html.Div(
        [
            dbc.Row(
                [
                    _field(
                        "As of",
                        dbc.Input(id=PROGRESS_AS_OF, type="date", value=today.isoformat(), max=today.isoformat()),
                        PROGRESS_AS_OF,
                        hint="The date the report describes.",
                        width=4,
                    ),
                    _field(
                        "Source",
                        dbc.Select(id=PROGRESS_SOURCE, options=sources, value=sources[0]["value"] if sources else None),
                        PROGRESS_SOURCE,
                        width=4,
                    ),
                    _field(
                        "Completion",
                        dbc.Select(
                            id=PROGRESS_COMPLETION,
                            options=[{"label": v, "value": v} for v in COMPLETION.values],
                            placeholder="Choose a level",
                        ),
                        PROGRESS_COMPLETION,
                        width=4,
                    ),
                ],
                className="g-2",
            ),
            dbc.Row(
                [
                    _field(
                        "Result (optional)",
                        dbc.Select(id=PROGRESS_RESULT, options=result_options(), value=RESULT_NONE),
                        PROGRESS_RESULT,
                        width=4,
                    ),
                    _field(
                        "Corrects (optional)",
                        dbc.Select(
                            id=PROGRESS_SUPERSEDES, options=correction_options(progress, actor), value=RESULT_NONE
                        ),
                        PROGRESS_SUPERSEDES,
                        hint="A wrong report stays in the history, marked corrected; this one counts instead.",
                        width=8,
                    ),
                    _field(
                        "Evidence link (optional)",
                        dbc.Input(
                            id=PROGRESS_EVIDENCE,
                            type="url",
                            placeholder="https://example.org/report",
                            maxLength=MAX_URL,
                            value="",
                        ),
                        PROGRESS_EVIDENCE,
                        width=8,
                    ),
                ],
                className="g-2",
            ),
            dbc.Row(
                _field(
                    "Note (optional)",
                    dbc.Textarea(id=PROGRESS_NOTE, rows=3, maxLength=MAX_NOTE, value=""),
                    PROGRESS_NOTE,
                    hint=f"What the report says, in a few sentences (at most {MAX_NOTE:,} characters).",
                    width=12,
                ),
                className="g-2",
            ),
            dbc.Button([html.I(className="bi bi-plus-circle me-1"), "Add progress report"], id=PROGRESS_SAVE),
        ],
        className="record-form pt-3",
    )


def delay_note_form() -> html.Div:
    """A note on why the commitment is delayed."""
    return html.Div(
        [
            dbc.Row(
                _field(
                    "Why is it delayed?",
                    dbc.Textarea(id=DELAY_NOTE_TEXT, rows=4, maxLength=MAX_NOTE, value=""),
                    DELAY_NOTE_TEXT,
                    hint="What you learned, from whom, and what would unblock it.",
                    width=12,
                ),
                className="g-2",
            ),
            dbc.Button([html.I(className="bi bi-chat-left-text me-1"), "Add delay note"], id=DELAY_NOTE_SAVE),
        ],
        className="record-form pt-3",
    )


def milestone_form(milestones: pd.DataFrame, today: dt.date) -> html.Div:
    """Mark a milestone done (the day and its evidence) or reschedule it (the new due date and why)."""
    options = [
        {
            "label": f"{i + 1}. {m.title[:70]} ({'done' if pd.notna(m.done_date) else 'due ' + _when(m.due_date)})",
            "value": str(m.milestone_id),
        }
        for i, m in enumerate(milestones.itertuples(index=False))
    ]
    return html.Div(
        [
            dbc.Row(
                [
                    _field("Milestone", dbc.Select(id=MILESTONE_PICK, options=options), MILESTONE_PICK, width=12),
                    _field(
                        "What happened",
                        dbc.Select(
                            id=MILESTONE_ACTION,
                            options=[
                                {"label": "Done", "value": "done"},
                                {"label": "Rescheduled to a new date", "value": "reschedule"},
                            ],
                            value="done",
                        ),
                        MILESTONE_ACTION,
                    ),
                    _field(
                        "Date",
                        dbc.Input(id=MILESTONE_DATE, type="date", max="9999-12-31"),
                        MILESTONE_DATE,
                        hint="The day it was done, or its new due date.",
                    ),
                    _field(
                        "Evidence or reason",
                        dbc.Textarea(id=MILESTONE_TEXT, rows=2, maxLength=MAX_NOTE, value=""),
                        MILESTONE_TEXT,
                        hint="Done: a link or what shows it. Rescheduled: why (required); the first date is kept.",
                        width=12,
                    ),
                ],
                className="g-2",
            ),
            dbc.Button([html.I(className="bi bi-flag me-1"), "Save milestone"], id=MILESTONE_SAVE),
        ],
        className="record-form pt-3",
    )


def rating_form(current: dict[str, Any]) -> html.Div:
    """An IRM rating: the indicator (with its current value) and a value of that indicator's scale."""
    indicators = [
        {"label": f"{INDICATOR_BY_ATTR[a].label} (now {current.get(a) or 'blank'})", "value": a}
        for a in RECORDABLE_RATINGS
    ]
    first = RECORDABLE_RATINGS[0]
    return html.Div(
        [
            dbc.Row(
                [
                    _field(
                        "Indicator", dbc.Select(id=RATING_INDICATOR, options=indicators, value=first), RATING_INDICATOR
                    ),
                    _field(
                        "Rating",
                        dbc.Select(id=RATING_VALUE, options=rating_value_options(first), placeholder="Choose a rating"),
                        RATING_VALUE,
                        hint="Its own scale, or ND / NR / NA.",
                    ),
                ],
                className="g-2",
            ),
            dbc.Button([html.I(className="bi bi-clipboard-check me-1"), "Record rating"], id=RATING_SAVE),
        ],
        className="record-form pt-3",
    )


def record_card(
    actor: Actor,
    member_code: str,
    member_name: str,
    current: dict[str, Any],
    today: dt.date,
    *,
    notice: Any = None,
    active_form: str | None = None,
    milestones: pd.DataFrame | None = None,
    progress: pd.DataFrame | None = None,
) -> dbc.Card:
    """The Record card: only the forms this actor may use for this member, or a short note why there are none."""
    tabs = []
    if can_record_progress(actor, member_code):
        tabs.append(
            dbc.Tab(progress_form(actor, today, progress), label="Progress report", tab_id=FORM_TABS["progress"])
        )
    if can_add_delay_note(actor, member_code):
        tabs.append(dbc.Tab(delay_note_form(), label="Delay note", tab_id=FORM_TABS["delay_note"]))
    if can_record_rating(actor, member_code):
        tabs.append(dbc.Tab(rating_form(current), label="IRM rating", tab_id=FORM_TABS["rating"]))
    if can_add_delay_note(actor, member_code) and milestones is not None and not milestones.empty:
        tabs.append(dbc.Tab(milestone_form(milestones, today), label="Milestone", tab_id=FORM_TABS["milestone"]))
    header = dbc.CardHeader(html.H2("Record", className="h6 mb-0"))
    if not tabs:
        return dbc.Card(
            [header, dbc.CardBody(html.P(_why_not(actor, member_name), id=RECORD_NOTE, className="text-muted mb-0"))],
            className="mb-3 shadow-sm",
            id=RECORD_CARD,
        )
    active = FORM_TABS.get(active_form or "", tabs[0].tab_id)
    return dbc.Card(
        [
            header,
            dbc.CardBody(
                [
                    html.Div(
                        [html.I(className="bi bi-person-check me-1"), f"Recording as {actor.label}."],
                        className="small text-muted mb-2",
                    ),
                    html.Div(notice, id=RECORD_ALERT),
                    dbc.Tabs(tabs, id=RECORD_TABS, active_tab=active),
                ]
            ),
        ],
        className="mb-3 shadow-sm record-card",
        id=RECORD_CARD,
    )


def _why_not(actor: Actor, member_name: str) -> str:
    if actor.is_authenticated and actor.role == "support":
        return f"Your account records progress for other members, not {member_name}."
    return "Sign in as support or IRM staff to record progress."


def saved_alert(message: str) -> dbc.Alert:
    """The success message after a save."""
    return dbc.Alert(
        [html.I(className="bi bi-check-circle me-2"), message],
        color="success",
        dismissable=True,
        className="record-saved",
    )


def refused_alert(message: str) -> dbc.Alert:
    """Why nothing was written (not signed in, wrong role, other member, bad request)."""
    return dbc.Alert([html.I(className="bi bi-slash-circle me-2"), message], color="danger", className="record-refused")


def invalid_alert() -> dbc.Alert:
    """A pointer to the messages beside the fields."""
    return dbc.Alert(
        [html.I(className="bi bi-exclamation-circle me-2"), "Nothing was saved: correct the fields marked below."],
        color="warning",
        className="record-invalid",
    )


def conflict_alert(changes: pd.DataFrame) -> dbc.Alert:
    """Someone else changed the commitment since this page was loaded: what they changed, and a reload button."""
    items = [
        html.Li(
            [
                html.Strong(f"{_when(r.at)}, {r.username}: "),
                f"{_field_label(r.field)} {_value(r.old_value)} → {_value(r.new_value)}",
            ]
        )
        for r in changes.itertuples(index=False)
    ]
    listing = html.Ul(items, className="mb-2") if items else html.P("(The change left no entry in the history.)")
    return dbc.Alert(
        [
            html.Strong("Not saved: this commitment was changed after you opened it."),
            html.Div("Changes since then:", className="mt-1"),
            listing,
            html.Div(
                [
                    dbc.Button(
                        [html.I(className="bi bi-arrow-clockwise me-1"), "Reload the commitment"],
                        id=RECORD_RELOAD,
                        size="sm",
                        color="warning",
                        className="me-2",
                    ),
                    html.Span("What you typed stays in the form; check it, then save again.", className="small"),
                ]
            ),
        ],
        color="warning",
        className="record-conflict",
    )


def reloaded_alert() -> dbc.Alert:
    """After reloading: the page now shows the current state and further saves use it."""
    return dbc.Alert(
        "Reloaded: the page shows the current state of the commitment. Save again if your change is still needed.",
        color="info",
        dismissable=True,
        className="record-reloaded",
    )


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return f"{format_day(value.date())} {value:%H:%M} UTC"
    if isinstance(value, dt.date):
        return format_day(value)
    return str(value or "")


def _field_label(field: str | None) -> str:
    if field in INDICATOR_BY_ATTR:
        return INDICATOR_BY_ATTR[field].label
    return FIELD_LABELS.get(field or "", field or "")


def _value(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return "(none)"
    text = str(value)
    return text if len(text) <= AUDIT_VALUE_CHARS else text[: AUDIT_VALUE_CHARS - 1] + "…"


def delay_notes_card(notes: pd.DataFrame) -> dbc.Card:
    """Notes on why the commitment is delayed, newest first, each with who wrote it and when."""
    if notes.empty:
        body: Any = html.P("No delay notes yet.", className="text-muted mb-0")
    else:
        body = html.Ul(
            [
                html.Li(
                    [
                        html.Div(r.note, className="delay-note-text"),
                        html.Div(f"{r.recorded_by}, {_when(r.recorded_at)}", className="small text-muted"),
                    ],
                    className="delay-note",
                )
                for r in notes.itertuples(index=False)
            ],
            className="list-unstyled mb-0 delay-notes",
        )
    return dbc.Card(
        [dbc.CardHeader(html.H2("Delay notes", className="h6 mb-0")), dbc.CardBody(body, id=DELAY_NOTES)],
        className="mb-3 shadow-sm",
    )


AUDIT_HEADERS = ["When", "Who", "What", "Field", "Old", "New"]
COMMITMENT_HISTORY_EXPORT = "commitment-history"


def audit_rows(audit: pd.DataFrame) -> pd.DataFrame:
    """Every recorded change, newest first, as the change history shows it (its download too)."""
    newest = audit.iloc[::-1]
    return pd.DataFrame(
        [
            [
                _when(r.at),
                r.username,
                ACTION_LABELS.get(r.action, r.action),
                _field_label(r.field),
                _value(r.old_value),
                _value(r.new_value),
            ]
            for r in newest.itertuples(index=False)
        ],
        columns=AUDIT_HEADERS,
    )


def audit_card(audit: pd.DataFrame) -> dbc.Card:
    """Every recorded change of the commitment, newest first: when, who, what, old → new."""
    if audit.empty:
        body: Any = html.P(
            "No changes recorded from the dashboard yet (imports are not listed here).", className="text-muted mb-0"
        )
    else:
        rows = [
            html.Tr(
                [
                    html.Td(when, className="text-nowrap"),
                    html.Td(who),
                    html.Td(what),
                    html.Td(field),
                    html.Td(old, className="audit-value"),
                    html.Td(new, className="audit-value"),
                ]
            )
            for when, who, what, field, old, new in audit_rows(audit).head(AUDIT_SHOWN).itertuples(index=False)
        ]
        more = (
            html.P(f"{len(audit) - AUDIT_SHOWN:,} older changes are not shown.", className="small text-muted mt-2")
            if len(audit) > AUDIT_SHOWN
            else None
        )
        head = AUDIT_HEADERS
        body = [
            dbc.Table(
                [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
                size="sm",
                striped=True,
                responsive=True,
                className="audit-table mb-0",
            ),
            more,
        ]
    return dbc.Card(
        [
            dbc.CardHeader(
                [html.H2("Change history", className="h6 mb-0 me-auto"), export_buttons(COMMITMENT_HISTORY_EXPORT)],
                className="d-flex align-items-center",
            ),
            dbc.CardBody(body, id=AUDIT),
        ],
        className="mb-3 shadow-sm",
    )


def version_store(version: int) -> dcc.Store:
    """The commitment version this page shows; every save sends it back as the expected version."""
    return dcc.Store(id=RECORD_VERSION, data=version)


def skeleton() -> list[Any]:
    """Every recording control and message slot (the ids the recording callbacks use), for the validation layout."""
    everything = Actor(username="validation", role="admin")
    return [
        version_store(0),
        record_card(
            everything,
            "",
            "",
            {},
            dt.date.today(),
            milestones=pd.DataFrame({"milestone_id": [0], "title": [""], "due_date": [None], "done_date": [None]}),
        ),
        html.Button(id=RECORD_RELOAD),
    ]
