"""Countries pages called as functions on a database with known members, plans and commitments."""

import datetime as dt
import math

import pytest

from callbacks.countries import (
    countries_export,
    member_delays,
    member_filters,
    member_table,
    ogp_member_url,
    parse_measure,
    plan_attention,
    render_countries,
    render_member,
)
from callbacks.shell import render_page
from dashboard.domain.filters import Filters
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access import queries, statuses
from data_access.db import get_engine
from data_access.sample import seed_sample
from layouts import countries as layout
from layouts import ids
from tests.builders import build, report
from tests.helpers import TEST_SECRET, text_of

TODAY = dt.date(2023, 6, 1)


def walk(component):
    """Every component of a tree, depth first."""
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            yield from walk(child)
    elif children is not None and not isinstance(children, str | int | float):
        yield from walk(children)
    for attr in ("footer",):
        if getattr(component, attr, None) is not None:
            yield from walk(getattr(component, attr))


def find(component, component_id):
    """The component with this id (plain or pattern id)."""
    for item in walk(component):
        if getattr(item, "id", None) == component_id:
            return item
    raise AssertionError(f"no component with id {component_id!r}")


def hrefs_of(component) -> list[str]:
    """Every href in a tree."""
    return [item.href for item in walk(component) if isinstance(getattr(item, "href", None), str)]


MEMBERS = [
    {
        "code": "ALB",
        "name": "Albania",
        "region": "Europe",
        "plans": [
            {
                "ogp_id": "AP_ALB01",
                "submission_year": 2018,
                "start": dt.date(2018, 7, 1),
                "end": dt.date(2020, 6, 30),
                "commitments": [
                    {
                        "ogp_id": "AL0001",
                        "title": "Open contracting portal",
                        "completion": "Complete",
                        "starred": True,
                        "starred_end_of_term": "1",
                        "potential_impact": "Transformative",
                        "areas": ["open-contracting"],
                    },
                    {
                        "ogp_id": "AL0002",
                        "title": "Audit follow-up",
                        "completion": "Limited",
                        "starred_end_of_term": "0",
                        "potential_impact": "Minor",
                        "areas": ["anti-corruption-and-integrity", "audits"],
                    },
                ],
            },
            {
                # Delivered 20 Aug 2022, on time for its own deadline but more than 12 months after
                # AP_ALB01 ended (30 Jun 2020): AP_ALB01 is contrary to process.
                "ogp_id": "AP_ALB02",
                "submission_year": 2022,
                "submitted_on": dt.date(2022, 8, 20),
                "start": dt.date(2022, 9, 1),
                "end": dt.date(2024, 8, 31),
                "commitments": [
                    {
                        "ogp_id": "AL0003",
                        "title": "Tax transparency law",
                        "end": dt.date(2023, 8, 31),
                        "areas": ["tax"],
                        "milestones": [("Draft law", dt.date(2022, 12, 1), None)],
                    },
                    {
                        "ogp_id": "AL0004",
                        "title": "Open data portal",
                        "areas": ["open-data"],
                        "reports": [report(dt.date(2023, 5, 1), "government", "Substantial")],
                    },
                    {"ogp_id": "AL0005", "title": "Training civil servants"},
                ],
            },
        ],
    },
    {
        "code": "ARM",
        "name": "Armenia",
        "region": "Europe",
        "plans": [
            {
                "ogp_id": "AP_ARM01",
                "submission_year": 2021,
                "start": dt.date(2021, 7, 1),
                "end": dt.date(2023, 6, 30),
                "commitments": [
                    {
                        "ogp_id": "AM0001",
                        "title": "Procurement reform",
                        "completion": "Substantial",
                        "potential_for_results": "Substantial",
                        "areas": ["open-contracting", "public-procurement"],
                    }
                ],
            },
            {
                "ogp_id": "AP_ARM02",
                "submission_year": 2023,
                "start": dt.date(2023, 9, 1),
                "end": dt.date(2025, 8, 31),
            },
        ],
    },
    {
        "code": "MEX",
        "name": "Mexico",
        "region": "Americas",
        "plans": [
            {
                "ogp_id": "AP_MEX01",
                "submission_year": 2019,
                "start": dt.date(2019, 7, 1),
                "end": dt.date(2021, 6, 30),
                "commitments": [
                    {
                        "ogp_id": "MX0001",
                        "title": "Tax data",
                        "completion": "Not Started",
                        "starred_end_of_term": "0",
                        "potential_impact": "Moderate",
                        "areas": ["tax"],
                    },
                    {
                        "ogp_id": "MX0002",
                        "title": "Open tax records",
                        "completion": "Complete",
                        "starred": True,
                        "starred_end_of_term": "1",
                        "potential_impact": "Transformative",
                        "areas": ["tax", "open-data"],
                    },
                ],
            }
        ],
    },
    {
        "code": "ARBA",
        "name": "Buenos Aires, Argentina",
        "region": "Americas",
        "member_type": "Legacy Local",
        "plans": [
            {
                "ogp_id": "AP_ARBA01",
                "submission_year": 2021,
                "start": dt.date(2021, 1, 1),
                "end": dt.date(2022, 12, 31),
                "commitments": [
                    {"ogp_id": "BUE0001", "title": "City data", "completion": "Complete", "areas": ["open-data"]}
                ],
            }
        ],
    },
    {"code": "NOR", "name": "Norway", "region": "Europe"},
]


@pytest.fixture
def app_ctx(db_url):
    build(get_engine(db_url), MEMBERS)
    return AppContext(
        get_engine(db_url), Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY.isoformat())
    )


def map_values(page) -> dict[str, float]:
    trace = find(page.children, ids.drill_chart(layout.COUNTRIES_MAP)).figure.data[0]
    return dict(zip(trace.locations, trace.z, strict=True))


def test_cty001_members_table_has_every_member_with_hand_computed_measures(app_ctx):
    table = member_table(app_ctx, Filters()).set_index("code")
    # Members with commitments in view, by name (Buenos Aires sorts after Armenia); Norway has none.
    assert list(table.index) == ["ALB", "ARM", "ARBA", "MEX"]
    # On 1 Jun 2023: AL0003 has a milestone 6 months overdue (delayed); AL0005 has had no report since one was
    # due on 1 Mar 2023 (no evidence, neither delayed nor at risk); AM0001's IRM rating Substantial trails the
    # 96% of time gone by more than a quarter (at risk). Albania's and Mexico's older plans are closed.
    # Starred over the star-rated commitments: AL0001 of AL0001-AL0002, MX0002 of MX0001-MX0002.
    expected = {
        # action_plans, active_plans, commitments, assessed, high %, starred %, delayed, at risk
        "ALB": (2, 1, 5, 2, 50.0, 50.0, 1, 0),
        "ARM": (2, 1, 1, 1, 100.0, None, 0, 1),
        "MEX": (1, 0, 2, 2, 50.0, 50.0, 0, 0),
        "ARBA": (1, 0, 1, 1, 100.0, None, 0, 0),
    }
    columns = [
        "action_plans",
        "active_plans",
        "commitments",
        "assessed",
        "high_completion_share",
        "starred_share",
        "delayed",
        "at_risk",
    ]
    for code, values in expected.items():
        row = tuple(None if isinstance(v, float) and math.isnan(v) else v for v in table.loc[code, columns])
        assert row == values, code
    assert table.loc["ARBA", "member_type"] == "Legacy Local"


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("commitments", {"ALB": 5, "ARM": 1, "MEX": 2}),
        ("high_completion", {"ALB": 50, "ARM": 100, "MEX": 50}),
        ("starred", {"ALB": 50, "MEX": 50}),  # Armenia's commitment was never star-rated
        ("active_plans", {"ALB": 1, "ARM": 1, "MEX": 0}),
        ("delayed", {"ALB": 1, "ARM": 0, "MEX": 0}),
    ],
)
def test_cty002_map_values_per_iso3_leave_out_locals_and_missing_values(app_ctx, measure, expected):
    page = render_countries(app_ctx, Filters(), measure=measure)
    assert map_values(page) == expected
    trace = find(page.children, ids.drill_chart(layout.COUNTRIES_MAP)).figure.data[0]
    assert trace.locationmode == "ISO-3"
    assert trace.colorbar.title.text  # the colour bar is labelled with the measure
    # Locals are in the table, not on the map, and the page says so.
    assert "ARBA" in {row["code"] for row in find(page.children, layout.COUNTRIES_TABLE).rowData}
    assert "1 local member is not on the map" in text_of(page.children)


def test_cty003_map_click_targets_carry_the_filters(app_ctx):
    filters = Filters(cycle=(2018, 2022))
    page = render_countries(app_ctx, filters, measure="commitments")
    trace = find(page.children, ids.drill_chart(layout.COUNTRIES_MAP)).figure.data[0]
    targets = {loc: custom[0] for loc, custom in zip(trace.locations, trace.customdata, strict=True)}
    assert targets["ALB"] == "/countries/ALB?cycle=2018&cycle=2022"
    assert page.trail == [("Overview", "/?cycle=2018&cycle=2022"), ("Countries", None)]
    assert map_values(page)["ALB"] == 5  # both plans' cycles are in the filter


def test_cty004_table_rows_and_export_match(app_ctx):
    page = render_countries(app_ctx, Filters())
    grid = find(page.children, layout.COUNTRIES_TABLE)
    rows = {row["code"]: row for row in grid.rowData}
    assert set(rows) == {"ALB", "ARM", "ARBA", "MEX"}
    assert rows["ALB"]["member"] == "[Albania](</countries/ALB>)"
    assert rows["ARM"]["starred_share"] is None  # not star-rated: no share, not 0%
    assert all(c.get("sortable") for c in [grid.defaultColDef])
    export = countries_export(app_ctx, Filters(), "/countries")
    assert list(export.columns[:3]) == ["Member", "Code", "Region"]
    assert export.set_index("Code").loc["MEX", "Starred %"] == 50.0
    assert len(export) == 4


def test_cty005_unknown_measure_gives_a_clear_message_and_the_default(app_ctx):
    page = render_countries(app_ctx, Filters(), measure="<b>nope</b>")
    assert "Unknown measure '<b>nope</b>'" in text_of(page.children)
    assert "showing commitments instead" in text_of(page.children)
    assert map_values(page)["ALB"] == 5
    assert parse_measure("Starred")[0].key == "starred"
    assert parse_measure(None) == parse_measure("")


def test_cty006_measure_links_keep_filters(app_ctx):
    page = render_countries(app_ctx, Filters(region=("Europe",)), measure="delayed")
    links = [h for h in hrefs_of(page.children) if "measure=" in h]
    assert "/countries?region=Europe&measure=starred" in links
    assert set(map_values(page)) == {"ALB", "ARM"}


def test_cty007_member_page_header_links_and_breadcrumbs(app_ctx):
    page = render_member(app_ctx, Filters(), code="alb")
    text = text_of(page.children)
    assert "Albania" in text and "Europe" in text and "National" in text and "Active" in text
    assert "https://www.opengovpartnership.org/members/albania/" in hrefs_of(page.children)
    assert page.trail == [("Overview", "/"), ("Countries", "/countries"), ("Albania", None)]
    assert (
        ogp_member_url("Buenos Aires, Argentina")
        == "https://www.opengovpartnership.org/members/buenos-aires-argentina/"
    )
    assert ogp_member_url("São Paulo, Brazil") == "https://www.opengovpartnership.org/members/sao-paulo-brazil/"


def test_cty008_member_delays_are_current_plans_worst_first_with_links(app_ctx):
    delays = member_delays(app_ctx, member_filters(Filters(), "ALB"), TODAY)
    # AL0003: milestone due 1 Dec 2022 (6 months); AL0005: no report since one was due on 1 Mar 2023 (3 months).
    assert list(delays["ogp_id"]) == ["AL0003", "AL0005"]
    assert list(delays["delay_status"]) == ["delayed", "no evidence"]
    assert delays.loc[0, "delay_reason"] == "Milestone 'Draft law' was due 1 Dec 2022 and is 6 months overdue"
    assert delays.loc[1, "delay_reason"] == (
        "No progress report since it started on 1 Sep 2022 (one was due by 1 Mar 2023)"
    )
    assert list(delays["severity"]) == pytest.approx([182 / (365.25 / 12), 92 / (365.25 / 12)])
    assert list(delays["href"]) == ["/commitments/AL0003", "/commitments/AL0005"]
    page = render_member(app_ctx, Filters(), code="ALB")
    table = find(page.children, layout.MEMBER_DELAYS)
    assert "/commitments/AL0003" in hrefs_of(table)
    assert "AL0004" not in text_of(table)  # on track: not listed
    assert "AL0001" not in text_of(table)  # its plan ended in 2020: closed, not listed


def attention(app_ctx, code):
    return plan_attention(statuses.plan_rows(app_ctx.engine, day=TODAY, member=(code,))).to_dict("records")


def test_cty009_late_plans_with_reasons(app_ctx):
    # A later plan in the data came after the 12-month deadline: contrary to process, with both dates.
    assert attention(app_ctx, "ALB") == [
        {
            "action_plan": "AP_ALB01",
            "due_date": dt.date(2018, 6, 30),
            "status": "contrary to process",
            "reason": "AP_ALB02 was delivered 20 Aug 2022, after the deadline: a new plan was due within 12 months "
            "of this plan's end (30 Jun 2020), by 30 Jun 2021",
        }
    ]
    # Armenia's next plan is due in 91 days; its current plan's 12-month deadline (30 Jun 2024) is ahead.
    assert attention(app_ctx, "ARM") == [
        {
            "action_plan": "AP_ARM02",
            "due_date": dt.date(2023, 8, 31),
            "status": "due",
            "reason": "Due 31 Aug 2023, in 91 days",
        }
    ]
    # Mexico's last plan in the data ended 30 Jun 2021 and its 12-month deadline has passed: the data cannot
    # say whether a new plan came, so the status is unknown, not contrary to process.
    assert attention(app_ctx, "MEX") == [
        {
            "action_plan": "AP_MEX01",
            "due_date": dt.date(2019, 6, 30),
            "status": "unknown (not in the data)",
            "reason": "No later plan of this member is in the data, so whether a new plan was due within 12 months "
            "of this plan's end (30 Jun 2021), by 30 Jun 2022 cannot be told",
        }
    ]
    page = render_member(app_ctx, Filters(), code="MEX")
    text = text_of(find(page.children, layout.MEMBER_LATE_PLANS))
    assert "unknown (not in the data)" in text and "contrary to process" not in text
    assert "No later plan of this member is in the data" in text
    late = find(page.children, "member-kpi-late-plans")
    assert getattr(late, "data-count") == 0  # unknown is not counted as late or contrary
    page = render_member(app_ctx, Filters(), code="ALB")
    text = text_of(find(page.children, layout.MEMBER_LATE_PLANS))
    assert "contrary to process" in text and "AP_ALB02 was delivered 20 Aug 2022, after the deadline" in text
    assert getattr(find(page.children, "member-kpi-late-plans"), "data-count") == 1


def test_cty009b_the_last_plan_is_unknown_only_once_its_deadline_passed(app_ctx):
    # Buenos Aires' plan ended 31 Dec 2022; on 1 Jun 2023 a new plan is not due before 31 Dec 2023.
    assert attention(app_ctx, "ARBA") == []
    # On 2 Jan 2024 it has passed and no later plan is in the data.
    rows = plan_attention(statuses.plan_rows(app_ctx.engine, day=dt.date(2024, 1, 2), member=("ARBA",)))
    assert list(zip(rows["action_plan"], rows["status"], strict=True)) == [("AP_ARBA01", "unknown (not in the data)")]


def test_cty010_member_charts_group_by_plan_and_policy_area(app_ctx):
    page = render_member(app_ctx, Filters(), code="ALB")
    plans = find(page.children, ids.drill_chart(layout.MEMBER_PLANS_CHART)).figure
    shown = {y: text for trace in plans.data for y, text in zip(trace.y, trace.text, strict=True)}
    assert shown == {"AP_ALB01": "2 · 50%", "AP_ALB02": "3 · not assessed"}
    completion = find(page.children, ids.drill_chart(layout.MEMBER_COMPLETION_CHART)).figure
    assert {t.name for t in completion.data} >= {"Complete", "Limited", "Not yet assessed"}
    areas = find(page.children, ids.drill_chart(layout.MEMBER_AREAS_CHART)).figure.data[0]
    assert dict(zip(areas.y, areas.x, strict=True)) == {"Anti-Corruption and Integrity": 2, "Fiscal Openness": 1}
    hrefs = dict(zip(areas.y, (c[0] for c in areas.customdata), strict=True))
    assert hrefs["Fiscal Openness"].startswith("/commitments?member=ALB&policy_area=fiscal-openness&")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZ", "No OGP member has the code 'ZZZ'."),
        ("%3Cscript%3Ealert(1)%3C%2Fscript%3E", "'<script>alert(1)</script>' is not a member code"),
        ("A1", "'A1' is not a member code"),
    ],
)
def test_cty011_bad_member_codes_give_a_message(app_ctx, code, message):
    page = render_member(app_ctx, Filters(), code=code)
    assert message in text_of(page.children)
    assert page.trail[-1] == ("Member not found", None)


def test_cty012_routes_resolve_through_the_shell(app_ctx):
    content, trail, alerts, _, _title = render_page(app_ctx, ROUTER, "/countries/arba", "")
    assert "Buenos Aires, Argentina" in text_of(content)
    assert "Countries" in str(trail)
    content, _, _, _, _title = render_page(app_ctx, ROUTER, "/countries/%3Cimg%20src=x%3E", "")
    assert "is not a member code" in text_of(content)


def test_cty013_sample_dataset_pages_have_content(db_url):
    engine = get_engine(db_url)
    seed_sample(engine, scale=1, seed=2011, today=dt.date(2024, 6, 1))
    app_ctx = AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today="2024-06-01"))
    page = render_countries(app_ctx, Filters(), measure="high_completion")
    assert len(map_values(page)) > 40
    assert len(find(page.children, layout.COUNTRIES_TABLE).rowData) == len(queries.member_codes(engine))
    member = render_member(app_ctx, Filters(), code="BRA")
    assert member.title == "Brazil"
    assert len(find(member.children, ids.drill_chart(layout.MEMBER_PLANS_CHART)).figure.data) >= 1
