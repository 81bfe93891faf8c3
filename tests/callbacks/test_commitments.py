"""Commitments list (server paging, sorting, filters, export) and the commitment page, on known data."""

import datetime as dt

import pytest
from dash import dcc

from callbacks.commitments import (
    commitments_export,
    grid_response,
    render_commitment,
    render_commitments,
    table_rows,
)
from dashboard.domain.filters import Filters, parse_filters
from dashboard.factory import create_app
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.db import get_engine
from layouts import commitments as layout
from tests.builders import build, report
from tests.helpers import TEST_SECRET, by_id, find, text_of

TODAY = "2024-03-01"
HTML_TEXT = "<script>alert('x')</script>\n<b>Bold?</b> no: plain text.\nThird line"


def commitment(ogp_id, title, completion=None, **extra):
    return {"ogp_id": ogp_id, "title": title, "completion": completion, **extra}


@pytest.fixture
def app_ctx(db_url):
    two_year = {"submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}
    build(
        get_engine(db_url),
        [
            {
                "code": "ALB",
                "name": "Albania",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_ALB05",
                        **two_year,
                        "commitments": [
                            commitment(
                                "AL0001",
                                "Open the budget",
                                "Complete",
                                starred=True,
                                reports=[report(dt.date(2023, 6, 1), "government", "Complete")],
                            ),
                            commitment(
                                "AL0002",
                                "Publish court decisions",
                                "Limited",
                                full_text=HTML_TEXT,
                                lead_institution="Ministry of Justice",
                                supporting_institutions="Open Courts Network",
                                specificity="High",
                                verifiable="ND",
                                potential_impact="Moderate",
                                completion_midterm="NR",
                                url="javascript:alert(1)",
                                areas=["open-data", "justice"],
                                milestones=[("Draft the decree", dt.date(2023, 3, 1), dt.date(2023, 4, 1))],
                                reports=[
                                    report(dt.date(2023, 1, 10), "government", "Limited", note="Decree drafted"),
                                    report(
                                        dt.date(2023, 9, 1),
                                        "civil_society",
                                        "Not Started",
                                        note="Nothing published yet",
                                        evidence_url="https://example.org/cso-report",
                                    ),
                                    report(dt.date(2023, 10, 5), "irm_midterm", "Not Started", note="IRM mid-term"),
                                ],
                            ),
                            commitment(
                                "AL0003",
                                "Register beneficial owners",
                                "Substantial",
                                reports=[report(dt.date(2024, 1, 15), "government", "Substantial")],
                            ),
                        ],
                    }
                ],
            },
            {
                "code": "KEN",
                "name": "Kenya",
                "region": "Africa and the Middle East",
                "plans": [
                    {
                        "ogp_id": "AP_KEN01",
                        "submission_year": 2018,
                        "start": dt.date(2018, 7, 1),
                        "end": dt.date(2020, 6, 30),
                        "commitments": [
                            commitment(
                                "KE0001", "Audit county spending", "Complete", potential_impact="Transformative"
                            ),
                            commitment("KE0002", "Open procurement data", "Limited", potential_impact="Minor"),
                        ],
                    }
                ],
            },
            {
                "code": "URY",
                "name": "Uruguay",
                "region": "Americas",
                "plans": [
                    {
                        "ogp_id": "AP_URY05",
                        **two_year,
                        "commitments": [
                            commitment(
                                "UY0001",
                                "Citizen budget portal",
                                milestones=[("Launch the portal", dt.date(2024, 1, 1), None)],
                                reports=[report(dt.date(2024, 2, 1), "government", "Limited")],
                            )
                        ],
                    }
                ],
            },
        ],
    )
    return AppContext(get_engine(db_url), Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY))


def ids_of(response):
    return [row["ogp_id"] for row in response["rowData"]]


def test_cmt001_paging_returns_the_requested_slice_and_row_count(app_ctx):
    first = grid_response(app_ctx, {"startRow": 0, "endRow": 2, "sortModel": []}, "")
    second = grid_response(app_ctx, {"startRow": 2, "endRow": 4, "sortModel": []}, "")
    rest = grid_response(app_ctx, {"startRow": 4, "endRow": 100, "sortModel": []}, "")
    assert first["rowCount"] == second["rowCount"] == rest["rowCount"] == 6
    assert ids_of(first) == ["AL0001", "AL0002"]  # default order: member name, then id
    assert ids_of(second) == ["AL0003", "KE0001"]
    assert ids_of(rest) == ["KE0002", "UY0001"]


def test_cmt002_sort_by_a_whitelisted_column(app_ctx):
    desc = grid_response(app_ctx, {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "ogp_id", "sort": "desc"}]}, "")
    assert ids_of(desc) == ["UY0001", "KE0002", "KE0001", "AL0003", "AL0002", "AL0001"]
    by_end = grid_response(
        app_ctx, {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "end_date", "sort": "asc"}]}, ""
    )
    assert ids_of(by_end)[:2] == ["KE0001", "KE0002"]  # the 2018 plan ends first
    by_completion = grid_response(
        app_ctx, {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "completion", "sort": "desc"}]}, ""
    )
    assert ids_of(by_completion)[-1] == "UY0001"  # not yet assessed sorts after every rating
    assert ids_of(by_completion)[:2] == ["AL0001", "KE0001"]  # Complete first


def test_cmt003_sort_by_delay_status_puts_the_worst_first(app_ctx):
    # On 1 Mar 2024: AL0002 reported Not Started with 75% of its time gone (delayed); UY0001 has a milestone
    # 60 days overdue (at risk); AL0003 reported Substantial (on track); AL0001 Complete; Kenya's plan ended
    # 30 Jun 2020, more than 12 months ago, so both its commitments are closed (severity 0, by id).
    response = grid_response(
        app_ctx, {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "delay_status", "sort": "asc"}]}, ""
    )
    assert response["rowCount"] == 6
    assert [(row["ogp_id"], row["delay_status"]) for row in response["rowData"]] == [
        ("AL0002", "delayed"),
        ("UY0001", "at risk"),
        ("AL0003", "on track"),
        ("AL0001", "complete"),
        ("KE0001", "closed"),
        ("KE0002", "closed"),
    ]


def test_cmt003b_within_a_status_the_most_severe_comes_first(app_ctx):
    # AD0001 ended 31 Dec 2023 reported Limited: delayed by the two months since its end. AL0002 is delayed
    # by the 18 months of Not Started since 1 Sep 2022, so it comes first although AD0001's id sorts earlier.
    build(
        app_ctx.engine,
        [
            {
                "code": "AND",
                "name": "Andorra",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_AND01",
                        "submission_year": 2022,
                        "start": dt.date(2022, 9, 1),
                        "end": dt.date(2024, 8, 31),
                        "commitments": [
                            commitment(
                                "AD0001",
                                "Open the registry",
                                start=dt.date(2023, 1, 1),
                                end=dt.date(2023, 12, 31),
                                reports=[report(dt.date(2023, 6, 1), "government", "Limited")],
                            )
                        ],
                    }
                ],
            }
        ],
    )
    response = grid_response(
        app_ctx, {"startRow": 0, "endRow": 2, "sortModel": [{"colId": "delay_status", "sort": "asc"}]}, ""
    )
    assert response["rowCount"] == 7
    assert ids_of(response) == ["AL0002", "AD0001"]
    assert [row["delay_status"] for row in response["rowData"]] == ["delayed", "delayed"]
    assert "Ended 31 Dec 2023 (2 months ago)" in response["rowData"][1]["delay_reason"]


@pytest.mark.parametrize(
    "request_",
    [
        {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "title; DROP TABLE commitment", "sort": "asc"}]},
        {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "member.code", "sort": "desc"}]},
        {"startRow": -20, "endRow": 50, "sortModel": "nonsense"},
        {"startRow": "0", "endRow": None, "sortModel": [None]},
        None,
        "garbage",
    ],
)
def test_cmt004_forged_sort_or_rows_are_refused_without_error(app_ctx, request_):
    response = grid_response(app_ctx, request_, "")
    assert response["rowCount"] == 6
    assert ids_of(response)[0] == "AL0001"  # default order, from the first row


def test_cmt005_huge_start_row_gives_no_rows_and_big_pages_are_capped(app_ctx):
    empty = grid_response(app_ctx, {"startRow": 10**30, "endRow": 10**31}, "")
    assert empty == {"rowData": [], "rowCount": 6}
    rows, count = table_rows(app_ctx, Filters(), start=-5, end=10**9)
    assert count == 6 and len(rows) == 6


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("?member=ALB", ["AL0001", "AL0002", "AL0003"]),
        ("?region=Americas", ["UY0001"]),
        ("?completion=Complete", ["AL0001", "KE0001"]),
        ("?starred=yes", ["AL0001"]),
        ("?delay_status=delayed", ["AL0002"]),
        ("?delay_status=at+risk", ["UY0001"]),
        ("?delay_status=complete", ["AL0001"]),
        ("?delay_status=closed&member=KEN", ["KE0001", "KE0002"]),
        ("?delay_status=delayed&delay_status=closed", ["AL0002", "KE0001", "KE0002"]),
        ("?delay_status=on+track", ["AL0003"]),
    ],
)
def test_cmt006_filters_in_the_url_restrict_the_rows(app_ctx, search, expected):
    response = grid_response(app_ctx, {"startRow": 0, "endRow": 50}, search)
    assert ids_of(response) == expected
    assert response["rowCount"] == len(expected)
    filters, problems = parse_filters(search)
    assert problems == []
    page = render_commitments(app_ctx, filters)
    assert text_of(by_id(page.children, layout.COUNT)).startswith(str(len(expected)))


def test_cmt007_rows_show_latest_progress_delay_and_ratings(app_ctx):
    rows, _ = table_rows(app_ctx, Filters(member=("ALB",)))
    al2 = next(row for row in rows if row["ogp_id"] == "AL0002")
    assert al2["progress_completion"] == "Not Started"
    assert al2["progress_source"] == "IRM mid-term report"
    assert al2["progress_as_of"] == "2023-10-05"
    assert al2["delay_status"] == "delayed"
    assert "Not Started on 5 Oct 2023" in al2["delay_reason"]
    assert al2["completion"] == "Limited" and al2["potential_impact"] == "Moderate" and al2["starred"] == "No"
    assert set(al2) >= {field for field, _ in layout.TABLE_COLUMNS}


def test_cmt008_id_cell_links_to_the_commitment_with_the_filters(app_ctx):
    response = grid_response(app_ctx, {"startRow": 0, "endRow": 1}, "?member=ALB")
    assert response["rowData"][0]["ogp_link"] == "[AL0001](</commitments/AL0001?member=ALB>)"


def test_cmt009_no_match_shows_an_empty_state_not_a_grid(app_ctx):
    filters, _ = parse_filters("?member=KEN&completion=Substantial")
    page = render_commitments(app_ctx, filters)
    assert not find(page.children, lambda n: type(n).__name__ == "AgGrid")
    assert "No commitments match these filters." in text_of(page.children)
    assert page.trail == [("Overview", "/?member=KEN&completion=Substantial"), ("Commitments", None)]


def test_cmt010_export_rows_equal_the_table_rows(app_ctx):
    filters, _ = parse_filters("?region=Europe&region=Americas")
    frame = ROUTER.tables["commitments"](app_ctx, filters, "/commitments")
    assert list(frame.columns) == [header for _, header in layout.TABLE_COLUMNS]
    pages_ = [grid_response(app_ctx, {"startRow": s, "endRow": s + 2}, filters.to_query()) for s in (0, 2, 4)]
    shown = [[row[field] for field, _ in layout.TABLE_COLUMNS] for page in pages_ for row in page["rowData"]]
    assert frame.values.tolist() == shown
    assert len(shown) == 4
    delayed = commitments_export(app_ctx, Filters(delay_status=("delayed", "closed")), "/commitments")
    assert delayed["OGP id"].tolist() == ["AL0002", "KE0001", "KE0002"]
    assert delayed["Delay status"].tolist() == ["delayed", "closed", "closed"]


def test_cmt011_commitment_page_shows_title_ratings_and_every_report(app_ctx):
    page = render_commitment(app_ctx, Filters(), "al0002")  # ids are case-insensitive
    assert by_id(page.children, layout.DETAIL_TITLE).children == "Publish court decisions"
    assert page.trail == [
        ("Overview", "/"),
        ("Albania", "/countries/ALB"),
        ("AP_ALB05", "/countries/ALB"),
        ("AL0002", None),
    ]
    ratings = text_of(by_id(page.children, layout.DETAIL_RATINGS))
    for value in ("High", "Moderate"):
        assert value in ratings
    assert "Not yet reviewed: the IRM report is pending" in ratings  # completion_midterm NR explained
    assert "No data: the indicator did not exist" in ratings  # verifiable ND explained
    current = find(
        by_id(page.children, layout.DETAIL_RATINGS), lambda n: "scale-pill-current" in str(getattr(n, "className", ""))
    )
    assert {pill.children for pill in current} == {"High", "Moderate"}
    history = by_id(page.children, layout.DETAIL_PROGRESS_TABLE)
    text = text_of(history)
    for words in ("Decree drafted", "Nothing published yet", "IRM mid-term", "Civil society", "Government self-report"):
        assert words in text
    assert len(find(history, lambda n: type(n).__name__ == "Tr")) == 4  # header + 3 reports
    evidence = find(history, lambda n: type(n).__name__ == "A")
    assert [a.href for a in evidence] == ["https://example.org/cso-report"]
    chart = by_id(page.children, layout.DETAIL_PROGRESS_CHART).figure
    assert {trace.name for trace in chart.data} == {"Government self-report", "Civil society", "IRM mid-term report"}
    assert "delayed" in text_of(by_id(page.children, layout.DETAIL_DELAY))
    everything = text_of(page.children)
    assert "Ministry of Justice" in everything and "Open Courts Network" in everything


def test_cmt012_full_text_is_plain_text_and_bad_links_are_dropped(app_ctx):
    page = render_commitment(app_ctx, Filters(), "AL0002")
    full_text = by_id(page.children, layout.DETAIL_TEXT)
    assert full_text.children == HTML_TEXT
    assert type(full_text).__name__ == "Div"
    assert not find(page.children, lambda n: isinstance(n, dcc.Markdown))
    assert "dangerouslySetInnerHTML" not in repr(page.children)
    anchors = find(page.children, lambda n: type(n).__name__ == "A")
    assert all(not str(a.href).lower().startswith("javascript") for a in anchors)  # Commitment.url was not http(s)


def test_cmt013_milestones_are_on_a_timeline_with_overdue_marked(app_ctx):
    page = render_commitment(app_ctx, Filters(), "UY0001")
    figure = by_id(page.children, layout.DETAIL_MILESTONE_CHART).figure
    assert any(trace.name == "Due: overdue" for trace in figure.data)
    assert "overdue" in text_of(page.children)
    assert "at risk" in text_of(by_id(page.children, layout.DETAIL_DELAY))


@pytest.mark.parametrize("bad_id", ["XX9999", "<script>", "x' OR 1=1", "%3Cscript%3E", "A" * 300])
def test_cmt014_unknown_or_malicious_id_gives_a_clear_message(app_ctx, bad_id):
    page = render_commitment(app_ctx, Filters(), bad_id)
    message = text_of(by_id(page.children, layout.NOT_FOUND))
    assert "No commitment with id" in message
    assert page.trail[-1] == ("Not found", None)


def test_cmt015_routes_and_grid_callback_are_wired(db_url):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url))
    assert ROUTER.resolve("/commitments")[0].render is render_commitments
    spec, params = ROUTER.resolve("/commitments/AL0002")
    assert (spec.render, params) == (render_commitment, {"ogp_id": "AL0002"})
    outputs = [key for key in app.callback_map if "getRowsResponse" in key]
    assert len(outputs) == 1
    assert "commitments" in ROUTER.tables


def test_cmt016_closed_commitments_name_their_final_completion(app_ctx):
    # Kenya's plan ended 30 Jun 2020; on 1 Mar 2024 that is more than 12 months ago. KE0001 carries the IRM's
    # Complete and no report; the commitment page shows the same closed status as the list.
    rows, _ = table_rows(app_ctx, Filters(member=("KEN",)))
    reasons = {row["ogp_id"]: (row["delay_status"], row["delay_reason"]) for row in rows}
    assert reasons == {
        "KE0001": ("closed", "Plan ended 30 Jun 2020; final completion Complete"),
        "KE0002": ("closed", "Plan ended 30 Jun 2020; final completion Limited"),
    }
    page = render_commitment(app_ctx, Filters(), "KE0001")
    assert "closed" in text_of(by_id(page.children, layout.DETAIL_DELAY))


# --- search (?q=) -----------------------------------------------------------------------------------------------


def test_cmt030_q_searches_with_the_filters_and_the_count_says_what_was_searched(app_ctx):
    both = grid_response(app_ctx, {"startRow": 0, "endRow": 50}, "?q=budget")
    assert sorted(ids_of(both)) == ["AL0001", "UY0001"] and both["rowCount"] == 2
    europe = grid_response(app_ctx, {"startRow": 0, "endRow": 50}, "?q=BUDGET&region=Europe")
    assert ids_of(europe) == ["AL0001"] and europe["rowCount"] == 1
    filters, problems = parse_filters("?q=Budget&region=Europe&sort=title")
    assert problems == []
    page = render_commitments(app_ctx, filters)
    count = by_id(page.children, layout.COUNT)
    assert " ".join(text_of(count).split()).startswith("1 commitment matches “Budget” and these filters")
    assert by_id(page.children, layout.LIST_COUNT).to_plotly_json()["props"]["data-count"] == 1
    # Clearing the search keeps the filters and drops the table's sort and page.
    assert by_id(page.children, layout.SEARCH_CLEAR).href == "/commitments?region=Europe"


def test_cmt031_rows_mark_the_matched_words_and_say_where_else_they_are(app_ctx):
    [row] = grid_response(app_ctx, {"startRow": 0, "endRow": 50}, "?q=courts+publ")["rowData"]
    assert row["ogp_id"] == "AL0002"
    assert row["title_match"] == "**Publ**ish court decisions"
    assert row["found_in"] == "*Supporting institutions:* Open **Courts** Network"
    [justice] = grid_response(app_ctx, {"startRow": 0, "endRow": 50}, "?q=ministry")["rowData"]
    assert justice["found_in"] == "*Lead institution:* **Ministry** of Justice"
    # Text from the data is escaped for the markdown renderer: '<script>' is shown, never run.
    [script] = grid_response(app_ctx, {"startRow": 0, "endRow": 50}, "?q=alert")["rowData"]
    assert script["found_in"].startswith("*Text:* \\<script\\>**alert**\\(")
    # Without a search the rows carry no search fields and the grid no 'Found in' column.
    plain = grid_response(app_ctx, {"startRow": 0, "endRow": 50}, "?member=ALB")["rowData"][0]
    assert "found_in" not in plain and "title_match" not in plain


def test_cmt032_search_grid_columns_and_an_empty_search_result(app_ctx):
    filters, _ = parse_filters("?q=open")
    [grid] = find(render_commitments(app_ctx, filters).children, lambda n: type(n).__name__ == "AgGrid")
    fields = [c.get("field") for c in grid.columnDefs]
    assert fields[:3] == ["ogp_link", "title_match", "found_in"]
    filters, _ = parse_filters("?q=zanahoria")
    page = render_commitments(app_ctx, filters)
    assert not find(page.children, lambda n: type(n).__name__ == "AgGrid")
    assert "No commitment has a word starting with each word of this search." in text_of(page.children)


def test_cmt033_a_search_without_words_is_ignored_and_says_so(app_ctx):
    filters, problems = parse_filters("?q=%3F%21%3F")
    assert problems == []
    page = render_commitments(app_ctx, filters)
    assert "no letters or digits" in text_of(by_id(page.children, layout.SEARCH_PROBLEM))
    assert by_id(page.children, layout.LIST_COUNT).to_plotly_json()["props"]["data-count"] == 6  # everything


def test_cmt034_export_of_a_search_lists_the_same_rows_in_the_same_order(app_ctx):
    filters, _ = parse_filters("?q=open")
    frame = commitments_export(app_ctx, filters, "/commitments")
    shown = grid_response(app_ctx, {"startRow": 0, "endRow": 50}, "?q=open")
    assert frame["OGP id"].tolist() == ids_of(shown) and len(frame) == shown["rowCount"] == 3


@pytest.mark.parametrize(
    ("text", "search", "expected"),
    [
        ("budget", "", "/commitments?q=budget"),
        ("  open   data ", "?region=Europe&measure=share&sort=title&q=old", "/commitments?region=Europe&q=open+data"),
        ("", "?member=ALB", "/commitments?member=ALB"),
        (None, "?member=ALB", "/commitments?member=ALB"),
        ({"forged": 1}, ["?member=ALB"], "/commitments"),
    ],
)
def test_cmt035_the_navbar_search_opens_the_list_with_the_filters_kept(text, search, expected):
    from callbacks.urls import search_href

    assert search_href(text, search) == expected
