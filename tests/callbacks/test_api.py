"""The read-only JSON API (/api/v1/): the dashboard's filters, pages, ETags, CSV, errors in words, the same reading
rule as the pages, and an OpenAPI document that validates and describes every answer; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from sqlalchemy import select

from callbacks.api import OPENAPI
from dashboard.factory import create_app
from dashboard.settings import Settings
from dashboard.web.limits import API_REQUESTS
from data_access.accounts import create_user, deactivate_user
from data_access.db import get_engine, session_scope
from data_access.models import UserSession
from data_access.sessions import create_token, revoke_token, start_session
from tests.builders import build, report
from tests.helpers import TEST_SECRET
from tests.security import PASSWORD

TODAY = "2024-03-01"
REDIS_URL = os.environ.get("TEST_REDIS_URL")
TWO_YEAR = {"submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}


def _members() -> list[dict]:
    def plan(ogp_id: str, commitments: list[dict]) -> dict:
        return {"ogp_id": ogp_id, **TWO_YEAR, "commitments": commitments}

    return [
        {
            "code": "ALB",
            "name": "Albania",
            "region": "Europe",
            "plans": [
                plan(
                    "AP_ALB05",
                    [
                        {
                            "ogp_id": f"AL{n:04d}",
                            "title": f"Budget transparency step {n}",
                            "reports": [report(dt.date(2023, 6, 1), "government", "Limited")],
                        }
                        for n in range(1, 8)
                    ],
                )
            ],
        },
        {
            "code": "MEX",
            "name": "Mexico",
            "region": "Americas",
            "plans": [
                plan(
                    "AP_MEX05",
                    [
                        {
                            "ogp_id": "MX0001",
                            "title": "Educación abierta",
                            "reports": [
                                report(dt.date(2023, 1, 10), "government", "Limited"),
                                report(dt.date(2023, 9, 1), "civil_society", "Not Started", note="Nothing yet"),
                                report(dt.date(2023, 10, 5), "government", "Substantial"),
                            ],
                        }
                    ],
                )
            ],
        },
        {"code": "KEN", "name": "Kenya", "region": "Africa and the Middle East", "plans": []},
    ]


@pytest.fixture
def api(db_url):
    build(get_engine(db_url), _members())
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY))
    return app.server.test_client()


def _check(path: str, method: str, status: int, body: dict) -> None:
    """The answer conforms to the OpenAPI document's schema for that path, method and status."""
    content = OPENAPI["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    OAS31Validator({**content, "components": OPENAPI["components"]}).validate(body)


def test_api001_the_openapi_document_validates_and_names_every_route(api):
    served = api.get("/api/v1/openapi.json")
    assert served.status_code == 200
    validate(served.get_json())
    assert set(served.get_json()["paths"]) == {
        "/api/v1/members",
        "/api/v1/action-plans",
        "/api/v1/progress-reports",
        "/api/v1/changes",
        "/api/v1/commitments",
        "/api/v1/commitments/{ogp_id}",
    }


def test_api002_commitments_take_the_dashboards_filters_and_search_and_page(api):
    first = api.get("/api/v1/commitments?member=ALB&per_page=3")
    assert first.status_code == 200
    body = first.get_json()
    _check("/api/v1/commitments", "get", 200, body)
    assert [c["ogp_id"] for c in body["data"]] == ["AL0001", "AL0002", "AL0003"]
    assert body["meta"] | {"next": None} == {
        "page": 1,
        "per_page": 3,
        "total": 7,
        "pages": 3,
        "next": None,
        "previous": None,
        "status_day": TODAY,
    }
    seen = [c["ogp_id"] for c in body["data"]]
    link = body["meta"]["next"]
    while link:  # following `next` walks every row once
        page = api.get(link).get_json()
        seen += [c["ogp_id"] for c in page["data"]]
        link = page["meta"]["next"]
    assert seen == [f"AL{n:04d}" for n in range(1, 8)]
    assert [c["ogp_id"] for c in api.get("/api/v1/commitments?region=Americas").get_json()["data"]] == ["MX0001"]
    searched = api.get("/api/v1/commitments?q=EDUCACION").get_json()
    assert [c["ogp_id"] for c in searched["data"]] == ["MX0001"] and searched["meta"]["total"] == 1


def test_api003_a_commitment_has_its_status_and_the_latest_report_of_each_source(api):
    answer = api.get("/api/v1/commitments/mx0001")
    assert answer.status_code == 200
    body = answer.get_json()
    _check("/api/v1/commitments/{ogp_id}", "get", 200, body)
    data = body["data"]
    assert data["ogp_id"] == "MX0001" and data["member_code"] == "MEX"
    assert [(r["as_of"], r["source"]) for r in data["progress_reports"]] == [
        ("2023-01-10", "government"),
        ("2023-09-01", "civil_society"),
        ("2023-10-05", "government"),
    ]
    assert data["latest_progress_by_source"]["government"]["completion"] == "Substantial"
    assert data["latest_progress_by_source"]["civil_society"]["note"] == "Nothing yet"
    listed = api.get("/api/v1/commitments?member=MEX").get_json()["data"][0]
    assert data["delay_status"] == listed["delay_status"] is not None  # one status, wherever it is read
    missing = api.get("/api/v1/commitments/ZZ9999")
    assert missing.status_code == 404 and "ZZ9999" in missing.get_json()["error"]


def test_api004_members_and_csv(api):
    body = api.get("/api/v1/members?region=Europe&region=Americas").get_json()
    _check("/api/v1/members", "get", 200, body)
    assert [m["code"] for m in body["data"]] == ["ALB", "MEX"]
    as_csv = api.get("/api/v1/members?region=Europe", headers={"Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert [(r["code"], r["name"]) for r in rows] == [("ALB", "Albania")]
    commitments = api.get("/api/v1/commitments?member=ALB&per_page=2", headers={"Accept": "text/csv"})
    assert [r["ogp_id"] for r in csv.DictReader(io.StringIO(commitments.data.decode("utf-8-sig")))] == [
        "AL0001",
        "AL0002",
    ]


def test_api005_an_etag_answers_304_until_the_data_changes(api, db_url):
    first = api.get("/api/v1/commitments?member=MEX")
    tag = first.headers["ETag"]
    again = api.get("/api/v1/commitments?member=MEX", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert api.get("/api/v1/commitments?member=MEX", headers={"If-None-Match": '"other"'}).status_code == 200
    # Another format or another query is another answer.
    assert api.get("/api/v1/commitments?member=MEX", headers={"Accept": "text/csv"}).headers["ETag"] != tag
    assert api.get("/api/v1/commitments?member=ALB").headers["ETag"] != tag
    # Any write bumps the data stamp: the next request gets the new answer and a new ETag.
    build(get_engine(db_url), [{"code": "FRA", "name": "France", "region": "Europe", "plans": []}])
    changed = api.get("/api/v1/commitments?member=MEX", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert api.get("/api/v1/members?region=Europe").get_json()["meta"]["total"] == 2


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("?region=Atlantis&page=0", ["'page' must be a whole number", "Unknown region 'Atlantis'"]),
        ("?per_page=101", ["'per_page' must be a whole number from 1 to 100"]),
        ("?member=ZZZ", ["Unknown member 'ZZZ'"]),
        ("?sort=title", ["Unknown parameter 'sort'"]),
        ("?colour=red", ["Unknown filter 'colour'"]),
        ("?q=%3F%3F", ["no letters or digits"]),
    ],
)
def test_api006_bad_parameters_get_400_naming_each_problem(api, query, said):
    answer = api.get("/api/v1/commitments" + query)
    assert answer.status_code == 400
    body = answer.get_json()
    _check("/api/v1/commitments", "get", 400, body)
    for words in said:
        assert any(words in problem for problem in body["problems"]), body["problems"]
    assert len(body["problems"]) == len(said)


def test_api007_members_refuse_filters_that_do_not_apply_to_members(api):
    answer = api.get("/api/v1/members?cycle=2022&q=budget")
    assert answer.status_code == 400
    assert sorted(answer.get_json()["problems"]) == [
        "'cycle' does not apply to members (use member, region or member_type).",
        "Unknown parameter 'q'.",
    ]


def test_api008_private_mode_asks_for_sign_in_in_json(db_url):
    build(get_engine(db_url), _members())
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY, public_read=False))
    client = app.server.test_client()
    for path in ("/api/v1/commitments", "/api/v1/members", "/api/v1/commitments/MX0001"):
        answer = client.get(path)
        assert answer.status_code == 401
        assert answer.get_json()["error"] == (
            "Sign in, or send an API token as 'Authorization: Bearer <token>', to read the API."
        )


def test_api009_action_plans_with_their_stored_status_and_plan_level_filters(api):
    answer = api.get("/api/v1/action-plans")
    assert answer.status_code == 200
    body = answer.get_json()
    _check("/api/v1/action-plans", "get", 200, body)
    plans = {p["action_plan"]: p for p in body["data"]}
    assert set(plans) == {"AP_ALB05", "AP_MEX05"}  # Kenya has no plan
    assert (plans["AP_ALB05"]["commitments"], plans["AP_MEX05"]["commitments"]) == (7, 1)
    assert plans["AP_ALB05"]["start_date"] == "2022-09-01" and plans["AP_ALB05"]["end_date"] == "2024-08-31"
    assert all(p["submission_status"] and p["phase"] for p in plans.values())  # stored statuses, not blanks
    europe = api.get("/api/v1/action-plans?region=Europe&cycle=2022").get_json()["data"]
    assert [p["action_plan"] for p in europe] == ["AP_ALB05"]
    replay = api.get("/api/v1/action-plans?as_of=2023-01-01").get_json()
    assert replay["meta"]["status_day"] == "2023-01-01"
    refused = api.get("/api/v1/action-plans?policy_area=open-data&starred=yes")
    assert refused.status_code == 400
    assert sorted(refused.get_json()["problems"]) == [
        "'policy_area' does not apply to action plans (use member, region, member_type, cycle or as_of).",
        "'starred' does not apply to action plans (use member, region, member_type, cycle or as_of).",
    ]


def test_api010_progress_reports_newest_first_within_dates_and_source(api):
    everything = api.get("/api/v1/progress-reports?per_page=100").get_json()
    _check("/api/v1/progress-reports", "get", 200, everything)
    assert everything["meta"]["total"] == 10  # one report on each of the 7 Albanian commitments, 3 on MX0001
    mexico = api.get("/api/v1/progress-reports?member=MEX").get_json()["data"]
    assert [(r["ogp_id"], r["as_of"], r["source"]) for r in mexico] == [
        ("MX0001", "2023-10-05", "government"),
        ("MX0001", "2023-09-01", "civil_society"),
        ("MX0001", "2023-01-10", "government"),
    ]
    since = api.get("/api/v1/progress-reports?since=2023-06-01&until=2023-09-30").get_json()
    assert since["meta"]["total"] == 8 and {r["as_of"] for r in since["data"]} == {"2023-06-01", "2023-09-01"}
    cso = api.get("/api/v1/progress-reports?source=civil_society").get_json()["data"]
    assert [(r["ogp_id"], r["note"]) for r in cso] == [("MX0001", "Nothing yet")]
    refused = api.get("/api/v1/progress-reports?since=yesterday&source=press&region=Atlantis")
    assert refused.status_code == 400
    problems = refused.get_json()["problems"]
    assert any("'since' must be a date" in p for p in problems) and any("Unknown source 'press'" in p for p in problems)
    assert any("Unknown region 'Atlantis'" in p for p in problems) and len(problems) == 3


def test_api011_changes_between_two_days_are_the_pages_lines(db_url):
    """On the hand-built history of tests/builders.build_change_history, whose every change is known."""
    from tests.builders import SINCE, UNTIL, build_change_history

    build_change_history(get_engine(db_url))
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today="2026-07-15"))
    client = app.server.test_client()
    answer = client.get(f"/api/v1/changes?since={SINCE}&until={UNTIL}")
    assert answer.status_code == 200
    body = answer.get_json()
    _check("/api/v1/changes", "get", 200, body)
    assert [(c["ogp_id"], c["change"]) for c in body["data"]["commitments"]] == [
        ("AA0001", "newly delayed"),
        ("BB0002", "newly delayed"),
        ("AA0005", "recovered"),
        ("AA0002", "completed"),
        ("AA0003", "completed"),
    ]
    assert [(p["action_plan"], p["change"], p["before"]) for p in body["data"]["plans"]] == [
        ("AP_BBB02", "submitted", "due")
    ]
    assert body["meta"]["since"] == SINCE.isoformat() and body["meta"]["counts"]["newly delayed"] == 2
    only_a = client.get(f"/api/v1/changes?since={SINCE}&until={UNTIL}&member=AAA").get_json()["data"]
    assert {c["ogp_id"][:2] for c in only_a["commitments"]} == {"AA"}
    refused = client.get(f"/api/v1/changes?since={UNTIL}&until={SINCE}&page=2&region=Atlantis")
    assert refused.status_code == 400
    problems = refused.get_json()["problems"]
    assert len(problems) == 3 and any("must be before 'until'" in p for p in problems)
    assert client.get("/api/v1/changes?until=2030-01-01").status_code == 400  # the future


def _private_api_with_token(db_url: str, **settings) -> tuple[Any, str]:
    """A private-mode app with a viewer 'bot' and an API token of theirs."""
    engine = get_engine(db_url)
    build(engine, _members())
    create_user(engine, username="bot", password=PASSWORD, role="viewer")
    token, _ = create_token(engine, "bot", label="sync", days=30, by="test")
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY, public_read=False, **settings))
    app.server.extensions["ogp_context"].limiter.reset()  # counters of earlier tests on this database (Redis)
    return app, token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api017_a_token_reads_the_private_api_until_it_is_revoked_expired_or_its_user_deactivated(db_url):
    app, token = _private_api_with_token(db_url)
    engine = get_engine(db_url)
    client = app.server.test_client()
    assert client.get("/api/v1/members").status_code == 401
    answer = client.get("/api/v1/members", headers=_bearer(token))
    assert answer.status_code == 200
    assert {m["code"] for m in answer.get_json()["data"]} == {"ALB", "MEX", "KEN"}
    assert "Set-Cookie" not in answer.headers  # a token opens no browser session
    assert client.get("/api/v1/commitments/MX0001", headers={"Authorization": f"bearer  {token} "}).status_code == 200
    # A token opens the read-only API and nothing else: pages and callbacks still ask for a sign-in.
    assert client.get("/", headers=_bearer(token)).status_code == 302
    assert client.post("/_dash-update-component", headers=_bearer(token), json={}).status_code == 401

    def refused(why: str) -> None:
        answer = client.get("/api/v1/members", headers=_bearer(token))
        assert answer.status_code == 401, why
        assert "token is not valid" in answer.get_json()["error"], why

    with session_scope(engine) as session:  # the token's row, as create-token stored it
        row = session.scalar(select(UserSession).where(UserSession.kind == "api"))
        row.expires_at = dt.datetime(2020, 1, 1)
    refused("expired")
    with session_scope(engine) as session:
        session.scalar(select(UserSession).where(UserSession.kind == "api")).expires_at = dt.datetime(2999, 1, 1)
    assert client.get("/api/v1/members", headers=_bearer(token)).status_code == 200
    deactivate_user(engine, username="bot", by="test")  # ends the user's sessions and tokens alike
    refused("deactivated")
    create_user(engine, username="eve", password=PASSWORD, role="viewer")
    second, listed = create_token(engine, "eve", label="other", days=1, by="test")
    assert client.get("/api/v1/members", headers=_bearer(second)).status_code == 200
    revoke_token(engine, listed.token_id, by="test")
    token = second
    refused("revoked")


def test_api018_a_browser_session_is_no_token_and_a_wrong_token_is_said_even_in_public_mode(db_url):
    engine = get_engine(db_url)
    build(engine, _members())
    create_user(engine, username="bot", password=PASSWORD, role="viewer")
    session_id = start_session(engine, "bot", hours=1, address=None)
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY))
    client = app.server.test_client()
    assert client.get("/api/v1/members").status_code == 200  # public mode: no token needed
    for wrong in (session_id, "ogp_forged", ""):
        answer = client.get("/api/v1/members", headers=_bearer(wrong))
        assert answer.status_code == 401 and "token is not valid" in answer.get_json()["error"]
        _check("/api/v1/members", "get", 401, answer.get_json())
    assert client.get("/api/v1/members", headers={"Authorization": "Basic Ym90OnB3"}).status_code == 200


@pytest.mark.parametrize("store", ["memory", "redis"] if REDIS_URL else ["memory"])
def test_api019_the_api_is_throttled_per_token_across_its_routes(db_url, store):
    app, token = _private_api_with_token(db_url, redis_url=REDIS_URL if store == "redis" else None)
    engine = get_engine(db_url)
    other, _ = create_token(engine, "bot", label="second job", days=1, by="test")
    client = app.server.test_client()
    budget = int(API_REQUESTS.split()[0])
    routes = ["/api/v1/openapi.json", "/api/v1/members?per_page=1"]
    for n in range(budget):
        answer = client.get(routes[n % 2], headers=_bearer(token))
        assert answer.status_code == 200, (n, answer.get_json())
    assert answer.headers["X-RateLimit-Remaining"] == "0"
    refused = client.get("/api/v1/action-plans", headers=_bearer(token))
    assert refused.status_code == 429
    assert refused.get_json() == {"error": "Too many requests: wait a minute and try again."}
    _check("/api/v1/action-plans", "get", 429, refused.get_json())
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/members", headers=_bearer(other)).status_code == 200  # its own budget
