"""Overview page: KPI cards, completion by region and the trend across cycles, from the database."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from callbacks import periods
from callbacks.briefing import briefing_href
from callbacks.kpis import HIGH_LEVELS, STARRED_REFERENCE, Headline, headline, high_completion_card, starred_card
from callbacks.pages import Page
from callbacks.scope import query_scope
from callbacks.urls import link
from dashboard.domain.filters import Filters
from dashboard.domain.rules import format_day
from dashboard.web.context import AppContext
from data_access import progress_queries, queries
from layouts import overview
from layouts.components import kpi_card
from layouts.figures import completion_stack, cycle_trend_figure
from layouts.text import percent_of
from layouts.theme import COMPLETION_ORDER, NOT_ASSESSED

__all__ = ["STARRED_REFERENCE", "render_overview"]


def render_overview(ctx: AppContext, filters: Filters) -> Page:
    """The overview page for the filters in the URL."""
    scope = query_scope(ctx, filters)
    numbers = headline(ctx, filters)
    counts, day, as_of = numbers.counts, numbers.day, numbers.as_of
    running, late, contrary = numbers.running, numbers.late, numbers.contrary
    kpis = [
        kpi_card(
            title="Members",
            value=f"{counts['members']:,}",
            count=counts["members"],
            detail="with commitments in view",
            href=link("/countries", filters) + "#countries-list",
            as_of=as_of,
            card_id="kpi-members",
        ),
        kpi_card(
            title="Active action plans",
            value=f"{running:,}",
            count=running,
            detail=f"delivered and in implementation on {format_day(day)}",
            href=link("/cycle", filters) + "#cycle-plans-list",
            as_of=as_of,
            card_id="kpi-active-plans",
        ),
        kpi_card(
            title="Commitments",
            value=f"{counts['commitments']:,}",
            count=counts["commitments"],
            detail=f"in {counts['action_plans']:,} action plans",
            href=link("/commitments", filters),
            as_of=as_of,
            card_id="kpi-commitments",
        ),
        high_completion_card(
            counts,
            filters,
            as_of=as_of,
            card_id="kpi-high-completion",
            detail=f"{counts['high_completion']:,} of {counts['assessed']:,} assessed: Substantial or Complete",
        ),
        starred_card(counts, filters, as_of=as_of, card_id="kpi-starred"),
        kpi_card(
            title="Plans late or contrary",
            value=f"{late:,}",
            count=late,
            detail=f"{late - contrary:,} late or overdue, {contrary:,} contrary to process, due in the last "
            "two years (31 Aug / 1 Jan rule)",
            href=link("/delays", filters) + "#late-plans",
            as_of=as_of,
            card_id="kpi-late-plans",
        ),
    ]
    region = region_view(ctx, filters, numbers)
    region_figure = region_chart(region, filters)
    trend_figure = cycle_trend_figure(queries.cycle_trend(ctx.engine, **scope), href=link("/commitments", filters))
    changes = periods.panel(ctx, filters)
    content = overview.layout(
        kpis, changes, region_figure, trend_figure, briefing=briefing_href(filters), region_title=region.title
    )
    return Page(content, trail=[], title="Overview")


@dataclass(frozen=True)
class RegionView:
    """The overview's first chart: IRM completion by region, or mid-cycle (nothing in scope has an IRM rating
    yet) the progress each source reported so far, by region."""

    title: str
    counts: pd.DataFrame  # queries.completion_counts(by="region"), or progress_by_source
    progress: bool


IRM_TITLE = "Completion by region (latest IRM rating)"
PROGRESS_TITLE = "Progress reported so far, by region and source (each source's latest report)"
NO_REPORT = "No report yet"


def region_view(ctx: AppContext, filters: Filters, numbers: Headline | None = None) -> RegionView:
    numbers = numbers or headline(ctx, filters)
    scope = query_scope(ctx, filters)
    if numbers.counts["commitments"] and not numbers.counts["assessed"]:
        progress = progress_queries.progress_by_source(ctx.engine, on=numbers.day, **scope)
        return RegionView(PROGRESS_TITLE, progress, True)
    return RegionView(IRM_TITLE, queries.completion_counts(ctx.engine, by="region", **scope), False)


def region_chart(view: RegionView, filters: Filters) -> go.Figure:
    if not view.progress:
        links = {r: link("/commitments", filters, region=(r,)) for r in view.counts["region"].unique()}
        return completion_stack(view.counts, group="region", href=links)
    counts = view.counts.assign(bar=view.counts["group"] + " · " + view.counts["source"])
    bars = list(dict.fromkeys(counts.sort_values(["group"], kind="stable")["bar"]))
    links = {bar: link("/commitments", filters, region=(bar.split(" · ")[0],)) for bar in bars}
    return completion_stack(counts, group="bar", href=links, order=bars, missing=NO_REPORT, irm_levels=False)


def regions_export(ctx: AppContext, filters: Filters, _pathname: str = "/") -> pd.DataFrame:
    """The overview's first chart as a table: commitments per region and latest IRM completion level, then each
    region's share with high completion (of the assessed); mid-cycle, per region and source, the levels of the
    latest reports so far."""
    view = region_view(ctx, filters)
    if view.progress:
        table = view.counts.assign(completion=view.counts["completion"].fillna(NO_REPORT)).pivot_table(
            index=["group", "source"], columns="completion", values="commitments", aggfunc="sum", fill_value=0
        )
        levels = [c for c in (*COMPLETION_ORDER, NO_REPORT) if c in table.columns]
        table = table[levels]
        table["Commitments"] = table.sum(axis=1)
        table.columns.name = None
        return table.reset_index().rename(columns={"group": "Region", "source": "Source"})
    counts = view.counts
    levels = counts.assign(completion=counts["completion"].fillna(NOT_ASSESSED))
    table = levels.pivot_table(index="region", columns="completion", values="commitments", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=[c for c in COMPLETION_ORDER if c in table.columns], fill_value=0)
    table = table.reindex(
        columns=[*table.columns, *(c for c in (NOT_ASSESSED,) if c not in table.columns)], fill_value=0
    )
    table["Commitments"] = table.sum(axis=1)
    assessed = table["Commitments"] - table[NOT_ASSESSED]
    high = table[[c for c in HIGH_LEVELS if c in table.columns]].sum(axis=1)
    table["High completion (% of assessed)"] = percent_of(high, assessed).round(1)
    table.columns.name = None
    return table.reset_index().rename(columns={"region": "Region"})


def cycles_export(ctx: AppContext, filters: Filters, _pathname: str = "/") -> pd.DataFrame:
    """The 'across action-plan cycles' chart as a table: the counts behind each share, and the shares."""
    trend = queries.cycle_trend(ctx.engine, **query_scope(ctx, filters))
    return pd.DataFrame(
        {
            "Cycle": trend["cycle"].astype(int),
            "Commitments": trend["commitments"],
            "Assessed": trend["assessed"],
            "High completion": trend["high_completion"],
            "High completion (% of assessed)": percent_of(trend["high_completion"], trend["assessed"]).round(1),
            "Ambition rated": trend["ambition_rated"],
            "High ambition": trend["ambitious"],
            "High ambition (% of rated)": percent_of(trend["ambitious"], trend["ambition_rated"]).round(1),
            "Star-rated": trend["star_rated"],
            "Starred": trend["starred"],
            "Starred (% of star-rated)": percent_of(trend["starred"], trend["star_rated"]).round(1),
        }
    )
