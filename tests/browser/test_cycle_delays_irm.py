"""Cycle, delays and IRM pages in a real browser: clean console, the as-of replay in the URL, links to commitments."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

PAGES = {
    "/cycle": "#cycle-plans-table .ag-row",
    "/delays": "#delays-commitments-table .ag-row",
    "/irm": "#irm-midterm-table .ag-row",
}


@pytest.mark.parametrize("path", list(PAGES))
def test_cdib001_page_loads_with_a_clean_console(browser_app, assert_console_clean, path):
    browser_app.wait_for_page(f"{browser_app.server_url}{path}")
    browser_app.wait_for_element(PAGES[path], timeout=20)
    assert browser_app.find_element("h1").text.strip() != ""
    assert browser_app.find_element(".breadcrumb-item a").text == "Overview"
    assert_console_clean()


def test_cdib002_as_of_control_replays_a_past_date_in_the_url(browser_app, assert_console_clean):
    browser_app.wait_for_page(f"{browser_app.server_url}/cycle?region=Europe")
    browser_app.wait_for_element("#cycle-plans-table .ag-row", timeout=20)

    picker = browser_app.find_element("#cycle-as-of")
    picker.click()
    picker.send_keys(Keys.CONTROL, "a")
    picker.send_keys("1 Mar 2024")
    picker.send_keys(Keys.ENTER)

    browser_app.wait_for_contains_text(".cdi-replay", "Replaying 1 Mar 2024", timeout=20)
    assert browser_app.driver.current_url.endswith("/cycle?region=Europe&as_of=2024-03-01")
    tile = browser_app.find_element("#cycle-count-running").find_element("xpath", "..")
    assert "plans in implementation on 1 Mar 2024" in tile.text
    # The link is bookmarkable: opening it again shows the same replay.
    browser_app.wait_for_page(f"{browser_app.server_url}/cycle?region=Europe&as_of=2024-03-01")
    browser_app.wait_for_contains_text(".cdi-replay", "Replaying 1 Mar 2024", timeout=20)
    assert_console_clean()


def test_cdib003_delay_rows_link_to_commitment_pages(browser_app, assert_console_clean):
    browser_app.wait_for_page(f"{browser_app.server_url}/delays?region=Americas")
    link = browser_app.wait_for_element("#delays-commitments-table .agGrid-Markdown a", timeout=20)
    ogp_id = link.text.strip()
    assert link.get_attribute("href").endswith(f"/commitments/{ogp_id}?region=Americas")
    link.click()
    browser_app.wait_for_text_to_equal(".breadcrumb-item.active", ogp_id, timeout=20)
    assert browser_app.driver.current_url.endswith(f"/commitments/{ogp_id}?region=Americas")
    assert_console_clean()
