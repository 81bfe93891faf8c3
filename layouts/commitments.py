"""Commitments list (a server-paged grid) and the commitment page: ratings, milestones, progress by source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard.domain.recordable import result_words
from dashboard.domain.rules import DelayStatus, format_day
from dashboard.domain.scales import COMPLETION, DELAY_STATUSES, INDICATORS, MISSING_CODES, PROGRESS_SOURCES
from layouts.components import (
    TAB_LEAVES_THE_GRID,
    chart_card,
    delay_badge,
    empty_state,
    export_buttons,
    graph,
    page_header,
)
from layouts.figures import base_layout, empty_figure
from layouts.text import day_text
from layouts.theme import SOURCE_COLORS, SOURCE_SYMBOLS

COMMITMENT_PROGRESS_EXPORT = "commitment-progress"  # the commitment page's tables, as downloads
COMMITMENT_MILESTONES_EXPORT = "commitment-milestones"
GRID_TYPE = "commitments-grid"
COMMITMENTS_EXPORT = "commitments"  # the list's CSV/XLSX table
LIST_COUNT = "list-count"  # the element a count without #fragment points at: the list's row count
COUNT = "commitments-count"
DETAIL_TITLE = "commitment-title"
DETAIL_TEXT = "commitment-full-text"
DETAIL_RATINGS = "commitment-ratings"
DETAIL_PROGRESS_TABLE = "commitment-progress-table"
DETAIL_PROGRESS_CHART = "commitment-progress-chart"
DETAIL_MILESTONE_CHART = "commitment-milestone-chart"
DETAIL_DELAY = "commitment-delay"
NOT_FOUND = "commitment-not-found"
SEARCH_WORDS = "commitments-search-words"  # the search's words in the count line
SEARCH_CLEAR = "commitments-search-clear"
SEARCH_PROBLEM = "commitments-search-problem"
# Parts of the commitment page that a save re-renders from the database (ids of their wrappers).
DETAIL_STATUS_SECTION = "commitment-status-section"
DETAIL_HISTORY_SECTION = "commitment-history-section"
DETAIL_RECORD_SECTION = "commitment-record-section"
DETAIL_NOTES_SECTION = "commitment-notes-section"
DETAIL_RATINGS_SECTION = "commitment-ratings-section"
DETAIL_AUDIT_SECTION = "commitment-audit-section"
DETAIL_MILESTONES_SECTION = "commitment-milestones-section"
LIVE_SECTIONS: tuple[str, ...] = (
    DETAIL_STATUS_SECTION,
    DETAIL_HISTORY_SECTION,
    DETAIL_RECORD_SECTION,
    DETAIL_NOTES_SECTION,
    DETAIL_MILESTONES_SECTION,
    DETAIL_RATINGS_SECTION,
    DETAIL_AUDIT_SECTION,
)
PAGE_SIZE = 50

# (field, header) of every grid column, in order: the CSV/XLSX export uses the same fields and headers.
TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ogp_id", "OGP id"),
    ("title", "Title"),
    ("member_name", "Member"),
    ("action_plan", "Action plan"),
    ("end_date", "End date"),
    ("delay_status", "Delay status"),
    ("progress_completion", "Latest progress"),
    ("progress_source", "Progress source"),
    ("progress_as_of", "Progress date"),
    ("completion", "IRM completion"),
    ("starred", "Starred"),
    ("potential_impact", "Potential impact"),
    ("potential_for_results", "Potential for results"),
    ("delay_reason", "Why (delay status)"),
)
WIDTHS = {"member_name": 140, "action_plan": 115, "end_date": 115, "progress_source": 195, "progress_as_of": 115}
UNSORTABLE = frozenset({"delay_reason"})
DELAY_CLASS_RULES = {f"delay-{s.replace(' ', '-')}": f"params.value === '{s}'" for s in DELAY_STATUSES}


def grid_id(view: str) -> dict[str, str]:
    """Pattern id of the commitments grid; `view` changes with the filters so a new grid fetches new rows."""
    return {"type": GRID_TYPE, "view": view}


def _column(field: str, header: str) -> dict[str, Any]:
    column: dict[str, Any] = {"field": field, "headerName": header, "colId": field, "sortable": field not in UNSORTABLE}
    if field == "ogp_id":
        column.update(field="ogp_link", cellRenderer="markdown", pinned="left", width=105, tooltipField="ogp_id")
    elif field == "title":
        column.update(flex=1, minWidth=280, tooltipField="title")
    elif field == "delay_status":
        column.update(cellClass="delay-cell", cellClassRules=DELAY_CLASS_RULES, width=145, tooltipField="delay_reason")
    elif field == "delay_reason":
        column.update(width=420, tooltipField="delay_reason")
    elif field == "starred":
        column.update(width=100, cellClassRules={"starred-cell": "params.value === 'Yes'"})
    else:
        column.update(width=WIDTHS.get(field, 130))
    return column


def column_defs(*, searching: bool = False) -> list[dict[str, Any]]:
    """The grid's columns; when searching, the title shows the
    matched words in bold and a "Found in" column after it shows where else they occur."""
    columns = [_column(field, header) for field, header in TABLE_COLUMNS]
    if searching:
        at = next(i for i, c in enumerate(columns) if c["colId"] == "title")
        columns[at].update(field="title_match", cellRenderer="markdown")
        columns.insert(
            at + 1,
            {
                "field": "found_in",
                "colId": "found_in",
                "headerName": "Found in",
                "cellRenderer": "markdown",
                "sortable": False,
                "width": 420,
                "wrapText": False,
            },
        )
    # One header row: a column group would leave an empty group row above the pinned id column, which screen
    # readers are told is a row without cells (axe: aria-required-children).
    for c in columns:
        if c["colId"] == "progress_completion":
            c["headerTooltip"] = "The latest progress report from any source"
    return columns


def commitments_grid(view: str, *, searching: bool = False) -> dag.AgGrid:
    """The grid: infinite row model, so rows and sorting come page by page from the server."""
    return dag.AgGrid(
        id=grid_id(view),
        columnDefs=column_defs(searching=searching),
        defaultColDef={"resizable": True, "sortable": True, "filter": False, "minWidth": 100},
        rowModelType="infinite",
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": PAGE_SIZE,
            "maxBlocksInCache": 4,
            "infiniteInitialRowCount": 1,
            "rowHeight": 38,
            "tooltipShowDelay": 300,
            "suppressCellFocus": False,
            "tabToNextCell": TAB_LEAVES_THE_GRID,
            "enableCellTextSelection": True,
        },
        style={"height": "640px", "width": "100%"},
        className="commitments-grid search-results" if searching else "commitments-grid",
    )


@dataclass(frozen=True)
class Search:
    """The list's `q` search as shown: its words, a message when part of it was ignored, the link without it."""

    text: str
    problem: str | None
    clear_href: str


def _matching(filtered: bool, search: Search | None) -> list[Any]:
    """' these filters', ' “budget”', ' “budget” and these filters', or nothing."""
    parts: list[Any] = []
    if search is not None and search.text:
        parts += [" ", html.Mark(f"“{search.text}”", id=SEARCH_WORDS)]
    if filtered:
        parts.append(" and these filters" if parts else " these filters")
    return parts


def list_layout(count: int, view: str, *, filtered: bool, search: Search | None = None) -> html.Div:
    """The commitments page: count line, export buttons and the grid (or why it is empty)."""
    noun = "commitment matches" if count == 1 else "commitments match"
    searching = search is not None and bool(search.text)
    clear = [" · ", dcc.Link("Clear the search", href=search.clear_href, id=SEARCH_CLEAR)] if search is not None else []
    header = dbc.Row(
        [
            dbc.Col(
                html.Div(
                    [
                        html.Strong(f"{count:,}", id=LIST_COUNT, **{"data-count": int(count)}),
                        f" {noun}",
                        *_matching(filtered, search),
                        *clear,
                    ],
                    id=COUNT,
                    className="commitments-count",
                ),
                width="auto",
            ),
            dbc.Col(export_buttons(COMMITMENTS_EXPORT), width="auto", className="ms-auto"),
        ],
        className="align-items-center mb-2",
    )
    body = (
        commitments_grid(view, searching=searching)
        if count
        else empty_state(
            "No commitments match this search and these filters."
            if searching and filtered
            else "No commitment has a word starting with each word of this search."
            if searching
            else "No commitments match these filters.",
            "Try fewer or shorter words, or remove a filter (Clear in the filter bar) to see more commitments."
            if searching
            else "Remove a filter (or use Clear in the filter bar) to see more commitments.",
        )
    )
    problem = (
        [dbc.Alert(search.problem, color="warning", className="py-2 small", id=SEARCH_PROBLEM)]
        if search is not None and search.problem
        else []
    )
    return html.Div(
        [
            page_header(
                "Commitments",
                "Every commitment with its latest progress, delay status and IRM ratings. "
                "Click a column header to sort; click an OGP id to open the commitment.",
            ),
            *problem,
            header,
            body,
            html.P(
                "Latest progress is the most recent report from any source (government, civil society, "
                "Support Unit or IRM). Hover a delay status to see why.",
                className="small text-muted mt-2",
            ),
        ]
    )


def not_found(ogp_id: str) -> html.Div:
    """The message for an id that is malformed or not in the database."""
    shown = ogp_id if len(ogp_id) <= 40 else ogp_id[:37] + "..."
    return html.Div(
        [
            page_header("Commitment not found"),
            html.Div(
                empty_state(
                    f"No commitment with id '{shown}'.",
                    "OGP commitment ids look like AL0002 or SEK0002. Find the commitment in the list instead.",
                ),
                id=NOT_FOUND,
            ),
            dcc.Link([html.I(className="bi bi-arrow-left me-1"), "All commitments"], href="/commitments"),
        ]
    )


# --- commitment page ---------------------------------------------------------------------------


def _date_text(parsed: dt.date | None, raw: str | None) -> list[Any]:
    """A parsed date with the text as written in OGP's sheet beside it when they differ.

    OGP's missing-value codes say what they mean ("NA": not applicable) instead of "Not readable", which is kept
    for text that is not a date (e.g. "Ongoing").
    """
    written = (raw or "").strip()
    if not parsed and written in MISSING_CODES:
        return [f"{MISSING_CODES[written]} ({written} in OGP's sheet)"]
    if not parsed and not written:
        return ["Not given"]
    parts: list[Any] = [format_day(parsed) if parsed else "Not readable as a date"]
    if written and written != (parsed.isoformat() if parsed else None):
        parts.append(html.Span(f" (written: “{written}”)", className="text-muted small"))
    return parts


def _fact(label: str, value: Any) -> list[Any]:
    return [html.Dt(label, className="col-sm-4 text-muted fw-normal"), html.Dd(value or "—", className="col-sm-8")]


def facts_card(detail: dict[str, Any], links: dict[str, Any]) -> dbc.Card:
    """Who, when and what area: member, plan, dates, institutions, policy areas, OGP's own page."""
    areas = [
        dcc.Link(name, href=href, className="badge rounded-pill text-bg-light border me-1 mb-1 policy-area-link")
        for name, href in links["policy_areas"]
    ]
    ogp_page = (
        html.A(
            [html.I(className="bi bi-box-arrow-up-right me-1"), "Open on opengovpartnership.org"],
            href=links["ogp_page"],
            target="_blank",
            rel="noopener noreferrer",
        )
        if links["ogp_page"]
        else None
    )
    facts = (
        _fact("OGP id", html.Code(detail["ogp_id"]))
        + _fact("Member", dcc.Link(detail["member_name"], href=links["member"]))
        + _fact("Action plan", [detail["action_plan"], f" (plan {detail['action_plan_number']})"])
        + _fact("Commitment number", detail.get("number"))
        + _fact("Plan heading", detail.get("theme"))
        + _fact("Start", _date_text(detail["start_date"], detail["start_date_raw"]))
        + _fact("End", _date_text(detail["end_date"], detail["end_date_raw"]))
        + _fact("Lead institution", detail.get("lead_institution"))
        + _fact("Supporting institutions", detail.get("supporting_institutions"))
        + _fact("Policy areas", areas or None)
        + _fact("OGP page", ogp_page)
    )
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("About this commitment", className="h6 mb-0")),
            dbc.CardBody(html.Dl(facts, className="row mb-0")),
        ],
        className="mb-3 shadow-sm",
    )


def full_text_card(text: str | None) -> dbc.Card:
    """The commitment's full text as plain text (never HTML), line breaks kept."""
    body = (
        html.Div(text, id=DETAIL_TEXT, className="commitment-text")
        if text and text.strip()
        else html.Div("OGP's sheet holds no full text for this commitment.", id=DETAIL_TEXT, className="text-muted")
    )
    return dbc.Card(
        [dbc.CardHeader(html.H2("Full text", className="h6 mb-0")), dbc.CardBody(body)], className="mb-3 shadow-sm"
    )


def delay_card(status: DelayStatus, position: str | None, note: str | None = None) -> dbc.Card:
    """Delay status with its reason in words, the newest delay note (why, in the words of who follows it) and
    where the commitment stands in its period."""
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Delay status", className="h6 mb-0")),
            dbc.CardBody(
                [
                    html.Div(delay_badge(status.status), className="mb-2 fs-6"),
                    html.P(status.reason, className="mb-1"),
                    html.P([html.Strong("Latest delay note: "), note], className="mb-1 delay-note") if note else None,
                    html.P(position, className="small text-muted mb-0") if position else None,
                ],
                id=DETAIL_DELAY,
            ),
        ],
        className="mb-3 shadow-sm",
    )


def latest_by_source(progress: pd.DataFrame) -> dbc.Card:
    """The newest report of each source side by side, so self-reports and independent views can be compared."""
    cells = []
    for source, label in PROGRESS_SOURCES.items():
        reports = progress[progress["source"] == source]
        if reports.empty:
            value, when = "No report", ""
        else:
            last = reports.iloc[-1]
            value, when = last["completion"], format_day(last["as_of"])
        cells.append(
            dbc.Col(
                html.Div(
                    [
                        html.Div(
                            [html.Span(className="source-swatch", style={"background": SOURCE_COLORS[source]}), label],
                            className="source-label",
                        ),
                        html.Div(value, className="source-value" + (" text-muted" if reports.empty else "")),
                        html.Div(when, className="source-date"),
                    ],
                    className="source-cell",
                ),
                xs=6,
                sm=4,
            )
        )
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Latest completion by source", className="h6 mb-0")),
            dbc.CardBody(dbc.Row(cells, className="g-2")),
        ],
        className="mb-3 shadow-sm",
    )


def _scale_pills(values: Sequence[str], current: str | None, canonical: str | None) -> html.Div:
    return html.Div(
        [
            html.Span(
                v,
                className="scale-pill" + (" scale-pill-current" if v == canonical else ""),
                title="This commitment's rating" if v == canonical else None,
            )
            for v in values
        ],
        className="scale-pills",
    )


def ratings_card(detail: dict[str, Any]) -> dbc.Card:
    """Every IRM rating: its value, the scale it belongs to (current value highlighted) and what codes mean."""
    rows = []
    for indicator in INDICATORS:
        value = detail.get(indicator.attr)
        scale = indicator.scale
        if value in MISSING_CODES:
            shown: Any = [html.Span(value, className="missing-code"), html.Div(MISSING_CODES[value], className="small")]
        elif value is None or value == "":
            shown = html.Span("Blank", className="text-muted")
        elif not scale.is_valid(value):
            shown = [value, html.Div("Not a value of this scale", className="small text-danger")]
        else:
            canonical = scale.canonical(value)
            shown = value if canonical == value else [value, html.Span(f" (= {canonical})", className="text-muted")]
        canonical = scale.canonical(value) if value else None
        rows.append(
            html.Tr(
                [
                    html.Th(indicator.label, scope="row", className="fw-normal"),
                    html.Td(shown, className="rating-value"),
                    html.Td(
                        [
                            _scale_pills(scale.ordered, value, canonical),
                            _scale_pills(scale.unordered, value, canonical) if scale.unordered else None,
                        ]
                    ),
                    html.Td(scale.label, className="small text-muted"),
                ]
            )
        )
    legend = html.Div(
        [html.Span("Codes: ", className="fw-semibold")]
        + [
            html.Span([html.Span(code, className="missing-code me-1"), meaning], className="me-3")
            for code, meaning in MISSING_CODES.items()
        ],
        className="small mt-2",
    )
    table = dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [html.Th("Indicator"), html.Th("Rating"), html.Th("Scale (lowest first)"), html.Th("Scale used")]
                )
            ),
            html.Tbody(rows),
        ],
        size="sm",
        hover=True,
        responsive=True,
        className="ratings-table mb-0",
        id=DETAIL_RATINGS,
    )
    return dbc.Card(
        [dbc.CardHeader(html.H2("IRM ratings", className="h6 mb-0")), dbc.CardBody([table, legend])],
        className="mb-3 shadow-sm",
    )


def _link_or_dash(url: str | None) -> Any:
    if url and url.lower().startswith(("http://", "https://")):
        return html.A(
            [html.I(className="bi bi-box-arrow-up-right me-1"), "Evidence"],
            href=url,
            target="_blank",
            rel="noopener noreferrer",
        )
    return url or "—"


def progress_table(progress: pd.DataFrame) -> Any:
    """Every progress report, newest first: date, source, completion, result, note, evidence, recorded by."""
    if progress.empty:
        return empty_state("No progress has been reported for this commitment yet.")
    rows = [
        html.Tr(
            [
                html.Td(format_day(r.as_of), className="text-nowrap"),
                html.Td(
                    [
                        html.Span(className="source-swatch", style={"background": SOURCE_COLORS.get(r.source, "#999")}),
                        PROGRESS_SOURCES.get(r.source, r.source),
                    ],
                    className="text-nowrap",
                ),
                html.Td(r.completion),
                html.Td(result_words(r.result, getattr(r, "result_scale", None)) or "—"),
                html.Td(r.note or "—", className="progress-note"),
                html.Td(_link_or_dash(r.evidence_url)),
                html.Td(r.recorded_by or "—"),
            ]
        )
        for r in progress.iloc[::-1].itertuples(index=False)
    ]
    head = ["Date", "Source", "Completion", "Result", "Note", "Evidence", "Recorded by"]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
        size="sm",
        striped=True,
        responsive=True,
        className="progress-table mb-0",
        id=DETAIL_PROGRESS_TABLE,
    )


def progress_figure(progress: pd.DataFrame, *, today: dt.date, end: dt.date | None) -> go.Figure:
    """Completion over time, one line per source (colour and symbol), on the ordered completion scale."""
    rated = progress[progress["completion"].isin(COMPLETION.ordered)]
    if rated.empty:
        return empty_figure("No report on the completion scale yet.", height=300)
    levels = list(COMPLETION.ordered)
    fig = go.Figure()
    for source, label in PROGRESS_SOURCES.items():
        reports = rated[rated["source"] == source]
        if reports.empty:
            continue
        fig.add_scatter(
            x=list(reports["as_of"]),
            y=[levels.index(c) for c in reports["completion"]],
            name=label,
            mode="lines+markers",
            line={"color": SOURCE_COLORS[source], "width": 2, "shape": "hv"},
            marker={"symbol": SOURCE_SYMBOLS[source], "size": 12, "line": {"color": "white", "width": 1}},
            customdata=list(reports["completion"]),
            hovertemplate="%{x|%d %b %Y}<br>" + label + ": %{customdata}<extra></extra>",
        )
    _today_line(fig, today)
    if end is not None:
        fig.add_vline(x=end.isoformat(), line={"color": "#888", "dash": "dot", "width": 1})
        fig.add_annotation(
            x=end.isoformat(),
            y=1,
            yref="paper",
            text="End",
            showarrow=False,
            yanchor="top",
            xanchor="left",
            font={"size": 11, "color": "#555"},
        )
    fig.update_yaxes(
        tickvals=list(range(len(levels))),
        ticktext=levels,
        range=[-0.5, len(levels) - 0.5],
        gridcolor="#eee",
        title=None,
    )
    fig.update_xaxes(gridcolor="#f3f3f3", title=None)
    return base_layout(fig, height=340)


def _today_line(fig: go.Figure, today: dt.date) -> None:
    fig.add_vline(x=today.isoformat(), line={"color": "#D55E00", "dash": "dash", "width": 1.5})
    fig.add_annotation(
        x=today.isoformat(),
        y=1,
        yref="paper",
        text="Today",
        showarrow=False,
        yanchor="top",
        xanchor="right",
        font={"size": 11, "color": "#D55E00"},
    )


MILESTONE_STATES: dict[str, tuple[str, str]] = {
    "done": ("#009E73", "circle"),
    "done late": ("#E69F00", "circle"),
    "overdue": ("#D55E00", "x"),
    "upcoming": ("#0072B2", "circle-open"),
    "no due date": ("#999999", "circle-open"),
}


def milestone_state(due: dt.date | None, done: dt.date | None, today: dt.date) -> str:
    """Done, done late, overdue, upcoming or no due date."""
    if done is not None:
        return "done late" if due is not None and done > due else "done"
    if due is None:
        return "no due date"
    return "overdue" if due < today else "upcoming"


def milestone_figure(
    milestones: pd.DataFrame, *, today: dt.date, start: dt.date | None, end: dt.date | None
) -> go.Figure:
    """Milestones on a timeline: due date, done date (joined by a line), overdue ones marked, today's line."""
    if milestones.empty:
        return empty_figure("This commitment has no milestones recorded.", height=200)
    data = milestones.reset_index(drop=True)
    names = [_short(t, 48) + f"  ·{i + 1}" for i, t in enumerate(data["title"])]
    states = [milestone_state(r.due_date, r.done_date, today) for r in data.itertuples(index=False)]
    fig = go.Figure()
    for i, r in enumerate(data.itertuples(index=False)):
        if r.due_date is not None and (r.done_date is not None or states[i] == "overdue"):
            fig.add_scatter(
                x=[r.due_date, r.done_date or today],
                y=[names[i], names[i]],
                mode="lines",
                line={"color": MILESTONE_STATES[states[i]][0], "width": 3, "dash": "solid" if r.done_date else "dot"},
                hoverinfo="skip",
                showlegend=False,
            )
    due_rows = [i for i in range(len(data)) if data.loc[i, "due_date"] is not None]
    for state, (color, symbol) in MILESTONE_STATES.items():
        idx = [i for i in due_rows if states[i] == state]
        if not idx:
            continue
        fig.add_scatter(
            x=[data.loc[i, "due_date"] for i in idx],
            y=[names[i] for i in idx],
            mode="markers",
            name=f"Due: {state}",
            marker={"color": color, "symbol": symbol, "size": 13, "line": {"width": 2, "color": color}},
            customdata=[[data.loc[i, "title"], day_text(data.loc[i, "done_date"])] for i in idx],
            hovertemplate="%{customdata[0]}<br>Due %{x|%d %b %Y}<br>Done: %{customdata[1]}<extra>" + state + "</extra>",
        )
    done_idx = [i for i in range(len(data)) if data.loc[i, "done_date"] is not None]
    if done_idx:
        fig.add_scatter(
            x=[data.loc[i, "done_date"] for i in done_idx],
            y=[names[i] for i in done_idx],
            mode="markers",
            name="Done",
            marker={"color": "#009E73", "symbol": "diamond", "size": 11},
            customdata=[data.loc[i, "title"] for i in done_idx],
            hovertemplate="%{customdata}<br>Done %{x|%d %b %Y}<extra></extra>",
        )
    if start is not None and end is not None and end > start:
        fig.add_vrect(x0=start.isoformat(), x1=end.isoformat(), fillcolor="#0072B2", opacity=0.05, line_width=0)
    _today_line(fig, today)
    fig.update_yaxes(autorange="reversed", title=None, automargin=True)
    fig.update_xaxes(gridcolor="#f0f0f0", title=None)
    return base_layout(fig, height=max(220, 90 + 34 * len(data)))


def milestone_list(milestones: pd.DataFrame, today: dt.date) -> Any:
    """The milestones as a list, each with its state in words (the chart's content without colour)."""
    if milestones.empty:
        return None
    items = []
    for i, r in enumerate(milestones.itertuples(index=False)):
        state = milestone_state(r.due_date, r.done_date, today)
        items.append(
            html.Tr(
                [
                    html.Td(f"{i + 1}"),
                    html.Td(r.title),
                    html.Td(_due_cell(r)),
                    html.Td(_done_cell(r)),
                    html.Td(html.Span(state, className=f"milestone-state milestone-{state.replace(' ', '-')}")),
                ]
            )
        )
    return dbc.Table(
        [
            html.Thead(
                html.Tr([html.Th("#"), html.Th("Milestone"), html.Th("Due"), html.Th("Done"), html.Th("State")])
            ),
            html.Tbody(items),
        ],
        size="sm",
        responsive=True,
        className="milestone-table mt-2 mb-0",
    )


def _due_cell(milestone: Any) -> Any:
    """The due date, and for a rescheduled milestone the first due date and why it moved."""
    original = getattr(milestone, "original_due_date", None)
    if original is None or pd.isna(original):
        return html.Span(day_text(milestone.due_date), className="text-nowrap")
    why = getattr(milestone, "reschedule_reason", None) or ""
    return html.Div(
        [
            html.Span(day_text(milestone.due_date), className="text-nowrap"),
            html.Div(f"rescheduled from {day_text(original)}: {why}", className="small text-muted milestone-moved"),
        ]
    )


def _done_cell(milestone: Any) -> Any:
    """The day it was done, with its evidence (a link when it is one)."""
    evidence = getattr(milestone, "done_evidence", None) or ""
    day = html.Span(day_text(milestone.done_date), className="text-nowrap")
    if not evidence or pd.isna(milestone.done_date):
        return day
    shown: Any = evidence
    if evidence.startswith(("http://", "https://")):
        shown = html.A("evidence", href=evidence, target="_blank", rel="noopener noreferrer")
    return html.Div([day, html.Div(shown, className="small")])


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def history_card(progress: pd.DataFrame, progress_fig: go.Figure, corrected: pd.DataFrame | None = None) -> dbc.Card:
    """Progress history: completion over time by source (chart) and every report that counts (table), then the
    corrected reports, kept but no longer counted."""
    return chart_card(
        "Progress history: completion over time by source",
        graph(DETAIL_PROGRESS_CHART, progress_fig),
        footer=dbc.CardFooter([progress_table(progress), corrected_list(corrected)], className="bg-white"),
        table=COMMITMENT_PROGRESS_EXPORT,
    )


def corrected_list(corrected: pd.DataFrame | None) -> Any:
    """Reports a later correction replaced: still shown (the history is kept), marked as no longer counting."""
    if corrected is None or corrected.empty:
        return None
    items = [
        html.Li(
            f"{format_day(r.as_of)}, {PROGRESS_SOURCES.get(r.source, r.source)}: {r.completion} "
            f"(corrected by the report of {format_day(r.corrected_by)}; no longer counts)"
        )
        for r in corrected.itertuples(index=False)
    ]
    return html.Div(
        [html.H3("Corrected reports", className="h6 mt-3"), html.Ul(items, className="small mb-0 corrected-reports")]
    )


def milestones_card(milestones: pd.DataFrame, milestone_fig: go.Figure, today: dt.date) -> dbc.Card:
    """Milestones on a timeline with the list under it, or a note that there are none."""
    if milestones.empty:
        return dbc.Card(
            [
                dbc.CardHeader(html.H2("Milestones", className="h6 mb-0")),
                dbc.CardBody("No milestones are recorded for this commitment.", className="text-muted"),
            ],
            className="mb-3 shadow-sm",
        )
    return chart_card(
        "Milestones (due vs done; overdue marked ✕)",
        graph(DETAIL_MILESTONE_CHART, milestone_fig),
        footer=dbc.CardFooter(milestone_list(milestones, today), className="bg-white"),
        table=COMMITMENT_MILESTONES_EXPORT,
    )


def detail_layout(detail: dict[str, Any], links: dict[str, Any], sections: dict[str, Any]) -> html.Div:
    """The commitment page, top to bottom: what it is, where it stands, progress history, recording, milestones,
    ratings and change history. `sections` holds the children of every LIVE_SECTIONS id (a save re-renders them).
    """
    starred = (
        html.Span([html.I(className="bi bi-star-fill me-1"), "Starred"], className="starred-badge ms-2")
        if detail.get("starred")
        else None
    )

    def section(section_id: str, **kwargs: Any) -> html.Div:
        return html.Div(sections[section_id], id=section_id, **kwargs)

    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.Code(detail["ogp_id"], className="me-2"),
                            detail["member_name"],
                            " · ",
                            detail["action_plan"],
                            starred,
                        ],
                        className="text-muted small",
                    ),
                    html.H1(detail["title"], id=DETAIL_TITLE, className="h3 mb-3"),
                ],
                className="page-header",
            ),
            dbc.Row(
                [
                    dbc.Col([facts_card(detail, links), full_text_card(detail.get("full_text"))], lg=7),
                    dbc.Col(section(DETAIL_STATUS_SECTION), lg=5),
                ]
            ),
            section(DETAIL_HISTORY_SECTION),
            dbc.Row(
                [
                    dbc.Col(section(DETAIL_RECORD_SECTION), lg=7),
                    dbc.Col(section(DETAIL_NOTES_SECTION), lg=5),
                ]
            ),
            section(DETAIL_MILESTONES_SECTION),
            section(DETAIL_RATINGS_SECTION),
            section(DETAIL_AUDIT_SECTION),
        ]
    )


def list_skeleton() -> list[Any]:
    """The list page's server-paged grid (pattern id), for the validation layout."""
    return [dag.AgGrid(id=grid_id("skeleton"))]


def detail_skeleton() -> list[Any]:
    """The commitment page's sections a save redraws, for the validation layout."""
    return [html.Div(id=section) for section in LIVE_SECTIONS]
