"""What a page is: its registry entry (path, title, navigation, render function, tables) and its rendered parts.

The list of pages itself is `dashboard.pages.PAGES`; the router, the navbar, tab titles, exports and the
validation layout are all built from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from dash import Dash

from dashboard.domain.filters import Filters
from dashboard.web.context import AppContext
from data_access import statuses

MAX_PATH_LENGTH = 300


@dataclass
class Page:
    """A rendered page: its content, breadcrumb trail and browser-tab title (empty: the entry's title)."""

    children: Any
    trail: list[tuple[str, str | None]] = field(default_factory=list)
    title: str = ""


Renderer = Callable[..., Page]  # fn(ctx, filters, **path_params) -> Page
# A table's rows exactly as the table shows them, for its CSV/XLSX download: fn(ctx, filters, pathname).
TableSource = Callable[[AppContext, Filters, str], pd.DataFrame]


@dataclass(frozen=True)
class NavItem:
    """A page's place in the navbar: its label and Bootstrap icon."""

    label: str
    icon: str


@dataclass(frozen=True)
class PageSpec:
    """One page of the dashboard: everything the app needs to route to it, list it and export its tables.

    path: a regular expression for the path, with named groups for its parameters ("/countries/(?P<code>[^/]+)").
    skeleton: the page's interactive components (ids its own callbacks use), for Dash's validation layout.
    """

    path: str
    title: str
    render: Renderer
    nav: NavItem | None = None
    tables: Mapping[str, TableSource] = field(default_factory=dict)
    register: Callable[[Dash, AppContext], None] | None = None
    skeleton: Callable[[], Sequence[Any]] | None = None

    @property
    def href(self) -> str:
        """The path a navbar link opens (the pattern itself: only pages without parameters are in the navbar)."""
        return self.path


class Router:
    """Resolves paths to pages and gathers what the pages share (navigation, tables) from the registry."""

    def __init__(self, pages: Sequence[PageSpec]):
        self.pages = tuple(pages)
        self._patterns = [(re.compile(f"^{spec.path}/?$"), spec) for spec in self.pages]
        self.tables: dict[str, TableSource] = {}
        for spec in self.pages:
            for name, source in spec.tables.items():
                if name in self.tables:
                    raise ValueError(f"two pages export a table named {name!r}")
                self.tables[name] = source

    def nav_items(self) -> list[tuple[str, str, str]]:
        """(label, href, icon) of every page listed in the navbar, in registry order."""
        return [(spec.nav.label, spec.href, spec.nav.icon) for spec in self.pages if spec.nav is not None]

    def resolve(self, pathname: str | None) -> tuple[PageSpec, dict[str, str]] | None:
        """The page and its path parameters for a path, or None when no page matches."""
        path = pathname or "/"
        if len(path) > MAX_PATH_LENGTH:
            return None
        path = path if path == "/" else path.rstrip("/") or "/"
        for pattern, spec in self._patterns:
            match = pattern.match(path)
            if match:
                return spec, match.groupdict()
        return None

    def render(self, ctx: AppContext, pathname: str | None, filters: Filters) -> Page | None:
        """Render the page at a path (its title defaulting to the entry's), or None when there is no such page."""
        found = self.resolve(pathname)
        if found is None:
            return None
        spec, params = found
        with statuses.one_check_per_view():
            page = spec.render(ctx, filters, **params)
        if not page.title:
            page.title = spec.title
        return page
