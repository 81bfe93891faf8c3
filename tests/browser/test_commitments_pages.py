"""Commitments pages in a real browser: the server-paged grid, its links, the commitment page and its breadcrumbs."""

from __future__ import annotations

import re

from selenium.webdriver.common.keys import Keys
from sqlalchemy import func, select

from data_access.db import get_engine
from data_access.models import Commitment, ProgressReport

GRID_ROW = ".commitments-grid .ag-center-cols-container .ag-row"
ID_LINK = ".commitments-grid .agGrid-Markdown a"


def _commitment_with_reports(db_url: str, at_least: int = 3) -> tuple[str, int]:
    """An OGP id of the sample database with several progress reports, and how many it has."""
    stmt = (
        select(Commitment.ogp_id, func.count(ProgressReport.id).label("reports"))
        .join(ProgressReport, ProgressReport.commitment_id == Commitment.id)
        .group_by(Commitment.ogp_id)
        .having(func.count(ProgressReport.id) >= at_least)
        .order_by(Commitment.ogp_id)
        .limit(1)
    )
    with get_engine(db_url).connect() as conn:
        ogp_id, reports = conn.execute(stmt).one()
    return ogp_id, reports


def test_cmtb001_list_loads_rows_with_a_clean_console(browser_app, assert_console_clean):
    browser_app.wait_for_page(f"{browser_app.server_url}/commitments")
    browser_app.wait_for_element(ID_LINK, timeout=15)  # rows arrived from the server
    assert "commitments match" in browser_app.find_element("#commitments-count").text
    rows = browser_app.find_elements(GRID_ROW)
    assert 1 <= len(rows) <= 100  # one page of rows at most, never the whole table
    assert browser_app.find_elements(".commitments-grid .delay-cell")[0].text.strip() != ""
    assert_console_clean()


def test_cmtb002_id_link_opens_the_commitment_and_breadcrumb_leads_back(browser_app, assert_console_clean):
    browser_app.wait_for_page(f"{browser_app.server_url}/commitments?region=Europe")
    link = browser_app.wait_for_element(ID_LINK, timeout=15)
    ogp_id = link.text.strip()
    link.click()
    browser_app.wait_for_text_to_equal(".breadcrumb-item.active", ogp_id, timeout=15)
    assert browser_app.driver.current_url.endswith(f"/commitments/{ogp_id}?region=Europe")
    assert browser_app.find_element("#commitment-title").text.strip() != ""
    overview = browser_app.find_elements(".breadcrumb-item a")[0]
    assert overview.text == "Overview"
    overview.click()
    browser_app.wait_for_element("#kpi-commitments", timeout=15)
    assert browser_app.driver.current_url.endswith("/?region=Europe")
    assert_console_clean()


def test_cmtb003_commitment_page_shows_the_progress_history(browser_app, sample_db_url, assert_console_clean):
    ogp_id, reports = _commitment_with_reports(sample_db_url)
    browser_app.wait_for_page(f"{browser_app.server_url}/commitments/{ogp_id.lower()}")
    browser_app.wait_for_element("#commitment-progress-table", timeout=15)
    assert len(browser_app.find_elements("#commitment-progress-table tbody tr")) == reports
    browser_app.wait_for_element("#commitment-progress-chart .scatterlayer .trace", timeout=15)
    assert browser_app.find_element("#commitment-ratings").is_displayed()
    assert_console_clean()


def test_cmtb004_unknown_id_shows_a_message(browser_app, assert_console_clean):
    browser_app.wait_for_page(f"{browser_app.server_url}/commitments/NOPE0000")
    browser_app.wait_for_contains_text("#commitment-not-found", "No commitment with id 'NOPE0000'", timeout=15)
    assert_console_clean()


def test_cmtb005_changing_filters_in_the_page_reloads_the_grid_rows(browser_app, assert_console_clean):
    browser_app.wait_for_page(f"{browser_app.server_url}/commitments?region=Americas")
    browser_app.wait_for_element(ID_LINK, timeout=15)
    americas = browser_app.find_element("#commitments-count").text
    browser_app.driver.execute_script(
        "window.history.pushState({}, '', '/commitments?region=Europe');"
        "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));"
    )
    browser_app.wait_for_element(f"{ID_LINK}[href*='region=Europe']", timeout=15)
    assert browser_app.find_element("#commitments-count").text != americas
    assert not browser_app.find_elements(f"{ID_LINK}[href*='region=Americas']")
    assert_console_clean()


def _commitments_with_a_word_starting(db_url: str, prefix: str, region: str) -> int:
    """Counted here from the raw texts (an oracle independent of the search index): commitments of `region`
    with a word of their id, title, text, institutions, theme or policy areas starting with `prefix`."""
    from sqlalchemy import or_

    from data_access.models import ActionPlan, Member, PolicyArea, commitment_policy_area

    word = re.compile(rf"(?<![a-z0-9]){re.escape(prefix)}")
    texts: dict[int, list[str]] = {}
    stmt = (
        select(
            Commitment.id,
            Commitment.ogp_id,
            Commitment.title,
            Commitment.short_title,
            Commitment.full_text,
            Commitment.lead_institution,
            Commitment.supporting_institutions,
            Commitment.theme,
        )
        .join(ActionPlan, ActionPlan.id == Commitment.action_plan_id)
        .join(Member, Member.id == ActionPlan.member_id)
        .where(or_(Member.region == region))
    )
    areas = select(commitment_policy_area.c.commitment_id, PolicyArea.name).join(
        PolicyArea, PolicyArea.id == commitment_policy_area.c.policy_area_id
    )
    with get_engine(db_url).connect() as conn:
        for cid, *parts in conn.execute(stmt):
            texts[cid] = [p for p in parts if p]
        for cid, name in conn.execute(areas):
            if cid in texts:
                texts[cid].append(name)
    return sum(1 for parts in texts.values() if any(word.search(p.lower().replace("_", " ")) for p in parts))


def test_cmtb006_the_navbar_search_lists_matches_with_the_filters_kept(
    browser_app, sample_db_url, assert_console_clean
):
    expected = _commitments_with_a_word_starting(sample_db_url, "budget", "Europe")
    assert expected > 0
    browser_app.wait_for_page(f"{browser_app.server_url}/?region=Europe")
    box = browser_app.wait_for_element("#navbar-search", timeout=15)
    box.send_keys("Budget")
    box.send_keys(Keys.ENTER)
    browser_app.wait_for_element(".search-results .agGrid-Markdown strong", timeout=15)
    assert browser_app.driver.current_url.endswith("/commitments?region=Europe&q=Budget")
    count = browser_app.find_element("#list-count")
    assert int(count.get_attribute("data-count")) == expected
    marked = {
        e.get_attribute("textContent").lower()
        for e in browser_app.find_elements(".search-results .agGrid-Markdown strong")
    }
    assert marked == {"budget"}
    assert browser_app.find_element("#navbar-search").get_attribute("value") == "Budget"
    browser_app.find_element("#commitments-search-clear").click()
    browser_app.wait_for_element(".commitments-grid:not(.search-results) " + ID_LINK[len(".commitments-grid ") :], 15)
    assert browser_app.driver.current_url.endswith("/commitments?region=Europe")
    assert browser_app.find_element("#navbar-search").get_attribute("value") == ""
    assert_console_clean()
