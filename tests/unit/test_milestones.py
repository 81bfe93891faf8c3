"""Milestones marked done or rescheduled by support staff: the first due date kept with the reason, the date
checked against the commitment's period, permissions, the audit trail, and the status layer seeing the change."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks.recording import save_milestone
from dashboard.domain.roles import Actor
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access import statuses
from data_access.db import get_engine
from data_access.models import Commitment, Milestone
from data_access.recording import PermissionDenied, ValidationFailed, audit_log, record_milestone
from layouts.commitments import DETAIL_MILESTONES_SECTION, DETAIL_RECORD_SECTION
from tests.builders import build, report
from tests.helpers import TEST_SECRET, text_of

TODAY = dt.date(2024, 3, 1)
SOFIA = Actor("sofia", "support", frozenset({"ALB"}))
OTHER = Actor("omar", "support", frozenset({"MEX"}))


@pytest.fixture
def engine(db_url):
    engine = get_engine(db_url)
    plan = {"ogp_id": "AP_ALB05", "submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}
    build(
        engine,
        [
            {
                "code": "ALB",
                "name": "Albania",
                "region": "Europe",
                "plans": [
                    {
                        **plan,
                        "commitments": [
                            {
                                "ogp_id": "AL0001",
                                "title": "Open the budget",
                                "reports": [report(dt.date(2023, 10, 1), "government", "Limited")],
                                "milestones": [
                                    ("Publish the draft", dt.date(2024, 1, 15), None),
                                    ("Hearings", dt.date(2024, 6, 1), None),
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    )
    return engine


def _milestones(engine) -> dict[str, Milestone]:
    with Session(engine) as session:
        rows = session.scalars(select(Milestone).order_by(Milestone.id)).all()
        session.expunge_all()
    return {m.title: m for m in rows}


def _version(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(Commitment.version).where(Commitment.ogp_id == "AL0001"))


def _update(engine, actor=SOFIA, **fields):
    milestone = _milestones(engine)[fields.pop("title", "Publish the draft")]
    values = {"milestone_id": milestone.id, "action": "done", "day": "2024-02-20", "text": "", **fields}
    return record_milestone(engine, actor, ogp_id="AL0001", expected_version=_version(engine), today=TODAY, **values)


def test_mil001_a_rescheduled_milestone_keeps_its_first_due_date_and_the_reason(engine):
    _update(engine, action="reschedule", day="2024-04-30", text="Ministry reorganised")
    _update(engine, action="reschedule", day="2024-05-31", text="Consultation extended")
    moved = _milestones(engine)["Publish the draft"]
    assert moved.due_date == dt.date(2024, 5, 31)
    assert moved.original_due_date == dt.date(2024, 1, 15)  # the first one, not the one in between
    assert moved.reschedule_reason == "Consultation extended"
    trail = audit_log(engine, entity="commitment", entity_id="AL0001")
    assert trail["action"].tolist() == ["milestone-rescheduled", "milestone-rescheduled"]
    assert trail["old_value"].tolist() == ["2024-01-15", "2024-04-30"]


def test_mil002_rescheduling_an_overdue_milestone_changes_the_commitments_status(engine):
    statuses.ensure(engine, TODAY)
    with Session(engine) as session:
        cid = session.scalar(select(Commitment.id).where(Commitment.ogp_id == "AL0001"))
    was = statuses.commitment_status(engine, day=TODAY, commitment_id=cid)
    assert "overdue" in was["delay_reason"].lower() or was["delay_status"] in ("delayed", "at risk")
    _update(engine, action="reschedule", day="2024-04-30", text="Ministry reorganised")
    statuses.ensure(engine, TODAY)
    now = statuses.commitment_status(engine, day=TODAY, commitment_id=cid)
    assert (now["delay_status"], now["delay_reason"]) != (was["delay_status"], was["delay_reason"])


def test_mil003_a_milestone_is_marked_done_with_its_evidence(engine):
    _update(engine, action="done", day="2024-02-20", text="https://example.org/draft")
    done = _milestones(engine)["Publish the draft"]
    assert (done.done_date, done.done_evidence) == (dt.date(2024, 2, 20), "https://example.org/draft")
    version = _version(engine)
    _update(engine, action="done", day="2024-02-20", text="https://example.org/draft")  # the same again
    assert _version(engine) == version  # nothing changed, no new version


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        ({"action": "done", "day": "2024-03-02"}, "date", "is in the future"),
        ({"action": "done", "day": "2013-05-01"}, "date", "outside this commitment's implementation period"),
        ({"action": "reschedule", "day": "2024-05-01", "text": "  "}, "text", "Say why it moves"),
        ({"action": "reschedule", "day": ""}, "date", "Give the new due date."),
        ({"action": "postpone"}, "action", "Choose: mark it done, or reschedule it."),
        ({"day": "1/3/2024"}, "date", "is not a date"),
        ({"milestone_id": "abc"}, "milestone", "Choose a milestone."),
        ({"milestone_id": 999999}, "milestone", "not one of this commitment's"),
    ],
)
def test_mil004_bad_values_are_named_and_nothing_changes(engine, fields, field, said):
    version = _version(engine)
    with pytest.raises(ValidationFailed) as info:
        _update(engine, **fields)
    assert said in info.value.errors[field]
    assert _version(engine) == version
    assert _milestones(engine)["Publish the draft"].due_date == dt.date(2024, 1, 15)


def test_mil005_only_staff_of_the_member_update_its_milestones(engine):
    with pytest.raises(PermissionDenied):
        _update(engine, actor=OTHER)
    with pytest.raises(PermissionDenied):
        _update(engine, actor=Actor("vera", "viewer", frozenset()))
    assert _milestones(engine)["Publish the draft"].done_date is None


def test_mil006_the_page_form_saves_and_redraws_the_milestones_with_the_first_date_and_why(engine, db_url):
    ctx = AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY.isoformat()))
    milestone = _milestones(engine)["Publish the draft"]
    fields = {
        "milestone": str(milestone.id),
        "action": "reschedule",
        "date": "2024-04-30",
        "text": "Ministry reorganised",
    }
    result = save_milestone(ctx, SOFIA, pathname="/commitments/AL0001", search="", expected_version=1, fields=fields)
    assert result.saved and result.version == 2
    shown = text_of(result.sections[DETAIL_MILESTONES_SECTION])
    assert "30 Apr 2024" in shown and "rescheduled from 15 Jan 2024: Ministry reorganised" in shown
    assert "Milestone rescheduled" in text_of(result.sections[DETAIL_RECORD_SECTION])
    refused = save_milestone(
        ctx,
        OTHER,
        pathname="/commitments/AL0001",
        search="",
        expected_version=2,
        fields={**fields, "date": "2024-05-31"},
    )
    assert not refused.saved and "may not update milestones for Albania" in text_of(refused.alert)
    bad = save_milestone(
        ctx, SOFIA, pathname="/commitments/AL0001", search="", expected_version=2, fields={**fields, "text": ""}
    )
    assert not bad.saved and "Say why it moves" in bad.errors["text"]
    assert _milestones(engine)["Publish the draft"].due_date == dt.date(2024, 4, 30)
