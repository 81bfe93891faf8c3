"""Cycle, delays and IRM pages in a real browser: clean console, the as-of replay in the URL, links to commitments."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

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
    # The tiles above push the list to the bottom of the window: scroll to the link first, as a person would.
    browser_app.driver.execute_script("window.scrollBy(0, 300)")
    WebDriverWait(browser_app.driver, 10).until(lambda d: link.rect["y"] - d.execute_script("return scrollY") < 700)
    link.click()
    browser_app.wait_for_text_to_equal(".breadcrumb-item.active", ogp_id, timeout=20)
    assert browser_app.driver.current_url.endswith(f"/commitments/{ogp_id}?region=Americas")
    assert_console_clean()


TIMELINE = ".drill-chart[id*=cycle-timeline]"  # the timeline, not its axis strip (id cycle-timeline-axis)
BAR_PATHS = f"{TIMELINE} .bars .point path"


def test_cdib004_timeline_draws_every_bar_solid_under_a_sticky_date_axis(browser_app, assert_console_clean):
    browser_app.wait_for_page(f"{browser_app.server_url}/cycle")
    browser_app.wait_for_element(BAR_PATHS, timeout=20)
    driver = browser_app.driver

    # Every bar, on schedule or behind or without commitments: a non-zero box and a fill that paints. A patterned
    # bar's fill is a url(#pattern); its pattern must hold a solid background rect under the hatching.
    bars = driver.execute_script(
        """
        const solid = (c) => c && c !== 'none' && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c);
        return [...document.querySelectorAll(arguments[0])].map((path) => {
            const box = path.getBoundingClientRect();
            const fill = getComputedStyle(path).fill;
            const ref = /url\\("?#([^")]+)"?\\)/.exec(fill);
            let background = fill;
            if (ref) {
                const rect = document.getElementById(ref[1]).querySelector('rect');
                background = rect ? rect.getAttribute('fill') : null;
            }
            const opacity = parseFloat(getComputedStyle(path).fillOpacity || '1');
            return {w: box.width, h: box.height, fill, patterned: !!ref, solid: solid(background) && opacity > 0};
        });
        """,
        BAR_PATHS,
    )
    plans = int(browser_app.find_element("#cycle-count-running").text)
    assert len(bars) == plans > 10
    assert all(bar["w"] > 1 and bar["h"] > 1 for bar in bars), bars
    assert all(bar["solid"] for bar in bars), [bar for bar in bars if not bar["solid"]]
    behind = int(browser_app.find_element("#cycle-count-behind").text)
    assert behind > 0 and sum(bar["patterned"] for bar in bars) >= behind

    # No text is drawn on the bars: each plan's status is in the column right of the plot area.
    assert driver.find_elements("css selector", f"{TIMELINE} .bars .point text") == []
    # Those labels start right of every bar, mid-term diamond and the as-of line.
    marks = f"{BAR_PATHS}, {TIMELINE} .scatterlayer .point, {TIMELINE} .scatterlayer .js-line"
    rightmost = driver.execute_script(
        "return Math.max(...[...document.querySelectorAll(arguments[0])].map((e) => e.getBoundingClientRect().right))",
        marks,
    )
    statuses = driver.find_elements("css selector", f"{TIMELINE} .annotation")
    assert len(statuses) == plans
    assert len(driver.find_elements("css selector", f"{TIMELINE} .scatterlayer .point")) == plans
    assert min(status.rect["x"] for status in statuses) > rightmost

    # Scroll the timeline's box to its last plan: the date axis strip stays at the top of the box, in view.
    box = browser_app.find_element(".cdi-timeline-scroll")
    driver.execute_script("arguments[0].scrollIntoView(); arguments[0].scrollTop = arguments[0].scrollHeight;", box)
    browser_app.wait_for_element(".cdi-timeline-axis .xtick text", timeout=10)
    assert driver.execute_script("return arguments[0].scrollTop", box) > 300
    axis = browser_app.find_element(".cdi-timeline-axis")
    assert axis.is_displayed() and abs(axis.rect["y"] - box.rect["y"]) < 2
    assert len(driver.find_elements("css selector", ".cdi-timeline-axis .xtick text")) >= 3
    # Whatever lies under the strip's centre is the strip itself, not a bar scrolled over it.
    on_top = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return arguments[0].contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));",
        axis,
    )
    assert on_top
    assert_console_clean()
