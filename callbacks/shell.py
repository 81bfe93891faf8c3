"""Callbacks of the frame: routing, URL <-> filter-bar sync, drilldown clicks, data badge."""

from __future__ import annotations

import logging
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, html, no_update
from sqlalchemy.exc import SQLAlchemyError

from callbacks.pages import Router
from callbacks.urls import current_filters, search_href
from dashboard.domain.filters import MEMBER_TYPE_PARAMS, Filters, parse_filters, removable_values
from dashboard.web.cache import mark_uncacheable
from dashboard.web.context import AppContext
from data_access import queries
from layouts import ids
from layouts.components import breadcrumbs, empty_state, error_banner, print_filters
from layouts.shell import filter_chips

log = logging.getLogger(__name__)

FILTER_INPUTS = (
    ids.FILTER_MEMBER,
    ids.FILTER_REGION,
    ids.FILTER_MEMBER_TYPE,
    ids.FILTER_CYCLE,
    ids.FILTER_POLICY_AREA,
    ids.FILTER_COMPLETION,
    ids.FILTER_STARRED,
    ids.FILTER_DELAY_STATUS,
)


APP_NAME = "OGP Implementation Monitor"


def render_page(
    app_ctx: AppContext, router: Router, pathname: str | None, search: str | None
) -> tuple[Any, Any, Any, Any, str]:
    """Page content, breadcrumbs, filter messages, data badge and tab title for a URL; never raises (errors
    become a banner, which the response cache never keeps)."""
    # A forged request may send anything as the URL's parts: only text is a path or a query.
    pathname = pathname if isinstance(pathname, str) else None
    search = search if isinstance(search, str) else None
    try:
        return _page_parts(app_ctx, router, pathname, search)
    except SQLAlchemyError:
        mark_uncacheable()
        log.exception("database error while rendering %s", pathname)
        banner = error_banner(
            "The database cannot be reached right now, so no figures can be shown. "
            "Try again in a minute; if it persists, tell the dashboard's administrator."
        )
        return banner, None, None, no_update, APP_NAME
    except Exception:  # a page bug must show a message, never a traceback
        mark_uncacheable()
        log.exception("error while rendering %s", pathname)
        return (
            error_banner("This page could not be drawn because of an internal error. It has been logged."),
            None,
            None,
            no_update,
            APP_NAME,
        )


def _page_parts(
    app_ctx: AppContext, router: Router, pathname: str | None, search: str | None
) -> tuple[Any, Any, Any, Any, str]:
    filters, problems = current_filters(app_ctx, search)
    page = router.render(app_ctx, pathname, filters)
    status = queries.data_status(app_ctx.engine)
    if page is None:
        content = empty_state(
            f"There is no page at '{(pathname or '')[:80]}'.",
            "Use the navigation bar above, or go back to the overview.",
        )
        trail = breadcrumbs([("Overview", "/"), ("Page not found", None)])
        return content, trail, None, data_badge(status), f"Page not found · {APP_NAME}"
    alerts = (
        dbc.Alert(
            [
                html.Strong("Some filters in this link were not understood and were ignored:"),
                html.Ul([html.Li(p) for p in problems]),
            ],
            color="warning",
            dismissable=True,
            className="filter-problems",
        )
        if problems
        else None
    )
    trail = breadcrumbs(page.trail) if page.trail else None
    badge = data_badge(status)
    notes = [alerts, print_filters(filters.describe(), source=badge)]  # shown only on paper, without the navbar
    return page.children, trail, notes, badge, f"{page.title} · {APP_NAME}"


def data_badge(status: dict[str, Any]) -> html.Span:
    """'Sample data' (generated) or 'OGP data' with its import date."""
    if status["is_sample"]:
        return dbc.Badge(
            [
                html.I(className="bi bi-exclamation-diamond me-1"),
                "Sample data",
                html.Span(" — generated, not real OGP figures", className="badge-more"),
            ],
            color="warning",
            text_color="dark",
            className="data-badge",
            title="Import OGP's commitments sheet with `python -m dashboard import-ogp FILE` to replace it.",
        )
    when = (status.get("last_import") or status.get("updated_at") or "")[:10]
    return dbc.Badge(f"OGP data{', imported ' + when if when else ''}", color="success", className="data-badge")


def sync_filters(
    search: str | None, values: list[Any], trigger: str | None, known_members: set[str] | None = None
) -> tuple[Any, ...]:
    """Keep the URL and the filter bar in step: URL changes set the bar, bar changes write the URL.

    known_members: the member codes of the database; a link's unknown member is then left out of the bar (the
    bar could not show it) while the link keeps it, with its warning on the page.
    """
    if trigger in (None, ids.URL):
        filters, _ = parse_filters(search, known_members=known_members)
        reverse_types = {v: k for k, v in MEMBER_TYPE_PARAMS.items()}
        starred = None if filters.starred is None else ("yes" if filters.starred else "no")
        bar = [
            list(filters.member),
            list(filters.region),
            [reverse_types[t] for t in filters.member_type],
            list(filters.cycle),
            list(filters.policy_area),
            list(filters.completion),
            starred,
            list(filters.delay_status),
        ]
        return (no_update, *bar)
    if trigger == ids.FILTER_CLEAR:
        base, _ = parse_filters(search)
        cleared = Filters(as_of=base.as_of, view=base.view).to_query()
        return (cleared, [], [], [], [], [], [], None, [])
    base, _ = parse_filters(search, known_members=known_members)
    member, region, member_type, cycle, area, completion, starred, delay = values
    filters = base.replace(
        member=tuple(member or ()),
        region=tuple(region or ()),
        member_type=tuple(MEMBER_TYPE_PARAMS[t] for t in (member_type or ()) if t in MEMBER_TYPE_PARAMS),
        cycle=tuple(int(c) for c in (cycle or ())),
        policy_area=tuple(area or ()),
        completion=tuple(completion or ()),
        starred=None if not starred else starred == "yes",
        delay_status=tuple(delay or ()),
    )
    if filters == base:
        # The bar only mirrors the link (it was just set from it): keep the link as it is, so values the link
        # holds but the bar cannot show (an unknown member, a bad cycle) keep their warnings on the page.
        return (no_update, *([no_update] * len(FILTER_INPUTS)))
    query = filters.to_query()
    return (query if query != (search or "") else no_update, *([no_update] * len(FILTER_INPUTS)))


def drill_href(click_data: dict[str, Any] | None) -> str | None:
    """The drilldown link carried by a clicked point (customdata[0] or customdata), if it is a local path."""
    if not click_data or not click_data.get("points"):
        return None
    point = click_data["points"][0]
    custom = point.get("customdata")
    href = custom[0] if isinstance(custom, list) and custom else custom
    if isinstance(href, str) and href.startswith("/") and not href.startswith("//"):
        return href
    return None


def chips_of(pathname: Any, search: Any) -> list[Any]:
    """The removable chips of the URL's filters: each links to the same path without that one value."""
    path = pathname if isinstance(pathname, str) and pathname.startswith("/") and not pathname.startswith("//") else "/"
    filters, _ = parse_filters(search if isinstance(search, str) else None)
    return filter_chips([(label, value, path + rest.to_query()) for label, value, rest in removable_values(filters)])


def register(app: Dash, app_ctx: AppContext, router: Router) -> None:
    """Wire the frame's callbacks: the router renders every page of `router`."""

    @app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.BREADCRUMBS, "children"),
        Output(ids.FILTER_ALERTS, "children"),
        Output(ids.DATA_BADGE, "children"),
        Output(ids.PAGE_TITLE, "data"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
    )
    def _render(pathname, search):
        return render_page(app_ctx, router, pathname, search)

    @app.callback(
        Output(ids.URL, "search"),
        *(Output(i, "value") for i in FILTER_INPUTS),
        Input(ids.URL, "search"),
        *(Input(i, "value") for i in FILTER_INPUTS),
        Input(ids.FILTER_CLEAR, "n_clicks"),
    )
    def _sync(search, *values):
        return sync_filters(search, list(values[:-1]), ctx.triggered_id, queries.member_codes(app_ctx.engine))

    @app.callback(Output(ids.FILTER_CHIPS, "children"), Input(ids.URL, "pathname"), Input(ids.URL, "search"))
    def _chips(pathname, search):
        return chips_of(pathname, search)

    app.clientside_callback(
        ClientsideFunction(namespace="ogp", function_name="toggleFilters"),
        Output(ids.FILTER_FIELDS, "className"),
        Input(ids.FILTER_TOGGLE, "n_clicks"),
        State(ids.FILTER_FIELDS, "className"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="ogp", function_name="filterSummary"),
        Output(ids.FILTER_SUMMARY, "children"),
        *(Input(i, "value") for i in FILTER_INPUTS),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="ogp", function_name="toggleMenu"),
        Output(ids.NAVBAR_COLLAPSE, "is_open"),
        Input(ids.NAVBAR_TOGGLER, "n_clicks"),
        State(ids.NAVBAR_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="ogp", function_name="setTitle"),
        Output(ids.TITLE_SINK, "data"),
        Input(ids.PAGE_TITLE, "data"),
    )

    app.clientside_callback(
        ClientsideFunction(namespace="ogp", function_name="scrollToTop"),
        Output(ids.SCROLL_ANCHOR, "data"),
        Input(ids.URL, "pathname"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.URL, "href", allow_duplicate=True),
        Input(ids.SEARCH, "n_submit"),
        State(ids.SEARCH, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def _search(_submitted, text, search):
        return search_href(text, search)

    app.clientside_callback(
        ClientsideFunction(namespace="ogp", function_name="searchText"),
        Output(ids.SEARCH, "value"),
        Input(ids.URL, "search"),
    )

    @app.callback(
        Output(ids.URL, "href", allow_duplicate=True),
        Input(ids.drill_chart(ALL), "clickData"),
        State(ids.URL, "pathname"),
        prevent_initial_call=True,
    )
    def _drill(_clicks, _pathname):
        triggered = ctx.triggered[0] if ctx.triggered else None
        href = drill_href(triggered["value"]) if triggered else None
        return href if href else no_update
