"""Countries pages: the member map with its table twin, and one member's plans, completion, delays and late plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard.domain.rules import format_day
from layouts import ids
from layouts.components import (
    TAB_LEAVES_THE_GRID,
    chart_card,
    completion_legend,
    delay_badge,
    empty_state,
    export_buttons,
    graph,
    list_anchor,
    markdown_link,
    page_header,
    readable_on,
)
from layouts.figures import base_layout, empty_figure, figure

COUNTRIES_MAP = "countries-map"
COUNTRIES_TABLE = "countries-table"
COUNTRIES_EXPORT = "countries"
COUNTRIES_LIST = "countries-list"  # the members list the overview's "Members" count points at
MEMBER_DELAYS_EXPORT = "member-delays"
MEMBER_PLANS_EXPORT = "member-plans"  # the late action plans and process table
COUNTRIES_MEASURES = "countries-measures"
MEMBER_PLANS_CHART = "member-plans-chart"
MEMBER_COMPLETION_CHART = "member-completion-chart"
MEMBER_AREAS_CHART = "member-areas-chart"
MEMBER_DELAYS = "member-delays"
MEMBER_LATE_PLANS = "member-late-plans"

# Sequential and colour-blind safe (light = low, dark = high); the light end stays visible against grey land.
MAP_COLORSCALE = [[0.0, "#c6dbef"], [0.5, "#4292c6"], [1.0, "#08306b"]]
SHARE_COLORSCALE = "Cividis"
LAND_COLOR = "#e9ecef"
OGP_MEMBERS_URL = "https://www.opengovpartnership.org/members/"
OGP_DIRECTORY_URL = "https://www.opengovpartnership.org/our-members/"


def world_map_figure(
    members: pd.DataFrame, *, column: str, label: str, percent: bool, hrefs: Sequence[str]
) -> go.Figure:
    """Choropleth of one measure per national member (ISO-3 codes); customdata[0] is each country's page.

    members: one row per member with code, name, member_type and the measure column; rows whose
    code is not ISO-3 (local members) or whose value is missing are left off the map.
    """
    data = members.assign(href=list(hrefs))
    on_map = data["code"].str.fullmatch(r"[A-Z]{3}") & (data["member_type"] != "Legacy Local") & data[column].notna()
    data = data[on_map]
    if data.empty:
        return empty_figure("No member on the map has a value for this measure.", height=480)
    shown = [f"{v:.0f}%" if percent else f"{v:,.0f}" for v in data[column]]
    fig = go.Figure(
        go.Choropleth(
            locations=data["code"],
            z=data[column].astype(float),
            locationmode="ISO-3",
            colorscale=MAP_COLORSCALE,
            zmin=0,
            zmax=100 if percent else max(float(data[column].max()), 1.0),
            marker={"line": {"color": "white", "width": 0.5}},
            colorbar={
                "title": {"text": label.replace(" (", "<br>("), "side": "top"},
                "ticksuffix": "%" if percent else "",
                "thickness": 14,
                "len": 0.8,
            },
            customdata=list(zip(data["href"], data["name"], shown, strict=True)),
            hovertemplate="<b>%{customdata[1]}</b><br>" + label + ": %{customdata[2]}<extra></extra>",
        )
    )
    fig.update_geos(
        projection_type="natural earth",
        showcountries=True,
        countrycolor="#ffffff",
        showland=True,
        landcolor=LAND_COLOR,
        showocean=False,
        showlakes=False,
        showframe=False,
        showcoastlines=False,
        lataxis_range=[-58, 85],
    )
    base_layout(fig, height=480)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, geo_bgcolor="white")
    return fig


def members_grid(rows: pd.DataFrame, hrefs: Sequence[str], columns: Sequence[tuple[str, str, str]]) -> dag.AgGrid:
    """Sortable table of members (the map's accessible twin); columns: (field, header, kind) with kind
    'text', 'count' or 'percent'."""
    data = rows.copy()
    data["member"] = [markdown_link(n, h) for n, h in zip(data["name"], hrefs, strict=True)]
    column_defs: list[dict[str, Any]] = [
        {"field": "member", "headerName": "Member", "cellRenderer": "markdown", "pinned": "left", "minWidth": 200}
    ]
    widths = {"text": 110, "count": 105, "percent": 120}
    for field, header, kind in columns:
        definition: dict[str, Any] = {
            "field": field,
            "headerName": header,
            "headerTooltip": header,
            "minWidth": 160 if field == "region" else widths[kind],
        }
        if kind == "percent":
            definition["valueFormatter"] = {
                "function": "params.value == null ? '—' : d3.format('.0f')(params.value) + '%'"
            }
            definition["type"] = "numericColumn"
        elif kind == "count":
            definition["type"] = "numericColumn"
        data[field] = data[field].astype(object).where(data[field].notna(), None)
        column_defs.append(definition)
    return dag.AgGrid(
        id=COUNTRIES_TABLE,
        rowData=data[["member", *[c[0] for c in columns]]].to_dict("records"),
        columnDefs=column_defs,
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        columnSize="responsiveSizeToFit",
        dashGridOptions={
            "domLayout": "normal",
            "animateRows": False,
            "enableCellTextSelection": True,
            "tabToNextCell": TAB_LEAVES_THE_GRID,
        },
        style={"height": "520px"},
        className="ag-theme-alpine members-grid",
    )


def countries_layout(
    *,
    picker: html.Div,
    alert: Any,
    map_figure: go.Figure,
    measure_note: str,
    grid: Any,
    local_count: int,
    member_count: int,
) -> html.Div:
    """The countries page: measure picker, the map, then the table of every member."""
    local_note = (
        f" {local_count} local member{'s are' if local_count != 1 else ' is'} not on the map; the table lists them."
        if local_count
        else ""
    )
    return html.Div(
        [
            page_header(
                "Countries",
                "Every OGP member on one map and in one table. Pick a measure; click a country or a name "
                "to open the member's page.",
            ),
            alert,
            picker,
            chart_card(
                "Members by measure",
                graph(ids.drill_chart(COUNTRIES_MAP), map_figure, drill=True),
                footer=dbc.CardFooter(
                    html.Small(measure_note + " Grey: not a member, or no value." + local_note, className="text-muted"),
                    className="map-note",
                ),
            ),
            list_anchor(
                COUNTRIES_LIST,
                member_count,
                dbc.Card(
                    [
                        dbc.CardHeader(
                            [
                                html.H2(
                                    f"Members with commitments in view ({member_count:,})", className="h6 mb-0 me-auto"
                                ),
                                export_buttons(COUNTRIES_EXPORT),
                            ],
                            className="d-flex align-items-center",
                        ),
                        dbc.CardBody(grid),
                        dbc.CardFooter(
                            html.Small(
                                "High completion %: Substantial or Complete, of the commitments the IRM assessed. "
                                "Starred %: of the commitments the IRM star-rated. Delayed / at risk now: the stored "
                                "delay status of each commitment today (see the Delays page). Click a header to sort.",
                                className="text-muted",
                            )
                        ),
                    ],
                    className="mb-3 shadow-sm",
                ),
            ),
        ]
    )


def member_message(title: str, message: str, hint: str) -> html.Div:
    """A member page that cannot be shown: the header, why, and where to go."""
    return html.Div(
        [
            page_header(title, "One OGP member's action plans, completion, delays and late plans."),
            empty_state(message, hint),
            dcc.Link("Back to all countries", href="/countries", className="btn btn-outline-primary btn-sm"),
        ]
    )


HOVER_PLAN = "<b>%{y}</b><br>%{customdata[1]} – %{customdata[2]}<br>%{customdata[3]}<extra></extra>"


def plan_timeline_figure(plans: pd.DataFrame, *, today: dt.date) -> go.Figure:
    """Each action plan as a bar from its start to its end, coloured by its share with high completion.

    plans: columns action_plan, start_date, end_date, commitments, assessed, high_completion, href.
    """
    data = plans.dropna(subset=["start_date", "end_date"])
    if data.empty:
        return empty_figure("This member has no action plan with start and end dates.", height=260)
    data = data.sort_values("start_date")
    share = (data["high_completion"] / data["assessed"].where(data["assessed"] > 0) * 100).round(0)
    start = pd.to_datetime(data["start_date"])
    span = (pd.to_datetime(data["end_date"]) - start).dt.total_seconds() * 1000
    label = [
        f"{n} · {s:.0f}%" if pd.notna(s) else f"{n} · not assessed"
        for n, s in zip(data["commitments"], share, strict=True)
    ]
    detail = [
        f"{n} commitment{'s' if n != 1 else ''}, "
        + (f"{s:.0f}% of the assessed with high completion" if pd.notna(s) else "not yet assessed by the IRM")
        for n, s in zip(data["commitments"], share, strict=True)
    ]
    customdata = list(
        zip(
            data["href"],
            [format_day(d) for d in data["start_date"]],
            [format_day(d) for d in data["end_date"]],
            detail,
            strict=True,
        )
    )
    assessed = share.notna().to_numpy()
    traces = []
    for mask, name, marker in (
        (
            assessed,
            "Share with high completion",
            {
                "color": share[assessed].tolist(),
                "colorscale": SHARE_COLORSCALE,
                "cmin": 0,
                "cmax": 100,
                "colorbar": {"title": {"text": "High completion<br>(% of assessed)"}, "ticksuffix": "%"},
            },
        ),
        (
            ~assessed,
            "Not yet assessed",
            {"color": "#bbbbbb", "pattern": {"shape": "/", "fillmode": "overlay", "fgcolor": "white"}},
        ),
    ):
        if not mask.any():
            continue
        traces.append(
            {
                "type": "bar",
                "y": data["action_plan"][mask].tolist(),
                "x": span[mask].tolist(),
                "base": start[mask].dt.strftime("%Y-%m-%d").tolist(),
                "orientation": "h",
                "name": name,
                "marker": marker,
                "text": [t for t, m in zip(label, mask, strict=True) if m],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "customdata": [c for c, m in zip(customdata, mask, strict=True) if m],
                "hovertemplate": HOVER_PLAN,
                "showlegend": name == "Not yet assessed",
            }
        )
    # Oldest plan on top, so the chart reads like a calendar.
    order = list(data.sort_values("start_date")["action_plan"])
    today_line = {"type": "line", "x0": today.isoformat(), "x1": today.isoformat(), "y0": 0, "y1": 1}
    layout = {
        "shapes": [
            {**today_line, "xref": "x", "yref": "paper", "line": {"color": "#D55E00", "dash": "dash", "width": 2}}
        ],
        "annotations": [
            {
                "x": today.isoformat(),
                "y": 1.0,
                "yref": "paper",
                "text": "Today",
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"color": "#D55E00"},
            }
        ],
        "xaxis": {"type": "date", "title": {"text": "Implementation period"}, "showgrid": True, "gridcolor": "#eee"},
        "yaxis": {
            "title": None,
            "automargin": True,
            "type": "category",
            "categoryorder": "array",
            "categoryarray": order[::-1],
        },
        "barmode": "overlay",
        "uniformtext": {"minsize": 11, "mode": "hide"},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    }
    return figure(traces, layout, height=max(240, 80 + 34 * len(data)))


def area_bar_figure(areas: pd.DataFrame, *, names: dict[str, str], hrefs: dict[str, str]) -> go.Figure:
    """Commitments per policy-area group (horizontal bars, largest on top); customdata[0] is the list behind a bar.

    areas: columns policy_area (slug) and commitments.
    """
    if areas.empty:
        return empty_figure("No commitment of this member carries a policy-area tag.", height=260)
    data = areas.sort_values(["commitments", "policy_area"], ascending=[True, False])
    labels = [names.get(s, s) for s in data["policy_area"]]
    bar = {
        "type": "bar",
        "y": labels,
        "x": data["commitments"].tolist(),
        "orientation": "h",
        "marker": {"color": "#0072B2"},
        "text": data["commitments"].tolist(),
        "textposition": "outside",
        "name": "Commitments",
        "customdata": [[hrefs.get(s)] for s in data["policy_area"]],
        "hovertemplate": "%{y}: %{x} commitments<extra></extra>",
    }
    layout = {
        "xaxis": {"title": {"text": "Commitments (one can carry several areas)"}, "rangemode": "tozero"},
        "yaxis": {"title": None, "automargin": True},
        "showlegend": False,
    }
    return figure([bar], layout, height=max(240, 60 + 28 * len(data)))


def member_header(
    member: dict[str, Any], *, ogp_url: str, internal_links: Sequence[tuple[str, str]], briefing: str
) -> html.Div:
    """Name, region, type and status of a member, with links to OGP's page and to its lists here."""
    facts = [
        ("Region", member["region"]),
        ("Type", member["member_type"]),
        ("Status", member["status"]),
        ("Code", member["code"]),
    ]
    if member.get("joined_year") and pd.notna(member["joined_year"]):
        facts.append(("Joined", str(int(member["joined_year"]))))
    return html.Div(
        [
            page_header(
                member["name"],
                "One member's action plans over time, completion, delays and late plans.",
                briefing=briefing,
            ),
            html.Div(
                [
                    html.Span([html.Span(f"{k}: ", className="text-muted"), html.Strong(v)], className="member-fact")
                    for k, v in facts
                ],
                className="member-facts mb-2",
            ),
            html.Div(
                [
                    html.A(
                        [html.I(className="bi bi-box-arrow-up-right me-1"), "Member page on opengovpartnership.org"],
                        href=ogp_url,
                        target="_blank",
                        rel="noopener noreferrer",
                        className="btn btn-sm btn-outline-primary me-2 mb-1",
                        id="member-ogp-link",
                    ),
                    html.A(
                        [html.I(className="bi bi-box-arrow-up-right me-1"), "All OGP members"],
                        href=OGP_DIRECTORY_URL,
                        target="_blank",
                        rel="noopener noreferrer",
                        className="btn btn-sm btn-outline-secondary me-2 mb-1",
                    ),
                ]
                + [
                    dcc.Link(label, href=href, className="btn btn-sm btn-outline-secondary me-2 mb-1")
                    for label, href in internal_links
                ],
                className="member-links",
            ),
        ],
        className="page-header mb-2",
    )


def delays_table(delays: pd.DataFrame, *, today: dt.date) -> Any:
    """Delayed and at-risk commitments of current plans: link, plan, status, why and how far behind.

    delays: columns ogp_id, title, action_plan, delay_status, delay_reason, severity, href.
    """
    if delays.empty:
        return empty_state(
            f"No commitment of this member is delayed, at risk or without evidence on {format_day(today)}.",
            "Commitments of plans that ended more than 12 months ago are closed: their final completion is in the "
            "charts above.",
        )
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(row.ogp_id, href=row.href)),
                html.Td(row.title),
                html.Td(row.action_plan),
                html.Td(delay_badge(row.delay_status)),
                html.Td(row.delay_reason),
                html.Td(f"{row.severity:.1f}", className="text-end"),
            ]
        )
        for row in delays.itertuples(index=False)
    ]
    head = ["Commitment", "Title", "Action plan", "Status", "Why", "Months behind"]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(rows)],
        bordered=False,
        hover=True,
        responsive=True,
        size="sm",
        className="mb-0",
        id=MEMBER_DELAYS,
    )


PLAN_STATUS_STYLE: dict[str, tuple[str, str]] = {
    "contrary to process": ("#D55E00", "bi-exclamation-octagon-fill"),
    "overdue": ("#D55E00", "bi-hourglass-bottom"),
    "late": ("#E69F00", "bi-clock-history"),
    "due": ("#0072B2", "bi-calendar-event"),
    "unknown (not in the data)": ("#6c757d", "bi-question-circle"),
}


def plan_status_badge(status: str) -> html.Span:
    """A plan's submission status as icon + words on its colour."""
    color, icon = PLAN_STATUS_STYLE.get(status, ("#6c757d", "bi-dot"))
    return html.Span(
        [html.I(className=f"bi {icon} me-1", **{"aria-hidden": "true"}), status],
        className="status-badge",
        style={"background": color, "color": readable_on(color)},
    )


def late_plans_table(late: pd.DataFrame) -> Any:
    """Plans that are due, overdue, late or contrary to process, each with the reason.

    late: columns action_plan, due_date, status, reason.
    """
    if late.empty:
        return empty_state(
            "No action plan of this member is due, overdue, late or contrary to process.",
            "Plans delivered on time, and plans delivered without a recorded date, are not listed.",
        )
    rows = [
        html.Tr(
            [
                html.Td(row.action_plan),
                html.Td(format_day(row.due_date) if row.due_date is not None else "—"),
                html.Td(plan_status_badge(row.status)),
                html.Td(row.reason),
            ]
        )
        for row in late.itertuples(index=False)
    ]
    head = ["Action plan", "Due", "Status", "Why"]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(rows)],
        hover=True,
        responsive=True,
        size="sm",
        className="mb-0",
        id=MEMBER_LATE_PLANS,
    )


def plan_status_legend() -> html.Div:
    """What each plan status means (OGP's 31 August / 1 January rule)."""
    meanings = {
        "due": "the deadline has not passed yet",
        "overdue": "past the deadline, before 1 January: keeps its end date if it arrives",
        "late": "delivered after the deadline but before 1 January",
        "contrary to process": "not delivered by 1 January, a later plan delivered more than 12 months after "
        "this one ended, or co-creation requirements not met",
        "unknown (not in the data)": "the data cannot show whether a new plan came within 12 months (the next "
        "plan, or its delivery date, is not in the data)",
    }
    return html.Div(
        [html.Span("Plan status: ", className="fw-semibold me-2")]
        + [
            html.Span([plan_status_badge(status), html.Span(f" {meaning}", className="me-3")], className="me-2")
            for status, meaning in meanings.items()
        ],
        className="scale-legend small mb-2",
    )


def member_layout(
    *,
    header: html.Div,
    kpis: list[dbc.Col],
    changes: Any,
    plans_figure: go.Figure,
    plan_count: int,
    completion_figure: go.Figure,
    areas_figure: go.Figure,
    delays: Any,
    late_plans: Any,
    today: dt.date,
) -> html.Div:
    """One member's page: header, KPIs, plans over time, completion by plan and by policy area, delays, late plans."""
    return html.Div(
        [
            header,
            dbc.Row(kpis, className="kpi-row"),
            changes,
            list_anchor(
                "member-plans",
                plan_count,
                chart_card(
                    f"Action plans over time ({plan_count:,})",
                    graph(ids.drill_chart(MEMBER_PLANS_CHART), plans_figure, drill=True),
                    footer=dbc.CardFooter(
                        html.Small(
                            "Each bar runs from a plan's start to its end, labelled with its commitments and the "
                            "share of the assessed ones with Substantial or Complete completion (its colour). "
                            "Click a plan for its commitments.",
                            className="text-muted",
                        )
                    ),
                ),
            ),
            completion_legend(),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            "Completion by action plan (latest IRM rating)",
                            graph(ids.drill_chart(MEMBER_COMPLETION_CHART), completion_figure, drill=True),
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        chart_card(
                            "Commitments by policy area",
                            graph(ids.drill_chart(MEMBER_AREAS_CHART), areas_figure, drill=True),
                        ),
                        lg=6,
                    ),
                ]
            ),
            dbc.Card(
                [
                    dbc.CardHeader(
                        [
                            html.H2(
                                f"Commitments delayed, at risk or without evidence on {format_day(today)}",
                                className="h6 mb-0 me-auto",
                            ),
                            export_buttons(MEMBER_DELAYS_EXPORT),
                        ],
                        className="d-flex align-items-center",
                    ),
                    dbc.CardBody(delays),
                ],
                className="mb-3 shadow-sm",
            ),
            dbc.Card(
                [
                    dbc.CardHeader(
                        [
                            html.H2("Late action plans and process", className="h6 mb-0 me-auto"),
                            export_buttons(MEMBER_PLANS_EXPORT),
                        ],
                        className="d-flex align-items-center",
                    ),
                    dbc.CardBody([plan_status_legend(), late_plans]),
                ],
                className="mb-3 shadow-sm",
            ),
        ]
    )
