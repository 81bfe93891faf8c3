"""Whole paths a person takes: overview chart -> list -> commitment -> breadcrumb back; links that reproduce a
view; back and forward; an export whose rows match the screen."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.domain.filters import parse_filters
from data_access import queries
from data_access.db import get_engine

REGION_BARS = "[id*='overview-region-chart'] .bars .point path"
ID_LINK = ".commitments-grid .agGrid-Markdown a"
COUNT = "#commitments-count"


def _count_on_screen(duo) -> int:
    return int(duo.wait_for_element(f"{COUNT} strong", timeout=15).text.replace(",", ""))


def _expected_count(db_url: str, url: str) -> int:
    filters, problems = parse_filters(urlparse(url).query)
    assert problems == []
    return len(queries.commitments(get_engine(db_url), **filters.query_kwargs()))


def _wait_for(duo, predicate, timeout: int = 15):
    return WebDriverWait(duo.driver, timeout).until(lambda driver: predicate(driver.current_url))


def _wait_for_title(duo, predicate, timeout: int = 15) -> str:
    """The browser tab's title once it satisfies the predicate (each page names its tab)."""
    WebDriverWait(duo.driver, timeout).until(lambda driver: predicate(driver.title))
    return duo.driver.title


def test_pth001_chart_click_to_list_to_commitment_and_back(browser_app, sample_db_url, assert_console_clean):
    duo = browser_app
    duo.wait_for_element(REGION_BARS, timeout=20)
    _wait_for_title(duo, lambda title: title == "Overview · OGP Implementation Monitor")
    toolbar = [b.get_attribute("data-title") for b in duo.find_elements(".modebar-btn")]
    assert "Download plot as a PNG" in toolbar  # the toolbar is there...
    assert not [
        t for t in toolbar if "Share" in t or "Cloud" in t or "Chart Studio" in t
    ]  # ...with nothing that uploads
    bar = duo.find_elements(REGION_BARS)[len(duo.find_elements(REGION_BARS)) // 2]
    ActionChains(duo.driver).move_to_element(bar).pause(0.3).click().perform()
    _wait_for(duo, lambda url: "/commitments?" in url)
    list_url = duo.driver.current_url
    assert "region=" in list_url and "completion=" in list_url
    assert _count_on_screen(duo) == _expected_count(sample_db_url, list_url)
    _wait_for_title(duo, lambda title: title.startswith("Commitments · "))

    link = duo.wait_for_element(ID_LINK, timeout=15)
    ogp_id = link.text.strip()
    link.click()
    duo.wait_for_text_to_equal(".breadcrumb-item.active", ogp_id, timeout=15)
    assert f"/commitments/{ogp_id}" in duo.driver.current_url
    _wait_for_title(duo, lambda title: title.startswith(f"{ogp_id}: ") and title.endswith("OGP Implementation Monitor"))

    duo.find_elements(".breadcrumb-item a")[0].click()  # Overview
    duo.wait_for_element("#kpi-commitments", timeout=15)
    assert urlparse(duo.driver.current_url).path == "/"
    assert_console_clean()


def test_pth002_a_link_with_filters_reproduces_the_view(browser_app, sample_db_url, assert_console_clean):
    duo = browser_app
    url = f"{duo.server_url}/commitments?region=Americas&completion=Limited&member_type=national"
    duo.wait_for_page(url)
    assert _count_on_screen(duo) == _expected_count(sample_db_url, url)
    bar = duo.find_element("#filter-bar").text
    assert "Americas" in bar and "Limited" in bar and "National" in bar
    summary = duo.find_element(".print-filters")
    assert not summary.is_displayed()  # on screen the filter bar says it
    # On paper: no navigation or filter widgets, the filters written out instead.
    duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert summary.is_displayed()
    assert "Region: Americas" in summary.text and "Completion: Limited" in summary.text
    assert not duo.find_element(".app-navbar").is_displayed()
    assert not duo.find_element("#filter-bar").is_displayed()
    duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert duo.find_element(".app-navbar").is_displayed()
    assert_console_clean()


def test_pth003_back_and_forward_restore_views(browser_app, sample_db_url):
    duo = browser_app
    first = f"{duo.server_url}/commitments?region=Europe"
    duo.wait_for_page(first)
    europe = _count_on_screen(duo)
    duo.find_element("#nav-countries").click()
    _wait_for(duo, lambda url: "/countries" in url)
    duo.wait_for_element("#countries-table", timeout=15)
    duo.driver.back()
    _wait_for(duo, lambda url: url.endswith("/commitments?region=Europe"))
    duo.wait_for_text_to_equal(f"{COUNT} strong", f"{europe:,}", timeout=15)
    duo.driver.forward()
    _wait_for(duo, lambda url: "/countries" in url)
    duo.wait_for_element("#countries-table", timeout=15)


def test_pth004_csv_export_rows_match_the_screen(browser_app, sample_db_url, assert_console_clean):
    duo = browser_app
    url = f"{duo.server_url}/commitments?member=BRA"
    duo.wait_for_page(url)
    shown = _count_on_screen(duo)
    duo.wait_for_element(ID_LINK, timeout=15)
    first_ids = [a.text.strip() for a in duo.find_elements(ID_LINK)]
    duo.find_element("[id*='export-button'][id*='csv']").click()
    download = Path(duo.download_path)
    deadline = time.monotonic() + 20
    files: list[Path] = []
    while time.monotonic() < deadline and not files:
        files = list(download.glob("*.csv"))
        time.sleep(0.2)
    assert files, f"no CSV arrived in {download}"
    with files[0].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("# ")))  # after its context
    assert len(rows) == shown == _expected_count(sample_db_url, url)
    id_column = next(c for c in rows[0] if "id" in c.lower())
    assert [r[id_column] for r in rows[: len(first_ids)]] == first_ids
    assert_console_clean()


def test_pth005_a_chart_png_is_named_after_the_chart_and_view_and_says_source_filters_and_date(
    browser_app, assert_console_clean
):
    """The toolbar's camera: the image plotly is asked to make carries the chart's title, the data source, the
    filters and the date, and its file name says which chart of which view (plotly's own download is stopped)."""
    duo = browser_app
    duo.wait_for_page(f"{duo.server_url}/?region=Europe")
    duo.wait_for_element(REGION_BARS, timeout=20)
    duo.driver.execute_script(
        "window.__downloads = [];"
        "window.Plotly.downloadImage = function (figure, options) {"
        "  window.__downloads.push({title: figure.layout.title.text, options: options});"
        "  return Promise.resolve(); };"
    )
    card = duo.find_elements(".card")
    region_card = next(c for c in card if "Completion by region" in c.text)
    ActionChains(duo.driver).move_to_element(region_card.find_element(By.CSS_SELECTOR, ".js-plotly-plot")).perform()
    camera = region_card.find_element(By.CSS_SELECTOR, '.modebar-btn[data-title="Download plot as a PNG"]')
    duo.driver.execute_script("arguments[0].click();", camera)
    downloads = duo.driver.execute_script("return window.__downloads;")
    assert len(downloads) == 1
    today = duo.driver.execute_script("return new Date().toISOString().slice(0, 10);")
    options, title = downloads[0]["options"], downloads[0]["title"]
    assert options["filename"] == f"ogp-completion-by-region-latest-irm-rating-overview-{today}"
    assert options["format"] == "png" and options["scale"] == 2
    assert title.startswith("<b>Completion by region (latest IRM rating)</b>")
    words = " ".join(part.split(">")[-1] for part in title.split("<"))
    assert "Sample data" in words and "Region: Europe" in words and today in words
    assert "/?region=Europe" in words
    assert_console_clean()


def _first_id(duo) -> str:
    return duo.wait_for_element(ID_LINK, timeout=15).text.strip()


def _current_page(duo) -> int:
    text = duo.find_element(".commitments-grid .ag-paging-number").text.strip()
    return int(text) if text.isdigit() else 0


def _wait_for_url(duo, piece: str) -> str:
    WebDriverWait(duo.driver, 15).until(lambda driver: piece in unquote(driver.current_url))
    return duo.driver.current_url


def test_pth006_a_copied_link_reopens_the_table_at_its_sort_and_page(browser_app, assert_console_clean):
    """Sorting a table and turning its pages write both into the address; 'Copy link' copies that address, and
    opening it shows the same rows in the same order on the same page."""
    duo = browser_app
    duo.wait_for_page(f"{duo.server_url}/commitments?region=Europe")
    unsorted_first = _first_id(duo)
    title = next(h for h in duo.find_elements(".commitments-grid .ag-header-cell") if h.text.strip() == "Title")
    title.find_element(By.CSS_SELECTOR, ".ag-header-cell-label").click()
    _wait_for_url(duo, "sort=commitments-grid:title:asc")
    # The sorted rows come from the server; turning a page before they arrive would be undone when they do.
    WebDriverWait(duo.driver, 20).until(lambda d: _first_id(duo) != unsorted_first)
    for page in (2, 3):  # one page at a time, each page's rows fetched from the server
        for _attempt in range(3):  # a click while a page is still loading can be lost, as a person would see
            duo.driver.execute_script(
                "arguments[0].click();",
                duo.find_element(".commitments-grid .ag-paging-button[aria-label='Next Page']"),
            )
            try:
                WebDriverWait(duo.driver, 5).until(lambda d, page=page: _current_page(duo) >= page)
                break
            except TimeoutException:
                continue
        url = _wait_for_url(duo, f"page=commitments-grid:{page}")
    WebDriverWait(duo.driver, 15).until(
        lambda d: duo.find_element(".commitments-grid .ag-paging-number").text.strip() == "3"
    )
    first_on_page = _first_id(duo)
    assert first_on_page != unsorted_first
    duo.find_element("#copy-link").click()
    WebDriverWait(duo.driver, 5).until(lambda d: duo.find_element("#copy-link").get_attribute("data-copied"))
    copied = duo.find_element("#copy-link").get_attribute("data-copied")
    assert copied == url and "region=Europe" in copied

    duo.driver.get("about:blank")
    duo.driver.get(copied)
    WebDriverWait(duo.driver, 20).until(
        lambda d: (
            duo.find_elements(".commitments-grid .ag-paging-number")
            and duo.find_element(".commitments-grid .ag-paging-number").text.strip() == "3"
        )
    )
    WebDriverWait(duo.driver, 15).until(lambda d: _first_id(duo) == first_on_page)
    sorted_header = next(h for h in duo.find_elements(".commitments-grid .ag-header-cell") if h.text.strip() == "Title")
    assert sorted_header.get_attribute("aria-sort") == "ascending"
    assert_console_clean()


def test_pth007_a_printed_table_holds_every_row_not_its_scroll_box(browser_app, assert_console_clean):
    """On screen a long table scrolls inside a box of a few rows; printing lays all its rows out on paper."""
    duo = browser_app
    duo.wait_for_page(f"{duo.server_url}/delays")
    rows = "#delays-commitments-table .ag-center-cols-container .ag-row"
    duo.wait_for_element(rows, timeout=20)
    listed = int(duo.find_element("#delays-commitments").get_attribute("data-count"))
    on_screen = len(duo.find_elements(rows))
    assert listed > on_screen  # the box shows a few and scrolls
    duo.driver.execute_script("window.dispatchEvent(new Event('beforeprint'));")
    WebDriverWait(duo.driver, 10).until(lambda d: len(duo.find_elements(rows)) == min(listed, 500))
    duo.driver.execute_script("window.dispatchEvent(new Event('afterprint'));")
    WebDriverWait(duo.driver, 10).until(lambda d: len(duo.find_elements(rows)) < min(listed, 500))
    assert duo.find_element("#delays-commitments-table").value_of_css_property("height") == "480px"
    assert_console_clean()


def test_pth008_no_request_leaves_the_server_when_the_chart_toolbar_is_used(browser_app, assert_console_clean):
    """Every button of a chart's toolbar, the camera included (a real download): the browser fetches nothing from
    anywhere but this server."""
    duo = browser_app
    duo.wait_for_element(REGION_BARS, timeout=20)
    chart = duo.find_element("[id*='overview-region-chart'] .js-plotly-plot")
    ActionChains(duo.driver).move_to_element(chart).perform()
    buttons = chart.find_elements(By.CSS_SELECTOR, ".modebar-btn")
    assert len(buttons) >= 5
    for button in buttons:
        duo.driver.execute_script("arguments[0].click();", button)
        time.sleep(0.2)
    time.sleep(2)  # the PNG is drawn and saved asynchronously
    fetched = duo.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name);")
    elsewhere = [url for url in fetched if not url.startswith((duo.server_url, "data:", "blob:"))]
    assert fetched and elsewhere == []
    assert_console_clean()


def test_pth009_a_link_with_bad_values_keeps_them_and_says_each_one(browser_app, assert_console_clean):
    """An unknown member, an unknown region and a cycle that is not a year: the page warns about each, and the
    filter bar (which cannot show them) does not quietly rewrite the link and lose the warnings."""
    duo = browser_app
    duo.wait_for_page(f"{duo.server_url}/delays?member=ZZZ&region=Atlantis&cycle=abc")
    alert = duo.wait_for_element(".filter-problems", timeout=15)
    time.sleep(2)  # the bar has been set from the link by now
    assert "member=ZZZ" in duo.driver.current_url
    text = duo.find_element(".filter-problems").text
    assert "Unknown member 'ZZZ'" in text and "Unknown region 'Atlantis'" in text
    assert "'abc' is not an action-plan cycle" in text
    assert alert.is_displayed()
    assert_console_clean()


def test_pth010_the_first_tab_reaches_a_skip_link_to_the_one_main_region(browser_app, assert_console_clean):
    """Keyboard users skip the navbar and filters: the first Tab stop is 'Skip to the content', Enter moves the
    focus to the page's one <main>; the page says its language and has one contentinfo landmark."""
    duo = browser_app
    duo.wait_for_element("#kpi-commitments", timeout=20)
    assert duo.driver.execute_script("return document.documentElement.lang") == "en"
    assert duo.driver.execute_script("return document.querySelectorAll('main').length") == 1
    assert duo.driver.execute_script("return document.querySelectorAll('footer, [role=contentinfo]').length") == 1
    body = duo.find_element("body")
    body.send_keys(Keys.TAB)
    focused = duo.driver.switch_to.active_element
    assert focused.text == "Skip to the content" and focused.is_displayed()
    focused.send_keys(Keys.ENTER)
    WebDriverWait(duo.driver, 5).until(
        lambda d: d.execute_script("return document.activeElement && document.activeElement.tagName") == "MAIN"
    )
    assert_console_clean()


def _no_sideways_scroll(duo) -> bool:
    return duo.driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_pth011_the_navbar_keeps_one_row_at_1440_and_folds_into_a_menu_at_390(browser_app, assert_console_clean):
    duo = browser_app
    duo.driver.set_window_size(1440, 900)
    duo.wait_for_page(f"{duo.server_url}/delays")
    duo.wait_for_element("#delays-commitments", timeout=20)
    navbar = duo.find_element(".app-navbar")
    links = duo.find_elements(".app-navbar .navbar-nav .nav-link")
    assert len({round(link.location["y"]) for link in links}) == 1  # every page link on one row
    assert navbar.size["height"] < 80 and _no_sideways_scroll(duo)
    assert not duo.find_element("#navbar-toggler").is_displayed()

    duo.driver.set_window_size(390, 844)
    WebDriverWait(duo.driver, 5).until(lambda d: duo.find_element("#navbar-toggler").is_displayed())
    assert not duo.find_element("#nav-delays").is_displayed()  # folded away
    assert _no_sideways_scroll(duo)
    duo.find_element("#navbar-toggler").click()
    WebDriverWait(duo.driver, 5).until(lambda d: duo.find_element("#nav-delays").is_displayed())
    duo.find_element("#nav-cycle").click()
    WebDriverWait(duo.driver, 10).until(lambda d: "/cycle" in d.current_url)
    assert _no_sideways_scroll(duo)
    assert_console_clean()


def test_pth012_on_a_phone_the_filters_fold_behind_a_button_that_counts_them(browser_app, assert_console_clean):
    """At 390 px the page starts on the first screen: the filter fields are folded behind a button saying how
    many filters the link sets; the button opens them. From 992 px they are always open."""
    duo = browser_app
    duo.driver.set_window_size(390, 844)
    duo.wait_for_page(f"{duo.server_url}/delays?region=Europe&cycle=2024")
    duo.wait_for_element("#delays-commitments", timeout=20)
    toggle = duo.find_element("#filter-toggle")
    WebDriverWait(duo.driver, 10).until(lambda d: "(2 set)" in toggle.text)
    assert not duo.find_element("#filter-region").is_displayed()
    assert duo.find_element("h1").location["y"] < 400  # the page's title is on the first screen
    toggle.click()
    WebDriverWait(duo.driver, 5).until(lambda d: duo.find_element("#filter-region").is_displayed())
    assert _no_sideways_scroll(duo)
    duo.driver.set_window_size(1440, 900)
    WebDriverWait(duo.driver, 5).until(lambda d: not duo.find_element("#filter-toggle").is_displayed())
    assert duo.find_element("#filter-region").is_displayed()
    assert_console_clean()
