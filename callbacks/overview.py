"""Overview page: KPI cards, completion by region and the trend across cycles, from the database."""

from __future__ import annotations

from callbacks.pages import Page
from callbacks.urls import link
from dashboard.domain.filters import Filters
from dashboard.domain.scales import LATE_SUBMISSIONS
from dashboard.domain.status import plan_statuses
from dashboard.web.context import AppContext
from data_access import queries
from layouts import overview
from layouts.components import kpi_card, percent
from layouts.figures import completion_stack, cycle_trend_figure

STARRED_REFERENCE = 7.5  # share of commitments OGP reports as starred, quoted to the Steering Committee


def render_overview(ctx: AppContext, filters: Filters) -> Page:
    """The overview page for the filters in the URL."""
    kwargs = filters.query_kwargs()
    counts = queries.overview_counts(ctx.engine, **kwargs)
    status = queries.data_status(ctx.engine)
    today = ctx.today()
    plans = queries.action_plans(ctx.engine, **kwargs)
    statuses = plan_statuses(plans, today)
    running = statuses[statuses["phase"] == "implementing"]
    behind = statuses[statuses["submission_status"].isin(LATE_SUBMISSIONS)]
    contrary = int((behind["submission_status"] == "contrary to process").sum())
    as_of = (status["updated_at"] or today.isoformat())[:10]
    progress_as_of = status["latest_report"].isoformat() if status["latest_report"] else as_of
    starred_share = counts["starred"] / counts["commitments"] * 100 if counts["commitments"] else 0.0
    kpis = [
        kpi_card(
            title="Members",
            value=f"{counts['members']:,}",
            detail="with commitments in view",
            href=link("/countries", filters),
            as_of=as_of,
            card_id="kpi-members",
        ),
        kpi_card(
            title="Active action plans",
            value=f"{len(running):,}",
            detail=f"in implementation on {today:%d %b %Y}",
            href=link("/cycle", filters),
            as_of=as_of,
            card_id="kpi-active-plans",
        ),
        kpi_card(
            title="Commitments",
            value=f"{counts['commitments']:,}",
            detail=f"in {counts['action_plans']:,} action plans",
            href=link("/commitments", filters),
            as_of=as_of,
            card_id="kpi-commitments",
        ),
        kpi_card(
            title="High completion",
            value=percent(counts["high_completion"], counts["assessed"]),
            detail=f"{counts['high_completion']:,} of {counts['assessed']:,} assessed: Substantial or Complete",
            href=link("/commitments", filters, completion=("Substantial", "Complete")),
            as_of=progress_as_of,
            card_id="kpi-high-completion",
        ),
        kpi_card(
            title="Starred",
            value=f"{starred_share:.1f}%" if counts["commitments"] else "—",
            detail=f"{counts['starred']:,} commitments; OGP reference {STARRED_REFERENCE}%",
            note=_against_reference(starred_share) if counts["commitments"] else None,
            href=link("/commitments", filters, starred=True),
            as_of=progress_as_of,
            card_id="kpi-starred",
        ),
        kpi_card(
            title="Plans late or contrary",
            value=f"{len(behind):,}",
            detail=f"{len(behind) - contrary:,} late or overdue, {contrary:,} contrary to process (31 Aug/1 Jan rule)",
            href=link("/delays", filters),
            as_of=today.isoformat(),
            card_id="kpi-late-plans",
        ),
    ]
    region_counts = queries.completion_counts(ctx.engine, by="region", **kwargs)
    region_links = {r: link("/commitments", filters, region=(r,)) for r in region_counts["region"].unique()}
    region_figure = completion_stack(region_counts, group="region", href=region_links)
    trend_figure = cycle_trend_figure(queries.cycle_trend(ctx.engine, **kwargs), href=link("/commitments", filters))
    return Page(overview.layout(kpis, region_figure, trend_figure), trail=[], title="Overview")


def _against_reference(share: float) -> str:
    difference = share - STARRED_REFERENCE
    if abs(difference) < 0.5:
        return "in line with the reference"
    return f"{abs(difference):.1f} points {'above' if difference > 0 else 'below'} the reference"
