"""Forged callback requests: the export download refuses anonymous readers of a private dashboard and unknown tables.

`callback_body` builds a /_dash-update-component body for any registered callback from app.callback_map, so a
forged request for another callback (e.g. a write) is one call away.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from dash import Dash

from dashboard.factory import create_app
from dashboard.settings import Settings
from data_access.accounts import create_user
from data_access.db import get_engine
from tests.helpers import TEST_SECRET
from tests.security import PASSWORD, sign_in, two_members

EXPORT = '{"table":["MATCH"],"type":"export-download"}.data'
WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])


def callback_key(app: Dash, output: str) -> str:
    """The callback_map key that is `output`, or the only one that contains it."""
    if output in app.callback_map:
        return output
    keys = [key for key in app.callback_map if output in key]
    assert len(keys) == 1, f"{output!r} matches {keys}"
    return keys[0]


def _concrete(id_: str, fill: dict[str, Any]) -> list[Any]:
    """Concrete ids for a callback_map id: a string id, or a pattern id with its wildcards filled from `fill`.

    An ALL key filled with a list gives one id per value; every other wildcard takes the value as is.
    """
    if not id_.startswith("{"):
        return [id_]
    pattern = json.loads(id_)
    ids: list[dict[str, Any]] = [{}]
    for key, value in pattern.items():
        if value not in WILDCARDS:
            ids = [{**i, key: value} for i in ids]
        elif value == ["ALL"] and isinstance(fill.get(key), list):
            ids = [{**i, key: v} for i in ids for v in fill[key]]
        else:
            ids = [{**i, key: fill.get(key)} for i in ids]
    return ids


def _is_multi(id_: str) -> bool:
    return id_.startswith("{") and ["ALL"] in json.loads(id_).values()


def _name(id_: Any, prop: str) -> str:
    text = json.dumps(id_, sort_keys=True, separators=(",", ":")) if isinstance(id_, dict) else id_
    return f"{text}.{prop}"


def callback_body(
    app: Dash,
    output: str,
    *,
    fill: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    changed: list[str] | None = None,
) -> dict[str, Any]:
    """A request body for the callback of `output`, as the browser would send it.

    fill: values of pattern-id wildcards ({"table": "commitments", "format": ["csv", "xlsx"]});
    values: "<id>.<property>" -> value for inputs and state (others are None);
    changed: the triggering "<id>.<property>" names (default: the first input).
    """
    fill, values = fill or {}, values or {}
    key = callback_key(app, output)
    entry = app.callback_map[key]
    outputs = entry["output"] if isinstance(entry["output"], list) else [entry["output"]]

    def dependency(item: dict[str, str]) -> Any:
        ids = _concrete(item["id"], fill)
        listed = [{"id": i, "property": item["property"], "value": values.get(_name(i, item["property"]))} for i in ids]
        return listed if _is_multi(item["id"]) else listed[0]

    out = []
    for o in outputs:
        spec = o.to_dict()
        ids = _concrete(spec["id"], fill)
        listed = [{"id": i, "property": spec["property"]} for i in ids]
        out.append(listed if _is_multi(spec["id"]) else listed[0])
    inputs = [dependency(i) for i in entry["inputs"]]
    triggers = [i for d in inputs for i in (d if isinstance(d, list) else [d])][:1]
    return {
        "output": key,
        "outputs": out if isinstance(entry["output"], list) else out[0],
        "inputs": inputs,
        "state": [dependency(s) for s in entry["state"]],
        "changedPropIds": changed if changed is not None else [_name(t["id"], t["property"]) for t in triggers],
    }


def export_body(app: Dash, table: str = "commitments", fmt: Any = "csv") -> dict[str, Any]:
    """A click on one export button of a table."""
    button = {"format": fmt, "table": table, "type": "export-button"}
    return callback_body(
        app,
        EXPORT,
        fill={"table": table, "format": [fmt]},
        values={_name(button, "n_clicks"): 1, "url.pathname": "/commitments", "url.search": ""},
        changed=[_name(button, "n_clicks")],
    )


def downloaded(response) -> bytes | None:
    """The file a callback response carries, or None."""
    if response.status_code != 200:
        return None
    for outputs in response.get_json()["response"].values():
        data = outputs.get("data")
        if isinstance(data, dict) and "content" in data:
            return base64.b64decode(data["content"]) if data.get("base64") else data["content"].encode()
    return None


def make_app(db_url: str, **settings) -> Dash:
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today="2024-03-01", **settings))
    two_members(get_engine(db_url))
    create_user(get_engine(db_url), username="vera", password=PASSWORD, role="viewer")
    return app


def test_fgd001_anonymous_export_of_a_private_dashboard_is_refused(db_url):
    app = make_app(db_url, public_read=False)
    response = app.server.test_client().post("/_dash-update-component", json=export_body(app))
    assert response.status_code == 401
    assert b"Open budgets" not in response.data and downloaded(response) is None


def test_fgd002_export_callback_checks_the_reader_itself_when_the_gate_is_missing(db_url):
    """Defence in depth: with the sign-in gate removed, the download callback still refuses anonymous readers."""
    app = make_app(db_url, public_read=False)
    server = app.server
    server.before_request_funcs[None] = [f for f in server.before_request_funcs[None] if f.__name__ != "_gate"]
    client = server.test_client()
    response = client.post("/_dash-update-component", json=export_body(app))
    assert response.status_code == 200
    assert response.get_json() == {"multi": True, "response": {}}  # no_update: nothing sent back


def test_fgd003_signed_in_reader_of_a_private_dashboard_gets_the_file(db_url):
    app = make_app(db_url, public_read=False)
    client = app.server.test_client()
    sign_in(client, "vera")
    content = downloaded(client.post("/_dash-update-component", json=export_body(app)))
    assert content is not None
    lines = [line for line in content.decode("utf-8-sig").splitlines() if not line.startswith("# ")]  # context
    assert lines[0].startswith('"OGP id","Title"') and len(lines) == 4  # every cell quoted
    assert any("Open budgets" in line for line in lines)


def test_fgd004_public_dashboard_exports_without_an_account(db_url):
    app = make_app(db_url)
    content = downloaded(app.server.test_client().post("/_dash-update-component", json=export_body(app, fmt="xlsx")))
    assert content is not None and content[:2] == b"PK"


@pytest.mark.parametrize(
    ("table", "fmt"),
    [
        ("users", "csv"),
        ("app_user", "csv"),
        ("../../etc/passwd", "csv"),
        ("commitments; DROP TABLE commitment--", "csv"),
        ("__class__", "csv"),
        ("commitments", "exe"),
        ("commitments", "../csv"),
        ("commitments", None),
        ({"$ne": None}, "csv"),
        (["commitments"], "csv"),
        (12, 7),
        ("", ""),
    ],
    ids=repr,
)
def test_fgd005_unknown_table_or_format_gives_no_file_and_no_500(db_url, table, fmt):
    app = make_app(db_url)
    response = app.server.test_client().post("/_dash-update-component", json=export_body(app, table, fmt))
    assert response.status_code in (200, 204, 400)
    assert downloaded(response) is None
    assert b"Traceback" not in response.data


def test_fgd006_forged_outputs_and_triggers_give_no_file(db_url):
    app = make_app(db_url)
    client = app.server.test_client()
    bodies = []
    body = export_body(app)
    body["outputs"] = {"id": {"type": "export-download", "table": "app_user"}, "property": "data"}
    bodies.append(body)
    body = export_body(app)
    body["changedPropIds"] = []
    body["inputs"][0][0]["value"] = None  # no click at all
    bodies.append(body)
    body = export_body(app)
    body["output"] = '{"table":["MATCH"],"type":"export-download"}.children'
    bodies.append(body)
    for body in bodies:
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code in (200, 204, 400), body
        content = downloaded(response)
        assert content is None or b"app_user" not in content
