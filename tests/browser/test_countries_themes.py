"""Countries and themes pages in a real browser: offline map, clean console, drilldowns and breadcrumbs."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

PAGES = {
    "/countries": "#countries-table",
    "/countries/BRA": "#member-ogp-link",
    "/countries/arba": "#member-ogp-link",
    "/themes": "#themes-table",
    "/themes/fiscal-openness": "#theme-commitments-link",
}
MAP_PATH = "path.choroplethlocation"
HEATMAP_DRAG = "[id*='themes-heatmap'] .nsewdrag"


def _open(duo, path: str, selector: str) -> None:
    duo.wait_for_page(url=duo.server_url + path)
    duo.wait_for_element(selector, timeout=15)


def _wait_for_url(duo, fragment: str) -> str:
    WebDriverWait(duo.driver, 10).until(lambda driver: fragment in driver.current_url)
    return duo.driver.current_url


@pytest.mark.parametrize("path", list(PAGES))
def test_ctb001_page_loads_with_a_clean_console(browser_app, assert_console_clean, path):
    _open(browser_app, path, PAGES[path])
    assert not browser_app.driver.find_elements(By.ID, "db-error")
    assert browser_app.find_element("h1").text
    assert_console_clean()


def test_ctb002_map_shapes_load_offline_from_assets(browser_app, assert_console_clean):
    _open(browser_app, "/countries", MAP_PATH)
    assert len(browser_app.find_elements(MAP_PATH)) > 40
    requests = browser_app.driver.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    assert any(url.endswith("/assets/vendor/topojson/world_110m.json") for url in requests)
    assert not [url for url in requests if "cdn.plot.ly" in url or not url.startswith(browser_app.server_url)]
    # The table twin lists members the map cannot show (local members).
    browser_app.driver.execute_script("document.getElementById('countries-table').scrollIntoView()")
    browser_app.wait_for_element(".ag-row", timeout=15)
    assert "Legacy Local" in browser_app.find_element("#countries-table").text
    assert_console_clean()


def test_ctb003_clicking_a_country_opens_its_page_and_breadcrumbs_lead_back(browser_app, assert_console_clean):
    _open(browser_app, "/countries?measure=high_completion", MAP_PATH)
    brazil = browser_app.driver.execute_script(
        "return Array.from(document.querySelectorAll('path.choroplethlocation')).find(p => p.__data__.loc === 'BRA')"
    )
    ActionChains(browser_app.driver).move_to_element(brazil).pause(0.3).click().perform()
    assert _wait_for_url(browser_app, "/countries/BRA").endswith("/countries/BRA")
    try:
        browser_app.wait_for_text_to_equal("h1", "Brazil", timeout=10)
    except Exception as exc:
        raise AssertionError(
            "the drill callback changed the URL but the page was not re-rendered: the shell's "
            "dcc.Location needs refresh='callback-nav' for a callback's href to trigger the router"
        ) from exc
    assert_console_clean()

    browser_app.driver.find_element(By.LINK_TEXT, "Countries").click()
    browser_app.wait_for_element(MAP_PATH, timeout=15)
    assert browser_app.driver.current_url.rstrip("/").endswith("/countries")


def test_ctb004_clicking_a_heatmap_cell_opens_the_commitments_behind_it(browser_app, assert_console_clean):
    _open(browser_app, "/themes", HEATMAP_DRAG)
    drag = browser_app.find_element(HEATMAP_DRAG)
    ActionChains(browser_app.driver).move_to_element(drag).pause(0.3).click().perform()
    url = _wait_for_url(browser_app, "/commitments?")
    assert "region=" in url and "policy_area=" in url


def test_ctb005_theme_breadcrumbs_lead_back_to_themes(browser_app, assert_console_clean):
    _open(browser_app, "/themes/tax", "#theme-commitments-link")
    browser_app.wait_for_text_to_equal("h1", "Tax", timeout=15)
    browser_app.driver.find_element(By.LINK_TEXT, "Themes").click()
    browser_app.wait_for_element("#themes-table", timeout=15)
    assert browser_app.driver.current_url.rstrip("/").endswith("/themes")
    assert_console_clean()
