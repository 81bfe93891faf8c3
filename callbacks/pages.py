"""Page registry: which render function serves which path, and what every render returns."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard.domain.filters import Filters
from dashboard.web.context import AppContext
from layouts.components import kpi_card, percent


@dataclass
class Page:
    """A rendered page: its content, breadcrumb trail and browser-tab title."""

    children: Any
    trail: list[tuple[str, str | None]] = field(default_factory=list)
    title: str = ""


Renderer = Callable[..., Page]
ROUTES: list[tuple[re.Pattern[str], Renderer]] = []


def link(path: str, filters: Filters, *, view: dict[str, str] | None = None, **changes: Any) -> str:
    """A path plus the current filters (some changed) as its query string; page view choices only if given."""
    return path + filters.replace(view=(), **changes).with_view(**(view or {})).to_query()


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


def route(pattern: str) -> Callable[[Renderer], Renderer]:
    """Register a render function `fn(ctx, filters, **path_params) -> Page` for a path pattern."""

    def decorate(fn: Renderer) -> Renderer:
        ROUTES.append((re.compile(f"^{pattern}/?$"), fn))
        return fn

    return decorate


def resolve(pathname: str | None) -> tuple[Renderer, dict[str, str]] | None:
    """The render function and path parameters for a path, or None when no page matches."""
    path = pathname or "/"
    if len(path) > 300:
        return None
    for pattern, fn in ROUTES:
        match = pattern.match(path if path == "/" else path.rstrip("/") or "/")
        if match:
            return fn, match.groupdict()
    return None


def render(ctx: AppContext, pathname: str | None, filters: Filters) -> Page | None:
    """Render the page at a path, or None when there is no such page."""
    found = resolve(pathname)
    if found is None:
        return None
    fn, params = found
    return fn(ctx, filters, **params)
