"""Recording in a real browser: sign in through /login, add a progress report on the commitment page, see it in
the history and the delay status (and after leaving and coming back), messages beside fields, a conflict and its
reload, no form for a viewer."""

from __future__ import annotations

import datetime as dt

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import exists, func, select

from dashboard.domain.rules import format_day
from data_access.accounts import create_user, load_actor
from data_access.db import get_engine
from data_access.models import ActionPlan, Commitment, Member, Milestone, ProgressReport
from data_access.recording import add_delay_note

PASSWORD = "correct horse battery"
SAVE = "#record-progress-save"
HISTORY = "#commitment-progress-table"
STATUS = "#commitment-status-section"
DELAY = "#commitment-delay"


def _commitment(db_url: str) -> tuple[str, str, int]:
    """The first commitment of the sample (by id) being implemented today, so a report dated today is about it,
    and with no milestone due yet (its delay status then rests on the reports), with its member code and how
    many reports it has."""
    today = dt.date.today()
    stmt = (
        select(Commitment.ogp_id, Member.code, func.count(ProgressReport.id))
        .join(ActionPlan, Commitment.action_plan_id == ActionPlan.id)
        .join(Member, ActionPlan.member_id == Member.id)
        .outerjoin(ProgressReport, ProgressReport.commitment_id == Commitment.id)
        .where(Commitment.start_date <= today, Commitment.end_date >= today)
        .where(~exists().where(Milestone.commitment_id == Commitment.id, Milestone.due_date < today))
        .group_by(Commitment.ogp_id, Member.code)
        .order_by(Commitment.ogp_id)
        .limit(1)
    )
    with get_engine(db_url).connect() as conn:
        ogp_id, member, reports = conn.execute(stmt).one()
    return ogp_id, member, reports


def _sign_in(dash_duo, username: str, next_path: str) -> None:
    dash_duo.driver.get(f"{dash_duo.server_url}/login?next={next_path}")
    dash_duo.wait_for_element("#username").send_keys(username)
    dash_duo.find_element("#password").send_keys(PASSWORD)
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_contains_text("#account-name", username, timeout=30)


def _click(dash_duo, selector: str) -> None:
    """Click an element below the fold (Bootstrap's smooth scrolling would move it while Selenium clicks)."""
    element = dash_duo.wait_for_element(selector, timeout=30)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def _latest_by_source(dash_duo) -> dict[str, tuple[str, str]]:
    """The "Latest completion by source" card of the status section: source label -> (level, date)."""
    cells = dash_duo.find_elements(f"{STATUS} .source-cell")
    return {
        cell.find_element(By.CSS_SELECTOR, ".source-label").text: (
            cell.find_element(By.CSS_SELECTOR, ".source-value").text,
            cell.find_element(By.CSS_SELECTOR, ".source-date").text,
        )
        for cell in cells
    }


def _fill_report(dash_duo, completion: str, note: str, evidence: str = "") -> None:
    Select(dash_duo.wait_for_element("#record-progress-completion", timeout=30)).select_by_value(completion)
    dash_duo.find_element("#record-progress-note").send_keys(note)
    if evidence:
        dash_duo.find_element("#record-progress-evidence").send_keys(evidence)


def test_recb001_support_records_a_report_that_appears_and_persists(browser_app, sample_db_url, assert_console_clean):
    ogp_id, member, reports = _commitment(sample_db_url)
    create_user(get_engine(sample_db_url), username="sofia", password=PASSWORD, role="support", members=[member])
    page = f"/commitments/{ogp_id}"
    _sign_in(browser_app, "sofia", page)
    browser_app.wait_for_element(SAVE, timeout=30)
    choices = Select(browser_app.find_element("#record-progress-source")).options
    sources = [o.get_attribute("value") for o in choices if o.get_attribute("value")]  # "" is the placeholder
    assert sources == ["government", "civil_society", "support_unit"]

    note = "Browser check: the portal went live"
    _fill_report(browser_app, "Substantial", note, "https://example.org/portal")
    _click(browser_app, SAVE)

    browser_app.wait_for_contains_text(".record-saved", "Progress report saved: Substantial", timeout=30)
    browser_app.wait_for_contains_text(HISTORY, note, timeout=30)
    assert len(browser_app.find_elements(f"{HISTORY} tbody tr")) == reports + 1
    assert "sofia" in browser_app.find_element(HISTORY).text
    assert "added a progress report" in browser_app.find_element("#commitment-audit").text
    assert browser_app.find_element("#record-progress-note").get_attribute("value") == ""  # the form was reset
    # The delay status reflects the new report: the status card's reason names it ("Reported Substantial on
    # <today>; N% of the time has passed ...") and the latest-by-source card shows it under its source (the
    # form's first source, the government).
    saved_on = format_day(dt.date.today())
    browser_app.wait_for_contains_text(DELAY, f"Substantial on {saved_on}", timeout=30)
    assert _latest_by_source(browser_app)["Government self-report"] == ("Substantial", saved_on)

    _click(browser_app, "#nav-commitments")
    browser_app.wait_for_element("#commitments-count", timeout=30)
    browser_app.driver.back()
    browser_app.wait_for_contains_text(HISTORY, note, timeout=30)
    browser_app.wait_for_page(f"{browser_app.server_url}{page}")  # a full reload reads the database again
    browser_app.wait_for_contains_text(HISTORY, note, timeout=30)
    browser_app.wait_for_contains_text(DELAY, f"Substantial on {saved_on}", timeout=30)
    assert _latest_by_source(browser_app)["Government self-report"] == ("Substantial", saved_on)
    assert_console_clean()


def test_recb002_invalid_field_gets_its_message_beside_it(browser_app, sample_db_url, assert_console_clean):
    ogp_id, member, reports = _commitment(sample_db_url)
    create_user(get_engine(sample_db_url), username="sofia", password=PASSWORD, role="support", members=[member])
    _sign_in(browser_app, "sofia", f"/commitments/{ogp_id}")
    _fill_report(browser_app, "Limited", "Evidence link is wrong", "javascript:alert(1)")
    _click(browser_app, SAVE)
    browser_app.wait_for_contains_text(
        "#record-progress-evidence-feedback", "must start with http:// or https://", timeout=15
    )
    assert "is-invalid" in browser_app.find_element("#record-progress-evidence").get_attribute("class")
    assert browser_app.find_element("#record-progress-evidence-feedback").is_displayed()
    assert "correct the fields marked below" in browser_app.find_element("#record-alert").text
    assert len(browser_app.find_elements(f"{HISTORY} tbody tr")) == reports
    assert_console_clean()


def test_recb003_a_stale_page_gets_a_conflict_then_saves_after_reload(browser_app, sample_db_url, assert_console_clean):
    ogp_id, member, reports = _commitment(sample_db_url)
    engine = get_engine(sample_db_url)
    create_user(engine, username="sofia", password=PASSWORD, role="support", members=[member])
    create_user(engine, username="ines", password=PASSWORD, role="irm")
    _sign_in(browser_app, "sofia", f"/commitments/{ogp_id}")
    browser_app.wait_for_element(SAVE, timeout=30)
    with engine.connect() as conn:
        version = conn.scalar(select(Commitment.version).where(Commitment.ogp_id == ogp_id))
    add_delay_note(engine, load_actor(engine, "ines"), ogp_id=ogp_id, expected_version=version, note="Law delayed")

    _fill_report(browser_app, "Complete", "Written on a stale page")
    _click(browser_app, SAVE)
    browser_app.wait_for_contains_text(".record-conflict", "changed after you opened it", timeout=30)
    warning = browser_app.find_element(".record-conflict").text
    assert "ines" in warning and "Delay note" in warning and "Law delayed" in warning
    assert len(browser_app.find_elements(f"{HISTORY} tbody tr")) == reports  # nothing was overwritten

    _click(browser_app, "#record-reload")
    browser_app.wait_for_contains_text(".record-reloaded", "Reloaded", timeout=30)
    browser_app.wait_for_contains_text("#commitment-delay-notes", "Law delayed", timeout=30)
    assert browser_app.find_element("#record-progress-note").get_attribute("value") == "Written on a stale page"
    _click(browser_app, SAVE)
    browser_app.wait_for_contains_text(HISTORY, "Written on a stale page", timeout=30)
    assert_console_clean()


def test_recb004_a_signed_in_viewer_sees_no_form(browser_app, sample_db_url, assert_console_clean):
    ogp_id, _member, _reports = _commitment(sample_db_url)
    create_user(get_engine(sample_db_url), username="vera", password=PASSWORD, role="viewer")
    _sign_in(browser_app, "vera", f"/commitments/{ogp_id}")
    browser_app.wait_for_contains_text("#record-note", "Sign in as support or IRM staff to record progress", timeout=30)
    assert not browser_app.find_elements(SAVE)
    assert not browser_app.find_elements("#record-delay-note-save")
    assert browser_app.find_element("#commitment-audit").is_displayed()
    assert_console_clean()


def test_recb005_signing_in_returns_to_the_view_with_its_filters(browser_app, sample_db_url, assert_console_clean):
    create_user(get_engine(sample_db_url), username="vera", password=PASSWORD, role="viewer")
    view = "/delays?region=Europe&cycle=2024"
    browser_app.wait_for_page(f"{browser_app.server_url}{view}")
    browser_app.wait_for_element("#delays-commitments", timeout=30)
    _click(browser_app, "#sign-in")
    browser_app.wait_for_element("#username", timeout=30).send_keys("vera")
    browser_app.find_element("#password").send_keys(PASSWORD)
    browser_app.find_element("#login-submit").click()
    browser_app.wait_for_contains_text("#account-name", "vera", timeout=30)
    assert browser_app.driver.current_url == f"{browser_app.server_url}{view}"
    assert_console_clean()
