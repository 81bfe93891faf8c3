"""Follow and be told: the /inbox and /following pages, the Follow buttons of member and commitment pages, the
inbox's "mark as read" and the digest settings. Personal pages: never served from the shared view cache."""

from __future__ import annotations

from typing import Any

from dash import MATCH, Dash, Input, Output, State, ctx, html, no_update
from sqlalchemy.exc import SQLAlchemyError

from callbacks.pages import Page
from dashboard.domain.filters import Filters
from dashboard.web.auth import current_actor
from dashboard.web.cache import mark_uncacheable
from dashboard.web.context import AppContext
from data_access import follows, inbox
from data_access.accounts import AccountError, digest_of, set_digest
from layouts import ids
from layouts import inbox as layout
from layouts.components import delay_badge

HIDDEN = "btn btn-sm btn-outline-primary follow-button d-none"
NOT_FOLLOWING = "btn btn-sm btn-outline-primary follow-button"
FOLLOWING = "btn btn-sm btn-primary follow-button"
FOLLOW_ID = {"type": ids.FOLLOW, "kind": MATCH, "ref": MATCH}


def render_inbox(ctx_: AppContext, filters: Filters) -> Page:
    mark_uncacheable()
    actor = current_actor()
    if not actor.is_authenticated or not actor.username:
        return Page(layout.sign_in_first("Inbox", "/inbox"), trail=[("Overview", "/"), ("Inbox", None)])
    inbox.collect_if_changed(ctx_.engine, ctx_.today())
    events = inbox.events(ctx_.engine, actor.username)
    email, digest = digest_of(ctx_.engine, actor.username)
    unread = inbox.unread_count(ctx_.engine, actor.username)
    return Page(layout.inbox_page(events, unread, email, digest), trail=[("Overview", "/"), ("Inbox", None)])


def render_following(ctx_: AppContext, filters: Filters) -> Page:
    mark_uncacheable()
    actor = current_actor()
    if not actor.is_authenticated or not actor.username:
        return Page(layout.sign_in_first("Following", "/following"), trail=[("Overview", "/"), ("Following", None)])
    day = ctx_.today()
    followed = follows.followed(ctx_.engine, actor.username, day)
    return Page(layout.following_page(followed, day, delay_badge), trail=[("Overview", "/"), ("Following", None)])


def follow_label(kind: str, ref: str, following: bool) -> list[Any]:
    """ "Follow" / "Following", naming the plan on plan buttons (a member's page has several)."""
    icon = "bi-star-fill" if following else "bi-star"
    words = "Following" if following else "Follow"
    if kind == "action_plan":
        words += f" plan {ref}"
    return [html.I(className=f"bi {icon} me-1", **{"aria-hidden": "true"}), words]


def toggle_follow(app_ctx: AppContext, subject: Any, clicked: bool) -> tuple[Any, str]:
    """(label, class) of a Follow button: its state for the signed-in user, toggled first when clicked; hidden for
    readers who are not signed in, and for a forged subject."""
    actor = current_actor()
    if not actor.is_authenticated or not actor.username:
        return no_update, HIDDEN
    if not isinstance(subject, dict) or subject.get("kind") not in follows.KINDS:
        return no_update, HIDDEN
    kind, ref = subject["kind"], str(subject.get("ref", ""))[:40]
    try:
        following = follows.is_following(app_ctx.engine, actor.username, kind, ref)
        if clicked:
            if following:
                follows.unfollow(app_ctx.engine, actor.username, kind, ref)
            else:
                follows.follow(app_ctx.engine, actor.username, kind, ref, today=app_ctx.today())
            following = not following
    except follows.FollowError as error:
        return [html.I(className="bi bi-exclamation-triangle me-1"), str(error)], NOT_FOLLOWING
    except SQLAlchemyError:
        return [html.I(className="bi bi-exclamation-triangle me-1"), "Not saved: the database is unreachable."], (
            NOT_FOLLOWING
        )
    return follow_label(kind, ref, following), FOLLOWING if following else NOT_FOLLOWING


def register(app: Dash, app_ctx: AppContext) -> None:
    @app.callback(
        Output(FOLLOW_ID, "children"),
        Output(FOLLOW_ID, "className"),
        Input(FOLLOW_ID, "n_clicks"),
    )
    def _follow(n_clicks):
        subject = ctx.inputs_list[0].get("id") if ctx.inputs_list else None
        return toggle_follow(app_ctx, subject, bool(n_clicks))

    @app.callback(
        Output(layout.INBOX_LIST, "children"),
        Output(layout.INBOX_MARK_READ, "disabled"),
        Output(ids.INBOX_COUNT, "children"),
        Input(layout.INBOX_MARK_READ, "n_clicks"),
        State(layout.INBOX_LAST, "data"),
        prevent_initial_call=True,
    )
    def _mark_read(clicks, newest):
        actor = current_actor()
        # Dash also calls this when the inbox page is drawn (n_clicks None): only a real click marks anything.
        if not clicks or not actor.is_authenticated or not actor.username or not isinstance(newest, int):
            return no_update, no_update, no_update
        inbox.mark_read(app_ctx.engine, actor.username, newest)
        return (
            layout.event_list(inbox.events(app_ctx.engine, actor.username)),
            True,
            unread_badge(inbox.unread_count(app_ctx.engine, actor.username)),
        )

    @app.callback(
        Output(layout.DIGEST_MESSAGE, "children"),
        Input(layout.DIGEST_SAVE, "n_clicks"),
        State(layout.DIGEST_EMAIL, "value"),
        State(layout.DIGEST_FREQUENCY, "value"),
        prevent_initial_call=True,
    )
    def _digest(clicks, email, frequency):
        actor = current_actor()
        if not clicks:
            return no_update
        if not actor.is_authenticated or not actor.username:
            return "Sign in first."
        email = email.strip() if isinstance(email, str) and email.strip() else None
        try:
            set_digest(
                app_ctx.engine, username=actor.username, frequency=str(frequency), email=email, by=actor.username
            )
        except AccountError as error:
            return html.Span([html.I(className="bi bi-exclamation-triangle me-1"), str(error)], className="text-danger")
        said = {"off": "No e-mail digest.", "daily": "A daily digest", "weekly": "A weekly digest"}
        words = said.get(str(frequency), "")
        return words if frequency == "off" else f"{words} goes to {email or 'your address'}."


def unread_badge(count: int) -> Any:
    """The navbar's count of unread events: a badge with its words for screen readers, nothing at zero."""
    if count <= 0:
        return None
    return html.Span([str(count), html.Span(" unread", className="visually-hidden")], className="badge text-bg-danger")
