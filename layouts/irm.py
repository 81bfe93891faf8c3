"""IRM page for researchers mid-cycle: plans past mid-term, missing evidence, disagreeing sources, completion change."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from layouts import ids
from layouts.components import chart_card, export_buttons, graph, list_anchor, page_header
from layouts.tables import table_card

IRM_MIDTERM_TABLE = "irm-midterm-plans"
IRM_NO_REPORT_TABLE = "irm-no-recent-report"
IRM_DISAGREEMENT_TABLE = "irm-disagreements"
IRM_CHANGE_TABLE = "irm-completion-change"
IRM_CHANGE_CHART = "irm-completion-change"

IRM_DAYS_INPUT = "irm-days"
IRM_DAYS_MESSAGE = "irm-days-message"
IRM_NO_REPORT_SECTION = "irm-no-report-section"


def days_control(days: int, minimum: int, maximum: int, message: str | None = None) -> html.Div:
    """The 'no report in the last N days' number input (N is kept in the URL as `days`) and its message."""
    return html.Div(
        [
            dbc.Label("No progress report in the last", html_for=IRM_DAYS_INPUT, className="mb-0 me-2"),
            dcc.Input(
                id=IRM_DAYS_INPUT,
                type="number",
                value=days,
                min=minimum,
                max=maximum,
                step=1,
                debounce=True,
                className="form-control form-control-sm cdi-days-input",
            ),
            html.Span("days", className="ms-2"),
            html.Div(message, id=IRM_DAYS_MESSAGE, className="ms-3 small", role="status"),
        ],
        className="d-flex align-items-center flex-wrap mb-2",
    )


def no_report_card(days_input: html.Div, section: Any, *, count: int) -> html.Div:
    """Card of commitments without a recent progress report (`count` of them in all)."""
    header = html.Div(
        [
            html.H2(f"Commitments with no recent progress report ({count:,})", className="h6 mb-0"),
            export_buttons(IRM_NO_REPORT_TABLE),
        ],
        className="d-flex justify-content-between align-items-center gap-2",
    )
    return list_anchor(
        "irm-no-report-list",
        count,
        dbc.Card(
            [
                dbc.CardHeader(header),
                dbc.CardBody(
                    [
                        html.P(
                            "Commitments of plans in implementation whose latest progress report, from any "
                            "source, is older than the number of days chosen (or who never had one). Never reported "
                            "first, then the oldest.",
                            className="small text-muted mb-2",
                        ),
                        days_input,
                        html.Div(section, id=IRM_NO_REPORT_SECTION),
                    ]
                ),
            ],
            className="mb-3 shadow-sm",
        ),
    )


def change_legend() -> html.Div:
    """How to read the completion-change matrix."""
    return html.Div(
        [
            html.Span("Reading the matrix: ", className="fw-semibold me-1"),
            "each cell counts commitments rated at mid-term (row) and at end of term (column); darker blue = more "
            "commitments, and every cell prints its count. Cells on the diagonal did not change; to the right of "
            "it, completion rose. ND = indicator not used in that era, NR = report pending, NA = not applicable, "
            "blank = no value. Click a cell to list those commitments by their latest completion.",
        ],
        className="small text-muted mb-2 cdi-legend",
    )


def layout(
    *,
    summary: dbc.Row,
    midterm_table: Any,
    midterm_count: int,
    no_report: Any,
    disagreement_table: Any,
    disagreement_count: int,
    change_figure: go.Figure,
    change_table: Any,
) -> html.Div:
    """The IRM page: plans at or past mid-term, missing evidence, disagreeing sources, completion change."""
    return html.Div(
        [
            page_header(
                "IRM mid-cycle view",
                "Where each plan stands at mid-term, which commitments lack recent evidence, where the government "
                "and civil society disagree, and how completion changed from mid-term to end of term.",
            ),
            summary,
            table_card(
                f"Action plans at or past mid-term ({midterm_count:,})",
                midterm_table,
                table=IRM_MIDTERM_TABLE,
                list_id="irm-midterm-list",
                count=midterm_count,
                explanation=(
                    "Plans in implementation whose mid-term (halfway) date has passed. Reported progress is each "
                    "commitment's latest evidence (a report of a level from any source, else the IRM rating); "
                    "self-reported and civil-society progress are not IRM ratings."
                ),
            ),
            no_report,
            table_card(
                f"Where government and civil society disagree ({disagreement_count:,})",
                disagreement_table,
                table=IRM_DISAGREEMENT_TABLE,
                list_id="irm-disagreements-list",
                count=disagreement_count,
                explanation=(
                    "Latest government self-report and latest civil-society report of a completion level, dated "
                    "within 120 days of each other, two or more levels apart (e.g. Complete vs Limited); 'No "
                    "Evidence' is not a level. The IRM's own rating is beside them. Plans running or ended in the "
                    "last 12 months."
                ),
            ),
            chart_card(
                "Completion change from mid-term to end of term (IRM ratings)",
                html.Div(
                    [
                        change_legend(),
                        html.Div(
                            graph(ids.drill_chart(IRM_CHANGE_CHART), change_figure, drill=True),
                            className="chart-scroll",
                        ),
                    ],
                ),
                footer=dbc.CardFooter(
                    html.Div(
                        [
                            html.Span("Counts as a table", className="small fw-semibold me-2"),
                            export_buttons(IRM_CHANGE_TABLE),
                            html.Div(change_table, className="mt-2"),
                        ]
                    )
                ),
            ),
        ]
    )


def skeleton() -> list[Any]:
    """The 'no report in N days' input and its message, for the validation layout."""
    return [days_control(180, 1, 3650)]
