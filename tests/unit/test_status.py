"""The vectorised delay status (domain.status) against the reference rule (domain.rules.delay_status)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from dashboard.domain.rules import delay_status
from dashboard.domain.status import commitment_delays, latest_overall
from data_access import queries
from data_access.db import get_engine
from data_access.sample import seed_sample

SEEDED_ON = dt.date(2026, 3, 15)
# Before most plans, mid-cycle, the seeding day and after every plan has ended.
DAYS = [dt.date(2019, 1, 1), dt.date(2024, 6, 30), SEEDED_ON, dt.date(2030, 1, 1)]


@pytest.fixture(scope="module")
def sample(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The scale-1 sample, seeded once for this module."""
    path = tmp_path_factory.mktemp("status") / "sample.sqlite"
    shutil.copy(sqlite_template, path)
    engine = get_engine(f"sqlite:///{path}")
    seed_sample(engine, scale=1, today=SEEDED_ON)
    return engine


def _reference(
    commitments: pd.DataFrame, progress: pd.DataFrame, milestones: pd.DataFrame, today: dt.date
) -> list[tuple]:
    """(commitment id, status, reason, severity) of each commitment, one delay_status call per commitment."""
    latest = {row.commitment_id: row for row in latest_overall(progress).itertuples(index=False)}
    owned: dict[int, list[tuple]] = {}
    for row in milestones.itertuples(index=False):
        owned.setdefault(row.commitment_id, []).append((row.title, row.due_date, row.done_date))
    rows = []
    for row in commitments.itertuples(index=False):
        report = latest.get(row.commitment_id)
        status = delay_status(
            start=row.start_date,
            end=row.end_date,
            completion=report.completion if report is not None else row.completion,
            milestones=owned.get(row.commitment_id, ()),
            today=today,
            last_report_on=report.as_of if report is not None else None,
        )
        rows.append((row.commitment_id, status.status, status.reason, status.severity))
    return rows


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_fast_delay_status_matches_the_rule_for_every_sample_commitment(sample: Engine, today: dt.date):
    commitments = queries.commitments(sample)
    progress = queries.latest_progress(sample, on=today)
    milestones = queries.milestones(sample)
    expected = _reference(commitments, progress, milestones, today)
    fast = commitment_delays(commitments, progress, milestones, today)
    got = list(
        zip(
            fast["commitment_id"].tolist(),
            fast["delay_status"].tolist(),
            fast["delay_reason"].tolist(),
            fast["severity"].tolist(),
            strict=True,
        )
    )
    assert len(expected) == len(commitments) > 4000
    assert got == expected
    # Every status of the rule occurs, so each branch of the fast path was compared.
    if today == SEEDED_ON:
        assert {status for _, status, _, _ in got} == {"complete", "on track", "at risk", "delayed", "not assessable"}


def test_fast_delay_status_ignores_done_and_later_milestones(sample: Engine):
    """Leaving out done milestones and those due after today (as the delay queries do) changes nothing."""
    commitments = queries.commitments(sample)
    progress = queries.latest_progress(sample, on=SEEDED_ON)
    every = queries.milestones(sample)
    undone = queries.milestones(sample, undone_due_by=SEEDED_ON)
    assert 0 < len(undone) < len(every)
    pd.testing.assert_frame_equal(
        commitment_delays(commitments, progress, every, SEEDED_ON),
        commitment_delays(commitments, progress, undone, SEEDED_ON),
    )
