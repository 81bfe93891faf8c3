"""Cycle page: every plan in implementation on a timeline, where it stands, plans due or late."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from dashboard.domain.rules import OGP_FOUNDED, format_day
from layouts import ids
from layouts.components import chart_card, graph, page_header
from layouts.cycle_figures import MIDTERM_COLOR, SCHEDULE_COLORS, SCHEDULE_LABELS, TODAY_COLOR, timeline_axis
from layouts.tables import submission_legend, table_card

CYCLE_AS_OF = "cycle-as-of"
CYCLE_AS_OF_RESET = "cycle-as-of-reset"
CYCLE_TIMELINE = "cycle-timeline"
CYCLE_TIMELINE_AXIS = "cycle-timeline-axis"
CYCLE_PLANS_TABLE = "cycle-plans"
CYCLE_SUBMISSIONS_TABLE = "cycle-submissions"


def schedule_legend(as_of: dt.date) -> html.Div:
    """Legend of the timeline: bar colours and patterns, the mid-term diamond, the as-of line.

    The swatch sets only its background colour inline, so the hatching/dots of its CSS class (the bars' patterns)
    still show on top of it.
    """
    items = [
        html.Span(
            [
                html.Span(
                    className=f"legend-swatch cdi-swatch-{key.replace(' ', '-')}",
                    style={"backgroundColor": color},
                ),
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


def timeline_box(timeline: go.Figure, as_of: dt.date) -> html.Div:
    """The timeline in a scrolling box, under its date axis strip that sticks to the top of the box."""
    axis = timeline_axis(timeline, as_of=as_of)
    chart = graph(ids.drill_chart(CYCLE_TIMELINE), timeline, drill=True)
    # The box scrolls: it takes the focus so the keyboard can scroll it too (WCAG 2.1.1).
    box = {"className": "cdi-timeline-scroll", "tabIndex": "0", "role": "region", "aria-label": "Plans on a timeline"}
    if axis is None:
        return html.Div(chart, **box)
    # No mode bars: zoom is off (the two parts must keep one x range) and a bar over the top rows or the axis
    # strip would hide their text.
    chart.config = {**chart.config, "displayModeBar": False}
    header = graph(CYCLE_TIMELINE_AXIS, axis)
    header.config = {**header.config, "displayModeBar": False}
    return html.Div([html.Div(header, className="cdi-timeline-axis", id=f"{CYCLE_TIMELINE_AXIS}-strip"), chart], **box)


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


def layout(
    *,
    as_of: dt.date,
    today: dt.date,
    is_replay: bool,
    notice: Any,
    summary: dbc.Row,
    timeline: go.Figure,
    plans_table: html.Div,
    plan_count: int,
    submissions_table: html.Div,
    submission_count: int,
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
            chart_card("Action plans in implementation", timeline_box(timeline, as_of)),
            table_card(
                f"Where each plan stands: expected versus reported progress ({plan_count:,})",
                plans_table,
                table=CYCLE_PLANS_TABLE,
                list_id="cycle-plans-list",
                count=plan_count,
                explanation=(
                    "Expected = share of the implementation period gone. Reported = mean share of work done "
                    "by each commitment's latest evidence: its latest progress report of a level from any source, "
                    "else the IRM's rating (Limited = 1/3, Substantial = 2/3, Complete = all; no evidence = "
                    "nothing). Behind = reported trails expected by more than a quarter. Most behind first."
                ),
            ),
            submission_legend(),
            table_card(
                f"Action plans due or late ({submission_count:,})",
                submissions_table,
                table=CYCLE_SUBMISSIONS_TABLE,
                list_id="cycle-submissions-list",
                count=submission_count,
                explanation=(
                    "Plans are due 31 August. Delivered before 1 January: late, keeps its end date. Not delivered "
                    "by 1 January: the member moves to the other cohort and is acting contrary to process. "
                    "Due dates from two years before to one year after the date shown."
                ),
            ),
        ]
    )


def skeleton() -> list[Any]:
    """The page's as-of date picker and reset button, for the validation layout."""
    today = dt.date.today()
    return [as_of_control(today, today, False)]
