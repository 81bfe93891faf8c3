"""Overview page: KPI values, their links, and the charts' drilldown targets, on known data."""

import datetime as dt

import pytest

from callbacks import overview
from callbacks.cycle import render_cycle
from callbacks.delays import render_delays
from callbacks.overview import render_overview
from dashboard.domain.filters import Filters, parse_filters
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.db import get_engine
from layouts import ids
from tests.builders import build, report
from tests.helpers import TEST_SECRET, by_id, find, text_of


def commitment(ogp_id, completion=None, starred=False, **extra):
    return {"ogp_id": ogp_id, "title": f"Commitment {ogp_id}", "completion": completion, "starred": starred, **extra}


@pytest.fixture
def app_ctx(db_url):
    build(
        get_engine(db_url),
        [
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
                            # The IRM star-rated the 2018-20 plan's commitments; AL0001 earned a star.
                            commitment(
                                "AL0001",
                                "Complete",
                                starred=True,
                                potential_impact="Transformative",
                                starred_end_of_term="1",
                            ),
                            commitment("AL0002", "Limited", potential_impact="Minor", starred_end_of_term="0"),
                            commitment("AL0003", "Substantial", potential_impact="Moderate", starred_end_of_term="0"),
                        ],
                    },
                    {
                        "ogp_id": "AP_ALB02",
                        "submission_year": 2022,
                        "start": dt.date(2022, 9, 1),
                        "end": dt.date(2024, 8, 31),
                        # Stars stopped with the new IRM model: not star-rated (ND).
                        "commitments": [
                            commitment("AL0004", starred_end_of_term="ND"),
                            commitment("AL0005", potential_for_results="Substantial", starred_end_of_term="ND"),
                        ],
                    },
                ],
            },
            {
                "code": "KEN",
                "name": "Kenya",
                "region": "Africa and the Middle East",
                "plans": [
                    {
                        "ogp_id": "AP_KEN01",
                        "submission_year": 2022,
                        "start": dt.date(2022, 9, 1),
                        "end": dt.date(2024, 8, 31),
                        "commitments": [commitment("KE0001", "Not Started"), commitment("KE0002", "Complete")],
                    }
                ],
            },
        ],
    )
    return AppContext(get_engine(db_url), Settings(secret_key=TEST_SECRET, database_url=db_url, today="2023-06-01"))


def test_ovw001_kpis_count_the_database(app_ctx):
    page = render_overview(app_ctx, Filters())
    assert by_id(page.children, "kpi-members").children == "2"
    assert by_id(page.children, "kpi-active-plans").children == "2"  # AP_ALB02 and AP_KEN01 run on 1 Jun 2023
    assert by_id(page.children, "kpi-commitments").children == "7"
    assert by_id(page.children, "kpi-high-completion").children == "60%"  # 3 of 5 assessed
    # Starred over the star-rated commitments only: 1 of AL0001-AL0003, not 1 of 7.
    starred = by_id(page.children, "kpi-starred")
    assert starred.children == "33%"
    assert getattr(starred, "data-count") == 1
    assert "1 of 3 star-rated commitments" in text_of(page.children)
    for card_id, count in (("kpi-members", 2), ("kpi-active-plans", 2), ("kpi-commitments", 7)):
        assert getattr(by_id(page.children, card_id), "data-count") == count, card_id
    assert getattr(by_id(page.children, "kpi-high-completion"), "data-count") == 3


def test_ovw001b_starred_says_stars_were_not_awarded_when_none_is_star_rated(app_ctx):
    # Kenya's 2022-24 commitments carry no star rating at all; Albania's 2022 plan only ND.
    for search in ("?member=KEN", "?cycle=2022"):
        filters, problems = parse_filters(search)
        assert problems == []
        page = render_overview(app_ctx, filters)
        starred = by_id(page.children, "kpi-starred")
        assert starred.children == "—", search
        assert getattr(starred, "data-count") == 0
        assert "Stars were not awarded in this period" in text_of(page.children)
        assert "star-rated commitments" not in text_of(page.children)


def test_ovw002_kpis_follow_the_filters(app_ctx):
    filters, problems = parse_filters("?region=Europe")
    assert problems == []
    page = render_overview(app_ctx, filters)
    assert by_id(page.children, "kpi-members").children == "1"
    assert by_id(page.children, "kpi-commitments").children == "5"
    assert by_id(page.children, "kpi-high-completion").children == "67%"  # 2 of 3 assessed


def test_ovw003_each_kpi_links_to_the_list_behind_it(app_ctx):
    filters = Filters(region=("Europe",))
    page = render_overview(app_ctx, filters)
    hrefs = {link.href for link in find(page.children, lambda n: type(n).__name__ == "Link")}
    assert "/countries?region=Europe#countries-list" in hrefs
    assert "/cycle?region=Europe#cycle-plans-list" in hrefs
    assert "/commitments?region=Europe" in hrefs
    assert "/commitments?region=Europe&completion=Substantial&completion=Complete" in hrefs
    assert "/commitments?region=Europe&starred=yes" in hrefs
    assert "/delays?region=Europe#late-plans" in hrefs
    # The list a count links to holds the same number of rows.
    cycle = render_cycle(app_ctx, filters)
    active = getattr(by_id(page.children, "kpi-active-plans"), "data-count")
    assert active == 1  # AP_ALB02 runs on 1 Jun 2023
    assert getattr(by_id(cycle.children, "cycle-plans-list"), "data-count") == active
    delays = render_delays(app_ctx, filters)
    late = getattr(by_id(page.children, "kpi-late-plans"), "data-count")
    assert getattr(by_id(delays.children, "late-plans"), "data-count") == late


def test_ovw004_region_chart_drills_to_commitments_of_that_region_and_level(app_ctx):
    page = render_overview(app_ctx, Filters())
    figure = by_id(page.children, ids.drill_chart(ids.OVERVIEW_REGION_CHART)).figure
    complete = next(trace for trace in figure.data if trace.name == "Complete")
    links = {y: custom[0] for y, custom in zip(complete.y, complete.customdata, strict=True)}
    assert links["Europe"] == "/commitments?region=Europe&completion=Complete"
    counts = {y: custom[1] for y, custom in zip(complete.y, complete.customdata, strict=True)}
    assert counts == {"Europe": 1, "Africa and the Middle East": 1}


def test_ovw005_trend_shares_per_cycle(app_ctx):
    page = render_overview(app_ctx, Filters())
    figure = by_id(page.children, ids.drill_chart(ids.OVERVIEW_TREND_CHART)).figure
    high = next(trace for trace in figure.data if trace.name.startswith("High completion"))
    assert list(high.x) == [2018, 2022]
    # 2018: AL0001 Complete, AL0003 Substantial of 3 assessed; 2022: KE0002 Complete of 2 assessed.
    assert [round(v, 1) for v in high.y] == [66.7, 50.0]
    ambition = next(trace for trace in figure.data if trace.name.startswith("High ambition"))
    assert [round(v, 1) for v in ambition.y] == [33.3, 100.0]  # 1 Transformative of 3 rated; 1 Substantial of 1
    assert high.customdata[0][0] == "/commitments?cycle=2018"


def test_ovw006_empty_database_shows_dashes_not_errors(db_url):
    app_ctx = AppContext(get_engine(db_url), Settings(secret_key=TEST_SECRET, database_url=db_url))
    page = render_overview(app_ctx, Filters())
    assert by_id(page.children, "kpi-commitments").children == "0"
    assert by_id(page.children, "kpi-high-completion").children == "—"


def test_ovw007_late_and_contrary_plans_are_counted(db_url):
    engine = get_engine(db_url)
    build(
        engine,
        [
            {
                "code": "PRY",
                "name": "Paraguay",
                "region": "Americas",
                "plans": [
                    # due 31 Aug 2022, delivered 15 Oct 2022: late but before 1 Jan, keeps its end date
                    {
                        "ogp_id": "AP_PRY05",
                        "submission_year": 2022,
                        "submitted_on": dt.date(2022, 10, 15),
                        "start": dt.date(2022, 9, 1),
                        "end": dt.date(2024, 8, 31),
                        "commitments": [commitment("PY0001", "Limited")],
                    },
                    # due 31 Aug 2024 and never delivered: overdue, then contrary to process from 1 Jan 2025
                    {
                        "ogp_id": "AP_PRY06",
                        "submission_year": 2024,
                        "start": dt.date(2024, 9, 1),
                        "end": dt.date(2026, 8, 31),
                    },
                ],
            },
            {
                "code": "URY",
                "name": "Uruguay",
                "region": "Americas",
                "plans": [
                    # due 31 Aug 2024, delivered 20 Oct 2024: late
                    {
                        "ogp_id": "AP_URY06",
                        "submission_year": 2024,
                        "submitted_on": dt.date(2024, 10, 20),
                        "start": dt.date(2024, 9, 1),
                        "end": dt.date(2026, 8, 31),
                        "commitments": [commitment("UY0001")],
                    }
                ],
            },
        ],
    )

    def late_plans(today):
        page = render_overview(
            AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today=today)), Filters()
        )
        card = by_id(page.children, "kpi-late-plans")
        assert getattr(card, "data-count") == int(card.children)
        return int(card.children), text_of(page.children)

    # AP_PRY05 came late and its due date is within two years; AP_PRY06 and AP_URY06 are still due.
    assert late_plans("2024-08-01")[0] == 1
    # AP_PRY06 overdue, AP_URY06 delivered late; AP_PRY05's due date is more than two years back.
    count, text = late_plans("2024-11-01")
    assert count == 2 and "2 late or overdue, 0 contrary to process" in text
    # From 1 Jan 2025 AP_PRY06 is contrary to process.
    count, text = late_plans("2025-02-01")
    assert count == 2 and "1 late or overdue, 1 contrary to process" in text
    # After 31 Aug 2025, 12 months after AP_PRY05 ended, the data shows no new plan delivered (AP_PRY06 is
    # recorded as not delivered): AP_PRY05 is contrary to process too.
    count, text = late_plans("2025-09-15")
    assert count == 3 and "1 late or overdue, 2 contrary to process" in text


def test_ov_export_the_charts_figures_download_as_tables(engine, db_url):
    """Completion by region and the trend across cycles as tables: counts by hand, shares of the assessed."""
    plan = {"start": dt.date(2016, 7, 1), "end": dt.date(2018, 6, 30)}
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
                        "submission_year": 2016,
                        **plan,
                        "commitments": [
                            {"ogp_id": "AA0001", "title": "One", "completion": "Complete"},
                            {"ogp_id": "AA0002", "title": "Two", "completion": "Limited"},
                            {"ogp_id": "AA0003", "title": "Three"},
                        ],
                    }
                ],
            },
            {
                "code": "BBB",
                "name": "Bolandia",
                "region": "Americas",
                "plans": [
                    {
                        "ogp_id": "AP_BBB01",
                        "submission_year": 2018,
                        **plan,
                        "commitments": [{"ogp_id": "BB0001", "title": "Four", "completion": "Substantial"}],
                    }
                ],
            },
        ],
    )
    ctx = AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today="2026-12-01"))
    regions = overview.regions_export(ctx, Filters()).set_index("Region")
    assert regions.loc["Europe", ["Complete", "Limited", "Not yet assessed", "Commitments"]].tolist() == [1, 1, 1, 3]
    assert regions.loc["Europe", "High completion (% of assessed)"] == 50.0  # 1 of 2 assessed
    assert regions.loc["Americas", "High completion (% of assessed)"] == 100.0
    cycles = overview.cycles_export(ctx, Filters(region=("Europe",)))
    assert cycles[["Cycle", "Commitments", "Assessed", "High completion"]].values.tolist() == [[2016, 3, 2, 1]]
    page = overview.render_overview(ctx, Filters())
    assert {ids["table"] for ids in _export_buttons(page.children)} == {"overview-regions", "overview-cycles"}


def _export_buttons(tree):
    return [
        n.id
        for n in find(tree, lambda n: isinstance(getattr(n, "id", None), dict))
        if n.id.get("type") == "export-button"
    ]


def test_ov_mid_cycle_the_first_chart_shows_progress_reported_so_far_by_source(engine, db_url):
    """No commitment in scope has an IRM rating yet: instead of empty completion bars, each source's latest
    report by region (counted by hand), and the same as a table."""
    day = dt.date(2026, 3, 1)
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
                        "submission_year": 2024,
                        "submitted_on": dt.date(2024, 8, 20),
                        "start": dt.date(2024, 9, 1),
                        "end": dt.date(2026, 8, 31),
                        "commitments": [
                            {
                                "ogp_id": "AA0001",
                                "title": "One",
                                "reports": [
                                    report(dt.date(2025, 6, 1), "government", "Limited"),
                                    report(dt.date(2025, 7, 1), "civil_society", "Substantial"),
                                ],
                            },
                            {
                                "ogp_id": "AA0002",
                                "title": "Two",
                                "reports": [
                                    report(dt.date(2025, 3, 1), "government", "Limited"),
                                    report(dt.date(2026, 1, 10), "government", "Complete"),
                                    report(dt.date(2026, 4, 1), "government", "Not Started"),  # after the day
                                ],
                            },
                            {"ogp_id": "AA0003", "title": "Three"},
                        ],
                    }
                ],
            }
        ],
    )
    ctx = AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today=day.isoformat()))
    page = overview.render_overview(ctx, Filters())
    assert overview.PROGRESS_TITLE in text_of(page.children)
    table = overview.regions_export(ctx, Filters()).set_index(["Region", "Source"]).fillna(0)
    government = table.loc[("Europe", "Government")]
    assert (government["Limited"], government["Complete"], government["No report yet"]) == (1, 1, 1)
    assert table.loc[("Europe", "Civil society"), "Substantial"] == 1
    assert table.loc[("Europe", "Civil society"), "No report yet"] == 2
    assert table.loc[("Europe", "IRM"), "No report yet"] == 3
    assert set(table["Commitments"]) == {3}
    chart = find(page.children, lambda n: getattr(n, "id", None) == ids.drill_chart(ids.OVERVIEW_REGION_CHART))[0]
    names = {trace["name"] for trace in chart.figure["data"]}
    assert "No report yet" in names and "Not yet assessed" not in names
