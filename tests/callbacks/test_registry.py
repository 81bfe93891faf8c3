"""The page registry: one entry per page builds the router, navbar, tab titles, exports and validation layout."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dash import html
from dash._utils import split_callback_id

from callbacks.pages import NavItem, Page, PageSpec, Router
from dashboard.domain.filters import Filters
from dashboard.factory import create_app, validation_layout
from dashboard.pages import PAGES, ROUTER
from dashboard.settings import Settings
from layouts.shell import navbar
from tests.helpers import TEST_SECRET


def _ids(component: Any) -> list[Any]:
    """Every id in a component tree (strings and pattern dicts), in document order."""
    if isinstance(component, list | tuple):
        return [i for child in component for i in _ids(child)]
    if component is None or isinstance(component, str | int | float):
        return []
    own = [component.id] if getattr(component, "id", None) is not None else []
    return own + _ids(getattr(component, "children", None))


def _matches(wanted: Any, present: list[Any]) -> bool:
    """Dash's rule: a string id must exist; a pattern id needs a component with the same keys and fixed values."""
    if isinstance(wanted, str):
        return wanted in present
    for candidate in present:
        if isinstance(candidate, dict) and candidate.keys() == wanted.keys():
            fixed = {k: v for k, v in wanted.items() if not isinstance(v, list)}  # MATCH/ALL serialise as lists
            if all(candidate[k] == v for k, v in fixed.items()):
                return True
    return False


def _callback_ids(app) -> list[Any]:
    wanted = []
    for callback in app._callback_list:
        outputs = split_callback_id(callback["output"])
        for dep in outputs if isinstance(outputs, list) else [outputs]:
            wanted.append(dep["id"])
        for dep in callback["inputs"] + callback["state"]:
            wanted.append(dep["id"])
    return [json.loads(i) if isinstance(i, str) and i.startswith("{") else i for i in wanted]


def test_reg001_every_callback_id_is_in_the_validation_layout(tmp_path):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=f"sqlite:///{tmp_path / 'ogp.sqlite'}"))
    assert app.config.suppress_callback_exceptions is False
    present = _ids(app.validation_layout)
    missing = [i for i in _callback_ids(app) if not _matches(i, present)]
    assert missing == []


def test_reg002_a_misspelt_id_is_caught():
    present = _ids(validation_layout(ROUTER))
    assert not _matches("cycle-as-off", present)
    assert not _matches({"type": "commitments-gird", "view": ["MATCH"]}, present)
    assert _matches({"type": "commitments-grid", "view": ["MATCH"]}, present)


def test_reg003_navbar_lists_the_registry_pages_in_order():
    bar = navbar(ROUTER.nav_items())
    links = [i for i in _ids(bar) if isinstance(i, str) and i.startswith("nav-")]
    expected = [f"nav-{spec.nav.label.lower()}" for spec in PAGES if spec.nav is not None]
    assert links == expected and len(expected) >= 7


def test_reg004_every_table_of_every_page_is_exportable_and_names_are_unique():
    names = [name for spec in PAGES for name in spec.tables]
    assert len(names) == len(set(names))
    assert set(ROUTER.tables) == set(names)


def test_reg005_duplicate_table_names_are_refused():
    def render(ctx, filters):
        return Page("x")

    def rows(ctx, filters, path):
        raise AssertionError("not called")

    with pytest.raises(ValueError, match="twice|two pages"):
        Router([PageSpec("/a", "A", render, tables={"t": rows}), PageSpec("/b", "B", render, tables={"t": rows})])


def test_reg006_a_new_page_is_one_entry_route_title_nav_and_table():
    def render(ctx, filters, slug):
        return Page(html.Div(slug))

    def rows(ctx, filters, path):
        raise AssertionError("not called")

    spec = PageSpec("/trial/(?P<slug>[a-z]+)", "Trial", render, nav=NavItem("Trial", "bi-star"), tables={"trial": rows})
    router = Router([*PAGES, spec])
    page = router.render(None, "/trial/abc/", Filters())
    assert page.children.children == "abc" and page.title == "Trial"
    assert router.render(None, "/trial/ABC", Filters()) is None
    assert ("Trial", "/trial/(?P<slug>[a-z]+)", "bi-star") in router.nav_items()
    assert "trial" in router.tables


def test_reg007_overlong_paths_resolve_to_no_page():
    assert ROUTER.resolve("/" + "a" * 400) is None
    assert ROUTER.resolve("/countries/ALB")[0].title == "Member"
