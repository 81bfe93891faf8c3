"""What changed between two dates: the period picker, the change counts and the lists behind them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.domain.rules import OGP_FOUNDED, format_day
from layouts.components import count_link, list_anchor, page_header
from layouts.tables import table_card

CHANGES_SINCE = "changes-since"
CHANGES_UNTIL = "changes-until"
CHANGES_PRESETS = "changes-presets"
CHANGES_COMMITMENTS_TABLE = "changes-commitments"
CHANGES_PLANS_TABLE = "changes-plans"
CHANGES_REPORTS_TABLE = "changes-reports"
CHANGES_IRM_TABLE = "changes-irm"
# The #fragments the counts link to.
COMMITMENTS_LIST = "changed-commitments"
PLANS_LIST = "changed-plans"
REPORTS_LIST = "new-reports"
IRM_LIST = "new-irm-ratings"


def period_control(since: dt.date, until: dt.date, today: dt.date, presets: Any) -> dbc.Card:
    """Two date fields (their values go to the URL, so a period can be bookmarked) and quick periods."""

    def field(label: str, field_id: str, value: dt.date) -> html.Div:
        return html.Div(
            [
                dbc.Label(label, html_for=field_id, className="fw-semibold mb-0 me-2 text-nowrap"),
                dcc.Input(
                    id=field_id,
                    type="date",
                    value=value.isoformat(),
                    min=OGP_FOUNDED.isoformat(),
                    max=today.isoformat(),
                    debounce=True,
                    className="form-control form-control-sm cdi-date-input",
                ),
            ],
            className="d-flex flex-wrap align-items-center gap-1",
        )

    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [field("Changes after", CHANGES_SINCE, since), field("up to and including", CHANGES_UNTIL, until)],
                    className="d-flex flex-wrap gap-3 mb-2 no-print",
                ),
                presets,
                html.P(
                    f"Comparing what was known on {format_day(since)} with what was known on {format_day(until)}. "
                    "A report counts from the day it became known: published IRM reports from their date, reports "
                    "recorded or imported here from the day they were entered.",
                    className="small text-muted mb-0",
                ),
            ]
        ),
        className="mb-3 shadow-sm",
    )


def breakdown(counts: Sequence[tuple[str, int, str | None]], meanings: dict[str, str]) -> html.Ul:
    """Each kind of change with its count (a link to the list of exactly those lines) and what it means."""
    return html.Ul(
        [
            html.Li(
                [
                    count_link(count, f"{count:,} {kind}", href) if href else html.Span(f"0 {kind}"),
                    html.Span(f": {meanings[kind]}", className="text-muted"),
                ]
            )
            for kind, count, href in counts
        ],
        className="small mb-2 cdi-change-kinds",
    )


def kind_list(kind: str) -> str:
    """The #fragment of one kind's list: 'changes-newly-delayed', 'changes-plan-submitted-late'."""
    return "changes-" + "-".join(re.findall(r"[a-z0-9]+", kind.lower()))


def kind_section(kind: str, meaning: str, count: int, body: Any, list_id: str) -> html.Div:
    """One kind of change: its heading with the count and meaning, then its lines."""
    heading = html.H3(
        [f"{kind.capitalize()} ({count:,})", html.Small(f" {meaning}", className="text-muted fw-normal")],
        className="h6 mt-3",
    )
    return list_anchor(list_id, count, html.Div([heading, body], className="cdi-change-kind"))


def layout(
    *,
    period: dbc.Card,
    alerts: Sequence[Any],
    summary: dbc.Row,
    commitments: tuple[html.Ul, Sequence[Any], int],
    plans: tuple[html.Ul, Sequence[Any], int],
    reports: tuple[Any, int],
    irm: tuple[Any, int],
) -> html.Div:
    """The /changes page: the period, the counts, then commitments and plans kind by kind, progress reports and
    IRM ratings. commitments / plans: (breakdown by kind, one section per kind, lines); reports / irm: (table, lines).
    """
    commitment_kinds, commitment_sections, commitment_count = commitments
    plan_kinds, plan_sections, plan_count = plans
    return html.Div(
        [
            page_header(
                "What changed",
                "Commitments newly delayed or back on track, plans delivered or overdue, and the progress reports "
                "and IRM ratings that arrived: what to raise at the next meeting.",
            ),
            period,
            *alerts,
            summary,
            table_card(
                f"Commitments that changed status ({commitment_count:,})",
                html.Div([commitment_kinds, *commitment_sections]),
                table=CHANGES_COMMITMENTS_TABLE,
                explanation="One line per commitment whose delay status changed: the most telling change. 'Then' "
                "and 'Now' are its status on each day; 'Why now' the reason for today's.",
                list_id=COMMITMENTS_LIST,
                count=commitment_count,
            ),
            table_card(
                f"Action plans ({plan_count:,})",
                html.Div([plan_kinds, *plan_sections]),
                table=CHANGES_PLANS_TABLE,
                explanation="Plans delivered in the period, or that became overdue or contrary to process "
                "(31 August / 1 January rule).",
                list_id=PLANS_LIST,
                count=plan_count,
            ),
            table_card(
                f"New progress reports ({reports[1]:,}), newest first",
                reports[0],
                table=CHANGES_REPORTS_TABLE,
                explanation="From governments, civil society and the Support Unit.",
                list_id=REPORTS_LIST,
                count=reports[1],
            ),
            table_card(
                f"IRM ratings added ({irm[1]:,}), newest first",
                irm[0],
                table=CHANGES_IRM_TABLE,
                explanation="Completion (and results where rated) from IRM mid-term, end-of-term and Results Reports.",
                list_id=IRM_LIST,
                count=irm[1],
            ),
        ]
    )


def panel(title: str, lines: Sequence[Any], href: str, since: dt.date) -> dbc.Card:
    """The 'what changed' panel of the overview and member pages: a few counts, each linking to its list."""
    return dbc.Card(
        [
            dbc.CardHeader(html.H2(title, className="h6 mb-0")),
            dbc.CardBody(
                [
                    html.Ul([html.Li(line) for line in lines], className="small mb-2 cdi-change-kinds")
                    if lines
                    else html.P(f"Nothing changed since {format_day(since)}.", className="small mb-2"),
                    dcc.Link("Everything that changed, line by line", href=href, className="small"),
                ]
            ),
        ],
        className="mb-3 shadow-sm cdi-changes-panel",
    )


def skeleton() -> list[Any]:
    """The page's date fields, for the validation layout."""
    today = dt.date.today()
    return [period_control(today - dt.timedelta(days=90), today, today, html.Div())]
