"""Tests of the sample dataset: deterministic, the right size and shape, and true to OGP's eras and rules."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.domain import rules
from dashboard.domain.policy_areas import POLICY_AREAS
from dashboard.domain.scales import COMPLETION, INDICATOR_BY_ATTR, INDICATORS, REGIONS
from data_access import models
from data_access.db import get_engine, read_meta
from data_access.sample import SeedSummary, seed_sample

TODAY = dt.date(2025, 10, 15)
FOUNDERS = {"BRA", "IDN", "MEX", "NOR", "PHL", "ZAF", "GBR", "USA"}

# Plan submission years in which each indicator existed (OGP-DOMAIN.md, checked against OGP's sheet).
# Where the sheet disagrees with the domain page the data wins: 'Verifiable' is filled for every era,
# the OGP values are ND for 2020- plans, end-of-term completion starts with 2013 plans (ND for 2011-12),
# DIOG covers 2013-2019 plans and the end-of-term star stops with 2017 plans.
ERAS: dict[str, range] = {
    "specificity": range(2011, 2017),
    "verifiable": range(2011, 2100),
    "ogp_value_access_to_information": range(2011, 2020),
    "ogp_value_civic_participation": range(2011, 2020),
    "ogp_value_public_accountability": range(2011, 2020),
    "ogp_value_technology": range(2011, 2020),
    "potential_impact": range(2012, 2020),
    "potential_for_results": range(2020, 2100),
    "completion_midterm": range(2011, 2017),
    "completion_end_of_term": range(2013, 2100),
    "change_in_completion": range(2013, 2017),
    "early_results": range(2020, 2100),
    "diog_overall": range(2013, 2020),
    "diog_access_to_information": range(2013, 2020),
    "diog_civic_participation": range(2013, 2020),
    "diog_public_accountability": range(2013, 2020),
    "starred_2015": range(2011, 2017),
    "starred_midterm": range(2011, 2017),
    "starred_end_of_term": range(2013, 2018),
}
# Columns filled by the database itself (timestamps), left out when comparing two seeded databases.
SERVER_COLUMNS = {"updated_at", "recorded_at"}
TABLES = (
    models.Member.__table__,
    models.ActionPlan.__table__,
    models.Commitment.__table__,
    models.commitment_policy_area,
    models.Milestone.__table__,
    models.ProgressReport.__table__,
)


def _fresh_sqlite(template: Path, directory: Path, name: str) -> Engine:
    path = directory / f"{name}.sqlite"
    shutil.copy(template, path)
    return get_engine(f"sqlite:///{path}")


def _rows(engine: Engine, table) -> list[tuple]:
    columns = [c for c in table.c if c.name not in SERVER_COLUMNS]
    order = table.c.id if "id" in table.c else tuple(table.primary_key.columns)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(*columns).order_by(*([order] if "id" in table.c else order)))]


@pytest.fixture(scope="module")
def seeded(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, SeedSummary]:
    """One SQLite database seeded with the default seed at TODAY, shared by the read-only tests."""
    engine = _fresh_sqlite(sqlite_template, tmp_path_factory.mktemp("sample"), "seeded")
    return engine, seed_sample(engine, today=TODAY)


@pytest.fixture(scope="module")
def data(seeded: tuple[Engine, SeedSummary]) -> dict[str, list]:
    """Every seeded row as ORM objects (detached), by kind."""
    engine, _ = seeded
    with Session(engine) as session:
        found = {
            "members": session.scalars(select(models.Member).order_by(models.Member.id)).all(),
            "plans": session.scalars(select(models.ActionPlan).order_by(models.ActionPlan.id)).all(),
            "commitments": session.scalars(select(models.Commitment).order_by(models.Commitment.id)).all(),
            "milestones": session.scalars(select(models.Milestone)).all(),
            "reports": session.scalars(select(models.ProgressReport)).all(),
            "links": session.execute(select(models.commitment_policy_area)).all(),
            "areas": session.scalars(select(models.PolicyArea)).all(),
        }
        session.expunge_all()
    return found


def _plans_by_id(data: dict) -> dict[int, models.ActionPlan]:
    return {plan.id: plan for plan in data["plans"]}


def _current_plan_ids(data: dict) -> set[int]:
    return {p.id for p in data["plans"] if p.start_date <= TODAY <= p.end_date and p.submitted_on is not None}


# --- Size and shape -----------------------------------------------------------------------------


def test_smp001_summary_matches_rows(seeded: tuple[Engine, SeedSummary], data: dict) -> None:
    _, summary = seeded
    assert (summary.members, summary.action_plans, summary.commitments) == (
        len(data["members"]),
        len(data["plans"]),
        len(data["commitments"]),
    )
    assert (summary.milestones, summary.progress_reports) == (len(data["milestones"]), len(data["reports"]))
    assert re.fullmatch(
        r"Seeded sample data: \d+ members, \d+ action plans, [\d,]+ commitments, [\d,]+ milestones, "
        r"[\d,]+ progress reports\.",
        str(summary),
    )


def test_smp002_members_are_real_and_spread_over_regions(data: dict) -> None:
    members = data["members"]
    types = Counter(m.member_type for m in members)
    assert 75 <= types["National"] <= 80
    assert 18 <= types["Legacy Local"] <= 22
    assert 1 <= types["Other"] <= 2
    assert {m.region for m in members} == set(REGIONS)
    by_code = {m.code: m for m in members}
    assert by_code["ALB"].name == "Albania" and by_code["KEN"].region == "Africa and the Middle East"
    assert by_code["ARBA"].name == "Buenos Aires, Argentina" and by_code["ARBA"].member_type == "Legacy Local"
    assert by_code["XKX"].member_type == "Other"
    assert {code for code, m in by_code.items() if m.joined_year == 2011} >= FOUNDERS
    assert all(m.joined_year == 2011 for code, m in by_code.items() if code in FOUNDERS)
    statuses = Counter(m.status for m in members)
    assert statuses["Active"] >= 85 and statuses["Under Procedural Review"] >= 2 and statuses["Inactive"] >= 2
    assert all(m.origin == models.ORIGIN_SAMPLE for m in members)


def test_smp003_plans_follow_the_cycles(data: dict) -> None:
    plans = data["plans"]
    assert len(plans) >= 200
    assert all(re.fullmatch(r"AP_[A-Z]{3,4}\d{2}", p.ogp_id) for p in plans)
    assert min(p.submission_year for p in plans) == 2011
    by_member: dict[int, list[models.ActionPlan]] = defaultdict(list)
    for plan in plans:
        by_member[plan.member_id].append(plan)
    for member_plans in by_member.values():
        assert [p.number for p in member_plans] == list(range(1, len(member_plans) + 1))
        starts = [p.start_date for p in member_plans]
        assert starts == sorted(starts)
    for plan in plans:
        start, end, due = rules.plan_calendar(plan.submission_year, plan.end_year)
        moved = plan.start_date != start
        if moved:
            # Delivered after 1 January: the plan runs with the other cohort (a year later).
            assert plan.submitted_on >= dt.date(plan.submission_year + 1, 1, 1)
            assert plan.start_date.year == plan.submission_year + 1
            assert plan.cohort.startswith(str(plan.submission_year + 1))
        else:
            assert (plan.start_date, plan.end_date) == (start, end)
            assert plan.cohort.startswith(str(plan.submission_year))
        assert plan.duration_years in (2, 3, 4)
        assert plan.end_year == plan.end_date.year
    assert {p.cohort for p in plans} >= {"2011 (cohort 1)", "2012 (cohort 2)", "2022 (even)", "2023 (odd)"}
    four_year = [p for p in plans if p.duration_years == 4]
    assert all(p.submission_year >= 2022 for p in four_year)
    assert 10 <= sum(1 for p in four_year if p.submission_year in (2023, 2024)) <= 20
    co_creation = Counter(p.co_creation_met for p in plans)
    assert co_creation[True] > 0.85 * len(plans) and co_creation[False] > 0


def test_smp004_some_plans_are_late_or_not_delivered(data: dict) -> None:
    statuses = Counter(
        rules.plan_submission_status(
            rules.plan_calendar(p.submission_year, p.end_year)[2], p.submitted_on, TODAY
        ).status
        for p in data["plans"]
    )
    assert statuses["on time"] > 0.7 * len(data["plans"])
    assert statuses["late"] >= 10
    assert statuses["contrary to process"] >= 5
    undelivered = [p for p in data["plans"] if p.submitted_on is None]
    assert len(undelivered) >= 3
    # An undelivered plan is the newest of its member, with no commitments yet.
    newest = {}
    for plan in data["plans"]:
        newest[plan.member_id] = plan.id
    assert all(newest[p.member_id] == p.id for p in undelivered)
    with_commitments = {c.action_plan_id for c in data["commitments"]}
    assert not with_commitments & {p.id for p in undelivered}


def test_smp005_commitments_count_ids_and_dates(data: dict) -> None:
    commitments = data["commitments"]
    assert 3_800 <= len(commitments) <= 4_500
    ids = [c.ogp_id for c in commitments]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Z]{2}\d{4}|[A-Z]{3}\d{4}", i) for i in ids)
    plans = _plans_by_id(data)
    members = {m.id: m for m in data["members"]}
    raw_kinds = Counter()
    for commitment in commitments:
        plan = plans[commitment.action_plan_id]
        member = members[plan.member_id]
        assert (len(commitment.ogp_id) == 6) is (member.member_type != "Legacy Local")
        assert commitment.url.endswith(f"/commitments/{commitment.ogp_id.lower()}/")
        assert commitment.title and commitment.short_title and commitment.lead_institution
        if commitment.start_date is None:
            assert commitment.start_date_raw == "NA" and plan.submission_year <= 2014
            continue
        assert plan.start_date <= commitment.start_date < commitment.end_date <= plan.end_date
        raw_kinds[re.sub(r"\d", "9", commitment.start_date_raw).split()[0]] += 1
    assert raw_kinds.most_common(1)[0][0] in ("9/9/9999", "99/9/9999", "9/99/9999")
    assert {"July", "Quarter"} & set(raw_kinds)


def test_smp006_commitments_per_plan_grow_over_time(data: dict) -> None:
    counts = Counter(c.action_plan_id for c in data["commitments"])
    plans = _plans_by_id(data)
    members = {m.id: m for m in data["members"]}
    national = [pid for pid in counts if members[plans[pid].member_id].member_type != "Legacy Local"]
    old = [counts[pid] for pid in national if plans[pid].submission_year <= 2014]
    new = [counts[pid] for pid in national if plans[pid].submission_year >= 2020]
    assert min(old) >= 5 and max(old) <= 15
    assert sum(new) / len(new) > sum(old) / len(old)


# --- IRM ratings --------------------------------------------------------------------------------


def test_smp007_every_rating_is_valid_for_its_scale(data: dict) -> None:
    for commitment in data["commitments"]:
        for indicator in INDICATORS:
            value = getattr(commitment, indicator.attr)
            assert value is not None and indicator.scale.is_valid(value), (commitment.ogp_id, indicator.attr, value)
        assert commitment.completion is None or COMPLETION.is_rating(commitment.completion)


def test_smp008_nd_only_where_the_era_lacks_the_indicator(data: dict) -> None:
    plans = _plans_by_id(data)
    assert set(ERAS) == set(INDICATOR_BY_ATTR)
    for commitment in data["commitments"]:
        year = plans[commitment.action_plan_id].submission_year
        for attr, era in ERAS.items():
            value = getattr(commitment, attr)
            assert (value == "ND") is (year not in era), (commitment.ogp_id, year, attr, value)
    after_2017 = [c for c in data["commitments"] if plans[c.action_plan_id].submission_year >= 2017]
    assert not any(c.specificity not in ("ND",) for c in after_2017)


def test_smp009_nr_only_while_a_report_is_pending(data: dict) -> None:
    plans = _plans_by_id(data)
    pending_results = 0
    for commitment in data["commitments"]:
        plan = plans[commitment.action_plan_id]
        results_due = plan.end_date + dt.timedelta(days=120)
        if commitment.completion_end_of_term == "NR":
            assert results_due > TODAY
            pending_results += 1
        elif commitment.completion_end_of_term != "ND":
            assert results_due <= TODAY
        if commitment.verifiable == "NR":
            assert plan.submitted_on + dt.timedelta(days=120) > TODAY
    assert pending_results > 0


def test_smp010_end_of_term_completion_mix(data: dict) -> None:
    rated = [c.completion_end_of_term for c in data["commitments"] if COMPLETION.is_rating(c.completion_end_of_term)]
    assert len(rated) > 1_500
    shares = {level: n / len(rated) for level, n in Counter(rated).items()}
    for level, target in (("Not Started", 0.07), ("Limited", 0.36), ("Substantial", 0.36), ("Complete", 0.21)):
        assert abs(shares[level] - target) < 0.03, (level, shares[level])
    assert shares.get("Withdrawn", 0) + shares.get("Unclear", 0) < 0.03


def test_smp011_completion_is_the_latest_irm_rating(data: dict) -> None:
    for commitment in data["commitments"]:
        expected = rules.latest_completion(commitment.completion_midterm, commitment.completion_end_of_term)
        assert commitment.completion == expected
        midterm, end_of_term = (
            COMPLETION.rank(commitment.completion_midterm),
            COMPLETION.rank(commitment.completion_end_of_term),
        )
        if midterm is not None and end_of_term is not None:
            change = end_of_term - midterm
            expected_change = "Increase" if change > 0 else "Decrease" if change < 0 else "No Change"
            assert commitment.change_in_completion == expected_change


def test_smp012_stars_follow_the_rule_and_share(data: dict) -> None:
    commitments = data["commitments"]
    share = sum(c.starred for c in commitments) / len(commitments)
    assert 0.06 <= share <= 0.09, share
    for c in commitments:
        values = (c.ogp_value_access_to_information, c.ogp_value_civic_participation)
        values += (c.ogp_value_public_accountability, c.ogp_value_technology)
        args = (c.specificity, *values, c.potential_impact)
        for column, completion, formula in (
            ("starred_2015", c.completion_midterm, "pre_2015"),
            ("starred_midterm", c.completion_midterm, "current"),
            ("starred_end_of_term", c.completion_end_of_term, "current"),
        ):
            value = getattr(c, column)
            if value in ("0", "1"):
                expected = rules.is_starred(*args, completion, formula=formula, verifiable=c.verifiable)
                assert (value == "1") is expected, (c.ogp_id, column)
        assert c.starred is (c.starred_midterm == "1" or c.starred_end_of_term == "1")


# --- Policy areas -------------------------------------------------------------------------------


def test_smp013_policy_areas(data: dict) -> None:
    assert {a.slug for a in data["areas"]} == {a.slug for a in POLICY_AREAS}
    names = {a.id: a.name for a in data["areas"]}
    per_commitment = Counter(link.commitment_id for link in data["links"])
    assert set(per_commitment) == {c.id for c in data["commitments"]}
    assert set(per_commitment.values()) <= {1, 2, 3, 4}
    common = [name for name, _ in Counter(names[link.policy_area_id] for link in data["links"]).most_common(12)]
    assert {"Open Data", "Capacity Building", "Legislation", "Right To Information", "Public Participation"} <= set(
        common
    )


# --- Milestones and progress --------------------------------------------------------------------


def test_smp014_current_plans_have_milestones_and_reports(data: dict) -> None:
    current = _current_plan_ids(data)
    active = [m for m in data["members"] if m.status == "Active"]
    members_with_current = {p.member_id for p in data["plans"] if p.id in current}
    assert len(members_with_current) > 0.75 * len(active)
    in_current = {c.id: c for c in data["commitments"] if c.action_plan_id in current}
    milestones = defaultdict(list)
    for milestone in data["milestones"]:
        milestones[milestone.commitment_id].append(milestone)
    assert all(2 <= len(milestones[cid]) <= 5 for cid in in_current)
    for cid, items in milestones.items():
        commitment = next(iter([in_current[cid]])) if cid in in_current else None
        for milestone in items:
            assert milestone.done_date is None or milestone.done_date <= TODAY
            if commitment is not None:
                assert commitment.start_date <= milestone.due_date <= commitment.end_date
    sources = {r.source for r in data["reports"] if r.commitment_id in in_current}
    assert {"government", "civil_society", "support_unit"} <= sources


def test_smp015_reports_are_dated_true_to_life(data: dict) -> None:
    reports = data["reports"]
    assert max(r.as_of for r in reports) <= TODAY
    assert {r.source for r in reports} == {
        "government",
        "civil_society",
        "support_unit",
        "irm_midterm",
        "irm_end_of_term",
        "irm_results",
    }
    assert all(COMPLETION.is_valid(r.completion) and r.recorded_by == "sample" for r in reports)
    assert any(r.completion == "No Evidence" for r in reports)
    plans = _plans_by_id(data)
    year_of = {c.id: plans[c.action_plan_id].submission_year for c in data["commitments"]}
    for report in reports:
        if report.source == "irm_midterm":
            assert year_of[report.commitment_id] <= 2016
        elif report.source == "irm_end_of_term":
            assert 2013 <= year_of[report.commitment_id] <= 2019
        elif report.source == "irm_results":
            assert year_of[report.commitment_id] >= 2020


def test_smp016_sources_disagree_and_some_evidence_is_stale(data: dict) -> None:
    current = _current_plan_ids(data)
    in_current = {c.id for c in data["commitments"] if c.action_plan_id in current}
    latest: dict[tuple[int, str], models.ProgressReport] = {}
    evidence: dict[tuple[int, str], models.ProgressReport] = {}
    for report in sorted(data["reports"], key=lambda r: r.as_of):
        latest[(report.commitment_id, report.source)] = report
        if rules.is_evidence(report.completion):
            evidence[(report.commitment_id, report.source)] = report
    # As the IRM page compares them: each source's latest report that is evidence ("No Evidence" proves
    # nothing), two or more levels apart and dated within 120 days of each other.
    disagreements = [
        cid
        for (cid, source), government in evidence.items()
        if source == "government"
        and cid in in_current
        and (cid, "civil_society") in evidence
        and rules.sources_disagree(
            government.completion,
            government.as_of,
            evidence[(cid, "civil_society")].completion,
            evidence[(cid, "civil_society")].as_of,
        )
    ]
    assert len(disagreements) >= 5
    last_report = {}
    for (cid, _), report in latest.items():
        last_report[cid] = max(last_report.get(cid, report.as_of), report.as_of)
    stale = [cid for cid in in_current if cid not in last_report or (TODAY - last_report[cid]).days > 180]
    assert 0.03 * len(in_current) < len(stale) < 0.6 * len(in_current)


def test_smp017_some_commitments_are_clearly_delayed(data: dict) -> None:
    current = _current_plan_ids(data)
    milestones = defaultdict(list)
    for milestone in data["milestones"]:
        milestones[milestone.commitment_id].append(milestone)
    latest_government = {}
    for report in sorted(data["reports"], key=lambda r: r.as_of):
        if report.source == "government":
            latest_government[report.commitment_id] = report
    statuses = Counter()
    for c in data["commitments"]:
        if c.action_plan_id not in current:
            continue
        report = latest_government.get(c.id)
        statuses[
            rules.delay_status(
                start=c.start_date,
                end=c.end_date,
                completion=report.completion if report else None,
                milestones=milestones[c.id],
                today=TODAY,
                last_report_on=report.as_of if report else None,
            ).status
        ] += 1
    assert statuses["delayed"] >= 20
    assert statuses["on track"] >= 20
    assert statuses["complete"] >= 5
    overdue = [m for m in data["milestones"] if m.done_date is None and m.due_date < TODAY]
    assert len(overdue) >= 50


# --- Seeding: determinism, scale, refusal, bookkeeping -------------------------------------------


def test_smp018_same_seed_same_rows_on_every_backend(seeded: tuple[Engine, SeedSummary], engine: Engine) -> None:
    reference, _ = seeded
    seed_sample(engine, today=TODAY)
    for table in TABLES:
        assert _rows(engine, table) == _rows(reference, table), table.name


def test_smp019_other_seed_other_data(
    seeded: tuple[Engine, SeedSummary], sqlite_template: Path, tmp_path: Path
) -> None:
    reference, _ = seeded
    other = _fresh_sqlite(sqlite_template, tmp_path, "other")
    seed_sample(other, seed=7, today=TODAY)
    commitments = models.Commitment.__table__
    assert _rows(other, commitments) != _rows(reference, commitments)
    assert _rows(other, models.Member.__table__) == _rows(reference, models.Member.__table__)


def test_smp020_scale_multiplies_commitments(seeded: tuple[Engine, SeedSummary], engine: Engine) -> None:
    _, summary = seeded
    doubled = seed_sample(engine, scale=2, today=TODAY)
    assert (doubled.members, doubled.action_plans) == (summary.members, summary.action_plans)
    assert doubled.commitments == 2 * summary.commitments
    assert 1.7 * summary.milestones < doubled.milestones < 2.3 * summary.milestones


def test_smp021_refuses_a_database_with_commitments(engine: Engine) -> None:
    seed_sample(engine, today=TODAY)
    with pytest.raises(ValueError, match="already holds .* commitments"):
        seed_sample(engine, today=TODAY)


def test_smp022_writes_meta_and_leaves_ids_to_the_database(engine: Engine) -> None:
    summary = seed_sample(engine, today=TODAY)
    meta = read_meta(engine)
    assert meta["data_origin"] == "sample" and int(meta["data_version"]) >= 1
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(models.Commitment.origin != models.ORIGIN_SAMPLE)) == 0
        # PostgreSQL sequences must have moved past the ids written in bulk.
        report = models.ProgressReport(
            commitment_id=1, as_of=TODAY, source="government", completion="Limited", recorded_by="test"
        )
        member = models.Member(code="ZZZ", name="Test", member_type="National", region="Europe")
        session.add_all([report, member])
        session.commit()
        assert report.id == summary.progress_reports + 1
        assert member.id == summary.members + 1


def test_smp023_rejects_a_bad_scale(seeded: tuple[Engine, SeedSummary]) -> None:
    engine, _ = seeded
    with pytest.raises(ValueError, match="scale"):
        seed_sample(engine, scale=0)
