"""The inbox and following pages, the Follow buttons, "mark as read" and the digest form, over HTTP as the browser
calls them: signed in and out, forged subjects, and never served to one user from another's cache."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dashboard.factory import create_app
from dashboard.settings import Settings
from data_access import follows, inbox
from data_access.accounts import create_user, digest_of
from data_access.db import get_engine
from data_access.progress_import import import_progress
from tests.builders import build, report
from tests.helpers import TEST_SECRET
from tests.security import PASSWORD, sign_in
from tests.security.test_forged_callbacks import callback_body

TODAY = dt.date(2024, 3, 1)
PLAN = {"submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}
FOLLOW = '{"kind":["MATCH"],"ref":["MATCH"],"type":"follow-button"}.children'


@pytest.fixture
def app(db_url):
    engine = get_engine(db_url)
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
                                "ogp_id": f"AL000{n}",
                                "title": f"Step {n}",
                                "reports": [report(dt.date(2023, 10, 1), "government", "Limited")],
                            }
                            for n in range(1, 4)
                        ],
                    }
                ],
            }
        ],
    )
    for name in ("sofia", "ines"):
        create_user(engine, username=name, password=PASSWORD, role="support", members=["ALB"])
    return create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY.isoformat()))


def post(client, app, output: str, **kwargs):
    response = client.post("/_dash-update-component", json=callback_body(app, output, **kwargs))
    assert response.status_code in (200, 204), response.get_data(as_text=True)
    return response.get_json() if response.status_code == 200 else None


def page_text(client, app, path: str) -> str:
    body = post(client, app, "page-content.children", values={"url.pathname": path, "url.search": ""})
    return json.dumps(body["response"]["page-content"]["children"])


def follow_click(client, app, kind: str, ref: str, clicks: int | None) -> tuple[str, str]:
    subject = {"kind": kind, "ref": ref, "type": "follow-button"}
    body = post(
        client,
        app,
        FOLLOW,
        fill={"kind": kind, "ref": ref},
        values={f"{json.dumps(subject, sort_keys=True, separators=(',', ':'))}.n_clicks": clicks},
    )
    key = json.dumps(subject, sort_keys=True, separators=(",", ":"))
    answer = body["response"][key]
    return json.dumps(answer.get("children")), answer["className"]


def _list_count(node) -> int | None:
    """The data-count of the element #list-count in a rendered page (the count of the list it heads)."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if isinstance(props, dict) and props.get("id") == "list-count":
            return props["data-count"]
        for value in node.values():
            found = _list_count(value)
            if found is not None:
                return found
    if isinstance(node, list):
        for value in node:
            found = _list_count(value)
            if found is not None:
                return found
    return None


def test_inp001_signed_out_readers_are_asked_to_sign_in_and_see_no_follow_button(app):
    client = app.server.test_client()
    assert "Sign in to see your inbox." in page_text(client, app, "/inbox")
    assert "Sign in to see your following." in page_text(client, app, "/following")
    _, css = follow_click(client, app, "commitment", "AL0001", None)
    assert "d-none" in css
    _, css = follow_click(client, app, "commitment", "AL0001", 1)  # a click without a session changes nothing
    assert "d-none" in css


def test_inp002_a_follow_button_shows_toggles_and_keeps_the_state_per_user(app, db_url):
    engine = get_engine(db_url)
    sofia, ines = app.server.test_client(), app.server.test_client()
    sign_in(sofia, "sofia")
    sign_in(ines, "ines")
    label, css = follow_click(sofia, app, "commitment", "AL0002", None)  # drawn: the state, nothing changed
    assert "Follow" in label and "Following" not in label and "d-none" not in css
    assert follows.followed(engine, "sofia", TODAY) == []
    label, css = follow_click(sofia, app, "commitment", "AL0002", 1)
    assert "Following" in label and "btn-primary" in css
    assert [f.ref for f in follows.followed(engine, "sofia", TODAY)] == ["AL0002"]
    assert "Following" not in follow_click(ines, app, "commitment", "AL0002", None)[0]  # ines follows nothing
    label, _ = follow_click(sofia, app, "action_plan", "AP_ALB05", 1)
    assert "Following plan AP_ALB05" in label
    # The Following page lists both, with statuses, and is not served to sofia from the cache after a change.
    listed = page_text(sofia, app, "/following")
    assert "AL0002" in listed and "AP_ALB05" in listed
    follow_click(sofia, app, "commitment", "AL0002", 2)  # a second click stops following
    listed = page_text(sofia, app, "/following")
    assert "AL0002" not in listed and "AP_ALB05" in listed
    assert "You follow nothing yet." in page_text(ines, app, "/following")


@pytest.mark.parametrize(
    ("kind", "ref", "said"),
    [("budget", "AL0001", None), ("commitment", "ZZ9999", "There is no commitment 'ZZ9999'.")],
)
def test_inp003_a_forged_subject_changes_nothing(app, db_url, kind, ref, said):
    client = app.server.test_client()
    sign_in(client, "sofia")
    label, css = follow_click(client, app, kind, ref, 1)
    if said is None:
        assert "d-none" in css
    else:
        assert said in label
    assert follows.followed(get_engine(db_url), "sofia", TODAY) == []


def test_inp004_the_inbox_lists_events_and_marks_them_read_on_a_click_only(app, db_url, tmp_path: Path):
    engine = get_engine(db_url)
    client = app.server.test_client()
    sign_in(client, "sofia")
    follow_click(client, app, "member", "ALB", 1)
    path = tmp_path / "p.csv"
    path.write_text(
        "commitment_id,as_of,source,completion,note,evidence_url\nAL0003,2024-02-28,government,Complete,,\n"
    )
    import_progress(engine, path, today=TODAY)
    text = page_text(client, app, "/inbox")
    assert "AL0003 Step 3: completed" in text and "AL0003 Step 3: new progress report" in text
    assert "2 unread." in text and text.count('"New"') == 2
    newest = max(e.id for e in inbox.events(engine, "sofia"))
    drawn = post(
        client, app, "inbox-list.children", values={"inbox-mark-read.n_clicks": None, "inbox-last.data": newest}
    )
    assert drawn is None or "inbox-list" not in drawn.get("response", {})  # drawing the page marks nothing
    assert inbox.unread_count(engine, "sofia") == 2
    clicked = post(
        client, app, "inbox-list.children", values={"inbox-mark-read.n_clicks": 1, "inbox-last.data": newest}
    )
    assert clicked["response"]["inbox-count"]["children"] is None  # the navbar's count is gone
    assert inbox.unread_count(engine, "sofia") == 0 and len(inbox.events(engine, "sofia")) == 2
    assert "Nothing unread." in page_text(client, app, "/inbox")
    assert "1 unread" not in page_text(client, app, "/inbox")


def test_inp005_the_digest_form_checks_the_address_and_saves(app, db_url):
    engine = get_engine(db_url)
    client = app.server.test_client()
    sign_in(client, "sofia")

    def save(email, frequency):
        values = {"digest-save.n_clicks": 1, "digest-email.value": email, "digest-frequency.value": frequency}
        return json.dumps(post(client, app, "digest-message.children", values=values)["response"])

    assert "not an e-mail address" in save("sofia at example", "daily")
    assert "has no e-mail address" in save("", "weekly")
    assert digest_of(engine, "sofia") == (None, "off")
    assert "A weekly digest goes to sofia@example.org." in save("sofia@example.org", "weekly")
    assert digest_of(engine, "sofia") == ("sofia@example.org", "weekly")
    assert "not '" in save("sofia@example.org", "hourly")
    assert digest_of(engine, "sofia") == ("sofia@example.org", "weekly")


def test_inp006_a_members_counts_behind_link_to_the_lists_they_count(app, db_url):
    engine = get_engine(db_url)
    client = app.server.test_client()
    sign_in(client, "sofia")
    follow_click(client, app, "member", "ALB", 1)
    (member,) = follows.followed(engine, "sofia", TODAY)
    assert member.behind, "the three commitments have a late report: some are behind"
    listed = page_text(client, app, "/following")
    for status, count in member.behind:
        href = f"/commitments?member=ALB&delay_status={status.replace(' ', '+')}"
        assert f'"{count} {status}"' in listed and href in listed
        body = post(
            client,
            app,
            "page-content.children",
            values={"url.pathname": "/commitments", "url.search": href.split("?", 1)[1]},
        )
        assert _list_count(body) == count
