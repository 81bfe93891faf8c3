"""Briefing packs printed to PDF by real Chromium: the text a PDF reader extracts holds the scope, the KPIs and
every 'what changed' line of a hand-built history; sample data is marked on every page; A4 and Letter; the
download route and the CLI say in words what is wrong."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner

from callbacks.briefing import briefing_pdf
from callbacks.kpis import headline
from dashboard.cli import cli
from dashboard.domain.filters import Filters, parse_filters
from dashboard.factory import create_app
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.db import get_engine
from tests.builders import UNTIL, build_change_history
from tests.helpers import TEST_SECRET

MARK = "Sample data: generated, not real OGP figures"
POINTS = {"a4": (595, 842), "letter": (612, 792)}


def _pages(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [page.get_textpage().get_text_range() for page in document]


def _size(pdf: bytes) -> tuple[int, int]:
    width, height = pypdfium2.PdfDocument(pdf)[0].get_size()
    return round(width), round(height)


@pytest.fixture
def history_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "history.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    build_change_history(get_engine(url))
    return url


@pytest.fixture
def history(history_url: str) -> AppContext:
    return AppContext(
        get_engine(history_url), Settings(secret_key=TEST_SECRET, database_url=history_url, today=UNTIL.isoformat())
    )


def test_brf001_the_pack_holds_the_scope_the_kpis_and_every_change_line(history: AppContext) -> None:
    filters = parse_filters("since=2026-04-01")[0]
    pdf = briefing_pdf(history, filters)
    assert pdf.startswith(b"%PDF")
    pages = _pages(pdf)
    text = " ".join(" ".join(page.split()) for page in pages)
    assert "Briefing: The whole partnership" in text
    assert "Data source Open Government Partnership / IRM commitments data" in text
    assert MARK not in text  # not the sample
    numbers = headline(history, filters)
    assert numbers.counts["commitments"] == 7 and numbers.counts["members"] == 2  # built by hand
    assert "COMMITMENTS 7 in 3 action plans" in text
    assert "MEMBERS 2 with commitments in view" in text
    assert "What changed from 1 Apr 2026 to 30 Jun 2026: commitments" in text
    for change, ogp_id in (
        ("newly delayed", "AA0001"),
        ("newly delayed", "BB0002"),
        ("recovered", "AA0005"),
        ("completed", "AA0002"),
        ("completed", "AA0003"),
    ):
        assert f"{change} {ogp_id} Commitment {ogp_id}" in text, (change, ogp_id)
    assert "submitted AP_BBB02 Bolandia due on time" in text
    assert "15 Jun 2026 AA0003 Aland Government self-report 20 Mar 2026 Complete" in text  # entered late
    assert "1 May 2026 AA0004 Aland IRM mid-term report 1 May 2026 Substantial" in text
    assert f"Page 1 of {len(pages)}" in " ".join(pages[0].split())
    assert _size(pdf) == POINTS["a4"]


def test_brf002_a_member_pack_of_the_sample_is_marked_on_every_page_and_prints_on_letter(sample_db_url: str) -> None:
    ctx = AppContext(get_engine(sample_db_url), Settings(secret_key=TEST_SECRET, database_url=sample_db_url))
    pdf = briefing_pdf(ctx, Filters(member=("MEX",)), paper="letter")
    pages = _pages(pdf)
    assert len(pages) >= 2
    assert all(MARK in page for page in pages)
    assert "Briefing: Mexico" in pages[0] and "Member: MEX" in pages[0]
    assert _size(pdf) == POINTS["letter"]


def test_brf003_the_download_route_serves_the_pack_and_refuses_bad_links_in_words(history_url: str) -> None:
    settings = Settings(secret_key=TEST_SECRET, database_url=history_url, today=UNTIL.isoformat())
    client = create_app(settings).server.test_client()
    response = client.get("/briefing.pdf?member=BBB&since=2026-04-01")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ogp-briefing-bolandia-2026-06-30.pdf"'
    assert "Briefing: Bolandia" in _pages(response.data)[0]
    for query, status, message in (
        ("member=ZZZ", 400, "Unknown member 'ZZZ'"),
        ("paper=a3", 400, "Unknown paper 'a3' (use a4 or letter)"),
        ("region=Atlantis", 400, "Unknown region 'Atlantis'"),
    ):
        refused = client.get(f"/briefing.pdf?{query}")
        assert refused.status_code == status, query
        assert message in refused.get_json()["error"], query
    no_browser = create_app(
        Settings(secret_key=TEST_SECRET, database_url=history_url, chromium="/nonexistent/chromium")
    )
    missing = no_browser.server.test_client().get("/briefing.pdf")
    assert missing.status_code == 503
    assert "set CHROMIUM to its path" in missing.get_json()["error"]
    private = create_app(Settings(secret_key=TEST_SECRET, database_url=history_url, public_read=False))
    gated = private.server.test_client().get("/briefing.pdf?member=BBB")
    assert gated.status_code == 302 and gated.headers["Location"].startswith("/login?next=%2Fbriefing.pdf")


def test_brf004_the_briefing_command_writes_the_pack_or_says_what_is_wrong(history_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"OGP_TODAY": UNTIL.isoformat(), "DATABASE_URL": history_url, "SECRET_KEY": TEST_SECRET}
    out = tmp_path / "aland.pdf"
    done = runner.invoke(cli, ["briefing", "--out", str(out), "--member", "AAA", "--since", "2026-04-01"], env=env)
    assert done.exit_code == 0, done.output
    assert "Wrote" in done.output
    assert "Briefing: Aland" in _pages(out.read_bytes())[0]
    for args, message in (
        (["--member", "ZZZ"], "Unknown member 'ZZZ'"),
        (["--since", "2026-13-01"], "'2026-13-01' is not a date for 'since'"),
        (["--policy-area", "no-such-area"], "Unknown policy area 'no-such-area'"),
    ):
        refused = runner.invoke(cli, ["briefing", "--out", str(tmp_path / "x.pdf"), *args], env=env)
        assert refused.exit_code == 2, args
        assert message in refused.output, args
    assert not (tmp_path / "x.pdf").exists()
    assert dt.date.fromisoformat(env["OGP_TODAY"]) == UNTIL
