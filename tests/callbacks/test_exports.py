"""Downloaded workbooks carry their context: an About sheet with the view, the filters in words, the data
source (the sample says it is the sample), the dates and the row count of the table beside it."""

from __future__ import annotations

import base64
import datetime as dt
import io
import shutil

import openpyxl
import pandas as pd

from callbacks.exports import build_download, export_context
from dashboard.domain.filters import Filters, parse_filters
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.accounts import authenticate, create_user
from data_access.db import get_engine
from data_access.recording import set_rating
from data_access.sample import seed_sample
from tests.builders import build, report
from tests.helpers import TEST_SECRET, find, first_by_id
from tests.security import two_members


def _workbook(app_ctx: AppContext, search: str) -> openpyxl.Workbook:
    payload = build_download(app_ctx, ROUTER.tables, "commitments", "xlsx", "/commitments", search)
    assert payload is not None
    return openpyxl.load_workbook(io.BytesIO(base64.b64decode(payload["content"])))


def _about(book: openpyxl.Workbook) -> dict[str, str]:
    return dict(book["About"].iter_rows(min_row=2, values_only=True))


def test_exp001_an_xlsx_download_says_what_it_holds(db_url):
    two_members(get_engine(db_url))
    app_ctx = AppContext(get_engine(db_url), Settings(secret_key=TEST_SECRET, database_url=db_url, today="2024-03-01"))
    book = _workbook(app_ctx, "?member=ALB&region=Europe")
    assert book.sheetnames == ["commitments", "About"]
    about = _about(book)
    data_rows = book["commitments"].max_row - 1
    assert about["Rows"] == str(data_rows) == "2"  # Albania's two commitments
    assert about["Filters"] == "Member: ALB; Region: Europe"
    assert about["View"] == "/commitments?member=ALB&region=Europe"
    assert about["Statuses as of"] == "2024-03-01"
    assert about["Source"].startswith("Open Government Partnership")
    everything = _about(_workbook(app_ctx, ""))
    assert everything["Filters"] == "none" and everything["Rows"] == "3"


def test_exp002_a_download_of_the_sample_says_it_is_the_sample(sqlite_template, tmp_path):
    path = tmp_path / "sample.sqlite"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    seed_sample(get_engine(url), scale=1, seed=2011)
    app_ctx = AppContext(get_engine(url), Settings(secret_key=TEST_SECRET, database_url=url, today="2026-03-15"))
    about = _about(_workbook(app_ctx, "?member=BRA&as_of=2025-01-31"))
    assert about["Source"].startswith("Sample data: generated for demonstration, not real OGP figures")
    assert about["Statuses as of"] == "2025-01-31"


def test_exp003_a_csv_download_starts_with_its_context_as_comment_lines(db_url):
    two_members(get_engine(db_url))
    app_ctx = AppContext(get_engine(db_url), Settings(secret_key=TEST_SECRET, database_url=db_url, today="2024-03-01"))
    # A view whose link carries a line break: it must not start a data row of its own.
    payload = build_download(app_ctx, ROUTER.tables, "commitments", "csv", "/commitments", "?member=ALB&x=a%0A=1+1\n")
    assert payload is not None and payload["filename"] == "ogp-commitments-2024-03-01.csv"
    text = base64.b64decode(payload["content"]).decode("utf-8-sig")
    comments = [line for line in text.splitlines() if line.startswith("# ")]
    about = dict(line[2:].split(": ", 1) for line in comments)
    assert about["Filters"] == "Member: ALB"
    assert about["Rows"] == "2"
    assert about["Statuses as of"] == "2024-03-01"
    assert text.splitlines()[: len(comments)] == comments  # the context first, then the table
    rows = pd.read_csv(io.StringIO(text), dtype=str, comment="#")
    assert len(rows) == 2 and list(rows["Member"]) == ["Albania", "Albania"]


def test_exp004_every_column_of_every_download_is_defined(tmp_path, sqlite_template):
    """Each table's About sheet says what each of its columns means: no export has a column without one."""
    path = tmp_path / "sample.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    seed_sample(get_engine(url), scale=1, seed=2011, today=dt.date(2026, 3, 15))
    app_ctx = AppContext(get_engine(url), Settings(secret_key=TEST_SECRET, database_url=url, today="2026-03-15"))
    pages = {name: spec.path for spec in ROUTER.pages for name in spec.tables}
    undefined = []
    for table, source in ROUTER.tables.items():
        path_of = (
            pages[table]
            .replace("(?P<code>[^/]+)", "MEX")
            .replace("(?P<slug>[^/]+)", "open-parliaments")
            .replace("(?P<ogp_id>[^/]+)", "MX0001")
        )
        for search in ("", "?cycle=2024"):  # mid-cycle: the overview's first table is reported progress
            frame = source(app_ctx, parse_filters(search)[0], path_of)
            about = dict(export_context(app_ctx, table, Filters(), path_of, search, rows=0, columns=frame.columns))
            undefined += [(table, c) for c in frame.columns if not about.get(f"Column '{c}'")]
    assert undefined == []
    book = _workbook(app_ctx, "?region=Europe")
    about = _about(book)
    assert about["Column 'OGP id'"] == "OGP's commitment id"


def test_exp005_a_commitment_s_progress_and_milestones_download_as_shown(db_url):
    engine = get_engine(db_url)
    build(
        engine,
        [
            {
                "code": "AAA",
                "name": "Aland",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_AAA01",
                        "submission_year": 2022,
                        "start": dt.date(2022, 9, 1),
                        "end": dt.date(2024, 8, 31),
                        "commitments": [
                            {
                                "ogp_id": "AA0001",
                                "title": "Open budgets",
                                "reports": [
                                    report(dt.date(2023, 3, 1), "government", "Limited"),
                                    report(dt.date(2023, 9, 1), "civil_society", "Substantial", note="Portal live"),
                                ],
                                "milestones": [
                                    ("Draft the law", dt.date(2023, 1, 31), dt.date(2023, 1, 20)),
                                    ("Adopt the law", dt.date(2023, 12, 31), None),
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    )
    app_ctx = AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today="2024-03-01"))
    page = ROUTER.render(app_ctx, "/commitments/AA0001", Filters())
    shown = first_by_id(page.children, "commitment-progress-table")
    exported = ROUTER.tables["commitment-progress"](app_ctx, Filters(), "/commitments/AA0001")
    assert len(exported) == len(find(shown, lambda n: type(n).__name__ == "Tr")) - 1 == 2  # less the header row
    assert list(exported["Source"]) == ["Civil society", "Government self-report"]  # newest first, as shown
    assert list(exported["Note"]) == ["Portal live", "—"]
    milestones = ROUTER.tables["commitment-milestones"](app_ctx, Filters(), "/commitments/AA0001")
    assert milestones[["Milestone", "Due", "Done"]].values.tolist() == [
        ["Draft the law", "31 Jan 2023", "20 Jan 2023"],
        ["Adopt the law", "31 Dec 2023", "—"],
    ]
    unknown = ROUTER.tables["commitment-milestones"](app_ctx, Filters(), "/commitments/XX9999")
    assert unknown.empty and list(unknown.columns) == ["#", "Milestone", "Due", "Done", "State"]


def test_exp006_a_commitment_s_change_history_downloads_whole(db_url):
    """The page shows the newest changes; the download holds every one, newest first, in the same words."""
    engine = get_engine(db_url)
    two_members(engine)
    create_user(engine, username="ines", password="a long enough passphrase 1", role="irm")
    actor = authenticate(engine, "ines", "a long enough passphrase 1")
    version = 1
    for value in ("Limited", "Substantial", "Complete"):
        version = set_rating(
            engine, actor, ogp_id="AL0001", expected_version=version, indicator="completion_end_of_term", value=value
        )
    app_ctx = AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today="2024-03-01"))
    history = ROUTER.tables["commitment-history"](app_ctx, Filters(), "/commitments/AL0001")
    assert list(history.columns) == ["When", "Who", "What", "Field", "Old", "New"]
    assert list(history["New"]) == ["Complete", "Substantial", "Limited"]
    assert set(history["Who"]) == {"ines"}
