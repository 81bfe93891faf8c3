"""Follow and be told in a real browser: a support user follows a commitment from its page, a progress import
completes it, and the inbox (with the navbar's count) says so; "Mark all as read" clears the count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.accounts import create_user
from data_access.db import get_engine
from data_access.models import ActionPlan, Commitment, CommitmentStatus, Member
from data_access.progress_import import import_progress
from tests.security import PASSWORD


def _open_commitment(db_url: str) -> tuple[str, str]:
    """A commitment that is neither complete nor closed today, and its member."""
    with Session(get_engine(db_url)) as session:
        return session.execute(
            select(Commitment.ogp_id, Member.code)
            .join(ActionPlan, ActionPlan.id == Commitment.action_plan_id)
            .join(Member, Member.id == ActionPlan.member_id)
            .join(CommitmentStatus, CommitmentStatus.commitment_id == Commitment.id)
            .where(CommitmentStatus.delay_status.in_(("delayed", "at risk", "on track")))
            .order_by(Commitment.ogp_id)
        ).first()


def test_folb001_follow_a_commitment_then_an_import_completes_it_and_the_inbox_says_so(
    browser_app, sample_db_url, tmp_path: Path, assert_console_clean
):
    duo = browser_app
    duo.wait_for_element("#page-content .kpi-card", timeout=30)  # the statuses of today are stored
    ogp_id, member = _open_commitment(sample_db_url)
    engine = get_engine(sample_db_url)
    create_user(engine, username="sofia", password=PASSWORD, role="support", members=[member])
    duo.driver.get(f"{duo.server_url}/login?next=/commitments/{ogp_id}")
    duo.wait_for_element("#username").send_keys("sofia")
    duo.find_element("#password").send_keys(PASSWORD)
    duo.find_element("#login-submit").click()
    duo.wait_for_contains_text(".follow-button", "Follow", timeout=30)
    duo.find_element(".follow-button").click()
    duo.wait_for_contains_text(".follow-button", "Following", timeout=20)

    path = tmp_path / "progress.csv"
    yesterday = dt.date.today() - dt.timedelta(days=1)  # the app under test judges on the real date
    path.write_text(
        f"commitment_id,as_of,source,completion,note,evidence_url\n{ogp_id},{yesterday},government,Complete,,\n"
    )
    import_progress(engine, path)

    duo.driver.get(f"{duo.server_url}/inbox")
    duo.wait_for_contains_text("#inbox-list", f"{ogp_id}", timeout=30)
    text = duo.find_element("#inbox-list").text
    assert "completed" in text and "new progress report" in text
    assert duo.find_element("#inbox-count").text.startswith("2")
    duo.find_element("#inbox-mark-read").click()
    duo.wait_for_text_to_equal("#inbox-count", "", timeout=20)
    assert "New" not in duo.find_element("#inbox-list").text
    duo.driver.get(f"{duo.server_url}/following")
    duo.wait_for_contains_text("#page-content", ogp_id, timeout=30)
    assert "complete" in duo.find_element(".following-table").text
    assert_console_clean()


def test_folb002_signing_in_from_a_page_returns_to_it_with_its_filters(
    browser_app, sample_db_url, assert_console_clean
):
    duo = browser_app
    create_user(get_engine(sample_db_url), username="vera", password=PASSWORD, role="viewer")
    duo.wait_for_page(f"{duo.server_url}/delays?region=Europe")
    duo.wait_for_element("#delays-commitments", timeout=30)
    duo.find_element("#sign-in").click()
    duo.wait_for_element("#username", timeout=20).send_keys("vera")
    duo.find_element("#password").send_keys(PASSWORD)
    duo.find_element("#login-submit").click()
    duo.wait_for_contains_text("#account-name", "vera", timeout=30)
    assert duo.driver.current_url == f"{duo.server_url}/delays?region=Europe"
    assert_console_clean()
