"""Small building blocks shared by every page: headers, KPI cards, legends, badges, empty states."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.figures import GRAPH_CONFIG, describe
from layouts.theme import COMPLETION_COLORS, DELAY_COLORS, DELAY_ICONS


def page_header(title: str, subtitle: str | None = None, *, briefing: str | None = None) -> html.Div:
    """The page title (h1) and a one-line explanation; `briefing`: the link of the view's PDF briefing pack."""
    heading = html.H1(title, className="h3 mb-1")
    if briefing:
        heading = html.Div(
            [heading, briefing_link(briefing)],
            className="d-flex flex-wrap justify-content-between gap-2 align-items-start",
        )
    return html.Div(
        [heading, html.P(subtitle, className="text-muted mb-3") if subtitle else None],
        className="page-header",
    )


def briefing_link(href: str) -> html.A:
    """'Download briefing (PDF)': the view's pack, for a meeting (a plain link: the browser downloads it)."""
    return html.A(
        [html.I(className="bi bi-file-earmark-pdf me-1", **{"aria-hidden": "true"}), "Download briefing (PDF)"],
        href=href,
        className="btn btn-sm btn-outline-secondary no-print cdi-briefing",
        id="briefing-download",
        title="A PDF with this view's figures, what changed in the last 90 days, the worst delays and what falls "
        "due next. It takes a few seconds.",
    )


def breadcrumbs(trail: Sequence[tuple[str, str | None]]) -> dbc.Breadcrumb:
    """Breadcrumbs from (label, href) pairs; the last one is the current page."""
    items = [
        {"label": label, "href": href, "external_link": False} if href else {"label": label, "active": True}
        for label, href in trail
    ]
    return dbc.Breadcrumb(items=items, className="mb-2")


def kpi_card(
    *,
    title: str,
    value: str,
    count: int,
    detail: str,
    href: str | None,
    as_of: str,
    card_id: str,
    note: str | None = None,
) -> dbc.Col:
    """A KPI card: the number, what it counts, its 'data as of' date, and a link to the list behind it.

    `count` is the exact number of rows the linked list shows (data-count); `value` may be a share of it.
    href None: nothing to list (the filters exclude what the card counts, so the count is 0).
    """
    card = dbc.Card(
        dbc.CardBody(
            [
                html.Div(title, className="kpi-title"),
                html.Div(value, className="kpi-value", id=card_id, **{"data-count": int(count)}),
                html.Div(detail, className="kpi-detail"),
                html.Div(note, className="kpi-note") if note else None,
                html.Div(f"Data as of {as_of}", className="kpi-asof"),
            ]
        ),
        className="kpi-card h-100",
    )
    return dbc.Col(
        dcc.Link(card, href=href, className="kpi-link", title=f"Open the list behind '{title}'") if href else card,
        xs=12,
        sm=6,
        lg=4,
        xl=2,
        className="mb-3",
    )


def count_link(count: int, text: str, href: str, *, element_id: str | None = None) -> dcc.Link:
    """A number in running text that links to the list it counts (data-count carries the exact integer)."""
    extra = {"id": element_id} if element_id else {}
    return dcc.Link(html.Span(text, className="count-value", **{"data-count": int(count)}, **extra), href=href)


def list_anchor(list_id: str, count: int, body: Any) -> html.Div:
    """The list a count links to: `list_id` is the link's #fragment, data-count the rows it holds."""
    return html.Div(body, id=list_id, className="counted-list", **{"data-count": int(count)})


def chart_card(title: str, graph: dcc.Graph, *, footer: object | None = None, table: str | None = None) -> dbc.Card:
    """A titled card around a chart; `table`: the export name of the chart's figures as a table (CSV/XLSX)."""
    header = html.H2(title, className="h6 mb-0")
    if table:
        header = html.Div(
            [header, export_buttons(table)], className="d-flex justify-content-between align-items-center gap-2"
        )
    summary = html.P(describe(_main_figure(graph), title=title), className="visually-hidden chart-summary")
    # The box scrolls sideways on phones only (app.css); app.js makes it focusable when it does.
    box = html.Div(graph, className="chart-scroll")
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody([summary, box]), footer], className="mb-3 shadow-sm")


def _main_figure(node: Any) -> Any:
    """The figure of the chart in a card: the graph's own, or of the graph with most traces inside a box."""
    graphs: list[dcc.Graph] = []

    def walk(item: Any) -> None:
        if isinstance(item, dcc.Graph):
            graphs.append(item)
        elif isinstance(item, list | tuple):
            for child in item:
                walk(child)
        elif hasattr(item, "children"):
            walk(item.children)

    walk(node)
    figures = [g.figure for g in graphs if g.figure is not None]

    def traces(fig: Any) -> int:
        return len(fig.data) if hasattr(fig, "data") else len(dict(fig).get("data", []))

    return max(figures, key=traces) if figures else None


def graph(graph_id: str | dict, figure: object, *, drill: bool = False, height: int | None = None) -> dcc.Graph:
    """A dcc.Graph with the offline config; `drill` marks it as a drilldown chart."""
    style = {"height": f"{height}px"} if height else None
    return dcc.Graph(
        id=graph_id,
        figure=figure,
        config=GRAPH_CONFIG,
        style=style,
        className="drill-chart" if drill else None,
    )


def completion_legend() -> html.Div:
    """The IRM completion scale with its colours, in order, with what each level means."""
    meanings = {
        "Not Started": "no work has begun",
        "Limited": "some work, well short of the goal",
        "Substantial": "most of the work is done",
        "Complete": "all of the work is done",
        "No Evidence": "no evidence was available",
        "Not yet assessed": "the IRM has not rated it yet (ND/NR)",
    }
    return html.Div(
        [html.Span("Completion (IRM scale): ", className="fw-semibold me-2")]
        + [
            html.Span(
                [html.Span(className="legend-swatch", style={"background": COMPLETION_COLORS[level]}), level],
                className="legend-item me-3",
                title=meaning,
            )
            for level, meaning in meanings.items()
        ],
        className="scale-legend small mb-2",
    )


DARK_TEXT = "#000000"  # where white falls under 4.5:1, black is over 4.67:1 (their contrasts multiply to 21)


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a '#rrggbb' colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def readable_on(background: str) -> str:
    """The colour of words on a badge of this background: white where it has 4.5:1 contrast, else black
    (WCAG 1.4.3: any background then reads at 4.5:1 or more)."""
    return "white" if 1.05 / (_luminance(background) + 0.05) >= 4.5 else DARK_TEXT


def delay_badge(status: str) -> html.Span:
    """A delay status as icon + word on its colour (meaning never rests on colour alone)."""
    return html.Span(
        [html.I(className=f"bi {DELAY_ICONS.get(status, 'bi-dot')} me-1", **{"aria-hidden": "true"}), status],
        className="status-badge",
        style={"background": (color := DELAY_COLORS.get(status, "#999999")), "color": readable_on(color)},
    )


def empty_state(message: str, hint: str | None = None) -> dbc.Alert:
    """What to show when nothing matches: why, and what to try."""
    return dbc.Alert(
        [html.I(className="bi bi-info-circle me-2"), message, html.Div(hint, className="small mt-1") if hint else None],
        color="light",
        className="empty-state border",
    )


def error_banner(message: str) -> dbc.Alert:
    """A visible error that replaces the page instead of a crash."""
    return dbc.Alert([html.I(className="bi bi-exclamation-octagon me-2"), message], color="danger", id=ids.DB_ERROR)


def export_buttons(table: str) -> html.Div:
    """CSV and XLSX download buttons of a table (with the current filters) and their dcc.Download."""
    return html.Div(
        [
            dbc.Button(
                [html.I(className="bi bi-filetype-csv me-1"), "CSV"],
                id=ids.export_button(table, "csv"),
                size="sm",
                color="secondary",
                outline=True,
                className="me-1",
            ),
            dbc.Button(
                [html.I(className="bi bi-file-earmark-spreadsheet me-1"), "XLSX"],
                id=ids.export_button(table, "xlsx"),
                size="sm",
                color="secondary",
                outline=True,
            ),
            dcc.Download(id=ids.export_download(table)),
            html.Span(id=ids.export_note(table), className="export-note small text-danger ms-2", role="status"),
        ],
        className="export-buttons",
    )


def percent(part: int, whole: int) -> str:
    """'42%' or an em dash when the whole is zero."""
    return f"{part / whole * 100:.0f}%" if whole else "—"


# AG Grid's tabToNextCell: Tab leaves a table instead of walking its cells (arrow keys move between cells).
TAB_LEAVES_THE_GRID = {"function": "false"}


def markdown_escape(text: str) -> str:
    """Text shown literally by a grid's markdown renderer: its markdown characters escaped."""
    return re.sub(r"([\\`*_\[\]()<>#!|~])", r"\\\1", text)


def markdown_link(text: str, href: str) -> str:
    """A markdown link for a grid cell, with the text's markdown characters escaped."""
    return f"[{markdown_escape(text)}](<{href}>)"


def markdown_highlight(pieces: Sequence[tuple[str, bool]]) -> str:
    """Highlighted pieces (dashboard.domain.search.highlight) as markdown: matched pieces in bold."""
    return "".join(
        f"**{markdown_escape(text)}**" if matched and text.strip() else markdown_escape(text)
        for text, matched in pieces
    )


def pill_picker(picker_id: str, label: str, current: str, options: Sequence[tuple[str, str, str]]) -> html.Div:
    """Pills that switch a page parameter kept in the URL: (key, label, href) each; the current one is marked."""
    return html.Div(
        [
            html.Span(label, className="fw-semibold me-2", id=f"{picker_id}-label"),
            dbc.Nav(
                [
                    dbc.NavItem(
                        dbc.NavLink(
                            text,
                            href=href,
                            active=key == current,
                            id=f"{picker_id}-{key}",
                            className="pill-choice",
                        )
                    )
                    for key, text, href in options
                ],
                pills=True,
                className="d-inline-flex flex-wrap",
            ),
        ],
        className="pill-picker mb-2",
        id=picker_id,
        role="group",
        **{"aria-labelledby": f"{picker_id}-label"},
    )


def print_filters(described: Sequence[tuple[str, str]], source: Any = None) -> html.P:
    """The active filters written out, and where the data comes from (`source`, e.g. the "Sample data" badge),
    shown only on paper (neither the filter bar nor the navbar is printed)."""
    if not described:
        text: list[Any] = ["Filters: none (every member, cycle and policy area)."]
    else:
        text = ["Filters: "]
        for number, (label, values) in enumerate(described):
            text += [" · " if number else "", html.Strong(f"{label}: "), values]
    return html.P(
        [html.Span(source, className="me-2"), *text] if source is not None else text,
        className="print-only print-filters small mb-2",
    )


def follow_button(kind: str, ref: str) -> html.Button:
    """Follow or stop following a member, action plan or commitment (callbacks.inbox fills in its state for the
    signed-in user and hides it from readers who are not signed in)."""
    return html.Button(
        "Follow",
        id={"type": ids.FOLLOW, "kind": kind, "ref": ref},
        type="button",
        className="btn btn-sm btn-outline-primary follow-button d-none",
    )


def follow_bar(subjects: Sequence[tuple[str, str]]) -> html.Div:
    """Follow buttons of a page's subjects ((kind, OGP id): the member or commitment first, then its plans)."""
    return html.Div(
        [follow_button(kind, ref) for kind, ref in subjects], className="d-flex flex-wrap gap-2 mb-2 follow-bar"
    )
