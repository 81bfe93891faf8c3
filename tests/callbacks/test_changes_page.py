"""/changes and its panels on a hand-built history (tests.builders.build_change_history): every count links to
the list of exactly its lines, bad dates are said, and the tables download as shown."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

from callbacks import changes as changes_page
from callbacks import periods
from callbacks.countries import render_member
from callbacks.overview import render_overview
from dashboard.domain.filters import Filters, parse_filters
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from tests.builders import SINCE, UNTIL, build_change_history
from tests.helpers import TEST_SECRET, find, first_by_id, text_of

PERIOD = f"since={SINCE.isoformat()}"


@pytest.fixture
def app_ctx(engine: Engine, db_url: str) -> AppContext:
    build_change_history(engine)
    return AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today=UNTIL.isoformat()))


def _render(ctx: AppContext, url: str):
    parts = urlsplit(url)
    filters, problems = parse_filters(parts.query)
    assert problems == []
    page = ROUTER.render(ctx, parts.path, filters)
    assert page is not None
    return page


def _counted(tree) -> dict[str, int]:
    return {
        node.id: getattr(node, "data-count")
        for node in find(tree, lambda n: isinstance(getattr(n, "id", None), str) and hasattr(n, "data-count"))
    }


def _count_links(tree) -> list[tuple[int, str]]:
    """(count, href) of every link around a data-count."""
    found = []
    for link in find(tree, lambda n: type(n).__name__ == "Link"):
        for node in find(link, lambda n: hasattr(n, "data-count")):
            found.append((getattr(node, "data-count"), link.href))
    return found


def test_chp001_the_page_lists_each_kind_and_every_count_equals_its_list(app_ctx: AppContext) -> None:
    page = _render(app_ctx, f"/changes?{PERIOD}")
    lists = _counted(page.children)
    assert lists["changed-commitments"] == 5
    assert lists["changes-newly-delayed"] == 2
    assert lists["changes-recovered"] == 1
    assert lists["changes-completed"] == 2
    assert "changes-newly-at-risk" not in lists  # no line of that kind: no empty list
    assert lists["changes-plan-submitted"] == 1
    assert (lists["new-reports"], lists["new-irm-ratings"]) == (4, 1)
    checked = 0
    for count, href in _count_links(page.children):
        target = urlsplit(href)
        assert target.path == "/changes"
        assert _counted(_render(app_ctx, f"{target.path}?{target.query}").children)[target.fragment] == count, href
        checked += 1
    assert checked == 8  # four tiles, three kinds of commitment change, one of plan change
    grid = first_by_id(page.children, "changes-grid-changes-newly-delayed")
    assert [row["c0"] for row in grid.rowData] == [
        "[AA0001](</commitments/AA0001>)",
        "[BB0002](</commitments/BB0002>)",
    ]
    assert page.title == "What changed from 1 Apr 2026 to 30 Jun 2026"


def test_chp002_the_panels_count_the_default_period_and_link_to_its_lists(app_ctx: AppContext) -> None:
    """The overview's and a member's panel: the last 90 days (1 Apr to 30 Jun is 90 days), counted as /changes
    counts them."""
    assert UNTIL - dt.timedelta(days=90) == SINCE
    for page, expected in (
        (render_overview(app_ctx, Filters()), {"changes-newly-delayed": 2, "new-reports": 4}),
        (render_member(app_ctx, Filters(), "BBB"), {"changes-newly-delayed": 1, "changes-plan-submitted": 1}),
    ):
        links = [(count, href) for count, href in _count_links(page.children) if href.startswith("/changes")]
        found = {urlsplit(href).fragment: count for count, href in links}
        for fragment, count in expected.items():
            assert found[fragment] == count
        for count, href in links:
            target = urlsplit(href)
            assert _counted(_render(app_ctx, f"{target.path}?{target.query}").children)[target.fragment] == count
    member = text_of(render_member(app_ctx, Filters(), "BBB").children)
    assert "1 action plan submitted" in member and "new progress report" not in member


def test_chp003_bad_dates_are_said_and_the_default_period_shown(app_ctx: AppContext) -> None:
    cases = {
        "since=yesterday": "'yesterday' is not a date for 'since'",
        "until=2027-01-01": "is in the future",
        f"since={UNTIL.isoformat()}": "is not before 'until'",
        "since=2026-02-30": "'2026-02-30' is not a date",
    }
    for query, message in cases.items():
        page = changes_page.render_changes(app_ctx, parse_filters(query)[0])
        text = text_of(page.children)
        assert message in text, query
        assert "Comparing what was known on" in text
        assert _counted(page.children)["changed-commitments"] == 5, query  # the default period: 1 Apr to 30 Jun


def test_chp004_filters_narrow_every_list(app_ctx: AppContext) -> None:
    page = _render(app_ctx, f"/changes?member=BBB&{PERIOD}")
    lists = _counted(page.children)
    assert (lists["changed-commitments"], lists["changed-plans"], lists["new-reports"]) == (1, 1, 0)
    assert "No progress report became known from 1 Apr 2026 to 30 Jun 2026." in text_of(page.children)


def test_chp005_exports_hold_every_line_with_its_kind(app_ctx: AppContext) -> None:
    filters = parse_filters(PERIOD)[0]
    commitments = changes_page.commitments_export(app_ctx, filters)
    assert list(commitments.columns) == changes_page.COMMITMENT_COLUMNS
    assert list(zip(commitments["Change"], commitments["Commitment"], strict=True)) == [
        ("newly delayed", "AA0001"),
        ("newly delayed", "BB0002"),
        ("recovered", "AA0005"),
        ("completed", "AA0002"),
        ("completed", "AA0003"),
    ]
    assert list(changes_page.plans_export(app_ctx, filters)["Action plan"]) == ["AP_BBB02"]
    reports = changes_page.reports_export(app_ctx, filters)
    assert list(reports["Known from"]) == ["15 Jun 2026", "1 Jun 2026", "10 May 2026", "1 May 2026"]
    assert list(changes_page.irm_export(app_ctx, filters)["Report"]) == ["IRM mid-term report"]


def test_chp006_the_date_fields_write_the_period_into_the_link(app_ctx: AppContext) -> None:
    today = UNTIL
    # The default period leaves the link plain; picking what the link already says changes nothing.
    assert changes_page.period_search("2026-04-01", "2026-06-30", "?member=AAA&since=2026-01-01", today) == (
        "?member=AAA"
    )
    assert changes_page.period_search("2026-04-01", "2026-06-30", "?member=AAA", today) is changes_page.no_update
    assert (
        changes_page.period_search("2026-01-01", "2026-06-30", "?member=AAA", today) == "?member=AAA&since=2026-01-01"
    )
    assert changes_page.period_search("2026-01-01", "2026-03-01", "", today) == "?since=2026-01-01&until=2026-03-01"
    assert changes_page.period_search("garbage", "2026-06-30", "", today) is changes_page.no_update
    assert periods.parse_period(parse_filters("since=2026-01-01&until=2026-03-01")[0], today) == periods.Period(
        dt.date(2026, 1, 1), dt.date(2026, 3, 1)
    )
