"""Hostile text from an imported sheet, the URL or a form: shown as text, bound as parameters, never run."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import plotly
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callbacks.commitments import grid_response, render_commitment
from callbacks.exports import build_download
from callbacks.shell import render_page
from dashboard.domain.filters import Filters, parse_filters
from dashboard.domain.roles import Actor
from dashboard.factory import create_app
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from dashboard.web.exporting import to_csv_bytes, to_xlsx_bytes
from data_access.db import get_engine
from data_access.models import ActionPlan, AuditEntry, Commitment, DelayNote, Member, ProgressReport
from data_access.ogp_sheet.upsert import import_ogp_sheet
from data_access.recording import add_delay_note
from layouts.commitments import DETAIL_TEXT, DETAIL_TITLE
from tests.builders import page_request
from tests.helpers import TEST_SECRET

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(document.cookie)">'
FORMULA = '=HYPERLINK("https://evil.example","click")'
TITLE = f"Open budgets {SCRIPT}"
FULL_TEXT = f'Publish budgets.\n{IMG}\n<a href="javascript:alert(2)">more</a>'


@pytest.fixture
def hostile(db_url: str, real_sheet: Path, tmp_path: Path) -> AppContext:
    """OGP's first Albanian action plan with a script in one title, an image trap in its text, a formula in another."""
    frame = pd.read_csv(real_sheet, dtype=str, keep_default_na=False)
    rows = frame[(frame["Code"] == "ALB") & (frame["Action Plan Number"] == "1")].head(3).copy()
    first, second = rows.index[0], rows.index[1]
    rows.loc[first, ["Commitment Title", "Short Title", "Full Text"]] = [TITLE, SCRIPT, FULL_TEXT]
    rows.loc[second, "Commitment Title"] = FORMULA
    path = tmp_path / "hostile.csv"
    rows.to_csv(path, index=False)
    engine = get_engine(db_url)
    import_ogp_sheet(engine, path)
    return AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today="2024-03-01"))


def first_id(ctx: AppContext) -> str:
    with Session(ctx.engine) as session:
        return session.scalar(select(Commitment.ogp_id).where(Commitment.title == TITLE))


def as_json(component: Any) -> Any:
    """A component tree as the JSON the browser receives."""
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


def walk(node: Any):
    """Every component (type, namespace, props) in a JSON component tree, props included."""
    if isinstance(node, dict):
        if "type" in node and "props" in node:
            yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def texts(node: Any) -> list[str]:
    """Every string child in a JSON component tree."""
    found = []
    for component in walk(node):
        children = component["props"].get("children")
        for child in children if isinstance(children, list) else [children]:
            if isinstance(child, str):
                found.append(child)
    return found


def counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Member, ActionPlan, Commitment, ProgressReport, DelayNote, AuditEntry)
        }


def test_hst001_imported_markup_is_stored_verbatim(hostile):
    with Session(hostile.engine) as session:
        stored = session.execute(
            select(Commitment.title, Commitment.short_title, Commitment.full_text).where(Commitment.title == TITLE)
        ).one()
    assert tuple(stored) == (TITLE, SCRIPT, FULL_TEXT)


def test_hst002_commitment_page_shows_markup_as_text(hostile):
    page = as_json(render_commitment(hostile, Filters(), first_id(hostile)).children)
    components = {c["props"].get("id"): c for c in walk(page) if isinstance(c["props"].get("id"), str)}
    assert components[DETAIL_TITLE]["props"]["children"] == TITLE
    assert components[DETAIL_TEXT]["props"]["children"] == FULL_TEXT
    for component in walk(page):
        props = component["props"]
        assert component["type"] != "Markdown", props
        assert not props.get("dangerously_allow_html") and "dangerouslySetInnerHTML" not in props
        assert not str(props.get("href", "")).lower().startswith("javascript:")


def test_hst003_page_callback_sends_markup_as_a_json_string(hostile):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=hostile.settings.database_url, today="2024-03-01"))
    body = page_request(f"/commitments/{first_id(hostile)}")
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200 and response.content_type == "application/json"
    tree = response.get_json()["response"]["page-content"]["children"]
    titles = [c["props"]["children"] for c in walk(tree) if c["props"].get("id") == DETAIL_TITLE]
    assert titles == [TITLE]
    assert not any(c["type"] == "Markdown" for c in walk(tree))


def test_hst004_commitments_grid_escapes_the_markdown_link_and_keeps_titles_plain(hostile):
    response = grid_response(hostile, {"startRow": 0, "endRow": 50}, "")
    rows = {row["title"]: row for row in response["rowData"]}
    assert TITLE in rows and FORMULA in rows
    link = rows[TITLE]["ogp_link"]
    assert link == f"[{first_id(hostile)}](</commitments/{first_id(hostile)}>)"
    create = create_app(Settings(secret_key=TEST_SECRET, database_url=hostile.settings.database_url))
    layout = json.dumps(create.layout(), cls=plotly.utils.PlotlyJSONEncoder)
    assert "dangerously_allow_code" not in layout


def test_hst005_exported_titles_cannot_run_as_spreadsheet_formulas(hostile):
    payload = build_download(hostile, ROUTER.tables, "commitments", "csv", "/commitments", "")
    content = io.BytesIO(base64.b64decode(payload["content"]))
    exported = pd.read_csv(content, dtype=str, encoding="utf-8-sig", comment="#")
    assert sorted(exported["Title"]) == sorted([TITLE, "'" + FORMULA, exported["Title"][2]])
    assert not exported["Title"].str.startswith(("=", "+", "-", "@")).any()


SQL_FILTERS = [
    ("?member=ALB' OR '1'='1", "'ALB' OR '1'='1' is not a member code"),
    ("?region=Europe;DROP TABLE commitment--", "Unknown region 'Europe;DROP TABLE commitment--'"),
    ("?policy_area=x%27--", "Unknown policy area 'x'--'"),
    ("?cycle=2020)%20OR%201=1--", "'2020) OR 1=1--' is not an action-plan cycle"),
    ("?member=ALB&member=ALB%00", "is not a member code"),
    ("?completion=Complete'%20UNION%20SELECT%20password_hash%20FROM%20app_user--", "Unknown completion level"),
]


@pytest.mark.parametrize(("search", "warning"), SQL_FILTERS, ids=[s for s, _ in SQL_FILTERS])
def test_hst006_sql_fragments_in_url_filters_are_warned_about_and_ignored(hostile, search, warning):
    before = counts(hostile.engine)
    page, _, alerts, _, _title = render_page(hostile, ROUTER, "/commitments", search)
    shown = " ".join(texts(as_json(alerts)))
    assert "Some filters in this link were not understood" in shown
    assert warning in shown
    filters, _ = parse_filters(search, known_members={"ALB"})
    assert filters.replace(member=()) == Filters()  # nothing hostile survives as a filter
    grid = grid_response(hostile, {"startRow": 0, "endRow": 50}, search)
    assert grid["rowCount"] == before["commitment"]  # the bad filter was dropped, not half-applied
    assert counts(hostile.engine) == before


def test_hst007_sql_fragments_in_grid_sorting_fall_back_to_the_default_order(hostile):
    before = counts(hostile.engine)
    plain = grid_response(hostile, {"startRow": 0, "endRow": 50}, "")
    for column in ("title; DROP TABLE commitment--", "title desc, (SELECT 1)", "1", "app_user.password_hash"):
        request = {"startRow": 0, "endRow": 50, "sortModel": [{"colId": column, "sort": "desc"}]}
        assert grid_response(hostile, request, "") == plain
    assert counts(hostile.engine) == before


def test_hst008_sql_fragments_in_a_note_are_stored_as_text(hostile):
    note = "'); DROP TABLE commitment;--"
    add_delay_note(hostile.engine, Actor("iris", "irm"), ogp_id=first_id(hostile), expected_version=1, note=note)
    with Session(hostile.engine) as session:
        assert session.scalars(select(DelayNote.note)).all() == [note]
    assert counts(hostile.engine)["commitment"] == 3


def test_hst005b_table_downloads_quote_formulas_that_start_after_a_separator():
    """Excel in a ';' locale splits an unquoted `x;=cmd|...` into `x` and a formula: every cell is quoted, and a
    formula anywhere in a cell gets the leading quote; numbers and hyphenated words are left alone."""
    frame = pd.DataFrame({"Title": ["x;=cmd|' /C calc'!A0", "e-government", "-5", "a,@SUM(1)"]})
    lines = to_csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert lines == ['"Title"', "\"'x;=cmd|' /C calc'!A0\"", '"e-government"', '"-5"', '"\'a,@SUM(1)"']
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    values = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert values == ["'x;=cmd|' /C calc'!A0", "e-government", "-5", "'a,@SUM(1)"]
