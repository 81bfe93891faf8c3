"""Overview page for Steering Committee members: KPIs, completion by region, trend across cycles."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html

from layouts import ids
from layouts.components import chart_card, completion_legend, graph, page_header

OVERVIEW_REGIONS_TABLE = "overview-regions"  # the charts' figures as tables (CSV/XLSX)
OVERVIEW_CYCLES_TABLE = "overview-cycles"


def layout(
    kpis: list[dbc.Col],
    changes: Any,
    region_figure: go.Figure,
    trend_figure: go.Figure,
    *,
    briefing: str,
    region_title: str,
) -> html.Div:
    """The overview: a row of KPI cards, what changed lately, then completion by region beside the trend."""
    return html.Div(
        [
            page_header(
                "Overview",
                "Members, action plans and commitments at a glance. "
                "Click any card, bar or point to see the list behind it.",
                briefing=briefing,
            ),
            dbc.Row(kpis, className="kpi-row"),
            changes,
            completion_legend(),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            region_title,
                            graph(ids.drill_chart(ids.OVERVIEW_REGION_CHART), region_figure, drill=True),
                            table=OVERVIEW_REGIONS_TABLE,
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        chart_card(
                            "Completion and ambition across action-plan cycles",
                            graph(ids.drill_chart(ids.OVERVIEW_TREND_CHART), trend_figure, drill=True),
                            table=OVERVIEW_CYCLES_TABLE,
                        ),
                        lg=6,
                    ),
                ]
            ),
        ]
    )
