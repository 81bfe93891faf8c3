"""The delays page on a hand-built database: reasons in words, severity order, scope, late plans, deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from callbacks import delays as delays_page
from dashboard.domain.filters import Filters
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.db import session_scope
from data_access.models import ActionPlan, Commitment, Member, Milestone, ProgressReport

D = dt.date
TODAY = D(2025, 7, 1)


def find(component: Any, component_id: Any) -> Any:
    """The component with this id anywhere in a Dash tree, or None."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, component_id)
            if found is not None:
                return found
    return None


def _plan(member, ogp_id, year, start, end, submitted):
    return ActionPlan(
        ogp_id=ogp_id,
        member=member,
        number=1 if year < 2025 else 2,
        submission_year=year,
        submitted_on=submitted,
        start_date=start,
        end_date=end,
        end_year=end.year,
    )


def _commitment(plan, ogp_id, title, start, end):
    return Commitment(ogp_id=ogp_id, action_plan=plan, title=title, start_date=start, end_date=end)


def _report(commitment, day, completion, source="government"):
    return ProgressReport(commitment=commitment, as_of=day, source=source, completion=completion, recorded_by="test")


@pytest.fixture
def app_ctx(engine, db_url) -> AppContext:
    """Three members; each commitment's delay is worked out by hand in the tests below."""
    with session_scope(engine) as s:
        alb = Member(code="ALB", name="Albania", member_type="National", region="Europe")
        bra = Member(code="BRA", name="Brazil", member_type="National", region="Americas")
        chl = Member(code="CHL", name="Chile", member_type="National", region="Americas")
        # Albania delivered 10 Oct 2024, 40 days after the 31 Aug 2024 deadline: late.
        p1 = _plan(alb, "AP_ALB01", 2024, D(2024, 9, 1), D(2026, 8, 31), D(2024, 10, 10))
        p2 = _plan(bra, "AP_BRA01", 2023, D(2023, 9, 1), D(2025, 8, 31), D(2023, 8, 1))
        # Ended 30 Jun 2024, more than 12 months before today: out of scope.
        p3 = _plan(chl, "AP_CHL01", 2022, D(2022, 9, 1), D(2024, 6, 30), D(2022, 8, 1))
        # Chile's next plan is due 31 Aug 2025 and not delivered yet.
        p4 = _plan(chl, "AP_CHL02", 2025, D(2025, 9, 1), D(2027, 8, 31), None)
        al1 = _commitment(p1, "AL0001", "Open budget portal", D(2024, 9, 1), D(2026, 8, 31))
        al2 = _commitment(p1, "AL0002", "Lobbying register", D(2024, 9, 1), D(2026, 8, 31))
        al3 = _commitment(p1, "AL0003", "Open parliament", D(2024, 9, 1), D(2025, 8, 31))
        br1 = _commitment(p2, "BR0001", "Access to information law", D(2023, 9, 1), D(2025, 3, 31))
        br2 = _commitment(p2, "BR0002", "Open contracting", D(2023, 9, 1), D(2025, 9, 15))
        cl1 = _commitment(p3, "CL0001", "Old commitment", D(2022, 9, 1), D(2024, 6, 30))
        s.add_all([alb, bra, chl, p1, p2, p3, p4, al1, al2, al3, br1, br2, cl1])
        s.add_all(
            [
                Milestone(commitment=al1, title="Draft law submitted", due_date=D(2025, 3, 1)),
                Milestone(commitment=al2, title="Kick-off", due_date=D(2024, 10, 1), done_date=D(2024, 10, 1)),
                Milestone(commitment=al2, title="Consultation held", due_date=D(2025, 6, 1)),
                Milestone(commitment=al2, title="Publish register", due_date=D(2025, 8, 15)),
                Milestone(commitment=al2, title="Evaluate register", due_date=D(2025, 10, 15)),
                _report(al1, D(2025, 6, 1), "Substantial"),
                _report(al2, D(2025, 5, 1), "Limited"),
                _report(al3, D(2025, 6, 20), "Complete"),
                _report(br1, D(2025, 2, 1), "Substantial"),
            ]
        )
    return AppContext(engine=engine, settings=Settings(database_url=db_url, today=TODAY.isoformat()))


def test_del001_delayed_and_at_risk_worst_first_with_reasons(app_ctx):
    view = delays_page.delay_view(app_ctx, Filters())
    rows = view.commitments

    assert list(rows["ogp_id"]) == ["BR0002", "BR0001", "AL0001", "AL0002"]
    assert list(rows["delay_status"]) == ["delayed", "delayed", "delayed", "at risk"]
    reasons = dict(zip(rows["ogp_id"], rows["delay_reason"], strict=True))
    # 669 of 745 days gone and nothing reported.
    assert reasons["BR0002"] == "No progress reported; 90% of the time has passed (expected Substantial)"
    assert reasons["BR0001"] == (
        "Ended 31 Mar 2025 (3 months ago) and is not complete: reported Substantial on 1 Feb 2025"
    )
    assert reasons["AL0001"] == "Milestone 'Draft law submitted' was due 1 Mar 2025 and is 4 months overdue"
    assert reasons["AL0002"] == "Milestone 'Consultation held' was due 1 Jun 2025 and is 1 month overdue"
    severity = dict(zip(rows["ogp_id"], rows["severity"], strict=True))
    assert severity["BR0002"] == pytest.approx(669 / 745 * 25, abs=0.01)  # 746 days are 24.5 months: 25
    assert severity["BR0001"] == pytest.approx((1 - 2 / 3) * 19, abs=0.01)  # a third of 19 months
    assert severity["AL0001"] == pytest.approx(122 / (365.25 / 12), abs=0.01)  # 122 days overdue
    assert severity["AL0002"] == pytest.approx((303 / 729 - 1 / 3) * 24, abs=0.01)


def test_del002_scope_excludes_plans_ended_over_a_year_ago(app_ctx):
    view = delays_page.delay_view(app_ctx, Filters(delay_status=("delayed", "at risk", "complete")))

    assert "CL0001" not in set(view.commitments["ogp_id"])
    assert view.counts == {"delayed": 3, "at risk": 1, "complete": 1}


def test_del003_url_filters_apply(app_ctx):
    followed = delays_page.delay_view(app_ctx, Filters(member=("ALB",)))
    assert list(followed.commitments["ogp_id"]) == ["AL0001", "AL0002"]
    complete = delays_page.delay_view(app_ctx, Filters(delay_status=("complete",)))
    assert list(complete.commitments["ogp_id"]) == ["AL0003"]


def test_del004_late_plans(app_ctx):
    plans = delays_page.delay_view(app_ctx, Filters()).plans

    assert list(plans["action_plan"]) == ["AP_ALB01"]
    assert plans.loc[0, "submission_status"] == "late"
    assert plans.loc[0, "submission_reason"] == (
        "Delivered 10 Oct 2024, 40 days after the 31 Aug 2024 deadline; keeps its end date, so implementation "
        "is shorter"
    )


def test_del005_deadlines_in_the_next_90_days(app_ctx):
    deadlines = delays_page.delay_view(app_ctx, Filters()).deadlines

    # Not listed: 'Evaluate register' (106 days), done 'Kick-off', AL0003's end (reported Complete).
    assert [
        tuple(r) for r in deadlines[["due_date", "days_left", "kind", "item", "title"]].itertuples(index=False)
    ] == [
        (D(2025, 8, 15), 45, "Milestone due", "AL0002", "Publish register"),
        (D(2025, 8, 31), 61, "Action plan due", "AP_CHL02", "New action plan due"),
        (D(2025, 9, 15), 76, "Commitment ends", "BR0002", "Open contracting"),
    ]


def test_del006_page_links_every_commitment_and_exports_each_table(app_ctx):
    filters = Filters(region=("Europe",))
    page = delays_page.render_delays(app_ctx, filters)

    grid = find(page.children, "delays-commitments-table")
    assert [row["c0"] for row in grid.rowData] == [
        "[AL0001](</commitments/AL0001?region=Europe>)",
        "[AL0002](</commitments/AL0002?region=Europe>)",
    ]
    assert page.trail == [("Overview", "/?region=Europe"), ("Delays", None)]
    exported = delays_page.commitments_export(app_ctx, filters)
    assert list(exported.columns) == delays_page.COMMITMENT_COLUMNS
    assert list(exported["Status"]) == ["delayed", "at risk"]
    assert list(delays_page.plans_export(app_ctx, filters)["Action plan"]) == ["AP_ALB01"]
    assert list(delays_page.deadlines_export(app_ctx, filters)["Item"]) == ["AL0002"]


def test_del007_empty_states_explain(app_ctx):
    page = delays_page.render_delays(app_ctx, Filters(member=("CHL",)))

    assert find(page.children, "delays-commitments-table") is None
    text = str(page.children)
    assert "No commitment is delayed and at risk under these filters." in text
    assert "Showing the members you chose (CHL)" in text


def test_del008_sample_dataset_renders(engine, db_url):
    from data_access.sample import seed_sample

    today = D(2025, 11, 20)
    seed_sample(engine, scale=1, seed=2011, today=today)
    app_ctx = AppContext(engine=engine, settings=Settings(database_url=db_url, today=today.isoformat()))

    page = delays_page.render_delays(app_ctx, Filters())

    rows = find(page.children, "delays-commitments-table").rowData
    assert rows and all(row["c0"].startswith("[") for row in rows)
    assert find(page.children, "delays-deadlines-table").rowData
