"""Assemble the Dash app: settings, database, layout, callbacks, server hardening."""

from __future__ import annotations

import dataclasses
import logging
import secrets
from typing import Any

from dash import Dash, html
from flask import Flask, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from callbacks import api, briefing, exports, shell
from callbacks.inbox import unread_badge
from callbacks.pages import Router
from dashboard.domain.roles import ANONYMOUS, Actor
from dashboard.pages import ROUTER
from dashboard.settings import ROOT, Settings, require_secret_key
from dashboard.web.auth import csrf_token, current_actor, init_auth
from dashboard.web.cache import ViewCache, init_response_cache
from dashboard.web.context import AppContext
from dashboard.web.digests import init_unsubscribe
from dashboard.web.health import init_health
from dashboard.web.limits import init_limiter
from data_access import inbox, queries
from data_access.db import get_engine, migrate
from layouts import ids
from layouts.components import export_buttons, graph
from layouts.shell import app_layout

log = logging.getLogger(__name__)


# Dash's page template with the page's language (screen readers pick their voice from it) and without Dash's own
# <footer> around its scripts (a second "contentinfo" landmark beside the dashboard's footer).
INDEX = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <div class="dash-scripts">
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>
"""


def create_app(settings: Settings | None = None, router: Router = ROUTER) -> Dash:
    """A configured Dash app serving the pages of `router` on the database named by the settings (migrated on
    start)."""
    settings = settings or Settings.from_env()
    require_secret_key(settings)  # ConfigurationError outside debug: never serve with a forgeable key
    if not settings.secret_key:  # debug only: a key for this process (sessions end at restart)
        settings = dataclasses.replace(settings, secret_key=secrets.token_urlsafe(48))
    try:
        migrate(settings.database_url)
    except SQLAlchemyError:
        log.exception("could not migrate the database; pages will show an error banner")
    app = Dash(
        __name__,
        title="OGP Implementation Monitor",
        assets_folder=str(ROOT / "assets"),
        suppress_callback_exceptions=False,  # the validation layout lists every id a callback uses
        serve_locally=True,
        # Compressed by Dash itself, at construction: the response cache then keeps the JSON and every reply,
        # cached or not, is compressed after it with the right header.
        compress=True,
        update_title="",  # the tab title stays put while callbacks run (Dash: None or "" disables it)
    )
    app.index_string = INDEX
    app.server.config.update(SECRET_KEY=settings.secret_key)
    cache = ViewCache(settings) if settings.view_cache else None
    limiter = init_limiter(app.server, settings)
    app_ctx = AppContext(engine=get_engine(settings.database_url), settings=settings, cache=cache, limiter=limiter)
    app.server.extensions["ogp_context"] = app_ctx  # for operators' scripts and tests: one place to find it
    _install_error_handlers(app.server)
    app.layout = lambda: _layout(app_ctx, router)
    app.validation_layout = validation_layout(router)  # type: ignore[assignment]  # Dash declares it as None
    _register_callbacks(app, app_ctx, router)
    init_auth(
        app.server, app_ctx, app.csp_hashes(), limiter
    )  # after the callbacks: the CSP hashes Dash's inline scripts
    init_health(app.server, app_ctx)
    briefing.register_route(app.server, app_ctx)
    api.register_route(app.server, app_ctx)
    init_unsubscribe(app.server, app_ctx.engine, settings)
    if cache is not None:
        # After the sign-in gate (before_request runs in order): a refused request never reaches the cache.
        init_response_cache(app.server, cache, lambda: _data_stamp(app_ctx), app_ctx.today, current_actor)
    return app


def _data_stamp(app_ctx: AppContext) -> str | None:
    """The data stamp for cache keys, or None when the database cannot be read (one warning, no traceback)."""
    try:
        return queries.data_stamp(app_ctx.engine)
    except SQLAlchemyError as error:
        log.warning("data stamp unreadable, serving uncached: %s", type(error).__name__)
        return None


def _install_error_handlers(server: Flask) -> None:
    """Malformed or forged callback requests get a clear 400, never a traceback or a 500."""

    @server.errorhandler(Exception)
    def _handle(exc: Exception):
        if isinstance(exc, HTTPException):
            return exc
        if request.path.endswith("/_dash-update-component"):
            log.warning("refused a callback request that could not be processed: %r", exc)
            message = "This request could not be processed. Reload the page; if it persists, tell the administrator."
            return jsonify(error=message), 400
        log.exception("unhandled error on %s", request.path)
        return "Something went wrong on our side. It has been logged; please try again.", 500


def _layout(app_ctx: AppContext, router: Router) -> html.Div:
    try:
        if app_ctx.cache is None:
            options = queries.filter_options(app_ctx.engine)
        else:
            key = app_ctx.cache.key("filter-options", ANONYMOUS, queries.data_stamp(app_ctx.engine))
            options = app_ctx.cache.get_or_compute(key, lambda: queries.filter_options(app_ctx.engine))
    except SQLAlchemyError:
        log.exception("database unreachable while building the layout")
        options = {}
    actor = current_actor()
    if not actor.is_authenticated:
        return app_layout(options, router.nav_items(), actor)
    return app_layout(options, router.nav_items(), actor, csrf_token(), _unread(app_ctx, actor))


def _unread(app_ctx: AppContext, actor: Actor) -> Any:
    """The navbar's count of the user's unread events (collected first), or nothing when it cannot be read."""
    try:
        inbox.collect_if_changed(app_ctx.engine, app_ctx.today())
        return unread_badge(inbox.unread_count(app_ctx.engine, actor.username or ""))
    except SQLAlchemyError as error:
        log.warning("inbox unreadable for the navbar: %s", type(error).__name__)
        return None


def validation_layout(router: Router) -> html.Div:
    """The frame plus every page's interactive components: Dash checks each callback's ids against it, so a
    typo in an id fails loudly instead of silently never firing."""
    shared = [export_buttons("validation"), graph(ids.drill_chart("validation"), {}, drill=True)]
    skeletons = [component for spec in router.pages if spec.skeleton for component in spec.skeleton()]
    return html.Div([app_layout({}, router.nav_items()), *shared, *skeletons])


def _register_callbacks(app: Dash, app_ctx: AppContext, router: Router) -> None:
    shell.register(app, app_ctx, router)
    exports.register(app, app_ctx, router.tables)
    for spec in router.pages:
        if spec.register is not None:
            spec.register(app, app_ctx)
