"""The IRM page on a hand-built database: mid-term plans, missing reports for N days, disagreements, matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from dash import no_update

from callbacks import irm as irm_page
from dashboard.domain.filters import Filters, parse_filters
from dashboard.domain.rules import latest_completion
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access import progress_queries
from data_access.db import session_scope
from data_access.models import ActionPlan, Commitment, Member, ProgressReport
from layouts import ids
from layouts.irm import IRM_CHANGE_CHART
from tests.helpers import TEST_SECRET, first_by_id

D = dt.date
TODAY = D(2025, 7, 1)


def _plan(member, ogp_id, year, start, end):
    return ActionPlan(
        ogp_id=ogp_id,
        member=member,
        number=1,
        submission_year=year,
        submitted_on=D(year, 8, 1),
        start_date=start,
        end_date=end,
        end_year=end.year,
    )


def _commitment(plan, ogp_id, start, midterm=None, end_of_term=None):
    return Commitment(
        ogp_id=ogp_id,
        action_plan=plan,
        title=f"Commitment {ogp_id}",
        start_date=start,
        end_date=plan.end_date,
        completion_midterm=midterm,
        completion_end_of_term=end_of_term,
        completion=latest_completion(midterm, end_of_term),  # derived on import as the latest IRM rating
    )


def _report(commitment, day, source, completion):
    return ProgressReport(commitment=commitment, as_of=day, source=source, completion=completion, recorded_by="test")


@pytest.fixture
def app_ctx(engine, db_url) -> AppContext:
    """Two running plans (one past mid-term), one recently ended; reports from government and civil society."""
    with session_scope(engine) as s:
        alb = Member(code="ALB", name="Albania", member_type="National", region="Europe")
        bra = Member(code="BRA", name="Brazil", member_type="National", region="Americas")
        chl = Member(code="CHL", name="Chile", member_type="National", region="Americas")
        # Mid-term 31 Aug 2025: not reached today.
        alb_plan = _plan(alb, "AP_ALB01", 2024, D(2024, 9, 1), D(2026, 8, 31))
        # Mid-term 31 Aug 2024: passed.
        bra_plan = _plan(bra, "AP_BRA01", 2023, D(2023, 9, 1), D(2025, 8, 31))
        # Ended 31 Dec 2024, within the last 12 months.
        chl_plan = _plan(chl, "AP_CHL01", 2022, D(2023, 1, 1), D(2024, 12, 31))
        al1 = _commitment(alb_plan, "AL0001", D(2024, 9, 1))
        al2 = _commitment(alb_plan, "AL0002", D(2024, 9, 1), "Limited", "Substantial")
        al3 = _commitment(alb_plan, "AL0003", D(2025, 3, 1), "Limited", "Substantial")
        br1 = _commitment(bra_plan, "BR0001", D(2023, 9, 1), "Limited", "Limited")
        br2 = _commitment(bra_plan, "BR0002", D(2023, 9, 1), "Substantial", "Complete")
        br3 = _commitment(bra_plan, "BR0003", D(2023, 9, 1), "Complete", "ND")
        cl1 = _commitment(chl_plan, "CL0001", D(2023, 1, 1), "Not Started", "Complete")
        s.add_all([alb, bra, chl, alb_plan, bra_plan, chl_plan, al1, al2, al3, br1, br2, br3, cl1])
        s.add_all(
            [
                _report(al1, D(2024, 12, 1), "government", "Limited"),
                _report(al2, D(2025, 3, 1), "civil_society", "Limited"),
                _report(br2, D(2025, 6, 1), "government", "Complete"),
                _report(br2, D(2025, 5, 15), "civil_society", "Limited"),
                _report(br3, D(2025, 6, 1), "government", "Substantial"),
                _report(br3, D(2025, 6, 10), "civil_society", "Limited"),
                # Dated after today: must not count (it would make BR0003 three levels apart).
                _report(br3, D(2025, 8, 1), "civil_society", "No Evidence"),
                _report(cl1, D(2024, 6, 1), "government", "Complete"),
                _report(cl1, D(2024, 7, 1), "civil_society", "Not Started"),
            ]
        )
    return AppContext(
        engine=engine, settings=Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY.isoformat())
    )


def test_irm001_plans_at_or_past_midterm(app_ctx):
    plans = irm_page.midterm_frame(app_ctx, Filters())

    assert list(plans["action_plan"]) == ["AP_BRA01"]
    assert plans.loc[0, "midterm"] == D(2024, 8, 31)
    assert plans.loc[0, "position"] == "Month 23 of 24"


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        # Cut-off 2 Jan 2025. AL0003 started 1 Mar 2025, too recently to miss a report.
        (180, [("BR0001", None), ("AL0001", D(2024, 12, 1))]),
        # Cut-off 1 Jul 2024: only commitments started by then, and AL0001's report is recent enough.
        (365, [("BR0001", None)]),
        # Cut-off 1 Jun 2025: BR0002's report of exactly 30 days ago still counts as recent.
        (30, [("AL0003", None), ("BR0001", None), ("AL0001", D(2024, 12, 1)), ("AL0002", D(2025, 3, 1))]),
    ],
)
def test_irm002_no_recent_report_for_n_days(app_ctx, days, expected):
    frame, total = progress_queries.no_recent_reports(app_ctx.engine, day=TODAY, days=days)

    assert [(r.ogp_id, r.last_report_on) for r in frame.itertuples(index=False)] == expected
    assert total == len(expected)


def test_irm002b_no_recent_report_total_counts_beyond_the_rows_fetched(app_ctx, monkeypatch):
    monkeypatch.setattr(progress_queries, "MAX_ROWS", 2)
    frame, total = progress_queries.no_recent_reports(app_ctx.engine, day=TODAY, days=30)

    assert list(frame["ogp_id"]) == ["AL0003", "BR0001"]  # never reported first
    assert total == 4


def test_irm003_no_report_section_builds_linked_rows(app_ctx):
    section, problem, days, total = irm_page.no_report_section(app_ctx, Filters(member=("ALB",)), "180")

    assert (problem, days, total) == (None, 180, 1)
    assert [row["c0"] for row in section.children[0].rowData] == ["[AL0001](</commitments/AL0001?member=ALB>)"]
    assert section.children[0].rowData[0]["c5"] == 212  # days since 1 Dec 2024


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Enter a number of days from 1 to 3650."),
        ("", "Enter a number of days from 1 to 3650."),
        ("abc", "'abc' is not a number of days; enter a whole number from 1 to 3650."),
        (12.5, "'12.5' is not a whole number of days; enter one from 1 to 3650."),
        (0, "0 days is out of range; enter a number from 1 to 3650 (ten years)."),
        (3651, "3651 days is out of range; enter a number from 1 to 3650 (ten years)."),
        (-5, "-5 days is out of range; enter a number from 1 to 3650 (ten years)."),
        ("nan", "'nan' is not a whole number of days; enter one from 1 to 3650."),
    ],
)
def test_irm004_bad_days_give_a_clear_message(app_ctx, value, message):
    assert irm_page.parse_days(value) == (None, message)
    section, problem, days, total = irm_page.no_report_section(app_ctx, Filters(), value)
    assert (problem, days, total) == (message, None, 0)
    assert message in str(section)


def test_irm005_good_days_values():
    assert irm_page.parse_days("90") == (90, None)
    assert irm_page.parse_days(1) == (1, None)
    assert irm_page.parse_days(3650.0) == (3650, None)


def test_irm006_sources_disagree(app_ctx):
    frame = progress_queries.source_disagreements(app_ctx.engine, day=TODAY)

    # CL0001: Complete vs Not Started a month apart (3 levels); BR0002: Complete vs Limited 17 days apart (2).
    # BR0003 is one level apart (its No Evidence report of 1 Aug 2025 is after the day, and proves nothing).
    assert [
        (r.ogp_id, r.government_completion, r.government_as_of, r.civil_society_completion, r.civil_society_as_of)
        for r in frame.itertuples(index=False)
    ] == [
        ("CL0001", "Complete", D(2024, 6, 1), "Not Started", D(2024, 7, 1)),
        ("BR0002", "Complete", D(2025, 6, 1), "Limited", D(2025, 5, 15)),
    ]
    assert list(frame["levels_apart"]) == [3, 2]
    assert list(frame["irm_completion"]) == ["Complete", "Complete"]  # the IRM's end-of-term ratings
    exported = irm_page.disagreement_export(app_ctx, Filters())
    assert list(exported["Government says"]) == ["Complete (1 Jun 2024)", "Complete (1 Jun 2025)"]
    assert list(exported["Civil society says"]) == ["Not Started (1 Jul 2024)", "Limited (15 May 2025)"]
    assert list(exported["IRM rating"]) == ["Complete", "Complete"]


def test_irm006b_disagreements_need_two_levels_about_the_same_time(app_ctx):
    """Reports more than 120 days apart describe different moments; No Evidence is no level."""
    with session_scope(app_ctx.engine) as s:
        plan = s.query(ActionPlan).filter_by(ogp_id="AP_BRA01").one()
        commitments = {
            ogp_id: _commitment(plan, ogp_id, D(2023, 9, 1), *ratings)
            for ogp_id, ratings in {
                "BR0004": (None, None),
                "BR0005": ("Limited", "NR"),
                "BR0006": (None, None),
                "BR0007": (None, None),
            }.items()
        }
        s.add_all(commitments.values())
        s.add_all(
            [
                # 121 days apart: not compared.
                _report(commitments["BR0004"], D(2025, 6, 1), "government", "Complete"),
                _report(commitments["BR0004"], D(2025, 1, 31), "civil_society", "Not Started"),
                # Civil society's latest report says No Evidence; its latest report of a level (1 Mar 2025,
                # 92 days before the government's) is Not Started: three levels apart.
                _report(commitments["BR0005"], D(2025, 6, 1), "government", "Complete"),
                _report(commitments["BR0005"], D(2025, 3, 1), "civil_society", "Not Started"),
                _report(commitments["BR0005"], D(2025, 6, 15), "civil_society", "No Evidence"),
                # No Evidence is not a level below Not Started: nothing to disagree with.
                _report(commitments["BR0006"], D(2025, 6, 1), "government", "Complete"),
                _report(commitments["BR0006"], D(2025, 6, 1), "civil_society", "No Evidence"),
                # Exactly 120 days apart: compared, two levels.
                _report(commitments["BR0007"], D(2025, 6, 1), "government", "Complete"),
                _report(commitments["BR0007"], D(2025, 2, 1), "civil_society", "Limited"),
            ]
        )
    frame = progress_queries.source_disagreements(app_ctx.engine, day=TODAY)

    rows = {r.ogp_id: (r.civil_society_completion, r.civil_society_as_of, r.levels_apart) for r in frame.itertuples()}
    assert rows == {
        "CL0001": ("Not Started", D(2024, 7, 1), 3),
        "BR0005": ("Not Started", D(2025, 3, 1), 3),
        "BR0002": ("Limited", D(2025, 5, 15), 2),
        "BR0007": ("Limited", D(2025, 2, 1), 2),
    }
    assert list(frame["ogp_id"]) == ["BR0005", "CL0001", "BR0002", "BR0007"]  # widest gap first, then by id
    exported = irm_page.disagreement_export(app_ctx, Filters()).set_index("Commitment")
    assert exported.loc["BR0005", "IRM rating"] == "Limited"  # mid-term rating; end of term not yet reviewed
    assert exported.loc["BR0007", "IRM rating"] == "not rated yet"
    page = irm_page.render_irm(app_ctx, Filters())
    assert first_by_id(page.children, "irm-count-disagree").children == "4"


def test_irm007_completion_change_matrix(app_ctx):
    counts = progress_queries.completion_change_counts(app_ctx.engine)
    matrix, links = irm_page.completion_matrix(counts, Filters(region=("Americas",)))

    assert list(matrix.index) == ["Not Started", "Limited", "Substantial", "Complete", "blank"]
    assert list(matrix.columns) == ["Limited", "Substantial", "Complete", "ND", "blank"]
    assert matrix.to_numpy().tolist() == [
        [0, 0, 1, 0, 0],
        [1, 2, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
    ]
    assert links.at["Limited", "Substantial"] == "/commitments?region=Americas&completion=Substantial"
    # End of term not rated (ND): the mid-term rating is the latest one.
    assert links.at["Complete", "ND"] == "/commitments?region=Americas&completion=Complete"
    assert links.at["blank", "blank"] is None
    assert links.at["Limited", "Complete"] is None  # empty cell


def test_irm008_page_renders_with_drilldown_heatmap(app_ctx):
    page = irm_page.render_irm(app_ctx, Filters())

    figure = first_by_id(page.children, ids.drill_chart(IRM_CHANGE_CHART)).figure
    heatmap = figure.data[0]
    assert heatmap.type == "heatmap"
    assert heatmap.customdata[1][1] == "/commitments?completion=Substantial"
    assert first_by_id(page.children, "irm-count-disagree").children == "2"
    # Each count carries its exact number and the list it links to carries the same one.
    for tile, listed, count in (
        ("irm-count-disagree", "irm-disagreements-list", 2),
        ("irm-count-midterm", "irm-midterm-list", 1),
        ("irm-count-no-report", "irm-no-report-list", 2),
    ):
        assert getattr(first_by_id(page.children, tile), "data-count") == count, tile
        assert getattr(first_by_id(page.children, listed), "data-count") == count, listed
    assert page.trail == [("Overview", "/"), ("IRM", None)]
    change = irm_page.change_export(app_ctx, Filters())
    assert list(change.columns) == [irm_page.CHANGE_CORNER, "Limited", "Substantial", "Complete", "ND", "blank"]


def test_irm009_wiring(app_ctx):
    from dash import Dash

    app = Dash(__name__, suppress_callback_exceptions=True)
    irm_page.register(app, app_ctx)
    keys = " ".join(app.callback_map)
    assert "url.search@" in keys and "irm-days-message.children" in keys

    assert "irm-no-recent-report" in ROUTER.tables


def test_irm010_sample_dataset_renders(engine, db_url):
    from data_access.sample import seed_sample

    today = D(2025, 11, 20)
    seed_sample(engine, scale=1, seed=2011, today=today)
    app_ctx = AppContext(
        engine=engine, settings=Settings(secret_key=TEST_SECRET, database_url=db_url, today=today.isoformat())
    )

    page = irm_page.render_irm(app_ctx, Filters())

    assert first_by_id(page.children, "irm-midterm-table").rowData
    assert int(first_by_id(page.children, "irm-count-matrix").children.replace(",", "")) > 1000
    assert not irm_page.no_report_export(app_ctx, Filters().with_view(days="180")).empty


def test_irm011_days_live_in_the_url(app_ctx):
    query, problem = irm_page.days_search("30", "?member=ALB")
    assert (query, problem) == ("?member=ALB&days=30", None)
    query, problem = irm_page.days_search("abc", "?member=ALB")
    assert query is no_update and "'abc' is not a number of days" in problem
    filters, problems = parse_filters("?days=30")
    assert problems == []
    short = irm_page.no_report_export(app_ctx, filters)
    long = irm_page.no_report_export(app_ctx, Filters().with_view(days="3650"))
    assert len(short) >= len(long)
    page = irm_page.render_irm(app_ctx, Filters().with_view(days="zero"))
    assert "'zero' is not a number of days" in str(page.children)
