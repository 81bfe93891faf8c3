"""Forged write requests: every write callback of the commitment page, posted by hand to /_dash-update-component
by each kind of actor, does exactly what dashboard/domain/roles.py allows and nothing else.

The table below is written by hand from the rules (not computed from roles.py): support staff record government,
civil-society and Support Unit reports and delay notes for their assigned members only; IRM researchers and admins
record everything (IRM sources and ratings included) for every member; viewers and anonymous readers record nothing.
A written cell adds exactly one row (or changes exactly one rating), one audit entry, one commitment version and
one data version; a refused cell changes nothing at all and answers 200 with a refusal message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.domain.recordable import MAX_NOTE, RECORDABLE_RATINGS
from dashboard.domain.rules import latest_completion
from dashboard.factory import create_app
from dashboard.settings import Settings
from data_access.accounts import create_user, load_actor
from data_access.db import get_engine, read_meta
from data_access.models import AuditEntry, Commitment, DelayNote, ProgressReport
from data_access.recording import add_delay_note
from tests.helpers import TEST_SECRET
from tests.security import PASSWORD, sign_in, two_members
from tests.security.test_forged_callbacks import callback_body

UPDATE = "/_dash-update-component"
TODAY = "2024-03-01"
NOT_SAVED = "Nothing was saved."
# One output that names each write callback in app.callback_map (its keys carry every output).
CALLBACK_OUTPUT = {
    "progress": "record-progress-as-of.invalid",
    "delay_note": "record-delay-note.invalid",
    "rating": "record-rating-indicator.invalid",
}
SAVE_BUTTON = {
    "progress": "record-progress-save",
    "delay_note": "record-delay-note-save",
    "rating": "record-rating-save",
}
SAVED_MESSAGE = {"progress": "Progress report saved:", "delay_note": "Delay note saved.", "rating": "Rating saved:"}
USERS = {  # actor name -> (username, role, assigned members)
    "viewer": ("vera", "viewer", ()),
    "support": ("sofia", "support", ("ALB",)),
    "irm": ("ines", "irm", ()),
    "admin": ("adam", "admin", ()),
}
RATING = ("potential_for_results", "Substantial")  # the rating every rating cell forges
WRITTEN = "written"


@dataclass
class World:
    """The app on two members, one signed-in test client per role and an anonymous one."""

    app: Dash
    engine: Engine
    clients: dict[str, FlaskClient]


def make_world(db_url: str, **settings: Any) -> World:
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY, **settings))
    engine = get_engine(db_url)
    two_members(engine)
    clients = {"anonymous": app.server.test_client()}
    for actor, (username, role, members) in USERS.items():
        create_user(engine, username=username, password=PASSWORD, role=role, members=members)
        client = app.server.test_client()
        assert sign_in(client, username).status_code == 302, actor
        clients[actor] = client
    return World(app, engine, clients)


@pytest.fixture
def world(db_url: str) -> World:
    return make_world(db_url)


def version_of(engine: Engine, ogp_id: str) -> int:
    with Session(engine) as session:
        return session.scalar(select(Commitment.version).where(Commitment.ogp_id == ogp_id))


def snapshot(engine: Engine) -> dict[str, Any]:
    """Everything a write could touch: row counts, each commitment's version and ratings, the data version."""
    with Session(engine) as session:
        commitments = session.scalars(select(Commitment).order_by(Commitment.ogp_id)).all()
        return {
            "progress_report": session.scalar(select(func.count(ProgressReport.id))),
            "delay_note": session.scalar(select(func.count(DelayNote.id))),
            "audit_entry": session.scalar(select(func.count(AuditEntry.id))),
            "versions": {c.ogp_id: c.version for c in commitments},
            "ratings": {
                c.ogp_id: {attr: getattr(c, attr) for attr in (*RECORDABLE_RATINGS, "completion")} for c in commitments
            },
            "data_version": read_meta(engine).get("data_version"),
        }


def progress_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "as_of": "2024-02-15",
        "source": "government",
        "completion": "Substantial",
        "result": "none",
        "note": "Forged by hand, valid in every field",
        "evidence": "https://example.org/report",
    }
    return {**fields, **overrides}


def write_body(
    world: World,
    action: str,
    pathname: Any,
    version: Any,
    *,
    fields: dict[str, Any] | None = None,
    clicks: Any = 1,
) -> dict[str, Any]:
    """The body a browser would post when the action's Save button is clicked on `pathname`."""
    values: dict[str, Any] = {
        f"{SAVE_BUTTON[action]}.n_clicks": clicks,
        "url.pathname": pathname,
        "url.search": "",
        "record-version.data": version,
    }
    if action == "progress":
        for name, value in (fields or progress_fields()).items():
            values[f"record-progress-{name.replace('_', '-')}.value"] = value
    elif action == "delay_note":
        values["record-delay-note.value"] = (fields or {}).get("note", "Forged: the law is stuck in parliament")
    else:
        indicator, value = (fields or {}).get("indicator", RATING[0]), (fields or {}).get("value", RATING[1])
        values["record-rating-indicator.value"] = indicator
        values["record-rating-value.value"] = value
    return callback_body(world.app, CALLBACK_OUTPUT[action], values=values)


def post(client: FlaskClient, body: dict[str, Any]):
    response = client.post(UPDATE, json=body)
    assert b"Traceback" not in response.data and b"Internal Server Error" not in response.data
    return response


def strings(node: Any) -> list[str]:
    """The text of a JSON-decoded component tree: every string child, not prop values like classNames."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    if isinstance(node, dict) and isinstance(node.get("props"), dict):
        return strings(node["props"].get("children"))
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    return []


def alert_of(response) -> tuple[str, str]:
    """(className, text) of the Record alert a refused save sends back."""
    assert response.status_code == 200, response.data[:500]
    alert = response.get_json()["response"]["record-alert"]["children"]
    return alert["props"]["className"], " ".join(strings(alert))


def assert_refused(response, before: dict[str, Any], engine: Engine, *fragments: str, kind: str = "record-refused"):
    """Nothing changed in the database, the version store was left alone and the alert says why."""
    assert snapshot(engine) == before
    assert "record-version" not in response.get_json()["response"]
    css, text = alert_of(response)
    assert css == kind, text
    for fragment in fragments:
        assert fragment in text, text
    if kind == "record-refused":
        assert text.endswith(NOT_SAVED), text


# (action, actor, page, progress source, expected): "written", or the refusal message the response must carry.
MATRIX = [
    # Progress reports, a source every recording role may use.
    ("progress", "anonymous", "AL0001", "government", "Sign in as support or IRM staff to record progress."),
    ("progress", "viewer", "AL0001", "government", "Your account (vera (viewer)) may not record progress for Albania."),
    ("progress", "support", "AL0001", "government", WRITTEN),
    (
        "progress",
        "support",
        "AM0001",
        "government",
        "Your account (sofia (support)) may not record progress for Armenia.",
    ),
    ("progress", "irm", "AM0001", "government", WRITTEN),
    ("progress", "admin", "AL0001", "government", WRITTEN),
    # The other sources of support staff, on their own member.
    ("progress", "support", "AL0001", "civil_society", WRITTEN),
    ("progress", "support", "AL0001", "support_unit", WRITTEN),
    # IRM sources: a support user forging one is refused; IRM and admins record them anywhere.
    (
        "progress",
        "support",
        "AL0001",
        "irm_results",
        "sofia (support) may not record progress reports from this source.",
    ),
    (
        "progress",
        "support",
        "AL0001",
        "irm_midterm",
        "sofia (support) may not record progress reports from this source.",
    ),
    (
        "progress",
        "support",
        "AL0001",
        "irm_end_of_term",
        "sofia (support) may not record progress reports from this source.",
    ),
    (
        "progress",
        "viewer",
        "AL0001",
        "irm_results",
        "Your account (vera (viewer)) may not record progress for Albania.",
    ),
    ("progress", "anonymous", "AM0001", "irm_results", "Sign in as support or IRM staff to record progress."),
    ("progress", "irm", "AL0001", "irm_results", WRITTEN),
    ("progress", "irm", "AM0001", "irm_midterm", WRITTEN),
    ("progress", "admin", "AM0001", "irm_end_of_term", WRITTEN),
    # Delay notes.
    ("delay_note", "anonymous", "AL0001", None, "Sign in as support or IRM staff to add delay notes."),
    ("delay_note", "viewer", "AL0001", None, "Your account (vera (viewer)) may not add delay notes for Albania."),
    ("delay_note", "support", "AL0001", None, WRITTEN),
    ("delay_note", "support", "AM0001", None, "Your account (sofia (support)) may not add delay notes for Armenia."),
    ("delay_note", "irm", "AM0001", None, WRITTEN),
    ("delay_note", "admin", "AL0001", None, WRITTEN),
    # IRM ratings.
    ("rating", "anonymous", "AL0001", None, "Sign in as support or IRM staff to record IRM ratings."),
    ("rating", "viewer", "AL0001", None, "Your account (vera (viewer)) may not record IRM ratings for Albania."),
    ("rating", "support", "AL0001", None, "Your account (sofia (support)) may not record IRM ratings for Albania."),
    ("rating", "support", "AM0001", None, "Your account (sofia (support)) may not record IRM ratings for Armenia."),
    ("rating", "irm", "AM0001", None, WRITTEN),
    ("rating", "admin", "AL0001", None, WRITTEN),
]


def _cell_id(cell: tuple) -> str:
    action, actor, page, source, expected = cell
    return (
        f"{action}-{actor}-{page}"
        + (f"-{source}" if source else "")
        + ("-written" if expected == WRITTEN else "-refused")
    )


@pytest.mark.parametrize(("action", "actor", "page", "source", "expected"), MATRIX, ids=[_cell_id(c) for c in MATRIX])
def test_fgw001_role_action_matrix_through_http(world, action, actor, page, source, expected):
    engine = world.engine
    version = version_of(engine, page)
    fields = progress_fields(source=source) if action == "progress" else None
    before = snapshot(engine)
    response = post(world.clients[actor], write_body(world, action, f"/commitments/{page}", version, fields=fields))
    assert response.status_code == 200, response.data[:500]

    if expected != WRITTEN:
        assert_refused(response, before, engine, expected)
        return

    after = snapshot(engine)
    payload = response.get_json()["response"]
    assert payload["record-version"]["data"] == version + 1
    assert SAVED_MESSAGE[action] in " ".join(strings(payload["commitment-record-section"]))
    assert after["versions"] == {**before["versions"], page: version + 1}
    assert int(after["data_version"]) == int(before["data_version"]) + 1
    assert after["audit_entry"] == before["audit_entry"] + 1
    username = USERS[actor][0]
    with Session(engine) as session:
        audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert (audit.username, audit.entity, audit.entity_id, audit.version) == (
            username,
            "commitment",
            page,
            version + 1,
        )
        if action == "progress":
            assert after["progress_report"] == before["progress_report"] + 1
            assert after["delay_note"] == before["delay_note"] and after["ratings"] == before["ratings"]
            report = session.scalars(select(ProgressReport).order_by(ProgressReport.id.desc()).limit(1)).one()
            assert (report.commitment.ogp_id, report.source, report.completion, report.recorded_by) == (
                page,
                source,
                "Substantial",
                username,
            )
            assert audit.action == "add-progress-report"
        elif action == "delay_note":
            assert after["delay_note"] == before["delay_note"] + 1
            assert after["progress_report"] == before["progress_report"] and after["ratings"] == before["ratings"]
            note = session.scalars(select(DelayNote).order_by(DelayNote.id.desc()).limit(1)).one()
            assert (note.commitment_id, note.recorded_by) == (
                session.scalar(select(Commitment.id).where(Commitment.ogp_id == page)),
                username,
            )
            assert audit.action == "add-delay-note"
        else:
            assert after["progress_report"] == before["progress_report"] and after["delay_note"] == before["delay_note"]
            indicator, value = RATING
            changed = {**before["ratings"][page], indicator: value}
            # `completion` is derived from the IRM completion ratings and re-derived by every rating save (the
            # builder leaves it empty, so AL0001's mid-term "Substantial" shows up in it now).
            changed["completion"] = latest_completion(changed["completion_midterm"], changed["completion_end_of_term"])
            expected_ratings = {**before["ratings"], page: changed}
            assert after["ratings"] == expected_ratings
            assert (audit.action, audit.field, audit.new_value) == ("set-rating", indicator, value)


@pytest.mark.parametrize("action", list(CALLBACK_OUTPUT))
def test_fgw002_anonymous_writes_to_a_private_dashboard_stop_at_the_gate(db_url, action):
    world = make_world(db_url, public_read=False)
    before = snapshot(world.engine)
    body = write_body(world, action, "/commitments/AL0001", version_of(world.engine, "AL0001"))
    response = post(world.clients["anonymous"], body)
    assert response.status_code == 401
    assert snapshot(world.engine) == before


FORGED_PATHS = [
    "/commitments/AL0001/../AM0001",
    "/commitments/AM0001/../AL0001",
    "/commitments/AL0001%2F..%2FAM0001",
    "/commitments/<script>",
    "/commitments/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/commitments/AL0001?member=AM0001",
    "/commitments/AL0001#AM0001",
    "/commitments/AL0001/AM0001",
    "/commitments//AL0001",
    "/commitments/",
    "/commitments",
    "/countries/ALB",
    "/commitments/AL0001'; DROP TABLE progress_report--",
    "/commitments/" + "A" * 41,
    "",
    None,
]


@pytest.mark.parametrize("pathname", FORGED_PATHS, ids=repr)
@pytest.mark.parametrize("action", list(CALLBACK_OUTPUT))
def test_fgw003_forged_pathname_is_refused_and_writes_nothing(world, action, pathname):
    """Even IRM (who may write to every commitment) gets nothing written through a path that is not one commitment."""
    version = version_of(world.engine, "AL0001")
    before = snapshot(world.engine)
    for actor, source in (("irm", "irm_results"), ("support", "government")):
        fields = progress_fields(source=source) if action == "progress" else None
        response = post(world.clients[actor], write_body(world, action, pathname, version, fields=fields))
        assert_refused(response, before, world.engine, "This page does not show a known commitment.")


@pytest.mark.parametrize("pathname", [12, ["/commitments/AL0001"], {"path": "/commitments/AL0001"}], ids=repr)
def test_fgw004_non_text_pathname_is_refused_without_an_error(world, pathname):
    before = snapshot(world.engine)
    body = write_body(world, "delay_note", pathname, version_of(world.engine, "AL0001"))
    response = post(world.clients["irm"], body)
    assert_refused(response, before, world.engine, "This page does not show a known commitment.")


@pytest.mark.parametrize("search", [12, ["?member=ALB"], {"member": "ALB"}], ids=repr)
def test_fgw004b_non_text_query_never_commits_a_write_and_then_fails(world, search):
    """The query only scopes the re-rendered page: a forged one is ignored, so the saved write is reported as saved
    (it used to commit and then answer 400 "could not be processed" while re-rendering)."""
    before = snapshot(world.engine)
    body = write_body(world, "delay_note", "/commitments/AL0001", before["versions"]["AL0001"])
    body["state"][1]["value"] = search
    response = post(world.clients["support"], body)
    assert response.status_code == 200, response.data[:300]
    assert response.get_json()["response"]["record-version"]["data"] == before["versions"]["AL0001"] + 1
    assert snapshot(world.engine)["delay_note"] == before["delay_note"] + 1


@pytest.mark.parametrize(
    ("pathname", "message"),
    [
        ("/commitments/am0001", "may not add delay notes for Armenia."),  # ids match in any case
        ("/commitments/AM0001/", "may not add delay notes for Armenia."),  # a trailing slash is the same page
        ("/commitments/%41M0001", "may not add delay notes for Armenia."),  # percent-encoded
    ],
)
def test_fgw005_other_spellings_of_another_members_page_are_still_that_member(world, pathname, message):
    before = snapshot(world.engine)
    response = post(
        world.clients["support"], write_body(world, "delay_note", pathname, version_of(world.engine, "AM0001"))
    )
    assert_refused(response, before, world.engine, message)


def test_fgw006_stale_version_gets_a_conflict_and_writes_nothing(world):
    engine = world.engine
    stale = version_of(engine, "AL0001")
    add_delay_note(engine, load_actor(engine, "ines"), ogp_id="AL0001", expected_version=stale, note="Law delayed")
    before = snapshot(engine)
    assert before["versions"]["AL0001"] == stale + 1
    for action in CALLBACK_OUTPUT:
        actor = "support" if action != "rating" else "irm"
        response = post(world.clients[actor], write_body(world, action, "/commitments/AL0001", stale))
        assert_refused(
            response, before, engine, "changed after you opened it", "ines", "Law delayed", kind="record-conflict"
        )
    # A version from the future is just as stale.
    response = post(world.clients["support"], write_body(world, "delay_note", "/commitments/AL0001", stale + 50))
    assert_refused(response, before, engine, "changed after you opened it", kind="record-conflict")


@pytest.mark.parametrize("version", [None, 0, -1, "2", 2.5, True, [1], {"version": 1}], ids=repr)
def test_fgw007_malformed_version_is_refused(world, version):
    before = snapshot(world.engine)
    response = post(world.clients["admin"], write_body(world, "delay_note", "/commitments/AL0001", version))
    assert_refused(response, before, world.engine, "lost track of the commitment's version")


@pytest.mark.parametrize(
    ("action", "fields", "field_id", "message"),
    [
        (
            "progress",
            progress_fields(note="x" * (MAX_NOTE + 1)),
            "record-progress-note",
            f"The note has {MAX_NOTE + 1:,} characters; the limit is {MAX_NOTE:,}.",
        ),
        ("delay_note", {"note": "y" * 50_000}, "record-delay-note", "The note has 50,000 characters"),
        ("delay_note", {"note": "   "}, "record-delay-note", "Write the note first."),
        (
            "progress",
            progress_fields(evidence="javascript:alert(document.cookie)"),
            "record-progress-evidence",
            "must start with http:// or https://",
        ),
        (
            "progress",
            progress_fields(evidence=" JavaScript:alert(1)//https://example.org"),
            "record-progress-evidence",
            "must start with http:// or https://",
        ),
        (
            "progress",
            progress_fields(evidence="data:text/html,<script>alert(1)</script>"),
            "record-progress-evidence",
            "must start with http:// or https://",
        ),
        ("progress", progress_fields(as_of="2031-01-01"), "record-progress-as-of", "cannot be in the future"),
        ("progress", progress_fields(source="root"), "record-progress-source", "Choose who the report comes from."),
        ("progress", progress_fields(completion="Done!"), "record-progress-completion", "Choose a completion level"),
        ("rating", {"indicator": "potential_for_results", "value": "Transformative"}, "record-rating-value", "scale"),
        ("rating", {"indicator": "starred", "value": "Yes"}, "record-rating-indicator", "Choose a rating to record."),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_fgw008_invalid_fields_get_a_validation_message_and_write_nothing(world, action, fields, field_id, message):
    before = snapshot(world.engine)
    actor = "irm"  # may write everything: only the values stand in the way
    body = write_body(world, action, "/commitments/AL0001", version_of(world.engine, "AL0001"), fields=fields)
    response = post(world.clients[actor], body)
    assert_refused(response, before, world.engine, "correct the fields marked below", kind="record-invalid")
    payload = response.get_json()["response"]
    assert payload[field_id]["invalid"] is True
    assert message in payload[f"{field_id}-feedback"]["children"]


def test_fgw009_a_note_of_exactly_the_limit_is_written(world):
    before = snapshot(world.engine)
    body = write_body(world, "delay_note", "/commitments/AL0001", version_of(world.engine, "AL0001"))
    body["state"][-1]["value"] = "z" * MAX_NOTE
    response = post(world.clients["support"], body)
    assert response.get_json()["response"]["record-version"]["data"] == before["versions"]["AL0001"] + 1
    assert snapshot(world.engine)["delay_note"] == before["delay_note"] + 1


def test_fgw010_no_click_or_a_forged_role_field_writes_nothing(world):
    """A body without a click is ignored; extra fields (a role, another user) are never read."""
    before = snapshot(world.engine)
    body = write_body(world, "delay_note", "/commitments/AM0001", version_of(world.engine, "AM0001"), clicks=None)
    response = post(world.clients["support"], body)
    assert response.status_code in (200, 204)
    assert snapshot(world.engine) == before

    body = write_body(world, "delay_note", "/commitments/AM0001", version_of(world.engine, "AM0001"))
    body["state"].append({"id": "account", "property": "role", "value": "admin"})
    body["role"], body["username"] = "admin", "adam"
    response = post(world.clients["support"], body)
    assert response.status_code in (200, 400)
    assert snapshot(world.engine) == before
    if response.status_code == 200:
        assert "may not add delay notes for Armenia" in json.dumps(response.get_json())
