"""Themes pages: completion, ambition and regions by OGP policy area, and one policy area's page."""

from __future__ import annotations

from urllib.parse import unquote

import dash_bootstrap_components as dbc
import pandas as pd

from callbacks.briefing import briefing_href
from callbacks.kpis import completion_cards, data_as_of
from callbacks.pages import Page
from callbacks.scope import query_scope, status_day
from callbacks.urls import link
from dashboard.domain.filters import Filters, shown
from dashboard.domain.policy_areas import POLICY_AREA_BY_SLUG, POLICY_AREAS, area_slugs
from dashboard.domain.rules import format_day
from dashboard.domain.scales import REGIONS
from dashboard.web.context import AppContext
from data_access import member_queries, queries, statuses
from layouts import themes as layout
from layouts.components import kpi_card, pill_picker
from layouts.figures import completion_stack, cycle_trend_figure

AREA_LEVELS: dict[str, str] = {"groups": "Parent groups", "all": "All policy areas"}
CELL_VALUES: dict[str, str] = {"commitments": "Commitments", "high_completion": "Share with high completion"}
AREA_NAMES: dict[str, str] = {a.slug: a.name for a in POLICY_AREAS}
TOP_MEMBERS = 10
TABLE_HEADERS: dict[str, str] = {
    "name": "Policy area",
    "commitments": "Commitments",
    "assessed": "Assessed",
    "high_completion_share": "High completion (% of assessed)",
    "starred_share": "Starred (% of star-rated)",
    "ambitious_share": "High ambition (% of rated)",
}


def parse_choice(value: str | None, choices: dict[str, str], default: str, what: str) -> tuple[str, str | None]:
    """A page parameter from the URL checked against its choices: (key, message when it was not one)."""
    if not value:
        return default, None
    key = value.strip().lower()
    if key in choices:
        return key, None
    return default, (
        f"Unknown {what} '{shown(value)}' (expected one of: {', '.join(choices)}); showing {choices[default].lower()}."
    )


def area_href(slug: str, filters: Filters, *, groups: bool, **changes) -> str:
    """The commitments list behind a policy area (a group counts its sub-areas too), keeping the filters."""
    slugs = area_slugs(slug) if groups else (slug,)
    return link("/commitments", filters, policy_area=slugs, **changes)


def area_table(ctx: AppContext, filters: Filters, *, groups: bool) -> pd.DataFrame:
    """One row per policy area with commitments: counts and shares, most commitments first.

    Columns: policy_area, name, commitments, assessed, high_completion, starred, star_rated, ambition_rated, ambitious,
    high_completion_share, starred_share, ambitious_share.
    """
    table = member_queries.policy_area_counts(ctx.engine, groups=groups, **query_scope(ctx, filters))
    table.insert(1, "name", table["policy_area"].map(AREA_NAMES))
    for column, part, whole in (
        ("high_completion_share", "high_completion", "assessed"),
        ("starred_share", "starred", "star_rated"),
        ("ambitious_share", "ambitious", "ambition_rated"),
    ):
        base = table[whole].astype(float)
        # Unrounded: the table, chart and export round once, from the integers, when they show it.
        table[column] = table[part].astype(float) / base.where(base > 0) * 100
    return table.sort_values(["commitments", "name"], ascending=[False, True]).reset_index(drop=True)


def themes_export(ctx: AppContext, filters: Filters, _pathname: str) -> pd.DataFrame:
    """The policy-area table as shown, at the level chosen in the URL."""
    level, _ = parse_choice(filters.view_value("areas"), AREA_LEVELS, "groups", "area level")
    table = area_table(ctx, filters, groups=level == "groups")
    shares = [column for column in TABLE_HEADERS if column.endswith("_share")]
    return table.assign(**{c: table[c].round(1) for c in shares})[list(TABLE_HEADERS)].rename(columns=TABLE_HEADERS)


def render_themes(ctx: AppContext, filters: Filters, areas: str | None = None, cells: str | None = None) -> Page:
    """Completion and ambition by policy area, the area x region heat map and the table of areas."""
    level, level_problem = parse_choice(
        areas if areas is not None else filters.view_value("areas"), AREA_LEVELS, "groups", "area level"
    )
    cell_value, cell_problem = parse_choice(
        cells if cells is not None else filters.view_value("cells"), CELL_VALUES, "commitments", "heat-map value"
    )
    groups = level == "groups"
    kwargs = query_scope(ctx, filters)
    pickers = [
        pill_picker(
            layout.THEMES_LEVEL,
            "Policy areas:",
            level,
            [(k, v, link("/themes", filters, view={"areas": k, "cells": cell_value})) for k, v in AREA_LEVELS.items()],
        ),
        pill_picker(
            layout.THEMES_CELLS,
            "Heat map shows:",
            cell_value,
            [(k, v, link("/themes", filters, view={"areas": level, "cells": k})) for k, v in CELL_VALUES.items()],
        ),
    ]
    alerts = [dbc.Alert(p, color="warning", className="param-problem") for p in (level_problem, cell_problem) if p]

    table = area_table(ctx, filters, groups=groups)
    hrefs = {slug: area_href(slug, filters, groups=groups) for slug in table["policy_area"]}
    if groups:
        counts = member_queries.policy_area_counts(ctx.engine, groups=True, by="completion", **kwargs)
        counts = counts[["policy_area", "completion", "commitments"]]
    else:
        counts = queries.completion_counts(ctx.engine, by="policy_area", **kwargs)
    completion_figure = completion_stack(counts, group="policy_area", labels=AREA_NAMES, href=hrefs)
    ambition = layout.ambition_figure(table, names=AREA_NAMES, hrefs=hrefs)

    cells_frame = member_queries.policy_area_counts(ctx.engine, groups=groups, by="region", **kwargs)
    regions = [r for r in REGIONS if not filters.region or r in filters.region]
    order = list(table["policy_area"])
    cell_hrefs = {
        (slug, region): area_href(slug, filters, groups=groups, region=(region,))
        for slug in order
        for region in regions
    }
    heatmap = layout.heatmap_figure(
        cells_frame, areas=order, regions=regions, names=AREA_NAMES, hrefs=cell_hrefs, value=cell_value
    )
    heat_note = (
        "Each cell counts the commitments of a policy area in a region"
        + (" (a parent group counts its sub-areas' commitments once each)" if groups else "")
        + ". A commitment can carry several areas. Click a cell to list its commitments."
    )
    content = layout.themes_layout(
        pickers=pickers,
        alerts=alerts,
        completion_figure=completion_figure,
        ambition_figure=ambition,
        heatmap=heatmap,
        heat_note=heat_note,
        grid=layout.areas_table(table, [link(f"/themes/{slug}", filters) for slug in table["policy_area"]]),
    )
    return Page(content, trail=[("Overview", link("/", filters)), ("Themes", None)], title="Themes")


def render_theme(ctx: AppContext, filters: Filters, slug: str) -> Page:
    """One policy area: completion by region and by cycle, top members, and the link to its commitments."""
    themes_crumbs = [("Overview", link("/", filters)), ("Themes", link("/themes", filters))]
    text = unquote(slug or "")
    area = POLICY_AREA_BY_SLUG.get(text.lower())
    if area is None:
        content = layout.theme_message(
            f"There is no policy area '{shown(text)}'.",
            "Open the themes page and pick an area from the charts or the table.",
        )
        return Page(content, trail=[*themes_crumbs, ("Policy area not found", None)], title="Policy area not found")

    scoped = filters.replace(policy_area=area_slugs(area.slug))
    kwargs = query_scope(ctx, scoped)
    day = status_day(ctx, scoped)
    counts = queries.overview_counts(ctx.engine, **kwargs)
    trend = queries.cycle_trend(ctx.engine, **kwargs)
    region_counts = queries.completion_counts(ctx.engine, by="region", **kwargs)
    region_links = {r: link("/commitments", scoped, region=(r,)) for r in region_counts["region"].unique()}
    members = queries.member_summary(ctx.engine, **kwargs)
    top = members.sort_values(["commitments", "name"], ascending=[False, True]).head(TOP_MEMBERS)
    member_links = {code: link("/commitments", scoped, member=(code,)) for code in top["code"]}
    by_status = statuses.status_counts(ctx.engine, **{**kwargs, "delay_status": None}, day=day)
    delayed = int(by_status.loc[by_status["delay_status"] == "delayed", "commitments"].sum())

    if area.is_group:
        subtitle = f"Commitments tagged {area.name} or one of its sub-areas, by region and by cycle."
        related = [(a.name, link(f"/themes/{a.slug}", filters)) for a in POLICY_AREAS if a.parent == area.name]
        related_label = "Sub-areas:"
    elif area.parent:
        subtitle = f"Commitments tagged {area.name} (part of {area.parent}), by region and by cycle."
        parent = next(a for a in POLICY_AREAS if a.name == area.parent)
        related = [(parent.name, link(f"/themes/{parent.slug}", filters))]
        related_label = "Parent group:"
    else:
        subtitle = f"Commitments tagged {area.name} (a cross-cutting tag), by region and by cycle."
        related, related_label = [], ""
    as_of = data_as_of(queries.data_status(ctx.engine))
    kpis = [
        kpi_card(
            title="Commitments",
            value=f"{counts['commitments']:,}",
            count=counts["commitments"],
            detail=f"from {counts['members']:,} members",
            href=link("/commitments", scoped),
            as_of=as_of,
            card_id="theme-kpi-commitments",
        ),
        *completion_cards(counts, scoped, as_of=as_of, id_prefix="theme"),
        kpi_card(
            title="Delayed now",
            value=f"{delayed:,}",
            count=delayed,
            detail=f"commitments delayed on {format_day(day)}",
            href=link("/delays", scoped, delay_status=("delayed",)) + "#delays-commitments",
            as_of=as_of,
            card_id="theme-kpi-delayed",
        ),
    ]
    content = layout.theme_layout(
        briefing=briefing_href(scoped),
        title=area.name,
        subtitle=subtitle,
        related=related,
        related_label=related_label,
        commitments_link=(
            f"See its {counts['commitments']:,} commitments",
            link("/commitments", scoped),
            counts["commitments"],
        ),
        kpis=kpis,
        region_figure=completion_stack(region_counts, group="region", href=region_links),
        cycle_figure=cycle_trend_figure(trend, href=link("/commitments", scoped)),
        members_figure=layout.top_members_figure(top, hrefs=member_links),
    )
    return Page(content, trail=[*themes_crumbs, (area.name, None)], title=area.name)
