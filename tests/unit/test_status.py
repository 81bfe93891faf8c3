"""The status layer: statuses computed once per data version and day, stored, refreshed when either changes,
and equal to the domain rule applied to each commitment's facts as read independently through the ORM."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, selectinload

from dashboard.domain.rules import delay_status, is_evidence
from dashboard.domain.status import latest_evidence
from data_access import statuses
from data_access.db import bump_data_version, get_engine, session_scope
from data_access.models import (
    ActionPlan,
    Commitment,
    CommitmentStatus,
    PlanStatus,
    ProgressReport,
    StatusSnapshot,
)
from data_access.sample import seed_sample
from tests.builders import build, report

D = dt.date
DAY = D(2026, 9, 1)


def _one_member(engine: Engine, **commitment: object) -> None:
    build(
        engine,
        [
            {
                "code": "ALB",
                "name": "Albania",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_ALB05",
                        "submission_year": 2025,
                        "submitted_on": D(2025, 8, 20),
                        "start": D(2025, 9, 1),
                        "end": D(2027, 8, 31),
                        "commitments": [{"ogp_id": "AL0001", "title": "Open budgets", **commitment}],
                    }
                ],
            }
        ],
    )


def _stored(engine: Engine, day: dt.date = DAY) -> dict[str, tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Commitment.ogp_id, CommitmentStatus.delay_status, CommitmentStatus.delay_reason)
            .join(CommitmentStatus, CommitmentStatus.commitment_id == Commitment.id)
            .where(CommitmentStatus.day == day)
        ).all()
    return {ogp_id: (status, reason) for ogp_id, status, reason in rows}


def _count_statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_sts001_statuses_are_computed_once_per_data_version_and_day(engine: Engine) -> None:
    _one_member(engine, reports=[report(D(2026, 3, 1), "government", "Limited")])
    statuses.ensure(engine, DAY)
    assert _stored(engine)["AL0001"][0] == "on track"
    with Session(engine) as session:
        first = session.scalar(select(StatusSnapshot.computed_at).where(StatusSnapshot.day == DAY))
    seen = _count_statements(engine)
    statuses.ensure(engine, DAY)
    # A current snapshot is one look at the data stamp and the snapshot together: nothing recomputed or written.
    assert len(seen) == 1 and not any(s.lstrip().upper().startswith(("INSERT", "DELETE")) for s in seen)
    with Session(engine) as session:
        assert session.scalar(select(StatusSnapshot.computed_at).where(StatusSnapshot.day == DAY)) == first


def test_sts001b_one_view_checks_each_days_statuses_once(engine: Engine) -> None:
    _one_member(engine)
    statuses.ensure(engine, DAY)
    seen = _count_statements(engine)
    with statuses.one_check_per_view():
        for _ in range(4):  # a page's queries, each asking for the statuses of the day
            statuses.ensure(engine, DAY)
        assert len(seen) == 1
        statuses.ensure(engine, DAY - dt.timedelta(days=1))  # another day is its own check (and computation)
        checked_both = len(seen)
        statuses.ensure(engine, DAY - dt.timedelta(days=1))
        assert len(seen) == checked_both
    statuses.ensure(engine, DAY)  # outside a view every call looks again
    statuses.ensure(engine, DAY)
    assert len(seen) == checked_both + 2


def test_sts002_a_write_changes_the_stored_status_at_the_next_read(engine: Engine) -> None:
    _one_member(engine)
    statuses.ensure(engine, DAY)
    assert _stored(engine)["AL0001"][0] == "no evidence"  # started 1 Sep 2025, nothing reported by 1 Mar 2026
    with session_scope(engine) as session:
        commitment = session.scalar(select(Commitment))
        session.add(
            ProgressReport(
                commitment=commitment, as_of=D(2026, 8, 1), source="government", completion="Complete", recorded_by="t"
            )
        )
        bump_data_version(session)
    statuses.ensure(engine, DAY)
    assert _stored(engine)["AL0001"] == ("complete", "Reported Complete on 1 Aug 2026")


def test_sts003_each_day_has_its_own_snapshot_and_old_versions_are_dropped(engine: Engine) -> None:
    _one_member(engine, reports=[report(D(2026, 3, 1), "government", "Limited")])
    days = [DAY - dt.timedelta(days=i) for i in range(statuses.DAYS_KEPT + 3)]
    for day in days:
        statuses.ensure(engine, day)
    with Session(engine) as session:
        kept = set(session.scalars(select(StatusSnapshot.day)))
        assert len(kept) == statuses.DAYS_KEPT and days[-1] in kept  # the newest computed day is kept
        assert set(session.scalars(select(CommitmentStatus.day).distinct())) == kept
    with session_scope(engine) as session:
        bump_data_version(session)
    statuses.ensure(engine, DAY)
    with Session(engine) as session:
        assert set(session.scalars(select(StatusSnapshot.day))) == {DAY}
        assert set(session.scalars(select(PlanStatus.day).distinct())) == {DAY}


def test_sts004_a_past_day_replays_what_was_known_then(engine: Engine) -> None:
    _one_member(
        engine,
        reports=[report(D(2026, 2, 1), "government", "Limited"), report(D(2026, 8, 1), "government", "Complete")],
    )
    statuses.ensure(engine, D(2026, 5, 1))
    statuses.ensure(engine, DAY)
    assert _stored(engine, D(2026, 5, 1))["AL0001"][0] == "on track"
    assert _stored(engine, DAY)["AL0001"][0] == "complete"
    statuses.ensure(engine, D(2025, 8, 1))  # before the plan was delivered
    plan = statuses.plan_rows(engine, day=D(2025, 8, 1))
    assert plan.loc[0, "delivered"] is False or not plan.loc[0, "delivered"]
    assert plan.loc[0, "submission_status"] == "due"


def test_sts005_two_workers_refreshing_at_once_leave_one_consistent_snapshot(engine: Engine) -> None:
    _one_member(engine, reports=[report(D(2026, 3, 1), "government", "Limited")])
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            statuses.refresh(engine, DAY)
        except BaseException as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(CommitmentStatus)) == 1
        assert session.scalar(select(func.count()).select_from(StatusSnapshot)) == 1


def test_sts006_the_latest_evidence_is_the_latest_report_of_a_level() -> None:
    reports = pd.DataFrame(
        [
            (1, "government", D(2026, 1, 1), "Limited"),
            (1, "civil_society", D(2026, 4, 1), "No Evidence"),  # says nothing: the Limited stands
            (2, "government", D(2026, 1, 1), "NR"),
            (3, "government", D(2026, 2, 1), "Substantial"),
            (3, "irm_midterm", D(2026, 12, 1), "Complete"),  # after the day: not known yet
        ],
        columns=["commitment_id", "source", "as_of", "completion"],
    )
    latest = latest_evidence(reports, DAY).set_index("commitment_id")
    assert latest.loc[1, "completion"] == "Limited" and latest.loc[1, "source"] == "government"
    assert 2 not in latest.index
    assert latest.loc[3, "completion"] == "Substantial"


@pytest.fixture(scope="module")
def sample(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The scale-1 sample, seeded once for this module (read only)."""
    path = tmp_path_factory.mktemp("status") / "sample.sqlite"
    shutil.copy(sqlite_template, path)
    engine = get_engine(f"sqlite:///{path}")
    seed_sample(engine, scale=1, today=D(2026, 3, 15))
    return engine


@pytest.mark.parametrize("day", [D(2019, 1, 1), D(2024, 6, 30), D(2026, 3, 15), D(2030, 1, 1)], ids=str)
def test_sts007_stored_statuses_equal_the_rule_on_facts_read_independently(sample: Engine, day: dt.date) -> None:
    """An independent recount: each commitment's facts read through the ORM, its evidence picked by hand."""
    statuses.ensure(sample, day)
    stored = {row.commitment_id: row for row in statuses.commitment_rows(sample, day=day).itertuples(index=False)}
    expected = {}
    with Session(sample) as session:
        commitments = session.scalars(
            select(Commitment).options(
                selectinload(Commitment.progress_reports),
                selectinload(Commitment.milestones),
                selectinload(Commitment.action_plan),
            )
        )
        for commitment in commitments:
            known = [r for r in commitment.progress_reports if r.as_of <= day and is_evidence(r.completion)]
            latest = max(known, key=lambda r: (r.as_of, r.id)) if known else None
            expected[commitment.id] = delay_status(
                start=commitment.start_date,
                end=commitment.end_date,
                completion=latest.completion if latest else commitment.completion,
                milestones=[(m.title, m.due_date, m.done_date) for m in commitment.milestones],
                today=day,
                last_report_on=latest.as_of if latest else None,
                plan_end=commitment.action_plan.end_date,
            )
    assert len(stored) == len(expected) > 4000
    mismatches = [
        cid
        for cid, rule in expected.items()
        if (stored[cid].delay_status, stored[cid].delay_reason) != (rule.status, rule.reason)
        or abs(stored[cid].severity - rule.severity) > 1e-9
    ]
    assert mismatches == []
    if day == D(2026, 3, 15):
        # Every status occurs on the seeding day, so each branch of the rule was compared.
        assert {row.delay_status for row in stored.values()} == {
            "delayed",
            "at risk",
            "no evidence",
            "on track",
            "not assessable",
            "complete",
            "closed",
        }


def test_sts008_plan_flags_and_counts_agree_with_their_lists(sample: Engine) -> None:
    day = D(2026, 3, 15)
    plans = statuses.plan_rows(sample, day=day)
    with Session(sample) as session:
        assert len(plans) == session.scalar(select(func.count()).select_from(ActionPlan))
    running = statuses.plan_rows(sample, day=day, phase="implementing")
    assert len(running) == int((plans["phase"] == "implementing").sum()) > 0
    assert running["delivered"].astype(bool).all()
    late = statuses.plan_rows(sample, day=day, late_or_contrary=True)
    assert len(late) == int(plans["late_or_contrary"].astype(bool).sum())
    # Late or contrary is always also something to act on.
    assert set(late["plan_id"]) <= set(statuses.plan_rows(sample, day=day, needs_attention=True)["plan_id"])
    counts = statuses.status_counts(sample, day=day)
    assert int(counts["commitments"].sum()) == len(statuses.commitment_rows(sample, day=day))
