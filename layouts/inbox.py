"""Follow and be told: the inbox of events about what a user follows, their digest settings, and the list of
what they follow with its current status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.domain.rules import format_day
from layouts.components import empty_state, follow_button, page_header

INBOX_LIST = "inbox-list"
INBOX_LAST = "inbox-last"  # dcc.Store: the newest event id the page shows (what "mark as read" covers)
INBOX_MARK_READ = "inbox-mark-read"
DIGEST_EMAIL = "digest-email"
DIGEST_FREQUENCY = "digest-frequency"
DIGEST_SAVE = "digest-save"
DIGEST_MESSAGE = "digest-message"
KIND_ICONS = {
    "status change": "bi-arrow-left-right",
    "progress report": "bi-journal-text",
    "IRM rating": "bi-clipboard-data",
    "delay note": "bi-chat-left-text",
    "milestone due": "bi-flag",
}
DIGEST_CHOICES = [("off", "No e-mail"), ("daily", "Daily"), ("weekly", "Weekly")]
FOLLOW_HINT = (
    "Use the Follow button on a member's or a commitment's page; what changes on it then appears here: status "
    "changes, new progress reports and IRM ratings, delay notes, and milestones falling due within two weeks."
)


def sign_in_first(what: str, next_path: str) -> html.Div:
    return html.Div(
        [
            page_header(what),
            empty_state(
                f"Sign in to see your {what.lower()}.",
                html.A("Sign in", href=f"/login?next={next_path}", className="fw-semibold"),
            ),
        ]
    )


def event_list(events: Sequence[Any]) -> html.Div:
    """The events, newest first; unread ones marked "New" (in words, not only in weight)."""
    if not events:
        return html.Div(empty_state("Nothing to tell yet.", FOLLOW_HINT))
    items = []
    for event in events:
        items.append(
            html.Li(
                [
                    html.Div(
                        [
                            html.Span(
                                [html.I(className=f"bi {KIND_ICONS.get(event.kind, 'bi-dot')} me-1"), event.kind],
                                className="badge text-bg-light border me-2",
                            ),
                            html.Span("New", className="badge text-bg-primary me-2") if not event.read else None,
                            html.Span(format_day(event.happened_on), className="text-muted small"),
                        ],
                        className="mb-1",
                    ),
                    dcc.Link(event.title, href=event.link, className="fw-semibold" if not event.read else ""),
                    html.Div(event.detail, className="small text-muted"),
                ],
                className="list-group-item inbox-event" + ("" if event.read else " inbox-unread"),
            )
        )
    return html.Ul(items, className="list-group")


def inbox_page(events: Sequence[Any], unread: int, email: str | None, digest: str) -> html.Div:
    newest = max((e.id for e in events), default=0)
    return html.Div(
        [
            page_header(
                "Inbox",
                "What changed on what you follow, newest first. "
                + (f"{unread} unread." if unread else "Nothing unread."),
            ),
            dcc.Store(id=INBOX_LAST, data=newest),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Div(
                                [
                                    html.Button(
                                        [html.I(className="bi bi-check2-all me-1"), "Mark all as read"],
                                        id=INBOX_MARK_READ,
                                        type="button",
                                        className="btn btn-sm btn-outline-secondary",
                                        disabled=not unread,
                                    ),
                                    dcc.Link("What you follow", href="/following", className="ms-3"),
                                ],
                                className="mb-2 d-flex align-items-center",
                            ),
                            html.Div(event_list(events), id=INBOX_LIST),
                        ],
                        lg=8,
                    ),
                    dbc.Col(digest_card(email, digest), lg=4),
                ],
                className="g-3",
            ),
        ]
    )


def digest_card(email: str | None, digest: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("E-mail digest", className="h6"),
                html.P("The same events by e-mail, each once, with a link to stop them.", className="small text-muted"),
                dbc.Label("E-mail address", html_for=DIGEST_EMAIL),
                dcc.Input(
                    id=DIGEST_EMAIL,
                    type="email",
                    value=email or "",
                    maxLength=254,
                    autoComplete="email",
                    className="form-control mb-2",
                ),
                dbc.Label("How often", html_for=DIGEST_FREQUENCY),
                dbc.RadioItems(
                    id=DIGEST_FREQUENCY,
                    options=[{"label": label, "value": value} for value, label in DIGEST_CHOICES],
                    value=digest,
                    className="mb-2",
                ),
                html.Button("Save", id=DIGEST_SAVE, type="button", className="btn btn-sm btn-primary"),
                html.Div(id=DIGEST_MESSAGE, className="small mt-2", role="status"),
            ]
        ),
        className="shadow-sm",
    )


def following_page(followed: Sequence[Any], day: dt.date, badge: Any) -> html.Div:
    """What the user follows, members first, with each one's status on `day` (badge: the status badge builder)."""
    header = page_header("Following", f"What you follow and how it stands on {format_day(day)}.")
    if not followed:
        return html.Div([header, empty_state("You follow nothing yet.", FOLLOW_HINT)])
    kinds = {"member": "Member", "action_plan": "Action plan", "commitment": "Commitment"}
    rows = [
        html.Tr(
            [
                html.Td(kinds.get(f.kind, f.kind)),
                html.Td(dcc.Link(f.ref, href=f.link) if f.link else f.ref, className="text-nowrap"),
                html.Td(f.name),
                html.Td(_status_cell(f, badge)),
                html.Td(f.reason, className="small"),
                html.Td(format_day(f.since), className="text-nowrap small"),
            ]
        )
        for f in followed
    ]
    table = dbc.Table(
        [
            html.Thead(
                html.Tr([html.Th(h, scope="col") for h in ("Kind", "Id", "Name", "Status", "Why", "Followed since")])
            ),
            html.Tbody(rows),
        ],
        hover=True,
        responsive=True,
        className="following-table",
    )
    return html.Div([header, html.P(dcc.Link("Your inbox", href="/inbox")), table])


def _status_cell(followed: Any, badge: Any) -> Any:
    """A commitment's status badge; a member's commitments behind, each count a link to the list it counts."""
    if followed.kind == "commitment":
        return badge(followed.status)
    if followed.kind == "member" and followed.behind:
        links: list[Any] = []
        for status, count in followed.behind:
            query = urlencode({"member": followed.ref, "delay_status": status})
            links += [", " if links else None, dcc.Link(f"{count} {status}", href=f"/commitments?{query}")]
        return html.Span(links)
    return followed.status


def skeleton() -> list[Any]:
    """The inbox's interactive components, for Dash's validation layout."""
    return [
        dcc.Store(id=INBOX_LAST),
        html.Button(id=INBOX_MARK_READ),
        html.Div(id=INBOX_LIST),
        dcc.Input(id=DIGEST_EMAIL),
        dbc.RadioItems(id=DIGEST_FREQUENCY, options=[]),
        html.Button(id=DIGEST_SAVE),
        html.Div(id=DIGEST_MESSAGE),
        follow_button("commitment", "validation"),  # the Follow buttons of member and commitment pages
    ]
