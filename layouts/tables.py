"""Tables, tiles and status legends that several pages share: client-side grids, table cards, summary tiles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.domain.scales import DELAY_STATUSES, PROCESS_STATUSES, SUBMISSION_STATUSES
from layouts.components import TAB_LEAVES_THE_GRID, export_buttons, list_anchor, markdown_link, readable_on

MAX_TABLE_ROWS = 500  # rows sent to a client-side grid; exports hold them all
SMALL_GRID_ROWS = 12  # up to this many rows a grid takes its own height

SUBMISSION_STYLES: dict[str, tuple[str, str]] = {
    "contrary to process": ("#D55E00", "bi-x-octagon-fill"),
    "overdue": ("#E69F00", "bi-exclamation-triangle-fill"),
    "late": ("#CC79A7", "bi-clock-history"),
    "due": ("#0072B2", "bi-calendar-event"),
}


SCHEDULES: tuple[str, ...] = ("on schedule", "behind", "no evidence", "no commitments")
# Every status a grid cell can show, each with its colour and icon in assets/app.css.
STATUS_VALUES: tuple[str, ...] = tuple(
    dict.fromkeys((*DELAY_STATUSES, *SUBMISSION_STATUSES, *PROCESS_STATUSES, *SCHEDULES))
)


def status_class(status: str) -> str:
    """CSS class of a status cell: its colour and icon (assets/app.css, block 'cycle, delays, irm')."""
    return "cdi-status-" + "-".join(re.findall(r"[a-z0-9]+", status.lower()))


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
    total: int | None = None,
) -> html.Div:
    """A sortable AG Grid of a display frame; client-side, so rows beyond MAX_TABLE_ROWS are cut and said so.

    links: shown column -> hidden '_' column holding its href; status: columns shown as icon + word;
    wide: long text that wraps; numeric: right-aligned numbers that sort as numbers; widths: column ->
    minimum width in pixels (its text wraps); total: the rows of the whole list when `frame` holds only the
    first of them (the query fetched only the rows shown).
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
            "tabToNextCell": TAB_LEAVES_THE_GRID,
        },
        style={"width": "100%"} if small else {"height": "480px", "width": "100%"},
        className="cdi-grid",
    )
    total = len(frame) if total is None else total
    note = (
        f"Showing the first {len(rows):,} of {total:,} rows in this order (click a column header to sort them); "
        "download CSV or XLSX for all of them."
        if total > len(rows)
        else f"{total:,} row{'s' if total != 1 else ''}; click a column header to sort."
    )
    return html.Div(
        [grid, html.Div(note, className="small text-muted cdi-table-note mt-1")], className="cdi-table-wrap"
    )


def table_card(
    title: str,
    body: Any,
    *,
    table: str | None = None,
    explanation: str | None = None,
    list_id: str | None = None,
    count: int | None = None,
) -> Any:
    """A titled card around a table, with what it lists and its CSV/XLSX buttons.

    list_id and count make the card the target of the counts that link to it (its #fragment, data-count).
    """
    if list_id is not None and count is not None:
        return list_anchor(list_id, count, table_card(title, body, table=table, explanation=explanation))
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
        style={"background": color, "color": readable_on(color)},
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


def summary_row(items: Sequence[tuple[int, str, str, str]]) -> dbc.Row:
    """Small number tiles, each linking to the list it counts: (count, label, element id, href)."""
    return dbc.Row(
        [
            dbc.Col(
                dcc.Link(
                    html.Div(
                        [
                            html.Div(
                                f"{count:,}", className="cdi-tile-value", id=tile_id, **{"data-count": int(count)}
                            ),
                            html.Div(label, className="small"),
                        ],
                        className="cdi-tile",
                    ),
                    href=href,
                    className="cdi-tile-link",
                ),
                xs=6,
                md=3,
                className="mb-2",
            )
            for count, label, tile_id, href in items
        ],
        className="g-2 mb-2",
    )
