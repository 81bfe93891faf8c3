"""Every registered callback, fed random and malformed requests: never a 500, never a traceback, never a write."""

from __future__ import annotations

import json
import logging
import random
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.factory import create_app
from dashboard.settings import Settings
from data_access.db import get_engine, read_meta
from data_access.models import ActionPlan, AppMeta, AuditEntry, Commitment, DelayNote, Member, ProgressReport, User
from tests.helpers import TEST_SECRET
from tests.security import two_members
from tests.security.test_forged_callbacks import callback_body

SEED = 20240301
PER_CALLBACK = 20
ALLOWED_STATUS = {200, 204, 400}
JUNK: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**63,
    -(2**63),
    1e308,
    -0.0,
    "",
    " ",
    "A" * 50_000,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e\u0000\ufeff",
    "/commitments/AL0001",
    "/commitments/AL0001/../../etc/passwd",
    "//evil.example",
    "javascript:alert(1)",
    "?member=ALB' OR '1'='1&region=Europe;DROP TABLE commitment--",
    "?as_of=9999-99-99&cycle=-1&days=1e9&measure=__class__",
    "<script>alert(1)</script>",
    [],
    [None] * 500,
    ["ALB", {"$ne": 1}, ["x"]],
    {},
    {"startRow": -(10**12), "endRow": 10**15, "sortModel": [{"colId": "title; DROP TABLE x", "sort": "sideways"}]},
    {"startRow": "0", "endRow": None, "sortModel": "title"},
    {"startRow": 1e308, "endRow": -1e308, "sortModel": [None, 1]},
    {"points": [{"customdata": ["//evil.example"]}, None]},
    {"points": "all"},
    {"__proto__": {"admin": True}, "constructor": "x"},
    json.loads("[" * 40 + "]" * 40),
]


def junk(rng: random.Random) -> Any:
    return rng.choice(JUNK)


def fuzzed_bodies(app, key: str, rng: random.Random) -> list[Any]:
    """PER_CALLBACK request bodies for one callback: right shape with junk values, then broken shapes."""
    bodies: list[Any] = []
    for n in range(PER_CALLBACK):
        fill = {name: junk(rng) for name in ("table", "format", "view", "type", "name", "index")}
        if n % 3 == 0:  # plausible wildcard values, so the callback itself runs
            fill = {"table": "commitments", "format": ["csv"], "view": "abc", "name": ["overview"]}
        body = callback_body(app, key, fill=fill)
        for dependency in body["inputs"] + body["state"]:
            for item in dependency if isinstance(dependency, list) else [dependency]:
                item["value"] = junk(rng)
        mutation = (n // 2) % 10 if n % 2 else 0  # every other body keeps the right shape
        if mutation == 1:
            del body["inputs"]
        elif mutation == 2:
            body["inputs"] = {"not": "a list"}
        elif mutation == 3:
            body["outputs"] = {"id": {"type": "export-download", "table": junk(rng)}, "property": "data"}
        elif mutation == 4:
            body["output"] = key + "x"
        elif mutation == 5:
            body["changedPropIds"] = [junk(rng), "url.pathname", None]
        elif mutation == 6:
            body["state"] = [junk(rng)]
        elif mutation == 7:
            body["inputs"] = body["inputs"][:-1] or [junk(rng)]
        elif mutation == 8:
            body = [body, junk(rng)]
        bodies.append(body)
    return bodies


def snapshot(engine) -> dict[str, Any]:
    with Session(engine) as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Member, ActionPlan, Commitment, ProgressReport, DelayNote, AuditEntry, User, AppMeta)
        }
        counts["versions"] = dict(session.execute(select(Commitment.ogp_id, Commitment.version)).all())
    counts["data_version"] = read_meta(engine)["data_version"]
    return counts


@pytest.fixture
def fuzz_app(db_url):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today="2024-03-01"))
    two_members(get_engine(db_url))
    return app


def test_fuz001_every_callback_survives_random_and_malformed_requests(fuzz_app, db_url, caplog):
    engine = get_engine(db_url)
    before = snapshot(engine)
    client = fuzz_app.server.test_client()
    keys = sorted(fuzz_app.callback_map)
    assert len(keys) >= 8  # the frame, exports, grid, page controls (and recording, once wired)
    failures = []
    caplog.set_level(logging.ERROR)
    for index, key in enumerate(keys):
        rng = random.Random(SEED + index)
        for body in fuzzed_bodies(fuzz_app, key, rng):
            response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
            text = response.get_data(as_text=True)
            if response.status_code not in ALLOWED_STATUS or "Traceback" in text or 'File "' in text:
                failures.append((key[:60], response.status_code, json.dumps(body)[:300], text[:300]))
    assert failures == []
    assert snapshot(engine) == before
    # Forged input is refused or ignored; nothing may end in a logged error.
    unhandled = [r.getMessage()[:150] for r in caplog.records if r.levelno >= logging.ERROR]
    assert unhandled == []


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"null",
        b"\xff\xfe\x00",
        b'{"output": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"output": "url.search", "inputs": NaN}',
        b'{"output": "' + b"\\ud800" * 1000 + b'"}',
        json.dumps({"output": "..page-content.children..", "outputs": [], "inputs": [[[[[]]]]]}).encode(),
    ],
    ids=["empty", "null", "binary", "deep-nesting", "nan", "lone-surrogates", "nested-inputs"],
)
def test_fuz002_bodies_that_are_not_callback_requests_get_400(fuzz_app, raw):
    response = fuzz_app.server.test_client().post("/_dash-update-component", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert b"Traceback" not in response.data
