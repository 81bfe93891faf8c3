"""The cycle page on a hand-built database: which plans are on the timeline, replay, due and late plans."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from callbacks import cycle as cycle_page
from dashboard.domain.filters import Filters, parse_filters
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.db import session_scope
from data_access.models import ActionPlan, Commitment, Member, ProgressReport
from layouts import ids
from layouts.cycle import CYCLE_TIMELINE
from tests.helpers import TEST_SECRET, first_by_id, text_of

D = dt.date
TODAY = D(2025, 3, 15)


def _plan(member, ogp_id, year, start, end, submitted, number=1):
    return ActionPlan(
        ogp_id=ogp_id,
        member=member,
        number=number,
        submission_year=year,
        submitted_on=submitted,
        start_date=start,
        end_date=end,
        end_year=end.year,
        duration_years=2,
    )


def _commitment(plan, ogp_id, title="A commitment"):
    return Commitment(
        ogp_id=ogp_id,
        action_plan=plan,
        title=title,
        start_date=plan.start_date,
        end_date=plan.end_date,
    )


def _report(commitment, day, source, completion):
    return ProgressReport(commitment=commitment, as_of=day, source=source, completion=completion, recorded_by="test")


@pytest.fixture
def app_ctx(engine, db_url) -> AppContext:
    """Five members' plans with known dates and a progress history (see each test for the hand count)."""
    with session_scope(engine) as s:
        alb = Member(code="ALB", name="Albania", member_type="National", region="Europe")
        bra = Member(code="BRA", name="Brazil", member_type="National", region="Americas")
        chl = Member(code="CHL", name="Chile", member_type="National", region="Americas")
        dnk = Member(code="DNK", name="Denmark", member_type="National", region="Europe")
        # On time, running 1 Sep 2024 - 31 Aug 2026.
        a = _plan(alb, "AP_ALB02", 2024, D(2024, 9, 1), D(2026, 8, 31), D(2024, 8, 20), number=2)
        # Ended plan of 2021 (due 30 June 2021), on time.
        e = _plan(alb, "AP_ALB01", 2021, D(2021, 7, 1), D(2023, 6, 30), D(2021, 6, 1), number=1)
        # Late (15 Oct 2023, before 1 January), running 1 Sep 2023 - 31 Aug 2025.
        b = _plan(bra, "AP_BRA01", 2023, D(2023, 9, 1), D(2025, 8, 31), D(2023, 10, 15))
        # Next Brazilian plan, not delivered yet: due 31 Aug 2025.
        f = _plan(bra, "AP_BRA02", 2025, D(2025, 9, 1), D(2027, 8, 31), None, number=2)
        # Chile never delivered its 2024 plan: contrary to process since 1 Jan 2025.
        c = _plan(chl, "AP_CHL01", 2024, D(2024, 9, 1), D(2026, 8, 31), None)
        # Denmark delivered on 20 Jan 2025, after 1 January: contrary to process.
        d = _plan(dnk, "AP_DNK01", 2024, D(2024, 9, 1), D(2026, 8, 31), D(2025, 1, 20))
        a1, a2, a3 = (_commitment(a, f"AL000{i}") for i in (1, 2, 3))
        b1, b2 = _commitment(b, "BR0001"), _commitment(b, "BR0002")
        d1 = _commitment(d, "DK0001")
        e1 = _commitment(e, "AL0000")
        s.add_all([alb, bra, chl, dnk, a, b, c, d, e, f, a1, a2, a3, b1, b2, d1, e1])
        s.add_all(
            [
                _report(a1, D(2024, 11, 1), "government", "Limited"),
                _report(a1, D(2025, 2, 1), "government", "Substantial"),
                _report(a2, D(2025, 1, 15), "civil_society", "Complete"),
                _report(b1, D(2024, 6, 1), "government", "Limited"),
            ]
        )
    return AppContext(
        engine=engine, settings=Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY.isoformat())
    )


def timeline_plans(page) -> list[str]:
    """y labels of the timeline's bars, top first."""
    graph = first_by_id(page.children, ids.drill_chart(CYCLE_TIMELINE))
    figure = graph.figure
    labels = [label for trace in figure.data if trace.type == "bar" for label in trace.y]
    order = list(figure.layout.yaxis.categoryarray)
    return sorted(labels, key=lambda label: -order.index(label))


def test_cyc001_timeline_today_lists_delivered_running_plans(app_ctx):
    page = cycle_page.render_cycle(app_ctx, Filters())

    # Chile's plan was never delivered and Albania's 2021 plan has ended; Brazil's next plan has not started.
    assert timeline_plans(page) == ["Albania · AP_ALB02", "Brazil · AP_BRA01", "Denmark · AP_DNK01"]
    assert page.trail == [("Overview", "/"), ("Cycle", None)]
    assert first_by_id(page.children, "cycle-count-running").children == "3"


def test_cyc002_expected_versus_reported_progress_by_hand(app_ctx):
    plans = cycle_page.plans_frame(app_ctx, Filters()).set_index("action_plan")

    albania = plans.loc["AP_ALB02"]
    # 195 of 729 days gone; reports: Substantial (2/3), Complete (1), and one commitment without evidence, which
    # is not counted as nothing done: the mean is over the two with evidence.
    assert albania["elapsed_share"] == pytest.approx(195 / 729)
    assert albania["progress_share"] == pytest.approx((2 / 3 + 1) / 2)
    assert (albania["reported"], albania["high_completion"], albania["commitments"]) == (2, 2, 3)
    assert albania["schedule"] == "on schedule"
    assert albania["position"] == "Month 7 of 24"
    assert albania["midterm"] == D(2025, 8, 31)
    brazil = plans.loc["AP_BRA01"]
    # 561 of 730 days gone; the one commitment with evidence reports Limited (1/3): more than 25 points behind.
    assert brazil["elapsed_share"] == pytest.approx(561 / 730)
    assert brazil["progress_share"] == pytest.approx(1 / 3)
    assert brazil["schedule"] == "behind"
    assert brazil["position"] == "Month 19 of 24"
    # 27% of the time gone and nothing reported: no evidence, not "behind".
    assert plans.loc["AP_DNK01", "schedule"] == "no evidence"
    assert pd.isna(plans.loc["AP_DNK01", "progress_share"])
    # The table lists the most behind first: Brazil (77% gone, 33% done), Denmark (27%, no evidence), Albania (27%,
    # 83%).
    assert list(plans.index) == ["AP_BRA01", "AP_DNK01", "AP_ALB02"]


def test_cyc003_replay_ignores_later_plans_and_reports(app_ctx):
    as_of = D(2024, 12, 1)
    plans = cycle_page.plans_frame(app_ctx, Filters(as_of=as_of)).set_index("action_plan")

    # Denmark delivered on 20 Jan 2025, after the replay date: not on the timeline then.
    assert sorted(plans.index) == ["AP_ALB02", "AP_BRA01"]
    albania = plans.loc["AP_ALB02"]
    # Only the 1 Nov 2024 Limited report existed; the 1 Feb and 15 Jan 2025 reports do not count (and the two
    # commitments without evidence then do not count as nothing done).
    assert albania["progress_share"] == pytest.approx(1 / 3)
    assert (albania["reported"], albania["high_completion"]) == (1, 0)
    assert albania["last_report_on"] == D(2024, 11, 1)
    assert albania["elapsed_share"] == pytest.approx(91 / 729)

    page = cycle_page.render_cycle(app_ctx, Filters(as_of=as_of))
    assert timeline_plans(page) == ["Albania · AP_ALB02", "Brazil · AP_BRA01"]
    assert "Replaying 1 Dec 2024" in text_of(page.children)
    older = cycle_page.render_cycle(app_ctx, Filters(as_of=D(2022, 6, 1)))
    assert timeline_plans(older) == ["Albania · AP_ALB01"]


def test_cyc004_plans_due_or_late_today(app_ctx):
    table = cycle_page.submissions_frame(app_ctx, Filters())

    # Contrary to process first (by due date), then late, then due. Albania's 2021 plan ended 30 Jun 2023;
    # its next plan (number 2) came 20 Aug 2024, after the 30 Jun 2024 deadline: the data proves the
    # 12-month rule broken, and that deadline passed within the last two years, so it is listed.
    assert list(zip(table["action_plan"], table["status"], strict=True)) == [
        ("AP_ALB01", "contrary to process"),
        ("AP_CHL01", "contrary to process"),
        ("AP_DNK01", "contrary to process"),
        ("AP_BRA01", "late"),
        ("AP_BRA02", "due"),
    ]
    reasons = dict(zip(table["action_plan"], table["why"], strict=True))
    assert reasons["AP_ALB01"] == (
        "Delivered 1 Jun 2021, 29 days before the 30 Jun 2021 deadline; "
        "AP_ALB02 was delivered 20 Aug 2024, after the deadline: "
        "a new plan was due within 12 months of this plan's end (30 Jun 2023), by 30 Jun 2024"
    )
    assert reasons["AP_BRA01"].startswith("Delivered 15 Oct 2023, 45 days after the 31 Aug 2023 deadline")
    assert reasons["AP_CHL01"].startswith("Not delivered by 1 Jan 2025")
    assert reasons["AP_DNK01"].startswith("Delivered 20 Jan 2025, not by 1 Jan 2025")
    assert reasons["AP_BRA02"] == "Due 31 Aug 2025, in 169 days"
    # Albania's current plan has no later plan in the data, but its deadline (31 Aug 2027) is far off.
    assert "AP_ALB02" not in reasons
    page = cycle_page.render_cycle(app_ctx, Filters())
    assert first_by_id(page.children, "cycle-count-submissions").children == "5"


def test_cyc005_replay_of_submissions(app_ctx):
    replay = Filters(as_of=D(2024, 12, 1))
    table = cycle_page.submissions_frame(app_ctx, replay)

    # Before 1 January neither Chile nor Denmark had delivered: overdue, not yet contrary to process.
    # Albania's plan 2 had come (20 Aug 2024) after the 30 Jun 2024 deadline: already contrary.
    assert list(zip(table["action_plan"], table["status"], strict=True)) == [
        ("AP_ALB01", "contrary to process"),
        ("AP_CHL01", "overdue"),
        ("AP_DNK01", "overdue"),
        ("AP_BRA01", "late"),
        ("AP_BRA02", "due"),
    ]
    exported = cycle_page.submissions_table_export(app_ctx, replay)
    assert list(exported.columns) == cycle_page.SUBMISSION_TABLE_COLUMNS
    # Denmark's delivery of 20 Jan 2025 had not happened on 1 Dec 2024.
    assert list(exported["Delivered"]) == ["1 Jun 2021", "not yet", "not yet", "15 Oct 2023", "not yet"]


def test_cyc006_member_filter_applies(app_ctx):
    page = cycle_page.render_cycle(app_ctx, Filters(member=("BRA",)))

    assert timeline_plans(page) == ["Brazil · AP_BRA01"]
    grid = first_by_id(page.children, "cycle-plans-table")
    assert [row["c0"] for row in grid.rowData] == ["[Brazil](</countries/BRA?member=BRA>)"]


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (D(2010, 1, 1), "before OGP was founded"),
        (D(2030, 1, 1), "is in the future"),
    ],
)
def test_cyc007_unusable_as_of_gives_a_message(app_ctx, as_of, message):
    page = cycle_page.render_cycle(app_ctx, Filters(as_of=as_of))

    text = text_of(page.children)
    assert message in text
    assert timeline_plans(page) == ["Albania · AP_ALB02", "Brazil · AP_BRA01", "Denmark · AP_DNK01"]


def test_cyc008_malformed_as_of_in_the_link_is_reported():
    filters, problems = parse_filters("?as_of=last-tuesday")

    assert filters.as_of is None
    assert problems == ["'last-tuesday' is not a date (use YYYY-MM-DD)."]


def test_cyc009_as_of_picker_writes_the_url():
    assert cycle_page.as_of_search("2024-12-01", "?member=ALB", TODAY) == "?member=ALB&as_of=2024-12-01"
    assert cycle_page.as_of_search("2024-12-01T00:00:00", "", TODAY) == "?as_of=2024-12-01"
    # Today (or later) means no replay: the parameter goes away.
    assert cycle_page.as_of_search(TODAY.isoformat(), "?as_of=2024-12-01", TODAY) == ""
    assert cycle_page.as_of_search(None, "?member=ALB&as_of=2024-12-01", TODAY) == "?member=ALB"
    unchanged = cycle_page.as_of_search("2024-12-01", "?as_of=2024-12-01", TODAY)
    assert unchanged is not None and not isinstance(unchanged, str)  # no_update
    assert not isinstance(cycle_page.as_of_search("not a date", "", TODAY), str)


def test_cyc010_wiring(app_ctx):
    from dash import Dash

    app = Dash(__name__, suppress_callback_exceptions=True)
    cycle_page.register(app, app_ctx)
    outputs = [key for key in app.callback_map if key.startswith("url.search")]
    assert len(outputs) == 2


def test_cyc011_sample_dataset_renders(engine, db_url):
    from data_access.sample import seed_sample

    today = D(2025, 11, 20)
    seed_sample(engine, scale=1, seed=2011, today=today)
    app_ctx = AppContext(
        engine=engine, settings=Settings(secret_key=TEST_SECRET, database_url=db_url, today=today.isoformat())
    )

    page = cycle_page.render_cycle(app_ctx, Filters())

    assert len(timeline_plans(page)) > 10
    assert first_by_id(page.children, "cycle-plans-table").rowData
    assert not cycle_page.plans_table_export(app_ctx, Filters()).empty
