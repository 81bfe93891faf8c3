"""The delays page on a hand-built database: reasons in words, severity order, scope, late plans, deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from callbacks import delays as delays_page
from callbacks.commitments import render_commitment
from dashboard.domain.filters import Filters
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.db import session_scope
from data_access.models import ActionPlan, Commitment, DelayNote, Member, Milestone, ProgressReport
from tests.helpers import TEST_SECRET, find, first_by_id, text_of

D = dt.date
TODAY = D(2025, 7, 1)


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
    return AppContext(
        engine=engine, settings=Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY.isoformat())
    )


MONTH = 365.25 / 12  # days


def test_del001_delayed_at_risk_and_no_evidence_worst_first_with_reasons(app_ctx):
    view = delays_page.delay_view(app_ctx, Filters())
    rows = view.commitments

    # Worst first by severity, whatever the status: BR0002 has had no report for 16 months.
    assert list(rows["ogp_id"]) == ["BR0002", "AL0001", "BR0001", "AL0002"]
    assert list(rows["delay_status"]) == ["no evidence", "delayed", "delayed", "at risk"]
    reasons = dict(zip(rows["ogp_id"], rows["delay_reason"], strict=True))
    # Started 1 Sep 2023 with no report: one was due six months in, by 1 Mar 2024.
    assert reasons["BR0002"] == "No progress report since it started on 1 Sep 2023 (one was due by 1 Mar 2024)"
    assert reasons["BR0001"] == (
        "Ended 31 Mar 2025 (3 months ago) and is not complete: reported Substantial on 1 Feb 2025"
    )
    assert reasons["AL0001"] == "Milestone 'Draft law submitted' was due 1 Mar 2025 and is 4 months overdue"
    # Limited with 42% of the time gone is not a quarter behind; the overdue milestone makes it at risk.
    assert reasons["AL0002"] == "Milestone 'Consultation held' was due 1 Jun 2025 and is 1 month overdue"
    # Severity: months since the date the reason names.
    severity = dict(zip(rows["ogp_id"], rows["severity"], strict=True))
    assert severity["BR0002"] == pytest.approx(487 / MONTH)  # 1 Mar 2024 to 1 Jul 2025
    assert severity["AL0001"] == pytest.approx(122 / MONTH)  # 1 Mar 2025 to 1 Jul 2025
    assert severity["BR0001"] == pytest.approx(92 / MONTH)  # 31 Mar 2025 to 1 Jul 2025
    assert severity["AL0002"] == pytest.approx(30 / MONTH)  # 1 Jun 2025 to 1 Jul 2025
    assert view.commitment_total == 4


def test_del002_commitments_of_plans_ended_over_a_year_ago_are_closed_and_not_listed(app_ctx):
    # Chile's plan ended 30 Jun 2024: on 1 Jul 2025 that is more than 12 months ago.
    view = delays_page.delay_view(app_ctx, Filters(delay_status=("delayed", "at risk", "complete")))
    assert "CL0001" not in set(view.commitments["ogp_id"])
    assert list(view.commitments["ogp_id"]) == ["AL0001", "BR0001", "AL0002", "AL0003"]
    # Counts are per status under the other filters: every commitment once.
    assert view.counts == {"no evidence": 1, "delayed": 2, "at risk": 1, "complete": 1, "closed": 1}
    assert view.commitment_total == 4
    assert "CL0001" not in set(delays_page.delay_view(app_ctx, Filters()).commitments["ogp_id"])
    closed = delays_page.delay_view(app_ctx, Filters(delay_status=("closed",))).commitments
    assert list(zip(closed["ogp_id"], closed["delay_reason"], strict=True)) == [
        ("CL0001", "Plan ended 30 Jun 2024; no completion was reported")
    ]


def test_del002b_a_plan_ended_exactly_12_months_ago_is_not_closed_yet(app_ctx):
    # On 30 Jun 2025 Chile's plan ended 365 days ago: not closed; ended without any report, so no evidence.
    view = delays_page.delay_view(app_ctx, Filters(as_of=D(2025, 6, 30)))
    rows = view.commitments.set_index("ogp_id")
    assert rows.loc["CL0001", "delay_status"] == "no evidence"
    assert rows.loc["CL0001", "delay_reason"] == "Ended 30 Jun 2024 (12 months ago) with no progress report"
    assert rows.loc["CL0001", "severity"] == pytest.approx(365 / MONTH)
    assert "closed" not in view.counts


def test_del003_url_filters_apply(app_ctx):
    followed = delays_page.delay_view(app_ctx, Filters(member=("ALB",)))
    assert list(followed.commitments["ogp_id"]) == ["AL0001", "AL0002"]
    complete = delays_page.delay_view(app_ctx, Filters(delay_status=("complete",)))
    assert list(complete.commitments["ogp_id"]) == ["AL0003"]
    no_evidence = delays_page.delay_view(app_ctx, Filters(delay_status=("no evidence",), region=("Americas",)))
    assert list(no_evidence.commitments["ogp_id"]) == ["BR0002"]


def test_del004_late_and_contrary_plans(app_ctx):
    plans = delays_page.delay_view(app_ctx, Filters()).plans

    # Albania delivered late. Chile's plan ended 30 Jun 2024 and its next plan, in the data, has not been
    # delivered by 30 Jun 2025: contrary to process, although that plan's own due date (31 Aug) is ahead.
    # Brazil's plan ends 31 Aug 2025: its 12-month deadline has not come.
    assert list(plans["action_plan"]) == ["AP_ALB01", "AP_CHL01"]
    albania, chile = plans.iloc[0], plans.iloc[1]
    assert albania["submission_status"] == "late"
    assert albania["submission_reason"] == (
        "Delivered 10 Oct 2024, 40 days after the 31 Aug 2024 deadline; keeps its end date, so implementation "
        "is shorter"
    )
    assert (chile["submission_status"], chile["process_status"]) == ("on time", "contrary to process")
    assert chile["process_reason"] == (
        "AP_CHL02 has not been delivered: a new plan was due within 12 months of this plan's end (30 Jun 2024), "
        "by 30 Jun 2025"
    )
    exported = delays_page.plans_export(app_ctx, Filters())
    assert list(exported["Status"]) == ["late", "contrary to process"]
    assert list(exported["Delivered"]) == ["10 Oct 2024", "1 Aug 2022"]
    # A day earlier the deadline had not passed: only Albania.
    before = delays_page.delay_view(app_ctx, Filters(as_of=D(2025, 6, 30))).plans
    assert list(before["action_plan"]) == ["AP_ALB01"]
    # Replayed on 15 Sep 2024, Albania's plan (delivered 10 Oct 2024) was overdue and not delivered yet.
    replay = Filters(as_of=D(2024, 9, 15))
    assert list(delays_page.delay_view(app_ctx, replay).plans["submission_status"]) == ["overdue"]
    exported = delays_page.plans_export(app_ctx, replay)
    assert list(zip(exported["Action plan"], exported["Delivered"], strict=True)) == [("AP_ALB01", "not yet")]


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

    grid = first_by_id(page.children, "delays-commitments-table")
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
    # Chile's only commitment is closed: nothing to act on, but its plan is contrary to process.
    page = delays_page.render_delays(app_ctx, Filters(member=("CHL",)))

    assert first_by_id(page.children, "delays-commitments-table") is None
    text = text_of(page.children)
    # The empty state names every status listed by default, in words.
    empty = text.split("No commitment is", 1)[1].split("under these filters", 1)[0]
    assert empty.strip() == "delayed, at risk or without evidence where a report was due"
    assert "Showing the members you chose (CHL)" in text
    plans = first_by_id(page.children, "delays-plans-table")
    assert [row["c1"] for row in plans.rowData] == ["AP_CHL01"]


def test_del009_tiles_count_and_link_to_their_lists(app_ctx):
    page = delays_page.render_delays(app_ctx, Filters(region=("Americas",)))

    # Americas on 1 Jul 2025: BR0002 no evidence, BR0001 delayed, CL0001 closed (not counted in any tile).
    expected = {
        "delays-count-delayed": (1, "/delays?region=Americas&delay_status=delayed#delays-commitments"),
        "delays-count-at-risk": (0, "/delays?region=Americas&delay_status=at+risk#delays-commitments"),
        "delays-count-no-evidence": (1, "/delays?region=Americas&delay_status=no+evidence#delays-commitments"),
        "delays-count-plans": (1, "/delays?region=Americas#late-plans"),
    }
    links = find(page.children, lambda n: type(n).__name__ == "Link")
    for tile_id, (count, href) in expected.items():
        tile = first_by_id(page.children, tile_id)
        assert getattr(tile, "data-count") == count, tile_id
        assert [link.href for link in links if first_by_id(link, tile_id) is not None] == [href]
    listed = first_by_id(page.children, "delays-commitments")
    assert getattr(listed, "data-count") == 2
    assert getattr(first_by_id(page.children, "late-plans"), "data-count") == 1


def test_del008_sample_dataset_renders(engine, db_url):
    from data_access.sample import seed_sample

    today = D(2025, 11, 20)
    seed_sample(engine, scale=1, seed=2011, today=today)
    app_ctx = AppContext(
        engine=engine, settings=Settings(secret_key=TEST_SECRET, database_url=db_url, today=today.isoformat())
    )

    page = delays_page.render_delays(app_ctx, Filters())

    rows = first_by_id(page.children, "delays-commitments-table").rowData
    assert rows and all(row["c0"].startswith("[") for row in rows)
    assert first_by_id(page.children, "delays-deadlines-table").rowData


def test_del010_the_newest_delay_note_shows_on_delays_and_in_the_commitment_s_reason(app_ctx):
    """Notes on why a commitment is late, written on its page, are read where delays are worked on."""
    with session_scope(app_ctx.engine) as s:
        al1 = s.query(Commitment).filter_by(ogp_id="AL0001").one()
        s.add(
            DelayNote(commitment_id=al1.id, note="Old note", recorded_by="maria", recorded_at=dt.datetime(2025, 5, 1))
        )
        s.add(
            DelayNote(
                commitment_id=al1.id,
                note="Waiting for the budget law",
                recorded_by="sofia",
                recorded_at=dt.datetime(2025, 6, 3),
            )
        )
    exported = delays_page.commitments_export(app_ctx, Filters()).set_index("Commitment")
    assert exported.loc["AL0001", "Latest note"] == "Waiting for the budget law (sofia, 3 Jun 2025)"
    assert exported.loc["BR0001", "Latest note"] == "—"
    grid = first_by_id(delays_page.render_delays(app_ctx, Filters()).children, "delays-commitments-table")
    assert "Waiting for the budget law (sofia, 3 Jun 2025)" in str(grid.rowData)
    page = render_commitment(app_ctx, Filters(), "AL0001", actor=None)
    assert "Latest delay note: Waiting for the budget law (sofia, 3 Jun 2025)" in " ".join(
        text_of(page.children).split()
    )
