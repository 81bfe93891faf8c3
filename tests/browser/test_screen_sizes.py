"""Every main page on a phone (390x844, emulated as Chromium's device mode does: headless windows are never that
narrow) and on a laptop (1440x900): the page never scrolls sideways, the navbar covers nothing (and keeps one
row at 1440), and every chart fits the screen unless it sits in a box that scrolls by itself (the timeline), with
a plotting area of at least 150 px beside its names, legend and colour bar."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_accessibility import ROUTES, _a_commitment

MAIN_ROUTES = tuple(r for r in ROUTES if r not in ("/no-such-page", "/commitments?q=budget"))
SIZES = {"phone": (390, 844), "laptop": (1440, 900)}
LAYOUT = """
const MIN_PLOT_WIDTH = 150;
const page = document.documentElement, nav = document.querySelector('.app-navbar');
const main = document.querySelector('main');
const scrollBoxes = '.cdi-timeline-scroll, .chart-scroll';
const wide = [...document.querySelectorAll('.js-plotly-plot')]
  .filter(g => !g.closest(scrollBoxes))
  .filter(g => g.getBoundingClientRect().right > window.innerWidth + 1)
  .map(g => (g.closest('[id]') || g).id);
// The plotting area of each chart with axes (its drag layer): names, legends and colour bars must leave room.
const cramped = [...document.querySelectorAll('.js-plotly-plot')]
  .map(g => [(g.closest('[id]') || g).id, g.querySelector('.nsewdrag')])
  .filter(([id, area]) => area && area.getBoundingClientRect().width < MIN_PLOT_WIDTH)
  .map(([id, area]) => `${id} (${Math.round(area.getBoundingClientRect().width)} px)`);
return {
  pageWidth: page.scrollWidth, viewport: page.clientWidth, window: window.innerWidth,
  navBottom: nav.getBoundingClientRect().bottom, mainTop: main.getBoundingClientRect().top,
  navHeight: nav.getBoundingClientRect().height, wideCharts: wide, crampedCharts: cramped,
};
"""


@pytest.mark.parametrize("size", list(SIZES))
def test_size001_no_page_scrolls_sideways_or_hides_under_the_navbar(browser_app, sample_db_url, size):
    duo = browser_app
    width, height = SIZES[size]
    duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": size == "phone"},
    )
    ogp_id, member = _a_commitment(sample_db_url)
    problems = []
    for route in (r.format(member=member, commitment=ogp_id) for r in MAIN_ROUTES):
        duo.driver.get(duo.server_url + route)
        duo.wait_for_element("#page-content h1", timeout=30)
        WebDriverWait(duo.driver, 20).until(
            lambda d: not d.find_elements("css selector", "#page-content ._dash-loading, .dash-spinner")
        )
        found = duo.driver.execute_script(LAYOUT)
        assert found["window"] == width, f"{route}: the window is {found['window']} px wide, not {width}"
        if found["pageWidth"] > found["viewport"]:
            problems.append(f"{route}: the page is {found['pageWidth']} px wide on a {width} px screen")
        if found["navBottom"] > found["mainTop"] + 1:
            problems.append(f"{route}: the navbar ends at {found['navBottom']} px, below the page's top")
        if size == "laptop" and found["navHeight"] >= 80:
            problems.append(f"{route}: the navbar is {found['navHeight']} px high (more than one row)")
        if found["wideCharts"]:
            problems.append(f"{route}: charts wider than the screen: {found['wideCharts']}")
        if found["crampedCharts"]:
            problems.append(f"{route}: charts with a plotting area under 150 px: {found['crampedCharts']}")
    assert problems == [], "\n".join(problems)
