"""Themes pages: completion and ambition by policy area, the policy area x region heat map, one area's page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from layouts import ids
from layouts.components import chart_card, completion_legend, empty_state, export_buttons, graph, page_header
from layouts.figures import base_layout, empty_figure

THEMES_COMPLETION_CHART = "themes-completion-chart"
THEMES_AMBITION_CHART = "themes-ambition-chart"
THEMES_HEATMAP = "themes-heatmap"
THEMES_LEVEL = "themes-level"
THEMES_CELLS = "themes-cells"
THEMES_TABLE = "themes-table"
THEMES_EXPORT = "themes"
THEME_REGION_CHART = "theme-region-chart"
THEME_CYCLE_CHART = "theme-cycle-chart"
THEME_MEMBERS_CHART = "theme-members-chart"

HEAT_COLORSCALE = "Blues"
SHARE_HEAT_COLORSCALE = "Cividis"
AMBITION_COLOR = "#E69F00"
STARRED_COLOR = "#009E73"


def ambition_figure(areas: pd.DataFrame, *, names: dict[str, str], hrefs: dict[str, str]) -> go.Figure:
    """Share of rated commitments with high ambition and share starred, per policy area (largest area on top).

    areas: columns policy_area, commitments, ambition_rated, ambitious, starred, star_rated.
    """
    if areas.empty:
        return empty_figure("No commitments match these filters.")
    data = areas.sort_values(["commitments", "policy_area"], ascending=[True, False])
    labels = [names.get(s, s) for s in data["policy_area"]]
    fig = go.Figure()
    series = (
        ("ambitious", "ambition_rated", "High ambition (% of rated)", AMBITION_COLOR, ""),
        ("starred", "star_rated", "Starred (% of star-rated)", STARRED_COLOR, "/"),
    )
    for part, whole, name, color, pattern in series:
        base = data[whole].astype(float)
        share = data[part].astype(float) / base.where(base > 0) * 100
        fig.add_bar(
            y=labels,
            x=share,
            name=name,
            orientation="h",
            # "overlay": the pattern's white strokes drawn over the solid colour (alone they would be invisible).
            marker={"color": color, "pattern": {"shape": pattern, "fillmode": "overlay", "fgcolor": "white"}},
            customdata=list(zip([hrefs.get(s) for s in data["policy_area"]], data[part], data[whole], strict=True)),
            hovertemplate="%{y}<br>" + name + ": %{x:.0f}% (%{customdata[1]} of %{customdata[2]})<extra></extra>",
        )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(title=None, rangemode="tozero", ticksuffix="%")
    fig.update_yaxes(title=None, automargin=True)
    return base_layout(fig, height=max(260, 60 + 34 * len(data)))


def heatmap_figure(
    cells: pd.DataFrame,
    *,
    areas: Sequence[str],
    regions: Sequence[str],
    names: dict[str, str],
    hrefs: dict[tuple[str, str], str],
    value: str,
) -> go.Figure:
    """Policy area (rows) x region (columns); each cell's customdata[0] is the list of its commitments.

    cells: columns policy_area, region, commitments, assessed, high_completion.
    value: 'commitments' (counts) or 'high_completion' (share of assessed, blank when none assessed).
    """
    if cells.empty:
        return empty_figure("No commitments match these filters.")
    indexed = cells.set_index(["policy_area", "region"])
    z, text, custom = [], [], []
    for slug in areas:
        z_row, text_row, custom_row = [], [], []
        for region in regions:
            found = indexed.loc[(slug, region)] if (slug, region) in indexed.index else None
            count = int(found["commitments"]) if found is not None else 0
            assessed = int(found["assessed"]) if found is not None else 0
            high = int(found["high_completion"]) if found is not None else 0
            if value == "commitments":
                cell = count
                shown = str(count)
            else:
                cell = high / assessed * 100 if assessed else None
                shown = f"{cell:.0f}%" if cell is not None else "—"
            z_row.append(cell)
            text_row.append(shown)
            detail = f"{count} commitments; {high} of {assessed} assessed with high completion"
            custom_row.append([hrefs[(slug, region)], detail])
        z.append(z_row)
        text.append(text_row)
        custom.append(custom_row)
    is_share = value != "commitments"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(regions),
            y=[names.get(s, s) for s in areas],
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            colorscale=SHARE_HEAT_COLORSCALE if is_share else HEAT_COLORSCALE,
            zmin=0,
            zmax=100 if is_share else None,
            xgap=2,
            ygap=2,
            colorbar={
                "title": {"text": "High completion<br>(% of assessed)" if is_share else "Commitments"},
                "ticksuffix": "%" if is_share else "",
            },
            hoverinfo="skip",
        )
    )
    # dcc.Graph leaves customdata out of a heat map's clickData (its point number is a pair), so an invisible
    # point at each cell's centre carries the cell's link; with no hover distance limit the nearest one,
    # which is the cell under the pointer, answers every hover and click.
    names_y = [names.get(s, s) for s in areas]
    fig.add_scatter(
        x=[region for _ in areas for region in regions],
        y=[name for name in names_y for _ in regions],
        customdata=[cell for row in custom for cell in row],
        mode="markers",
        marker={"size": 1, "color": "rgba(0,0,0,0)"},
        hovertemplate="<b>%{y}</b> in %{x}<br>%{customdata[1]}<extra></extra>",
        showlegend=False,
        name="cells",
    )
    fig.update_layout(hovermode="closest", hoverdistance=-1)
    fig.update_xaxes(side="top", title=None)
    fig.update_yaxes(title=None, automargin=True, autorange="reversed")
    base_layout(fig, height=max(300, 90 + 30 * len(areas)))
    fig.update_layout(plot_bgcolor="#f1f3f5", margin={"t": 40})
    return fig


def top_members_figure(members: pd.DataFrame, *, hrefs: dict[str, str]) -> go.Figure:
    """Members with the most commitments in the area, with their share of high completion in the label.

    members: columns code, name, commitments, assessed, high_completion (already the top rows).
    """
    if members.empty:
        return empty_figure("No member has commitments in this area for these filters.")
    data = members.iloc[::-1]
    assessed = data["assessed"].astype(float)
    share = data["high_completion"].astype(float) / assessed.where(assessed > 0) * 100
    labels = [
        f"{n} · {s:.0f}% high completion" if pd.notna(s) else f"{n} · not yet assessed"
        for n, s in zip(data["commitments"], share, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            y=data["name"],
            x=data["commitments"],
            orientation="h",
            marker_color="#0072B2",
            text=labels,
            textposition="auto",
            name="Commitments",
            customdata=[[hrefs.get(c)] for c in data["code"]],
            hovertemplate="%{y}: %{x} commitments<extra></extra>",
        )
    )
    fig.update_xaxes(title="Commitments in this policy area", rangemode="tozero")
    fig.update_yaxes(title=None, automargin=True)
    base_layout(fig, height=max(260, 60 + 32 * len(data)))
    fig.update_layout(showlegend=False)
    return fig


def themes_layout(
    *,
    pickers: Sequence[Any],
    alerts: Sequence[Any],
    completion_figure: go.Figure,
    ambition_figure: go.Figure,
    heatmap: go.Figure,
    heat_note: str,
    grid: Any,
) -> html.Div:
    """The themes page: pickers, completion beside ambition by area, the heat map, the table of areas."""
    return html.Div(
        [
            page_header(
                "Themes",
                "Completion and ambition by OGP policy area, and where each area's commitments are. "
                "Click a bar or a cell to see the commitments behind it.",
            ),
            *alerts,
            html.Div(list(pickers), className="d-flex flex-wrap gap-4"),
            completion_legend(),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            "Completion by policy area (latest IRM rating)",
                            graph(ids.drill_chart(THEMES_COMPLETION_CHART), completion_figure, drill=True),
                        ),
                        xl=6,
                    ),
                    dbc.Col(
                        chart_card(
                            "Ambition and stars by policy area",
                            graph(ids.drill_chart(THEMES_AMBITION_CHART), ambition_figure, drill=True),
                            footer=dbc.CardFooter(
                                html.Small(
                                    "High ambition: Transformative potential impact (to 2019) or Substantial "
                                    "potential for results (2020-), of the commitments the IRM rated.",
                                    className="text-muted",
                                )
                            ),
                        ),
                        xl=6,
                    ),
                ]
            ),
            chart_card(
                "Policy areas by region",
                graph(ids.drill_chart(THEMES_HEATMAP), heatmap, drill=True),
                footer=dbc.CardFooter(html.Small(heat_note, className="text-muted")),
            ),
            dbc.Card(
                [
                    dbc.CardHeader(
                        [html.H2("Policy areas", className="h6 mb-0 me-auto"), export_buttons(THEMES_EXPORT)],
                        className="d-flex align-items-center",
                    ),
                    dbc.CardBody(grid),
                ],
                className="mb-3 shadow-sm",
            ),
        ]
    )


def areas_table(rows: pd.DataFrame, hrefs: Sequence[str]) -> Any:
    """Table of policy areas: name (linking to the area's page), counts and shares.

    rows: columns name, commitments, assessed, high_completion_share, starred_share, ambitious_share.
    """
    if rows.empty:
        return empty_state("No commitments match these filters.", "Clear some filters to see every policy area.")
    head = ["Policy area", "Commitments", "Assessed", "High completion", "Starred", "High ambition"]

    def shown(value: float) -> str:
        return "—" if pd.isna(value) else f"{value:.0f}%"

    body = [
        html.Tr(
            [
                html.Td(dcc.Link(row.name, href=href)),
                html.Td(f"{row.commitments:,}", className="text-end"),
                html.Td(f"{row.assessed:,}", className="text-end"),
                html.Td(shown(row.high_completion_share), className="text-end"),
                html.Td(shown(row.starred_share), className="text-end"),
                html.Td(shown(row.ambitious_share), className="text-end"),
            ]
        )
        for row, href in zip(rows.itertuples(index=False), hrefs, strict=True)
    ]
    return dbc.Table(
        [
            html.Thead(
                html.Tr([html.Th(h, scope="col", className="text-end" if i else None) for i, h in enumerate(head)])
            ),
            html.Tbody(body),
        ],
        hover=True,
        responsive=True,
        size="sm",
        className="mb-0",
        id=THEMES_TABLE,
    )


def theme_message(message: str, hint: str) -> html.Div:
    """A policy-area page that cannot be shown: why, and where to go."""
    return html.Div(
        [
            page_header("Policy area not found", "Completion by region and by cycle for one OGP policy area."),
            empty_state(message, hint),
            dcc.Link("Back to all themes", href="/themes", className="btn btn-outline-primary btn-sm"),
        ]
    )


def theme_layout(
    *,
    title: str,
    subtitle: str,
    related: Sequence[tuple[str, str]],
    related_label: str,
    commitments_link: tuple[str, str, int],
    kpis: list[dbc.Col],
    region_figure: go.Figure,
    cycle_figure: go.Figure,
    members_figure: go.Figure,
    briefing: str,
) -> html.Div:
    """One policy area: header with related areas, KPIs, completion by region and cycle, top members."""
    label, href, count = commitments_link
    return html.Div(
        [
            page_header(title, subtitle, briefing=briefing),
            html.Div(
                [
                    dcc.Link(
                        [html.I(className="bi bi-list-check me-1"), html.Span(label, **{"data-count": int(count)})],
                        href=href,
                        className="btn btn-primary btn-sm me-3",
                        id="theme-commitments-link",
                    )
                ]
                + (
                    [html.Span(related_label, className="text-muted small me-2")]
                    + [
                        dcc.Link(
                            name, href=link_href, className="badge rounded-pill text-bg-light border me-1 theme-chip"
                        )
                        for name, link_href in related
                    ]
                    if related
                    else []
                ),
                className="mb-3 d-flex flex-wrap align-items-center",
            ),
            dbc.Row(kpis, className="kpi-row"),
            completion_legend(),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            "Completion by region (latest IRM rating)",
                            graph(ids.drill_chart(THEME_REGION_CHART), region_figure, drill=True),
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        chart_card(
                            "Completion and ambition across action-plan cycles",
                            graph(ids.drill_chart(THEME_CYCLE_CHART), cycle_figure, drill=True),
                        ),
                        lg=6,
                    ),
                ]
            ),
            chart_card(
                "Members with the most commitments in this area",
                graph(ids.drill_chart(THEME_MEMBERS_CHART), members_figure, drill=True),
            ),
        ]
    )
