"""What changed between two days (data_access.changes): status transitions replayed with what was known on
each day, new progress reports and IRM ratings, on a hand-built history whose every change is known."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.domain.changes import commitment_change, plan_change
from data_access import changes, statuses
from data_access.models import Commitment, ProgressReport
from data_access.ogp_sheet.upsert import import_ogp_sheet
from data_access.progress_import import import_progress
from tests.builders import SINCE, UNTIL, build, build_change_history


@pytest.fixture
def history(engine: Engine) -> Engine:
    build_change_history(engine)
    return engine


def test_chg001_each_commitment_that_changed_status_gets_one_line_worst_kind_first(history: Engine) -> None:
    found = changes.changes(history, since=SINCE, until=UNTIL)
    lines = list(zip(found.commitments["ogp_id"], found.commitments["change"], strict=True))
    assert lines == [
        ("AA0001", "newly delayed"),
        ("BB0002", "newly delayed"),
        ("AA0005", "recovered"),
        ("AA0002", "completed"),
        ("AA0003", "completed"),
    ]
    first = found.commitments.iloc[0]
    assert (first["before"], first["after"]) == ("at risk", "delayed")
    assert "Publish the register" in first["reason"]
    assert found.commitments.loc[2, "before"] == "no evidence"


def test_chg002_a_report_entered_late_changes_nothing_before_the_day_it_was_entered(history: Engine) -> None:
    """AA0003's Complete is dated 20 March but was entered on 15 June: on 1 April nobody knew it."""
    before_entered = changes.changes(history, since=SINCE, until=dt.date(2026, 6, 14))
    assert "AA0003" not in set(before_entered.commitments["ogp_id"])
    after_entered = changes.changes(history, since=SINCE, until=dt.date(2026, 6, 15))
    assert "AA0003" in set(after_entered.commitments["ogp_id"])
    # Known on the first day already: no change since.
    assert "AA0003" not in set(changes.changes(history, since=dt.date(2026, 6, 15), until=UNTIL).commitments["ogp_id"])


def test_chg003_a_plan_delivered_in_the_period_is_one_line_and_its_commitments_none(history: Engine) -> None:
    found = changes.changes(history, since=SINCE, until=UNTIL)
    assert list(zip(found.plans["action_plan"], found.plans["change"], strict=True)) == [("AP_BBB02", "submitted")]
    assert found.plans.loc[0, "before"] == "due"
    assert "BB0001" not in set(found.commitments["ogp_id"])


def test_chg004_new_reports_and_irm_ratings_are_those_known_in_the_period_newest_first(history: Engine) -> None:
    found = changes.changes(history, since=SINCE, until=UNTIL)
    assert list(zip(found.reports["ogp_id"], found.reports["known_from"], strict=True)) == [
        ("AA0003", dt.date(2026, 6, 15)),
        ("AA0004", dt.date(2026, 6, 1)),
        ("AA0002", dt.date(2026, 5, 10)),
        ("AA0005", dt.date(2026, 5, 1)),
    ]
    assert list(zip(found.irm_ratings["ogp_id"], found.irm_ratings["source"], strict=True)) == [
        ("AA0004", "irm_midterm")
    ]
    counts = found.counts()
    assert (counts["newly delayed"], counts["completed"], counts["plan submitted"]) == (2, 2, 1)
    assert (counts["reports"], counts["IRM ratings"], found.total) == (4, 1, 11)


def test_chg005_filters_keep_their_scope_s_lines_only(history: Engine) -> None:
    found = changes.changes(history, since=SINCE, until=UNTIL, member=["BBB"])
    assert list(found.commitments["ogp_id"]) == ["BB0002"]
    assert list(found.plans["action_plan"]) == ["AP_BBB02"]
    assert found.reports.empty and found.irm_ratings.empty
    europe = changes.changes(history, since=SINCE, until=UNTIL, region=["Europe"])
    assert set(europe.commitments["member_code"]) == {"AAA"} and europe.plans.empty


def test_chg006_a_write_after_a_first_look_is_seen(history: Engine) -> None:
    """The transitions are kept per data version: a report recorded afterwards shows at once."""
    assert "AA0004" not in set(changes.changes(history, since=SINCE, until=UNTIL).commitments["ogp_id"])
    build(history, [])  # nothing new, but bumps the data version like every write
    with Session(history) as session, session.begin():
        target = session.scalar(select(Commitment).where(Commitment.ogp_id == "AA0004"))
        session.add(
            ProgressReport(
                commitment=target,
                as_of=dt.date(2026, 6, 20),
                source="civil_society",
                completion="Complete",
                recorded_by="test",
            )
        )
    build(history, [])
    found = changes.changes(history, since=SINCE, until=UNTIL)
    assert found.commitments.set_index("ogp_id").loc["AA0004", "change"] == "completed"


def test_chg007_the_period_must_run_forwards(history: Engine) -> None:
    with pytest.raises(ValueError, match="must be before"):
        changes.changes(history, since=UNTIL, until=SINCE)


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("on track", "delayed", "newly delayed"),
        ("at risk", "delayed", "newly delayed"),
        ("on track", "at risk", "newly at risk"),
        ("delayed", "at risk", None),  # better, not recovered
        ("on track", "no evidence", "newly without evidence"),
        ("no evidence", "on track", "recovered"),
        ("delayed", "on track", "recovered"),
        ("delayed", "complete", "completed"),
        ("on track", "closed", None),
        ("not assessable", "on track", None),
        ("delayed", "delayed", None),
        (None, "delayed", None),  # not in view then: its plan's delivery is the change
    ],
)
def test_chg008_commitment_transitions(before: str | None, after: str, change: str | None) -> None:
    assert commitment_change(before, after) == change


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (("due", False), ("on time", True), "submitted"),
        (("overdue", False), ("late", True), "submitted late"),
        (("due", False), ("overdue", False), "overdue"),
        (("overdue", False), ("contrary to process", False), "contrary to process"),
        (("on time", True), ("contrary to process", True), "contrary to process"),  # the next plan never came
        (("overdue", False), ("overdue", False), None),
        (("on time", True), ("on time", True), None),
    ],
)
def test_chg009_plan_transitions(before: tuple[str, bool], after: tuple[str, bool], change: str | None) -> None:
    assert plan_change(before, after) == change


def test_chg010_on_the_real_sheet_changes_list_exactly_what_a_progress_import_made(
    engine: Engine, real_sheet: Path, tmp_path: Path
) -> None:
    """OGP's sheet imported, then a progress import on top: the lines /changes gains are exactly the import's
    reports and the status changes they caused; nothing else moves."""
    day = dt.date(2026, 12, 1)
    since = day - dt.timedelta(days=90)
    import_ogp_sheet(engine, real_sheet)
    before = changes.changes(engine, since=since, until=day)
    open_ones = statuses.commitment_rows(engine, day=day, statuses=["no evidence", "not assessable"])
    picked = [ogp for ogp in open_ones["ogp_id"] if ogp not in set(before.commitments["ogp_id"])][:4]
    assert len(picked) == 4, "the real sheet has commitments still open without evidence"
    status_then = {ogp: _status(engine, day, ogp) for ogp in picked}
    rows = [
        (picked[0], day - dt.timedelta(days=5), "government", "Complete"),
        (picked[1], day - dt.timedelta(days=20), "civil_society", "Limited"),
        (picked[2], since - dt.timedelta(days=30), "support_unit", "Substantial"),  # dated before the period
        (picked[3], day - dt.timedelta(days=2), "irm_midterm", "Substantial"),
    ]
    path = tmp_path / "progress.csv"
    path.write_text(
        "commitment_id,as_of,source,completion,note,evidence_url\n"
        + "".join(f"{ogp},{as_of.isoformat()},{source},{completion},,\n" for ogp, as_of, source, completion in rows)
    )
    import_progress(engine, path, today=day)
    after = changes.changes(engine, since=since, until=day)

    def reports(found: changes.Changes) -> set[tuple]:
        frame = pd.concat([found.reports, found.irm_ratings])
        return set(zip(frame["ogp_id"], frame["as_of"], frame["source"], frame["completion"], strict=True))

    assert reports(after) - reports(before) == set(rows)
    assert reports(before) <= reports(after)
    assert set(after.irm_ratings["ogp_id"]) - set(before.irm_ratings["ogp_id"]) == {picked[3]}
    lines = lambda found: set(zip(found.commitments["ogp_id"], found.commitments["change"], strict=True))  # noqa: E731
    gained = lines(after) - lines(before)
    expected = {
        (ogp, change)
        for ogp in picked
        if (change := commitment_change(status_then[ogp], _status(engine, day, ogp))) is not None
    }
    assert expected, "the import changed some status"
    assert gained == expected
    assert lines(before) <= lines(after)
    assert after.plans.equals(before.plans)


def _status(engine: Engine, day: dt.date, ogp_id: str) -> str:
    with Session(engine) as session:
        commitment_id = session.scalar(select(Commitment.id).where(Commitment.ogp_id == ogp_id))
    found = statuses.commitment_status(engine, day=day, commitment_id=commitment_id)
    assert found is not None
    return found["delay_status"]
