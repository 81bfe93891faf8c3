"""Writes from the dashboard: who may write what, validation, optimistic locking, audit and append-only history."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import data_access.recording as recording
from dashboard.domain.roles import ANONYMOUS, Actor
from dashboard.domain.scales import INDICATOR_BY_ATTR
from data_access.db import read_meta
from data_access.models import AuditEntry, Commitment, DelayNote, ProgressReport
from data_access.recording import (
    Conflict,
    PermissionDenied,
    ValidationFailed,
    add_delay_note,
    add_progress_report,
    audit_log,
    set_rating,
)
from tests.security import two_members

TODAY = dt.date(2024, 3, 1)
VIEWER = Actor("vera", "viewer")
SUPPORT_ALB = Actor("sam", "support", frozenset({"ALB"}))
IRM = Actor("iris", "irm")
ADMIN = Actor("ada", "admin")
ACTORS = {"anonymous": ANONYMOUS, "viewer": VIEWER, "support": SUPPORT_ALB, "irm": IRM, "admin": ADMIN}
REPORT = {"as_of": "2024-02-01", "completion": "Substantial", "note": "Budget portal live", "evidence_url": None}


@pytest.fixture
def seeded(engine):
    two_members(engine)
    return engine


def snapshot(engine) -> dict:
    """Row counts of everything a write touches, commitment versions and the data version."""
    with Session(engine) as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (ProgressReport, DelayNote, AuditEntry, Commitment)
        }
        counts["versions"] = dict(session.execute(select(Commitment.ogp_id, Commitment.version)).all())
        counts["ratings"] = dict(session.execute(select(Commitment.ogp_id, Commitment.completion_end_of_term)).all())
    counts["data_version"] = int(read_meta(engine)["data_version"])
    return counts


def act(engine, actor: Actor, action: str, ogp_id: str, version: int = 1) -> int:
    """Run one of the four write actions with valid fields."""
    if action == "progress-government":
        fields = {**REPORT, "source": "government"}
        return add_progress_report(engine, actor, ogp_id=ogp_id, expected_version=version, fields=fields, today=TODAY)
    if action == "progress-irm":
        fields = {**REPORT, "source": "irm_end_of_term"}
        return add_progress_report(engine, actor, ogp_id=ogp_id, expected_version=version, fields=fields, today=TODAY)
    if action == "delay-note":
        return add_delay_note(engine, actor, ogp_id=ogp_id, expected_version=version, note="Waiting for a law")
    return set_rating(
        engine, actor, ogp_id=ogp_id, expected_version=version, indicator="completion_end_of_term", value="Complete"
    )


WRITES = {  # action -> (table that grows, audit field)
    "progress-government": ("progress_report", "progress_report"),
    "progress-irm": ("progress_report", "progress_report"),
    "delay-note": ("delay_note", "delay_note"),
    "rating": (None, "completion_end_of_term"),
}
# (actor, commitment acted on) -> actions that are written; every other action is PermissionDenied.
ALLOWED = {
    ("anonymous", "AL0001"): set(),
    ("viewer", "AL0001"): set(),
    ("support", "AL0001"): {"progress-government", "delay-note"},  # ALB is assigned to sam
    ("support", "AM0001"): set(),  # ARM is not
    ("irm", "AL0001"): set(WRITES),
    ("admin", "AL0001"): set(WRITES),
}
MATRIX = [(who, ogp_id, action) for (who, ogp_id) in ALLOWED for action in WRITES]


@pytest.mark.parametrize(("who", "ogp_id", "action"), MATRIX, ids=[f"{w}-{o}-{a}" for w, o, a in MATRIX])
def test_wrt001_role_by_action_matrix(seeded, who, ogp_id, action):
    before = snapshot(seeded)
    if action not in ALLOWED[(who, ogp_id)]:
        with pytest.raises(PermissionDenied):
            act(seeded, ACTORS[who], action, ogp_id)
        assert snapshot(seeded) == before
        return
    assert act(seeded, ACTORS[who], action, ogp_id) == 2
    after = snapshot(seeded)
    table, field = WRITES[action]
    for name in ("progress_report", "delay_note"):
        assert after[name] == before[name] + (1 if name == table else 0)
    assert after["audit_entry"] == before["audit_entry"] + 1
    assert after["versions"] == {**before["versions"], ogp_id: 2}
    assert after["data_version"] == before["data_version"] + 1
    expected_rating = "Complete" if action == "rating" else None
    assert after["ratings"] == {**before["ratings"], ogp_id: expected_rating}
    entry = audit_log(seeded, entity="commitment", entity_id=ogp_id).iloc[-1]
    assert (entry["username"], entry["field"], entry["version"]) == (ACTORS[who].username, field, 2)


def test_wrt002_support_may_record_only_non_irm_sources_for_their_members(seeded):
    for version, source in enumerate(("government", "civil_society", "support_unit"), start=1):
        fields = {**REPORT, "source": source}
        add_progress_report(seeded, SUPPORT_ALB, ogp_id="AL0001", expected_version=version, fields=fields, today=TODAY)
    for source in ("irm_midterm", "irm_results"):
        with pytest.raises(PermissionDenied):
            add_progress_report(
                seeded,
                SUPPORT_ALB,
                ogp_id="AL0001",
                expected_version=4,
                fields={**REPORT, "source": source},
                today=TODAY,
            )
    assert snapshot(seeded)["progress_report"] == 3


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"as_of": "2024-03-02"}, "as_of", "cannot be in the future"),
        ({"as_of": "2011-01-01"}, "as_of", "before OGP was founded"),
        # AL0001 runs 1 Sep 2022 to 31 Aug 2024: a report from 2013 cannot be about it.
        (
            {"as_of": "2013-03-01"},
            "as_of",
            "1 Mar 2013 is outside this commitment's implementation period (1 Sep 2022 to 31 Aug 2024): "
            "a report may be dated from 1 Jun 2022 to 31 Aug 2026.",
        ),
        ({"as_of": "01/02/2024"}, "as_of", "YYYY-MM-DD"),
        ({"as_of": ""}, "as_of", "YYYY-MM-DD"),
        ({"completion": "Done-ish"}, "completion", "Choose a completion level"),
        ({"completion": None}, "completion", "Choose a completion level"),
        ({"source": "the minister"}, "source", "Choose who the report comes from"),
        ({"result": "Huge"}, "result", "early-results"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url", "must start with http:// or https://"),
        ({"evidence_url": "JaVaScRiPt:alert(1)//http://x"}, "evidence_url", "must start with http"),
        ({"evidence_url": "data:text/html,<script>alert(1)</script>"}, "evidence_url", "must start with http"),
        ({"evidence_url": "ftp://example.org/report.pdf"}, "evidence_url", "must start with http"),
        ({"evidence_url": "http://"}, "evidence_url", "must start with http"),
        ({"evidence_url": "//evil.example/x"}, "evidence_url", "must start with http"),
        ({"evidence_url": "https://example.org/" + "a" * 500}, "evidence_url", "longer than 500"),
        ({"note": "n" * 2001}, "note", "the limit is 2,000"),
    ],
    ids=lambda v: str(v)[:30] if not isinstance(v, dict) else next(iter(v)),
)
def test_wrt003_invalid_progress_reports_name_the_field_and_write_nothing(seeded, changes, field, message):
    before = snapshot(seeded)
    fields = {**REPORT, "source": "government", **changes}
    with pytest.raises(ValidationFailed) as failure:
        add_progress_report(seeded, IRM, ogp_id="AL0001", expected_version=1, fields=fields, today=TODAY)
    assert list(failure.value.errors) == [field]
    assert message in failure.value.errors[field]
    assert snapshot(seeded) == before


def test_wrt004_every_invalid_field_is_reported_at_once(seeded):
    fields = {"as_of": "2030-01-01", "source": "x", "completion": "y", "evidence_url": "javascript:alert(1)"}
    with pytest.raises(ValidationFailed) as failure:
        add_progress_report(seeded, IRM, ogp_id="AL0001", expected_version=1, fields=fields, today=TODAY)
    assert set(failure.value.errors) == {"as_of", "source", "completion", "evidence_url"}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda e: add_delay_note(e, IRM, ogp_id="AL0001", expected_version=1, note="   "), "note"),
        (lambda e: add_delay_note(e, IRM, ogp_id="AL0001", expected_version=1, note="x" * 2001), "note"),
        (lambda e: add_delay_note(e, IRM, ogp_id="ZZ9999", expected_version=1, note="late"), "commitment"),
        (
            lambda e: set_rating(e, IRM, ogp_id="AL0001", expected_version=1, indicator="starred", value="Yes"),
            "indicator",
        ),
        (
            lambda e: set_rating(
                e, IRM, ogp_id="AL0001", expected_version=1, indicator="completion_midterm", value="Great"
            ),
            "value",
        ),
        (
            lambda e: set_rating(
                e, IRM, ogp_id="AL0001", expected_version=1, indicator="completion_midterm", value=" "
            ),
            "value",
        ),
    ],
    ids=["blank-note", "long-note", "unknown-commitment", "unknown-indicator", "off-scale-value", "empty-value"],
)
def test_wrt005_invalid_notes_and_ratings_name_the_field_and_write_nothing(seeded, call, field):
    before = snapshot(seeded)
    with pytest.raises(ValidationFailed) as failure:
        call(seeded)
    assert list(failure.value.errors) == [field]
    assert "''" not in failure.value.errors[field]  # an empty field is asked for in words, not quoted back
    assert snapshot(seeded) == before


def test_wrt006_second_writer_on_a_stale_version_gets_a_conflict_listing_the_first_write(seeded):
    assert (
        set_rating(
            seeded, IRM, ogp_id="AL0001", expected_version=1, indicator="completion_end_of_term", value="Limited"
        )
        == 2
    )
    before = snapshot(seeded)
    with pytest.raises(Conflict) as conflict:
        add_delay_note(seeded, SUPPORT_ALB, ogp_id="AL0001", expected_version=1, note="Budget law delayed")
    assert conflict.value.current_version == 2
    changes = conflict.value.changes
    assert changes[["username", "field", "old_value", "new_value", "version"]].values.tolist() == [
        ["iris", "completion_end_of_term", None, "Limited", 2]
    ]
    assert snapshot(seeded) == before  # nothing of the second write


def test_wrt007_two_threads_racing_on_one_version_write_exactly_once(seeded, monkeypatch):
    """Both writers read version 1 before either updates; the database decides, the loser gets a Conflict."""
    barrier = threading.Barrier(2, timeout=10)
    waited = threading.local()
    original = recording._locked_commitment

    def read_then_wait(session, ogp_id):
        found = original(session, ogp_id)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return found

    monkeypatch.setattr(recording, "_locked_commitment", read_then_wait)
    outcomes: dict[str, object] = {}

    def write(name: str, value: str) -> None:
        try:
            outcomes[name] = set_rating(
                seeded, IRM, ogp_id="AL0001", expected_version=1, indicator="completion_end_of_term", value=value
            )
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever happened
            outcomes[name] = exc

    threads = [
        threading.Thread(target=write, args=(name, value)) for name, value in (("a", "Limited"), ("b", "Complete"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [name for name, outcome in outcomes.items() if outcome == 2]
    losers = [name for name, outcome in outcomes.items() if isinstance(outcome, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    won_value = {"a": "Limited", "b": "Complete"}[winners[0]]
    after = snapshot(seeded)
    assert after["versions"]["AL0001"] == 2
    assert after["ratings"]["AL0001"] == won_value
    assert after["audit_entry"] == 1
    assert outcomes[losers[0]].changes["new_value"].tolist() == [won_value]


def test_wrt008_progress_history_is_append_only(seeded):
    first = {**REPORT, "source": "government", "completion": "Limited", "as_of": "2023-06-01"}
    add_progress_report(seeded, IRM, ogp_id="AL0001", expected_version=1, fields=first, today=TODAY)
    with Session(seeded) as session:
        original = session.execute(select(ProgressReport.id, ProgressReport.completion, ProgressReport.note)).one()
    # A correction for the same date and source is a new statement, not an edit of the old one.
    correction = {**first, "completion": "Substantial", "note": "corrected"}
    add_progress_report(seeded, IRM, ogp_id="AL0001", expected_version=2, fields=correction, today=TODAY)
    with Session(seeded) as session:
        rows = session.execute(
            select(ProgressReport.id, ProgressReport.completion, ProgressReport.note).order_by(ProgressReport.id)
        ).all()
    assert [tuple(r) for r in rows] == [tuple(original), (rows[1].id, "Substantial", "corrected")]
    public = {name for name in dir(recording) if not name.startswith("_") and callable(getattr(recording, name))}
    assert not {n for n in public if n.startswith(("update", "delete", "remove", "edit"))}


def test_wrt009_audit_entries_carry_who_when_old_new_and_version(seeded):
    set_rating(seeded, IRM, ogp_id="AL0001", expected_version=1, indicator="completion_midterm", value="Limited")
    set_rating(seeded, ADMIN, ogp_id="AL0001", expected_version=2, indicator="completion_midterm", value="Complete")
    log = audit_log(seeded, entity="commitment", entity_id="AL0001")
    assert log[["username", "action", "field", "old_value", "new_value", "version"]].values.tolist() == [
        ["iris", "set-rating", "completion_midterm", "Substantial", "Limited", 2],
        ["ada", "set-rating", "completion_midterm", "Limited", "Complete", 3],
    ]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert all(abs((now - at).total_seconds()) < 120 for at in log["at"])
    with Session(seeded) as session:
        assert session.scalar(select(Commitment.completion).where(Commitment.ogp_id == "AL0001")) == "Complete"


def test_wrt010_every_write_bumps_the_data_version_and_failures_do_not(seeded):
    start = snapshot(seeded)["data_version"]
    act(seeded, IRM, "progress-government", "AL0001", version=1)
    act(seeded, IRM, "delay-note", "AL0001", version=2)
    act(seeded, IRM, "rating", "AL0001", version=3)
    assert snapshot(seeded)["data_version"] == start + 3
    for failing in (
        lambda: act(seeded, IRM, "rating", "AL0001", version=1),  # conflict
        lambda: act(seeded, VIEWER, "delay-note", "AL0001", version=4),  # permission
        lambda: add_delay_note(seeded, IRM, ogp_id="AL0001", expected_version=4, note=""),  # validation
    ):
        with pytest.raises((Conflict, PermissionDenied, ValidationFailed)):
            failing()
    assert snapshot(seeded)["data_version"] == start + 3


def test_wrt011_sql_fragments_in_form_fields_are_stored_verbatim(seeded):
    note = "'); DROP TABLE commitment;--"
    add_delay_note(seeded, SUPPORT_ALB, ogp_id="AL0001", expected_version=1, note=note)
    fields = {**REPORT, "source": "government", "note": "x' OR '1'='1"}
    add_progress_report(seeded, SUPPORT_ALB, ogp_id="AL0001", expected_version=2, fields=fields, today=TODAY)
    with Session(seeded) as session:
        assert session.scalars(select(DelayNote.note)).all() == [note]
        assert session.scalars(select(ProgressReport.note)).all() == ["x' OR '1'='1"]
    assert snapshot(seeded)["commitment"] == 3
    with pytest.raises(ValidationFailed, match="No commitment with id"):
        add_delay_note(seeded, IRM, ogp_id="AL0001' OR '1'='1", expected_version=3, note="x")


def test_wrt012_recording_the_rating_already_there_changes_nothing(seeded):
    before = snapshot(seeded)
    version = set_rating(
        seeded, IRM, ogp_id="AL0001", expected_version=1, indicator="completion_midterm", value="Substantial"
    )
    assert version == 1
    assert snapshot(seeded) == before


@pytest.mark.parametrize(
    "indicator",
    [
        "verifiable",
        "ogp_value_access_to_information",
        "ogp_value_civic_participation",
        "ogp_value_public_accountability",
        "ogp_value_technology",
        "potential_for_results",
        "completion_midterm",
        "completion_end_of_term",
        "early_results",
        "diog_overall",
    ],
)
def test_wrt020_every_indicator_of_the_current_irm_method_can_be_recorded(seeded, indicator):
    """Design (verifiability, relevance to each OGP value, potential for results), implementation (completion) and
    results (early results, did it open government): each takes its own scale's values, and ND / NR / NA."""
    scale = INDICATOR_BY_ATTR[indicator].scale
    top = scale.values[-1]
    set_rating(seeded, IRM, ogp_id="AL0001", expected_version=1, indicator=indicator, value=top)
    set_rating(seeded, IRM, ogp_id="AL0001", expected_version=2, indicator=indicator, value="NR")
    with Session(seeded) as session:
        stored = session.scalar(select(getattr(Commitment, indicator)).where(Commitment.ogp_id == "AL0001"))
    assert stored == "NR"
    log = audit_log(seeded, entity="commitment", entity_id="AL0001")
    assert log["new_value"].tolist()[-2:] == [top, "NR"] and set(log["field"]) == {indicator}
    with pytest.raises(ValidationFailed, match=re.escape(f"is not on the {scale.label} scale")):
        set_rating(seeded, IRM, ogp_id="AL0001", expected_version=3, indicator=indicator, value="Splendid")
