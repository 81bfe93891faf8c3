"""URLs in and out: the filters a URL carries, and links to other views that keep them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote

from dashboard.domain.filters import MAX_VIEW_VALUE, Filters, parse_filters
from dashboard.web.context import AppContext
from data_access import queries


def current_filters(ctx: AppContext, search: str | None) -> tuple[Filters, list[str]]:
    """Filters of the URL, validated against the members in the database, and the problems found."""
    return parse_filters(search, known_members=queries.member_codes(ctx.engine))


@lru_cache(maxsize=64)
def filter_query(filters: Filters) -> str:
    """The filters' query string without the page's view choices (cached: a page builds hundreds of links)."""
    return filters.replace(view=()).to_query()


def link(path: str, filters: Filters, *, view: dict[str, str] | None = None, **changes: Any) -> str:
    """A path plus the current filters (some changed) as its query string; page view choices only if given."""
    if not changes and not view:
        return path + filter_query(filters)
    return path + filters.replace(view=(), **changes).with_view(**(view or {})).to_query()


def member_href(code: str, filters: Filters) -> str:
    """Link to a member's page, carrying the current filters."""
    return link(f"/countries/{quote(code)}", filters)


def commitment_href(ogp_id: str, filters: Filters) -> str:
    """Link to a commitment's page, carrying the current filters."""
    return link(f"/commitments/{quote(ogp_id)}", filters)


def search_href(text: Any, search: Any) -> str:
    """The commitments list searching `text` (the navbar's box) with the filters of the URL query `search` kept;
    other pages' view choices are dropped. Anything but text searches nothing."""
    filters, _ = parse_filters(search if isinstance(search, str) else None)
    words = " ".join(text.split())[:MAX_VIEW_VALUE] if isinstance(text, str) else ""
    return link("/commitments", filters, view={"q": words} if words else None)
