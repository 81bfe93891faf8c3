"""KPI cards more than one page shows, each linking to the list it counts."""

from __future__ import annotations

from callbacks.urls import link
from dashboard.domain.filters import Filters
from layouts.components import kpi_card, percent


def completion_cards(counts: dict[str, int], scoped: Filters, *, as_of: str, id_prefix: str) -> list:
    """The 'High completion' and 'Starred' KPI cards of a member or policy area, linking to their lists."""
    return [
        kpi_card(
            title="High completion",
            value=percent(counts["high_completion"], counts["assessed"]),
            detail=f"{counts['high_completion']:,} of {counts['assessed']:,} assessed",
            href=link("/commitments", scoped, completion=("Substantial", "Complete")),
            as_of=as_of,
            card_id=f"{id_prefix}-kpi-high-completion",
        ),
        kpi_card(
            title="Starred",
            value=percent(counts["starred"], counts["commitments"]),
            detail=f"{counts['starred']:,} of {counts['commitments']:,} commitments",
            href=link("/commitments", scoped, starred=True),
            as_of=as_of,
            card_id=f"{id_prefix}-kpi-starred",
        ),
    ]
