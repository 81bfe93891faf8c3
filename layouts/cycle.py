"""Cycle page: every plan in implementation on a timeline, where it stands, plans due or late.

Also the small table and legend helpers the delays and IRM pages share.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard.domain.rules import format_day
from layouts import ids
from layouts.components import chart_card, export_buttons, graph, page_header
from layouts.cycle_figures import MIDTERM_COLOR, SCHEDULE_COLORS, SCHEDULE_LABELS, TODAY_COLOR

CYCLE_AS_OF = "cycle-as-of"
CYCLE_AS_OF_RESET = "cycle-as-of-reset"
CYCLE_TIMELINE = "cycle-timeline"
CYCLE_PLANS_TABLE = "cycle-plans"
CYCLE_SUBMISSIONS_TABLE = "cycle-submissions"
OGP_FOUNDED = dt.date(2011, 9, 20)
MAX_TABLE_ROWS = 500  # rows sent to a client-side grid; exports hold them all
SMALL_GRID_ROWS = 12  # up to this many rows a grid takes its own height

SUBMISSION_STYLES: dict[str, tuple[str, str]] = {
    "contrary to process": ("#D55E00", "bi-x-octagon-fill"),
    "overdue": ("#E69F00", "bi-exclamation-triangle-fill"),
    "late": ("#CC79A7", "bi-clock-history"),
    "due": ("#0072B2", "bi-calendar-event"),
}


STATUS_VALUES: tuple[str, ...] = (
    "delayed",
    "at risk",
    "on track",
    "complete",
    "not assessable",
    "contrary to process",
    "overdue",
    "late",
    "due",
    "on schedule",
    "behind",
    "no commitments",
)


def status_class(status: str) -> str:
    """CSS class of a status cell: its colour and icon (assets/app.css, block 'cycle, delays, irm')."""
    return "cdi-status-" + status.replace(" ", "-")


def markdown_link(text: str, href: str) -> str:
    """A markdown link for a grid cell, with the text's markdown characters escaped."""
    safe = re.sub(r"([\\`*_\[\]()<>#!|])", r"\\\1", text)
    return f"[{safe}](<{href}>)"


def visible_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns a table shows (those not starting with '_', which hold links)."""
    return frame[[c for c in frame.columns if not str(c).startswith("_")]]


def data_grid(
    frame: pd.DataFrame,
    *,
    grid_id: str,
    links: dict[str, str] | None = None,
    status: Sequence[str] = (),
    wide: Sequence[str] = (),
    numeric: Sequence[str] = (),
    widths: dict[str, int] | None = None,
) -> html.Div:
    """A sortable AG Grid of a display frame; client-side, so rows beyond MAX_TABLE_ROWS are cut and said so.

    links: shown column -> hidden '_' column holding its href; status: columns shown as icon + word;
    wide: long text that wraps; numeric: right-aligned numbers that sort as numbers; widths: column ->
    minimum width in pixels (its text wraps).
    """
    links = links or {}
    shown_columns = list(visible_columns(frame).columns)
    fields = {column: f"c{i}" for i, column in enumerate(shown_columns)}
    rows = []
    for record in frame.head(MAX_TABLE_ROWS).to_dict("records"):
        row = {}
        for column in shown_columns:
            value = record[column]
            href = record.get(links[column]) if column in links else None
            if isinstance(value, float) and value != value:
                value = None
            row[fields[column]] = markdown_link(str(value), href) if href else value
        rows.append(row)
    column_defs = []
    for column in shown_columns:
        spec: dict[str, Any] = {"field": fields[column], "headerName": column, "tooltipField": fields[column]}
        if column in links:
            spec.update(cellRenderer="markdown", tooltipField=None, minWidth=140)
        if column in status:
            spec.update(
                cellClass="cdi-status",
                cellClassRules={status_class(v): f"params.value === '{v}'" for v in STATUS_VALUES},
                minWidth=max(len(v) for v in frame[column].astype(str)) * 9 + 50 if len(frame) else 150,
            )
        if column in wide:
            spec.update(wrapText=True, autoHeight=True, flex=3, minWidth=280, tooltipField=None)
        if column in numeric:
            spec.update(type="numericColumn", maxWidth=150)
        if column in (widths or {}):
            spec.update(minWidth=widths[column], wrapText=True, autoHeight=True)
        column_defs.append(spec)
    small = len(rows) <= SMALL_GRID_ROWS
    grid = dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=column_defs,
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "flex": 1,
            "minWidth": 110,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions={
            "domLayout": "autoHeight" if small else "normal",
            "enableCellTextSelection": True,
            "tooltipShowDelay": 300,
            "suppressCellFocus": False,
        },
        style={"width": "100%"} if small else {"height": "480px", "width": "100%"},
        className="cdi-grid",
    )
    total = len(frame)
    note = (
        f"Showing the first {len(rows):,} of {total:,} rows in this order (click a column header to sort them); "
        "download CSV or XLSX for all of them."
        if total > len(rows)
        else f"{total:,} row{'s' if total != 1 else ''}; click a column header to sort."
    )
    return html.Div(
        [grid, html.Div(note, className="small text-muted cdi-table-note mt-1")], className="cdi-table-wrap"
    )


def table_card(title: str, body: Any, *, table: str | None = None, explanation: str | None = None) -> dbc.Card:
    """A titled card around a table, with what it lists and its CSV/XLSX buttons."""
    header = html.Div(
        [html.H2(title, className="h6 mb-0"), export_buttons(table) if table else None],
        className="d-flex justify-content-between align-items-center gap-2",
    )
    return dbc.Card(
        [
            dbc.CardHeader(header),
            dbc.CardBody([html.P(explanation, className="small text-muted mb-2") if explanation else None, body]),
        ],
        className="mb-3 shadow-sm",
    )


def submission_badge(status: str) -> html.Span:
    """A plan's submission status as icon + word on its colour (never colour alone)."""
    color, icon = SUBMISSION_STYLES.get(status, ("#999999", "bi-dot"))
    return html.Span(
        [html.I(className=f"bi {icon} me-1", **{"aria-hidden": "true"}), status],
        className="status-badge",
        style={"background": color, "color": "#222" if status == "overdue" else "white"},
    )


def submission_legend() -> html.Div:
    """What each submission status means under the 31 August / 1 January rule."""
    meanings = {
        "due": "not delivered yet, the due date has not passed",
        "overdue": "not delivered, past the due date but before 1 January",
        "late": "delivered after the due date but before 1 January: keeps its end date",
        "contrary to process": "not delivered by 1 January: moves to the other cohort",
    }
    return html.Div(
        [html.Span("Plan submission: ", className="fw-semibold me-2")]
        + [html.Span([submission_badge(s), f" {m}"], className="legend-item me-3") for s, m in meanings.items()],
        className="scale-legend small mb-2 cdi-legend",
    )


def schedule_legend(as_of: dt.date) -> html.Div:
    """Legend of the timeline: bar colours and patterns, the mid-term diamond, the as-of line."""
    items = [
        html.Span(
            [
                html.Span(className=f"legend-swatch cdi-swatch-{key.replace(' ', '-')}", style={"background": color}),
                SCHEDULE_LABELS[key],
            ],
            className="legend-item me-3",
        )
        for key, color in SCHEDULE_COLORS.items()
    ]
    items += [
        html.Span(
            [html.Span("◆", className="me-1", style={"color": MIDTERM_COLOR}), "Mid-term (halfway)"],
            className="legend-item me-3",
        ),
        html.Span(
            [html.Span("┆", className="me-1 fw-bold", style={"color": TODAY_COLOR}), f"As of {format_day(as_of)}"],
            className="legend-item me-3",
        ),
    ]
    return html.Div(
        [html.Span("Timeline: ", className="fw-semibold me-2"), *items],
        className="scale-legend small mb-2 cdi-legend",
    )


def as_of_control(as_of: dt.date, today: dt.date, is_replay: bool) -> dbc.Card:
    """The 'as of' date picker; its value goes to the URL so a replay can be bookmarked."""
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Show the cycle as of", html_for=CYCLE_AS_OF, className="fw-semibold me-2 mb-0"),
                            dcc.DatePickerSingle(
                                id=CYCLE_AS_OF,
                                date=as_of.isoformat(),
                                min_date_allowed=OGP_FOUNDED.isoformat(),
                                max_date_allowed=today.isoformat(),
                                initial_visible_month=as_of.isoformat(),
                                display_format="D MMM YYYY",
                                first_day_of_week=1,
                                clearable=False,
                                className="cdi-date",
                            ),
                            dbc.Button(
                                [html.I(className="bi bi-arrow-counterclockwise me-1"), "Today"],
                                id=CYCLE_AS_OF_RESET,
                                color="link",
                                size="sm",
                                disabled=not is_replay,
                            ),
                        ],
                        className="d-flex align-items-center flex-wrap gap-2",
                        width="auto",
                    ),
                    dbc.Col(
                        html.Span(
                            (
                                f"Replaying {format_day(as_of)}: only plans delivered and progress reports dated "
                                "on or before that day count."
                                if is_replay
                                else "Showing today. Pick a past date to replay what was known then."
                            ),
                            className="small " + ("fw-semibold cdi-replay" if is_replay else "text-muted"),
                        ),
                        className="d-flex align-items-center",
                    ),
                ],
                className="g-2",
            ),
            className="py-2",
        ),
        className="mb-3 cdi-asof-card" + (" cdi-asof-replay" if is_replay else ""),
    )


def summary_row(items: Sequence[tuple[str, str, str]]) -> dbc.Row:
    """Small number tiles: (value, label, element id)."""
    return dbc.Row(
        [
            dbc.Col(
                html.Div(
                    [html.Div(value, className="cdi-tile-value", id=tile_id), html.Div(label, className="small")],
                    className="cdi-tile",
                ),
                xs=6,
                md=3,
                className="mb-2",
            )
            for value, label, tile_id in items
        ],
        className="g-2 mb-2",
    )


def layout(
    *,
    as_of: dt.date,
    today: dt.date,
    is_replay: bool,
    notice: Any,
    summary: dbc.Row,
    timeline: go.Figure,
    plans_table: html.Div,
    submissions_table: html.Div,
) -> html.Div:
    """The cycle page: as-of control, summary, timeline, where each plan stands, plans due or late."""
    return html.Div(
        [
            page_header(
                "The two-year cycle",
                "Every action plan in implementation, where it stands in its 24 (or 48) months, and which plans "
                "are due or late under the 31 August / 1 January rule. Click a plan to open its member.",
            ),
            as_of_control(as_of, today, is_replay),
            notice,
            summary,
            schedule_legend(as_of),
            chart_card(
                "Action plans in implementation",
                html.Div(
                    graph(ids.drill_chart(CYCLE_TIMELINE), timeline, drill=True),
                    className="cdi-timeline-scroll",
                ),
            ),
            table_card(
                "Where each plan stands: expected versus reported progress",
                plans_table,
                table=CYCLE_PLANS_TABLE,
                explanation=(
                    "Expected = share of the implementation period gone. Reported = mean share of work done "
                    "in each commitment's latest progress report from any source (Limited = 1/3, Substantial = "
                    "2/3, Complete = all; no report = nothing). Behind = reported trails expected by more than "
                    "a quarter. Most behind first."
                ),
            ),
            submission_legend(),
            table_card(
                "Action plans due or late",
                submissions_table,
                table=CYCLE_SUBMISSIONS_TABLE,
                explanation=(
                    "Plans are due 31 August. Delivered before 1 January: late, keeps its end date. Not delivered "
                    "by 1 January: the member moves to the other cohort and is acting contrary to process. "
                    "Due dates from two years before to one year after the date shown."
                ),
            ),
        ]
    )
