"""Follow and be told: status changes, new reports, notes and milestones about what a user follows reach their
inbox once, and their e-mail digest once (a real SMTP server, aiosmtpd, started by the test)."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.cli import cli
from dashboard.factory import create_app
from dashboard.settings import Settings
from dashboard.web.digests import unsubscribe_token
from data_access import follows, inbox
from data_access.accounts import create_user, load_actor, set_digest
from data_access.db import get_engine, session_scope
from data_access.models import Commitment, User
from data_access.progress_import import import_progress
from data_access.recording import add_delay_note
from tests.builders import build, report
from tests.helpers import TEST_SECRET
from tests.security import PASSWORD, sign_in

TODAY = dt.date(2024, 3, 1)
PLAN = {"submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}


def _data(engine) -> None:
    build(
        engine,
        [
            {
                "code": "ALB",
                "name": "Albania",
                "region": "Europe",
                "plans": [
                    {
                        **PLAN,
                        "ogp_id": "AP_ALB05",
                        "commitments": [
                            {
                                "ogp_id": "AL0001",
                                "title": "Open the budget",
                                "reports": [report(dt.date(2023, 10, 1), "government", "Limited")],
                                "milestones": [
                                    ("Publish the draft", dt.date(2024, 3, 10), None),
                                    ("Hearings", dt.date(2024, 6, 1), None),
                                ],
                            },
                            {"ogp_id": "AL0002", "title": "Open contracts"},
                        ],
                    }
                ],
            },
            {
                "code": "MEX",
                "name": "Mexico",
                "region": "Americas",
                "plans": [{**PLAN, "ogp_id": "AP_MEX05", "commitments": [{"ogp_id": "MX0001", "title": "Agua"}]}],
            },
        ],
    )


class Inbox:
    """Messages the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  # aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    handler = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks that its server answers, so not port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def _import(engine, tmp_path: Path, rows: list[str]) -> None:
    path = tmp_path / "progress.csv"
    path.write_text("commitment_id,as_of,source,completion,note,evidence_url\n" + "\n".join(rows) + "\n")
    import_progress(engine, path, today=TODAY)


def test_inb001_a_support_user_follows_and_is_told_once_in_the_inbox_and_the_digest(
    db_url, tmp_path, smtp, monkeypatch
):
    handler, smtp_url = smtp
    engine = get_engine(db_url)
    _data(engine)
    create_user(engine, username="sofia", password=PASSWORD, role="support", members=["ALB", "MEX"])
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY.isoformat()))
    client = app.server.test_client()
    landed = sign_in(client, "sofia")
    assert landed.status_code == 302 and landed.headers["Location"] == "/?member=ALB&member=MEX"

    assert follows.follow(engine, "sofia", "commitment", "AL0001", today=TODAY)
    assert not follows.follow(engine, "sofia", "commitment", "AL0001", today=TODAY)  # once
    assert [e.kind for e in inbox.events(engine, "sofia")] == ["milestone due"]  # due on 10 Mar, within 14 days
    before = {f.ref: f.status for f in follows.followed(engine, "sofia", TODAY)}["AL0001"]
    assert before != "complete"

    # A progress import completes the followed commitment and reports on one that is not followed.
    _import(
        engine,
        tmp_path,
        ["AL0001,2024-02-20,government,Complete,All published,", "AL0002,2024-02-20,government,Limited,,"],
    )
    assert {f.ref: f.status for f in follows.followed(engine, "sofia", TODAY)}["AL0001"] == "complete"
    assert inbox.collect_if_changed(engine, TODAY) == 2  # the status change and the report
    assert inbox.collect(engine, TODAY) == 0  # collecting again adds nothing
    told = inbox.events(engine, "sofia")
    kinds = sorted(e.kind for e in told)
    assert kinds == ["milestone due", "progress report", "status change"]
    change = next(e for e in told if e.kind == "status change")
    assert change.title == "AL0001 Open the budget: completed"
    assert change.detail.startswith(f"{before} → complete")
    assert all(e.subject == "AL0001" and e.link == "/commitments/AL0001" for e in told)
    assert inbox.unread_count(engine, "sofia") == 3

    # The digest goes to the local SMTP server once, across two runs of the command.
    set_digest(engine, username="sofia", frequency="daily", email="sofia@example.org")
    monkeypatch.setenv("SMTP_URL", smtp_url)
    monkeypatch.setenv("OGP_TODAY", TODAY.isoformat())
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("PUBLIC_URL", "https://monitor.example.org/")
    runner = CliRunner()
    first = runner.invoke(cli, ["send-digests", "--database-url", db_url])
    assert first.exit_code == 0, first.output
    assert "Sent 3 event(s) to sofia <sofia@example.org>." in first.output
    second = runner.invoke(cli, ["send-digests", "--database-url", db_url])
    assert second.exit_code == 0 and "0 digest(s) sent" in second.output
    assert len(handler.messages) == 1
    message = handler.messages[0]
    assert message["To"] == "sofia@example.org"
    body = message.get_payload(decode=True).decode()
    assert "AL0001 Open the budget: completed" in body and "https://monitor.example.org/commitments/AL0001" in body
    assert body.count("AL0001 Open the budget:") == 3
    token = unsubscribe_token(app.server.extensions["ogp_context"].settings, "sofia")
    unsubscribe = f"https://monitor.example.org/unsubscribe?t={token}"
    assert unsubscribe in body and message["List-Unsubscribe"] == f"<{unsubscribe}>"

    # A new event the next day goes out in the next day's digest, alone.
    with session_scope(engine) as session:
        version = session.scalar(select(Commitment.version).where(Commitment.ogp_id == "AL0001"))
    sofia = load_actor(engine, "sofia")
    add_delay_note(
        engine, sofia, ogp_id="AL0001", expected_version=version, note="Ministry reorganised; hearings in June"
    )
    monkeypatch.setenv("OGP_TODAY", (TODAY + dt.timedelta(days=1)).isoformat())
    third = runner.invoke(cli, ["send-digests", "--database-url", db_url])
    assert third.exit_code == 0 and "Sent 1 event(s)" in third.output, third.output
    assert (
        len(handler.messages) == 2 and "Ministry reorganised" in handler.messages[1].get_payload(decode=True).decode()
    )


def test_inb002_the_unsubscribe_link_turns_the_digest_off_without_signing_in(db_url):
    engine = get_engine(db_url)
    create_user(engine, username="vera", password=PASSWORD, role="viewer")
    set_digest(engine, username="vera", frequency="weekly", email="vera@example.org")
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, public_read=False))
    client = app.server.test_client()
    token = unsubscribe_token(app.server.extensions["ogp_context"].settings, "vera")
    asked = client.get(f"/unsubscribe?t={token}")
    assert asked.status_code == 200 and "Stop the e-mail digest for <strong>vera</strong>?" in asked.get_data(
        as_text=True
    )
    with session_scope(engine) as session:
        assert session.scalar(select(User.digest).where(User.username == "vera")) == "weekly"  # a GET changes nothing
    done = client.post("/unsubscribe", data={"t": token})
    assert done.status_code == 200 and "no more e-mail digests" in done.get_data(as_text=True)
    with session_scope(engine) as session:
        assert session.scalar(select(User.digest).where(User.username == "vera")) == "off"
    forged = client.post("/unsubscribe", data={"t": token[:-3] + "abc"})
    assert forged.status_code == 400 and "not valid" in forged.get_data(as_text=True)


def test_inb003_send_digests_without_smtp_says_so_and_marks_nothing(db_url, monkeypatch):
    engine = get_engine(db_url)
    _data(engine)
    create_user(engine, username="sofia", password=PASSWORD, role="support", members=["ALB"])
    set_digest(engine, username="sofia", frequency="daily", email="sofia@example.org")
    follows.follow(engine, "sofia", "member", "ALB", today=TODAY)
    monkeypatch.delenv("SMTP_URL", raising=False)
    monkeypatch.setenv("OGP_TODAY", TODAY.isoformat())
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    runner = CliRunner()
    dry = runner.invoke(cli, ["send-digests", "--dry-run", "--database-url", db_url])
    assert dry.exit_code == 0 and "--- to sofia@example.org (sofia), 1 event(s) ---" in dry.output
    assert "a milestone falls due on 10 Mar 2024" in dry.output and "nothing sent" in dry.output
    refused = runner.invoke(cli, ["send-digests", "--database-url", db_url])
    assert refused.exit_code == 1 and "SMTP_URL is not set" in refused.output
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:9")  # nothing listens there
    unreachable = runner.invoke(cli, ["send-digests", "--database-url", db_url])
    assert (
        unreachable.exit_code == 1 and "no digest sent" in unreachable.output and "Traceback" not in unreachable.output
    )
    again = runner.invoke(cli, ["send-digests", "--dry-run", "--database-url", db_url])
    assert "1 digest(s) due" in again.output  # still pending: nothing was lost


def test_inb004_follows_are_checked_and_scoped(db_url):
    engine = get_engine(db_url)
    _data(engine)
    create_user(engine, username="ines", password=PASSWORD, role="irm")
    with pytest.raises(follows.FollowError, match="There is no commitment 'ZZ9999'."):
        follows.follow(engine, "ines", "commitment", "ZZ9999", today=TODAY)
    with pytest.raises(follows.FollowError, match="not 'budget'"):
        follows.follow(engine, "ines", "budget", "AL0001", today=TODAY)
    follows.follow(engine, "ines", "action_plan", "AP_MEX05", today=TODAY)
    follows.follow(engine, "ines", "member", "ALB", today=TODAY)
    listed = follows.followed(engine, "ines", TODAY)
    assert [(f.kind, f.ref) for f in listed] == [("member", "ALB"), ("action_plan", "AP_MEX05")]
    assert listed[0].reason == "of 2 commitments" and listed[0].link == "/countries/ALB"
    assert listed[1].link == "/countries/MEX" and listed[1].status != "unknown"
    # The plan's scope covers its commitment; the member's covers both of Albania's.
    assert {e.subject for e in inbox.events(engine, "ines")} == {"AL0001"}  # the milestone due soon
    assert follows.unfollow(engine, "ines", "member", "ALB") and not follows.unfollow(engine, "ines", "member", "ALB")
    assert [f.ref for f in follows.followed(engine, "ines", TODAY)] == ["AP_MEX05"]
