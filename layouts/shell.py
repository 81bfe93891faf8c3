"""The frame around every page: navigation, data badge, filter bar, alerts, page slot, footer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.domain.filters import MEMBER_TYPE_PARAMS
from dashboard.domain.roles import ANONYMOUS, Actor
from dashboard.domain.scales import COMPLETION, DELAY_STATUSES, REGIONS
from layouts import ids

NavItems = Sequence[tuple[str, str, str]]  # (label, href, Bootstrap icon) of each page in the navbar


def account_area(actor: Actor, csrf: str = "", unread: Any = None) -> html.Div:
    """Who is signed in, their inbox (with its unread count) and what they follow, and a sign-out button (a
    CSRF-protected POST); or a sign-in link."""
    if not actor.is_authenticated:
        return html.Div(
            [
                html.A(
                    [html.I(className="bi bi-person me-1"), "Sign in"],
                    href="/login",
                    className="nav-link text-light ms-3 text-nowrap",
                    id="sign-in",
                ),
                html.Span(id=ids.INBOX_COUNT, className="d-none"),
            ]
        )
    return html.Form(
        [
            html.Span(
                [html.I(className="bi bi-person-check me-1"), actor.label],
                className="me-2 text-nowrap",
                id="account-name",
            ),
            # Icons on wide screens (their words for screen readers and as tooltips), words too in the folded menu.
            dcc.Link(
                [
                    html.I(className="bi bi-inbox", **{"aria-hidden": "true"}),
                    html.Span("Inbox", className="ms-1 account-link-words"),
                    html.Span(unread, id=ids.INBOX_COUNT, className="ms-1"),
                ],
                href="/inbox",
                title="Inbox",
                className="nav-link text-light me-2 text-nowrap",
                id="nav-inbox",
            ),
            dcc.Link(
                [
                    html.I(className="bi bi-star", **{"aria-hidden": "true"}),
                    html.Span("Following", className="ms-1 account-link-words"),
                ],
                href="/following",
                title="Following",
                className="nav-link text-light me-2 text-nowrap",
                id="nav-following",
            ),
            dcc.Input(type="hidden", name="csrf", value=csrf),
            html.Button("Sign out", type="submit", className="btn btn-sm btn-outline-light text-nowrap", id="sign-out"),
        ],
        method="post",
        action="/logout",
        className="d-flex align-items-center text-light ms-3 account-area",
    )


def navbar(nav_items: NavItems, actor: Actor = ANONYMOUS, csrf: str = "", unread: Any = None) -> dbc.Navbar:
    """Top navigation with every page, the sample/real data badge and the account area."""
    links = [
        dbc.NavItem(
            dbc.NavLink(
                [html.I(className=f"bi {icon} me-1"), label], href=href, active="exact", id=f"nav-{label.lower()}"
            )
        )
        for label, href, icon in nav_items
    ]
    # Below 992 px the pages, the link button, the data badge and the account fold behind a menu button; above,
    # they fit one row (the brand's words and the badge's explanation show only where there is room: app.css).
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [
                        html.Span("OGP", className="brand-mark me-2"),
                        html.Span("Implementation Monitor", className="brand-words"),
                    ],
                    href="/",
                    className="me-3",
                ),
                html.Button(
                    html.Span(className="navbar-toggler-icon"),
                    id=ids.NAVBAR_TOGGLER,
                    type="button",
                    className="navbar-toggler",
                    **{"aria-label": "Menu", "aria-controls": ids.NAVBAR_COLLAPSE},
                ),
                dbc.Collapse(
                    [
                        dbc.Nav(links, navbar=True, className="me-auto"),
                        search_box(),
                        html.Div(
                            [
                                html.Button(
                                    [
                                        html.I(className="bi bi-link-45deg", **{"aria-hidden": "true"}),
                                        html.Span(" Copy link", className="copy-link-words"),
                                    ],
                                    id=ids.COPY_LINK,
                                    type="button",
                                    className="btn btn-sm btn-outline-light me-2 text-nowrap no-print",
                                    title="Copy the link of this view: its filters and each table's sort and page",
                                    **{"aria-label": "Copy link"},
                                ),
                                html.Span(id=ids.COPY_LINK_SAID, className="small text-light me-2", role="status"),
                                html.Div(id=ids.DATA_BADGE),
                                account_area(actor, csrf, unread),
                            ],
                            className="d-flex flex-wrap align-items-center navbar-tools",
                        ),
                    ],
                    id=ids.NAVBAR_COLLAPSE,
                    navbar=True,
                    is_open=False,
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="lg",
        className="mb-3 app-navbar",
    )


def search_box() -> html.Div:
    """Search commitments by a word of their id, title, text, institutions or policy areas (Enter searches)."""
    return html.Div(
        [
            html.Label("Search commitments", htmlFor=ids.SEARCH, className="visually-hidden"),
            html.I(className="bi bi-search search-icon", **{"aria-hidden": "true"}),
            dcc.Input(
                id=ids.SEARCH,
                type="search",
                placeholder="Search commitments",
                maxLength=100,
                debounce=True,
                autoComplete="off",
                className="form-control form-control-sm navbar-search",
            ),
        ],
        title="Words of a commitment's id, title, text, institutions or policy areas; Enter searches",
        role="search",
        className="navbar-search-box me-lg-2 my-2 my-lg-0",
    )


def filter_bar(options: dict[str, list[Any]]) -> dbc.Card:
    """The filters every page shares; their values live in the URL query string."""

    def dropdown(component_id: str, label: str, choices: list[dict[str, Any]], multi: bool = True) -> dbc.Col:
        return dbc.Col(
            [
                dbc.Label(label, html_for=component_id, className="small fw-semibold mb-1"),
                dcc.Dropdown(id=component_id, options=choices, multi=multi, placeholder="All", clearable=True),
            ],
            xs=12,
            sm=6,
            lg=3,
            xl=True,
            className="mb-2",
        )

    members = [{"label": f"{name} ({code})", "value": code} for code, name in options.get("members", [])]
    cycles = [{"label": str(c), "value": c} for c in options.get("cycles", [])]
    areas = [{"label": name, "value": slug} for slug, name in options.get("policy_areas", [])]
    # Below 992 px the fields fold behind a button saying how many filters are set (app.css, assets/app.js), so
    # the page starts on the first screen of a phone.
    toggle = html.Button(
        [
            html.I(className="bi bi-funnel me-1", **{"aria-hidden": "true"}),
            "Filters ",
            html.Span("(none set)", id=ids.FILTER_SUMMARY, className="text-muted"),
        ],
        id=ids.FILTER_TOGGLE,
        type="button",
        className="btn btn-sm btn-outline-secondary w-100 text-start filter-toggle",
        **{"aria-controls": ids.FILTER_FIELDS},
    )
    return dbc.Card(
        dbc.CardBody(
            [
                toggle,
                html.Div(id=ids.FILTER_CHIPS, className="filter-chips"),
                html.Div(
                    dbc.Row(
                        [
                            dropdown(ids.FILTER_MEMBER, "Member", members),
                            dropdown(ids.FILTER_REGION, "Region", [{"label": r, "value": r} for r in REGIONS]),
                            dropdown(
                                ids.FILTER_MEMBER_TYPE,
                                "National / local",
                                [{"label": v, "value": k} for k, v in MEMBER_TYPE_PARAMS.items()],
                            ),
                            dropdown(ids.FILTER_CYCLE, "Action-plan cycle", cycles),
                            dropdown(ids.FILTER_POLICY_AREA, "Policy area", areas),
                            dropdown(
                                ids.FILTER_COMPLETION,
                                "Completion",
                                [{"label": v, "value": v} for v in COMPLETION.values],
                            ),
                            dropdown(
                                ids.FILTER_STARRED,
                                "Starred",
                                [{"label": "Starred only", "value": "yes"}, {"label": "Not starred", "value": "no"}],
                                multi=False,
                            ),
                            dropdown(
                                ids.FILTER_DELAY_STATUS,
                                "Delay status",
                                [{"label": s.capitalize(), "value": s} for s in DELAY_STATUSES],
                            ),
                            dbc.Col(
                                dbc.Button(
                                    [html.I(className="bi bi-x-circle me-1"), "Clear"],
                                    id=ids.FILTER_CLEAR,
                                    color="link",
                                    size="sm",
                                    className="mt-4",
                                ),
                                width="auto",
                            ),
                        ],
                        className="g-2",
                    ),
                    id=ids.FILTER_FIELDS,
                    className="filter-fields",
                ),
            ],
            className="py-2",
        ),
        className="mb-3 filter-bar",
        id=ids.FILTER_BAR,
    )


def filter_chips(chips: list[tuple[str, str, str]]) -> list[Any]:
    """The values set as chips, each a link to the same view without it: (label, value, href) each."""
    return [
        dcc.Link(
            [
                html.Span("Remove the filter ", className="visually-hidden"),
                html.Span(f"{label}: ", className="fw-normal"),
                value,
                html.I(className="bi bi-x ms-1", **{"aria-hidden": "true"}),
            ],
            href=href,
            className="badge rounded-pill filter-chip",
            title=f"Remove the filter {label}: {value}",
        )
        for label, value, href in chips
    ]


def app_layout(
    options: dict[str, list[Any]], nav_items: NavItems, actor: Actor = ANONYMOUS, csrf: str = "", unread: Any = None
) -> html.Div:
    """The whole page frame; the router fills the page slot from the URL."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.SCROLL_ANCHOR),
            dcc.Store(id=ids.PAGE_TITLE),
            dcc.Store(id=ids.TITLE_SINK),
            html.A("Skip to the content", href=f"#{ids.MAIN}", className="visually-hidden-focusable skip-link"),
            navbar(nav_items, actor, csrf, unread),
            html.Main(
                dbc.Container(
                    [
                        html.Div(id=ids.BREADCRUMBS),
                        filter_bar(options),
                        html.Div(id=ids.FILTER_ALERTS),
                        dcc.Loading(html.Div(id=ids.PAGE), type="default", delay_show=150, className="page-loading"),
                    ],
                    fluid=True,
                    className="app-body",
                ),
                id=ids.MAIN,
                tabIndex="-1",  # the skip link moves the keyboard focus here
            ),
            html.Footer(
                dbc.Container(
                    [
                        "Data: Open Government Partnership / Independent Reporting Mechanism (IRM) commitments data. ",
                        html.Span(id="footer-data-note"),
                    ],
                    fluid=True,
                ),
                className="app-footer text-muted small py-3",
            ),
        ]
    )
