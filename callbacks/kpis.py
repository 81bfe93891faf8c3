"""KPI cards more than one page shows, each linking to the list it counts, and the one 'data as of' rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from callbacks.scope import query_scope, status_day
from callbacks.urls import link
from dashboard.domain.filters import Filters
from dashboard.web.context import AppContext
from data_access import queries, statuses
from layouts.components import kpi_card, percent

HIGH_LEVELS = ("Substantial", "Complete")
# Share of star-rated commitments OGP reports as starred, quoted to the Steering Committee.
STARRED_REFERENCE = 7.5


@dataclass(frozen=True)
class Headline:
    """The overview's numbers for a scope (the KPI cards and the briefing's cover show these, computed here once)."""

    day: dt.date  # the day statuses are judged on
    counts: dict[str, int]  # queries.overview_counts
    running: int  # plans delivered and in implementation on the day
    late: int  # plans late or contrary to process (current window)
    contrary: int  # of which contrary to process
    as_of: str  # data_as_of


def headline(ctx: AppContext, filters: Filters) -> Headline:
    """The overview's numbers for the filters."""
    scope = query_scope(ctx, filters)
    day = status_day(ctx, filters)
    plans = statuses.plan_rows(ctx.engine, **scope, day=day)
    late = plans[plans["late_or_contrary"].astype(bool)]
    contrary = (late["submission_status"] == "contrary to process") | (late["process_status"] == "contrary to process")
    return Headline(
        day=day,
        counts=queries.overview_counts(ctx.engine, **scope),
        running=int((plans["phase"] == "implementing").sum()),
        late=len(late),
        contrary=int(contrary.sum()),
        as_of=data_as_of(queries.data_status(ctx.engine)),
    )


def data_as_of(status: dict[str, Any]) -> str:
    """The one 'data as of' date of every figure: the day the data last changed (an import or a write)."""
    return (status.get("updated_at") or "")[:10] or "no data yet"


def starred_card(counts: dict[str, int], scoped: Filters, *, as_of: str, card_id: str) -> Any:
    """'Starred': the share of star-rated commitments that earned a star, against OGP's 7.5% reference.

    Stars were awarded only until the IRM's 2017-19 reports; a scope with no star-rated commitment says
    so instead of a zero that would read as a verdict.
    """
    starred, rated = counts["starred"], counts["star_rated"]
    if rated:
        share = starred * 100 / rated
        value = percent(starred, rated)
        detail = f"{starred:,} of {rated:,} star-rated commitments; OGP reference {STARRED_REFERENCE}%"
        note = _against_reference(share)
    else:
        value = "—"
        detail = "Stars were not awarded in this period (the IRM rated stars only up to the 2017-19 plans)"
        note = None
    return kpi_card(
        title="Starred",
        value=value,
        count=starred,
        detail=detail,
        note=note,
        href=None if scoped.starred is False else link("/commitments", scoped, starred=True),
        as_of=as_of,
        card_id=card_id,
    )


def _against_reference(share: float) -> str:
    difference = share - STARRED_REFERENCE
    if abs(difference) < 0.5:
        return "in line with the reference"
    return f"{abs(difference):.1f} points {'above' if difference > 0 else 'below'} the reference"


def high_completion_href(scoped: Filters) -> str | None:
    """The list behind 'High completion': Substantial or Complete, within a completion filter if one is set
    (None when the filter leaves neither: the count is then 0 and there is nothing to list)."""
    levels = tuple(level for level in HIGH_LEVELS if not scoped.completion or level in scoped.completion)
    return link("/commitments", scoped, completion=levels) if levels else None


def high_completion_card(counts: dict[str, int], scoped: Filters, *, as_of: str, card_id: str, detail: str) -> Any:
    """'High completion': the share of the IRM-assessed commitments rated Substantial or Complete."""
    return kpi_card(
        title="High completion",
        value=percent(counts["high_completion"], counts["assessed"]),
        count=counts["high_completion"],
        detail=detail,
        href=high_completion_href(scoped),
        as_of=as_of,
        card_id=card_id,
    )


def completion_cards(counts: dict[str, int], scoped: Filters, *, as_of: str, id_prefix: str) -> list:
    """The 'High completion' and 'Starred' KPI cards of a member or policy area, linking to their lists."""
    return [
        high_completion_card(
            counts,
            scoped,
            as_of=as_of,
            card_id=f"{id_prefix}-kpi-high-completion",
            detail=f"{counts['high_completion']:,} of {counts['assessed']:,} assessed",
        ),
        starred_card(counts, scoped, as_of=as_of, card_id=f"{id_prefix}-kpi-starred"),
    ]
