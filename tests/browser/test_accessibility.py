"""WCAG 2.1 AA in a real browser: axe-core (vendored from npm: tests/browser/vendor/axe.min.js, MPL-2.0) finds no
critical or serious violation on any route, signed out and signed in; the keyboard alone reaches a commitment
from the overview through the grid."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select

from data_access.accounts import create_user
from data_access.db import get_engine
from data_access.models import ActionPlan, Commitment, Member

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# WCAG 2.0 and 2.1, levels A and AA: the rules the issue asks for (axe's best practices are not counted).
AXE_OPTIONS = (
    "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']}"
)
BLOCKING = ("critical", "serious")
PASSWORD = "correct horse battery"
ROUTES = (
    "/",
    "/cycle",
    "/countries",
    "/countries/{member}",
    "/themes",
    "/themes/open-data",
    "/commitments",
    "/commitments?q=budget",
    "/commitments/{commitment}",
    "/delays",
    "/irm",
    "/changes",
    "/no-such-page",
)


def _a_commitment(db_url: str) -> tuple[str, str]:
    stmt = (
        select(Commitment.ogp_id, Member.code)
        .join(ActionPlan, Commitment.action_plan_id == ActionPlan.id)
        .join(Member, ActionPlan.member_id == Member.id)
        .order_by(Commitment.ogp_id)
        .limit(1)
    )
    with get_engine(db_url).connect() as conn:
        ogp_id, member = conn.execute(stmt).one()
    return ogp_id, member


def _violations(duo, url: str, ready: str = "#page-content > *") -> list[str]:
    """'rule (impact): n nodes, e.g. <target>' for each critical or serious violation on the page at url, once
    the element `ready` is there."""
    duo.driver.get(url)
    duo.wait_for_element(ready, timeout=30)
    duo.wait_for_no_elements("._dash-loading", timeout=30)
    # Tables below the fold draw their columns when first seen: look at the whole page, as a reader would.
    duo.driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    duo.wait_for_no_elements(".ag-delay-render", timeout=30)
    duo.driver.execute_script(AXE)
    duo.driver.set_script_timeout(60)
    found = duo.driver.execute_async_script(
        f"var done = arguments[arguments.length - 1]; axe.run(document, {AXE_OPTIONS}).then("
        "function (r) { done(r.violations.map(function (v) { return [v.id, v.impact, v.nodes.length, "
        "v.nodes[0].target.join(' ')]; })); });"
    )
    return [f"{rule} ({impact}): {n} nodes, e.g. {target}" for rule, impact, n, target in found if impact in BLOCKING]


def test_a11y001_no_critical_or_serious_violation_on_any_route_signed_out_or_in(browser_app, sample_db_url):
    ogp_id, member = _a_commitment(sample_db_url)
    routes = [r.format(member=member, commitment=ogp_id) for r in ROUTES]
    table = {route: _violations(browser_app, browser_app.server_url + route) for route in routes}
    table["/login"] = _violations(browser_app, browser_app.server_url + "/login", ready="#login-submit")
    create_user(get_engine(sample_db_url), username="sofia", password=PASSWORD, role="support", members=[member])
    browser_app.driver.get(f"{browser_app.server_url}/login?next=/")
    browser_app.wait_for_element("#username").send_keys("sofia")
    browser_app.find_element("#password").send_keys(PASSWORD)
    browser_app.find_element("#login-submit").click()
    browser_app.wait_for_contains_text("#account-name", "sofia", timeout=30)
    # The commitment page holds the record form and a Follow button; the inbox its digest form.
    for route in ("/", f"/commitments/{ogp_id}", "/commitments", f"/countries/{member}", "/inbox", "/following"):
        table[f"{route} (signed in)"] = _violations(browser_app, browser_app.server_url + route)
    failing = {route: found for route, found in table.items() if found}
    assert failing == {}, "\n".join(f"{route}: {'; '.join(found)}" for route, found in failing.items())


def test_a11y002_the_keyboard_alone_reaches_a_commitment_from_the_overview(browser_app):
    """Skip link, then Tab to the commitments count, Enter; in the grid, arrow keys and Enter open the row's link."""
    duo = browser_app
    duo.wait_for_element("#kpi-commitments", timeout=30)
    keys = ActionChains(duo.driver)
    keys.send_keys(Keys.TAB).perform()  # the first stop is the skip link
    assert duo.driver.switch_to.active_element.text.strip() == "Skip to the content"
    keys.send_keys(Keys.ENTER).perform()
    for _ in range(40):  # from the page's start, Tab reaches the commitments count's link
        ActionChains(duo.driver).send_keys(Keys.TAB).perform()
        active = duo.driver.switch_to.active_element
        if (active.get_attribute("href") or "").endswith("/commitments") and active.tag_name == "a":
            break
    else:
        raise AssertionError("Tab never reached the link to the commitments list")
    ActionChains(duo.driver).send_keys(Keys.ENTER).perform()
    duo.wait_for_element(".commitments-grid .agGrid-Markdown a", timeout=30)
    assert duo.driver.current_url.endswith("/commitments")
    # Into the grid: Tab until a cell has the focus, then Enter opens the commitment of its row.
    for _ in range(60):
        ActionChains(duo.driver).send_keys(Keys.TAB).perform()
        active = duo.driver.switch_to.active_element
        if "ag-cell" in (active.get_attribute("class") or ""):
            break
    else:
        raise AssertionError("Tab never reached the grid's cells")
    ogp_id = duo.driver.execute_script(
        "var row = arguments[0].closest('.ag-row'); var a = row && row.parentElement.parentElement"
        ".closest('.ag-root').querySelector('.ag-pinned-left-cols-container .ag-row[row-index=\"'"
        " + row.getAttribute('row-index') + '\"] a'); return a ? a.textContent : null;",
        active,
    )
    if "ogp_link" not in (active.get_attribute("col-id") or ""):
        ActionChains(duo.driver).send_keys(Keys.HOME).perform()  # to the row's first cell: its OGP id
    ActionChains(duo.driver).send_keys(Keys.ENTER).perform()
    duo.wait_for_element("#commitment-title", timeout=30)
    assert ogp_id and duo.driver.current_url.endswith(f"/commitments/{ogp_id}")
