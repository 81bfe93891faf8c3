"""Overview page: KPI cards, completion by region and the trend across cycles, from the database."""

from __future__ import annotations

from callbacks.kpis import STARRED_REFERENCE, data_as_of, high_completion_card, starred_card
from callbacks.pages import Page
from callbacks.scope import query_scope, status_day
from callbacks.urls import link
from dashboard.domain.filters import Filters
from dashboard.domain.rules import format_day
from dashboard.web.context import AppContext
from data_access import queries, statuses
from layouts import overview
from layouts.components import kpi_card
from layouts.figures import completion_stack, cycle_trend_figure

__all__ = ["STARRED_REFERENCE", "render_overview"]


def render_overview(ctx: AppContext, filters: Filters) -> Page:
    """The overview page for the filters in the URL."""
    scope = query_scope(ctx, filters)
    day = status_day(ctx, filters)
    counts = queries.overview_counts(ctx.engine, **scope)
    as_of = data_as_of(queries.data_status(ctx.engine))
    plans = statuses.plan_rows(ctx.engine, **scope, day=day)
    running = int((plans["phase"] == "implementing").sum())
    late = plans[plans["late_or_contrary"].astype(bool)]
    contrary = int(
        ((late["submission_status"] == "contrary to process") | (late["process_status"] == "contrary to process")).sum()
    )
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
            value=f"{len(late):,}",
            count=len(late),
            detail=f"{len(late) - contrary:,} late or overdue, {contrary:,} contrary to process, due in the last "
            "two years (31 Aug / 1 Jan rule)",
            href=link("/delays", filters) + "#late-plans",
            as_of=as_of,
            card_id="kpi-late-plans",
        ),
    ]
    region_counts = queries.completion_counts(ctx.engine, by="region", **scope)
    region_links = {r: link("/commitments", filters, region=(r,)) for r in region_counts["region"].unique()}
    region_figure = completion_stack(region_counts, group="region", href=region_links)
    trend_figure = cycle_trend_figure(queries.cycle_trend(ctx.engine, **scope), href=link("/commitments", filters))
    return Page(overview.layout(kpis, region_figure, trend_figure), trail=[], title="Overview")
