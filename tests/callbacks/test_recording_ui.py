"""Recording from the commitment page: who sees which form, what a save writes, refusals, validation beside the
field, conflicts (optimistic locking) and the audit trail, called as plain functions with an Actor."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from flask_login import login_user
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from callbacks.commitments import render_commitment
from callbacks.recording import (
    callback_outputs,
    commitment_id_from_path,
    reload_commitment,
    save_delay_note,
    save_progress_report,
    save_rating,
)
from dashboard.domain.filters import Filters
from dashboard.domain.recordable import MAX_NOTE
from dashboard.domain.roles import ANONYMOUS, Actor
from dashboard.factory import create_app
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.auth import SignedInUser
from dashboard.web.context import AppContext
from data_access import db
from data_access.accounts import create_user, load_actor
from data_access.db import failure_reason, get_engine
from data_access.models import AuditEntry, Commitment, DelayNote, ProgressReport
from data_access.recording import audit_log
from layouts import commitments as page_layout
from layouts import recording as form
from tests.builders import build
from tests.helpers import TEST_SECRET, by_id, find, lock_held, text_of

TODAY = "2024-03-01"
LOCK_REPORTS = "LOCK TABLE progress_report IN EXCLUSIVE MODE"
PASSWORD = "correct horse battery"
ALB_PAGE = "/commitments/AL0001"
KEN_PAGE = "/commitments/KE0001"


def has_id(component, component_id) -> bool:
    return bool(find(component, lambda n: getattr(n, "id", None) == component_id))


@pytest.fixture
def app_ctx(db_url):
    return seeded_context(db_url)


def seeded_context(db_url: str) -> AppContext:
    """Albania (AL0001) and Kenya (KE0001) with one user of each role; the context the save functions take."""
    engine = get_engine(db_url)
    plan = {"submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}
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
                        **plan,
                        "commitments": [
                            {"ogp_id": "AL0001", "title": "Open the budget", "completion_midterm": "NR"},
                        ],
                    }
                ],
            },
            {
                "code": "KEN",
                "name": "Kenya",
                "region": "Africa and the Middle East",
                "plans": [
                    {
                        "ogp_id": "AP_KEN05",
                        **plan,
                        "commitments": [{"ogp_id": "KE0001", "title": "Audit county spending"}],
                    }
                ],
            },
        ],
    )
    create_user(engine, username="sofia", password=PASSWORD, role="support", members=["ALB"])
    create_user(engine, username="kamau", password=PASSWORD, role="support", members=["KEN"])
    create_user(engine, username="vera", password=PASSWORD, role="viewer")
    create_user(engine, username="ines", password=PASSWORD, role="irm")
    create_user(engine, username="ada", password=PASSWORD, role="admin")
    return AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY))


@pytest.fixture
def actors(app_ctx) -> dict[str, Actor]:
    return {name: load_actor(app_ctx.engine, name) for name in ("sofia", "kamau", "vera", "ines", "ada")}


def report_fields(**changes):
    fields = {
        "as_of": "2024-02-15",
        "source": "government",
        "completion": "Complete",
        "result": form.RESULT_NONE,
        "note": "Budget portal launched",
        "evidence_url": "https://example.org/portal",
    }
    return {**fields, **changes}


def counts(engine, ogp_id="AL0001") -> dict[str, int]:
    """Rows written for a commitment: reports, delay notes, audit entries, and its version."""
    with Session(engine) as session:
        commitment = session.scalar(select(Commitment).where(Commitment.ogp_id == ogp_id))
        return {
            "reports": session.scalar(
                select(func.count(ProgressReport.id)).where(ProgressReport.commitment_id == commitment.id)
            ),
            "notes": session.scalar(select(func.count(DelayNote.id)).where(DelayNote.commitment_id == commitment.id)),
            "audit": session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.entity == "commitment", AuditEntry.entity_id == ogp_id
                )
            ),
            "version": commitment.version,
        }


NOTHING_WRITTEN = {"reports": 0, "notes": 0, "audit": 0, "version": 1}


def test_rec001_support_records_a_report_for_their_member_and_the_page_shows_it(app_ctx, actors):
    before = render_commitment(app_ctx, Filters(), "AL0001", actor=actors["sofia"])
    delay_before = text_of(by_id(before.children, page_layout.DETAIL_DELAY))
    # Started 1 Sep 2022 and never reported on: a report was due six months in.
    assert "no evidence" in delay_before
    assert "No progress report since it started on 1 Sep 2022 (one was due by 1 Mar 2023)" in delay_before

    result = save_progress_report(
        app_ctx, actors["sofia"], pathname=ALB_PAGE, search="", expected_version=1, fields=report_fields()
    )

    assert result.saved and result.version == 2 and result.errors == {}
    assert counts(app_ctx.engine) == {"reports": 1, "notes": 0, "audit": 1, "version": 2}
    history = text_of(result.sections[page_layout.DETAIL_HISTORY_SECTION])
    assert "Budget portal launched" in history and "Government self-report" in history and "sofia" in history
    status = text_of(result.sections[page_layout.DETAIL_STATUS_SECTION])
    assert "no evidence" not in status and "complete" in status and "Reported Complete on 15 Feb 2024" in status
    record = result.sections[page_layout.DETAIL_RECORD_SECTION]
    assert "Progress report saved: Complete as of 2024-02-15" in text_of(by_id(record, form.RECORD_ALERT))
    assert "sofia" in text_of(result.sections[page_layout.DETAIL_AUDIT_SECTION])
    # A fresh render (another visit) shows the same: the report is in the database.
    after = render_commitment(app_ctx, Filters(), "AL0001", actor=ANONYMOUS)
    assert "Budget portal launched" in text_of(by_id(after.children, page_layout.DETAIL_PROGRESS_TABLE))
    assert by_id(after.children, form.RECORD_VERSION).data == 2


def test_rec002_support_is_refused_on_another_members_commitment(app_ctx, actors):
    result = save_progress_report(
        app_ctx, actors["sofia"], pathname=KEN_PAGE, search="", expected_version=1, fields=report_fields()
    )
    assert not result.saved and result.sections is None
    assert "may not record progress for Kenya" in text_of(result.alert)
    assert "Nothing was saved" in text_of(result.alert)
    assert counts(app_ctx.engine, "KE0001") == NOTHING_WRITTEN
    note = save_delay_note(app_ctx, actors["sofia"], pathname=KEN_PAGE, search="", expected_version=1, note="x")
    assert not note.saved and counts(app_ctx.engine, "KE0001") == NOTHING_WRITTEN


@pytest.mark.parametrize("who", ["vera", "anonymous"])
def test_rec003_viewer_and_anonymous_are_refused_every_write(app_ctx, actors, who):
    actor = ANONYMOUS if who == "anonymous" else actors[who]
    page = {"pathname": ALB_PAGE, "search": "", "expected_version": 1}
    results = [
        save_progress_report(app_ctx, actor, fields=report_fields(), **page),
        save_delay_note(app_ctx, actor, note="Ministry reorganised", **page),
        save_rating(app_ctx, actor, indicator="completion_midterm", value="Limited", **page),
    ]
    for result in results:
        assert not result.saved
        message = text_of(result.alert)
        assert "Nothing was saved" in message
        assert ("Sign in as support or IRM staff" in message) if who == "anonymous" else ("vera (viewer)" in message)
    assert counts(app_ctx.engine) == NOTHING_WRITTEN


def test_rec004_irm_records_an_irm_report_and_a_rating(app_ctx, actors):
    report = save_progress_report(
        app_ctx,
        actors["ines"],
        pathname="/commitments/ke0001",  # case-insensitive in the URL, canonical id in the database
        search="",
        expected_version=1,
        fields=report_fields(source="irm_midterm", completion="Limited", result="Marginal", evidence_url=""),
    )
    assert report.saved and report.version == 2
    rating = save_rating(
        app_ctx,
        actors["ines"],
        pathname=KEN_PAGE,
        search="",
        expected_version=2,
        indicator="completion_midterm",
        value="Limited",
    )
    assert rating.saved and rating.version == 3
    assert counts(app_ctx.engine, "KE0001") == {"reports": 1, "notes": 0, "audit": 2, "version": 3}
    with Session(app_ctx.engine) as session:
        saved = session.scalar(select(ProgressReport))
        commitment = session.scalar(select(Commitment).where(Commitment.ogp_id == "KE0001"))
    assert (saved.source, saved.completion, saved.result, saved.evidence_url) == (
        "irm_midterm",
        "Limited",
        "Marginal",
        None,
    )
    assert commitment.completion_midterm == "Limited" and commitment.completion == "Limited"
    ratings = text_of(rating.sections[page_layout.DETAIL_RATINGS_SECTION])
    assert "Limited" in ratings
    assert "Rating saved: Completion (mid-term) is now Limited." in text_of(
        rating.sections[page_layout.DETAIL_RECORD_SECTION]
    )


def test_rec005_support_cannot_pick_an_irm_source_or_record_a_rating(app_ctx, actors):
    result = save_progress_report(
        app_ctx,
        actors["sofia"],
        pathname=ALB_PAGE,
        search="",
        expected_version=1,
        fields=report_fields(source="irm_results"),
    )
    # The form never offers an IRM source to support staff, so one in the request is refused outright.
    assert not result.saved and result.errors == {}
    assert "may not record progress reports from this source" in text_of(result.alert)
    rating = save_rating(
        app_ctx,
        actors["sofia"],
        pathname=ALB_PAGE,
        search="",
        expected_version=1,
        indicator="completion_midterm",
        value="Complete",
    )
    assert not rating.saved and "may not record IRM ratings" in text_of(rating.alert)
    assert counts(app_ctx.engine) == NOTHING_WRITTEN


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"as_of": "2024-03-02"}, "as_of", "cannot be in the future"),
        ({"as_of": "last week"}, "as_of", "YYYY-MM-DD"),
        ({"completion": "Almost done"}, "completion", "Choose a completion level"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url", "must start with http:// or https://"),
        ({"note": "x" * (MAX_NOTE + 1)}, "note", f"the limit is {MAX_NOTE:,}"),
    ],
)
def test_rec006_invalid_fields_get_a_message_beside_the_field(app_ctx, actors, changes, field, words):
    result = save_progress_report(
        app_ctx, actors["sofia"], pathname=ALB_PAGE, search="", expected_version=1, fields=report_fields(**changes)
    )
    assert not result.saved and set(result.errors) == {field}
    assert words in result.errors[field]
    assert "correct the fields marked below" in text_of(result.alert)
    outputs = callback_outputs(result, form.PROGRESS_FIELDS)
    per_field = outputs[len(page_layout.LIVE_SECTIONS) + 2 :]
    marked = {name: (per_field[2 * i], per_field[2 * i + 1]) for i, name in enumerate(form.PROGRESS_FIELDS)}
    assert marked[field] == (True, result.errors[field])
    assert all(invalid is False and message is None for name, (invalid, message) in marked.items() if name != field)
    assert counts(app_ctx.engine) == NOTHING_WRITTEN


def test_rec007_a_save_on_a_stale_version_is_a_conflict_listing_the_first_change(app_ctx, actors):
    first = save_progress_report(
        app_ctx, actors["sofia"], pathname=ALB_PAGE, search="", expected_version=1, fields=report_fields()
    )
    assert first.saved
    second = save_progress_report(
        app_ctx,
        actors["ada"],
        pathname=ALB_PAGE,
        search="",
        expected_version=1,  # the page was opened before the first save
        fields=report_fields(completion="Limited", note="Only the first module is live"),
    )
    assert not second.saved and second.sections is None and second.version is None
    warning = text_of(second.alert)
    assert "changed after you opened it" in warning
    assert (
        "sofia" in warning and "Progress report" in warning and "2024-02-15 Government self-report: Complete" in warning
    )
    assert has_id(second.alert, form.RECORD_RELOAD)
    assert counts(app_ctx.engine) == {"reports": 1, "notes": 0, "audit": 1, "version": 2}
    with Session(app_ctx.engine) as session:
        assert [r.completion for r in session.scalars(select(ProgressReport))] == ["Complete"]
    # Reloading picks up the current version (so the next save can go through) and keeps the forms.
    reloaded = reload_commitment(app_ctx, actors["ada"], pathname=ALB_PAGE, search="")
    assert reloaded.version == 2 and page_layout.DETAIL_RECORD_SECTION not in reloaded.sections
    retry = save_progress_report(
        app_ctx,
        actors["ada"],
        pathname=ALB_PAGE,
        search="",
        expected_version=reloaded.version,
        fields=report_fields(completion="Limited", note="Only the first module is live"),
    )
    assert retry.saved and retry.version == 3


def test_rec008_every_write_is_audited_and_shown_on_the_page(app_ctx, actors):
    page = {"pathname": ALB_PAGE, "search": ""}
    assert save_progress_report(app_ctx, actors["sofia"], expected_version=1, fields=report_fields(), **page).saved
    assert save_delay_note(
        app_ctx, actors["sofia"], expected_version=2, note="<b>Ministry</b> reorganised in January", **page
    ).saved
    assert save_rating(
        app_ctx, actors["ines"], expected_version=3, indicator="completion_midterm", value="Substantial", **page
    ).saved
    last = save_delay_note(app_ctx, actors["ines"], expected_version=4, note="Budget law passed", **page)
    assert last.saved

    audit = audit_log(app_ctx.engine, entity="commitment", entity_id="AL0001")
    assert list(audit["username"]) == ["sofia", "sofia", "ines", "ines"]
    assert list(audit["action"]) == ["add-progress-report", "add-delay-note", "set-rating", "add-delay-note"]
    rating = audit.iloc[2]
    assert (rating["field"], rating["old_value"], rating["new_value"], rating["version"]) == (
        "completion_midterm",
        "NR",
        "Substantial",
        4,
    )
    notes = by_id(last.sections[page_layout.DETAIL_NOTES_SECTION], form.DELAY_NOTES)
    note_texts = [item.children[0].children for item in notes.children.children]
    assert note_texts == ["Budget law passed", "<b>Ministry</b> reorganised in January"]  # newest first, plain text
    assert "ines" in text_of(notes) and "sofia" in text_of(notes)
    history = text_of(by_id(last.sections[page_layout.DETAIL_AUDIT_SECTION], form.AUDIT))
    assert "Completion (mid-term)" in history and "NR" in history and "Substantial" in history
    assert history.index("Budget law passed") < history.index("Complete")  # newest first


def _forms_for(app_ctx, actor, ogp_id="AL0001"):
    page = render_commitment(app_ctx, Filters(), ogp_id, actor=actor)
    return page.children, {
        name: has_id(page.children, button)
        for name, button in (
            ("progress", form.PROGRESS_SAVE),
            ("delay_note", form.DELAY_NOTE_SAVE),
            ("rating", form.RATING_SAVE),
        )
    }


def test_rec009_each_role_sees_only_the_forms_it_may_use(app_ctx, actors):
    children, shown = _forms_for(app_ctx, actors["sofia"])
    assert shown == {"progress": True, "delay_note": True, "rating": False}
    sources = [o["value"] for o in by_id(children, form.PROGRESS_SOURCE).options]
    assert sources == ["government", "civil_society", "support_unit"]
    completion = [o["value"] for o in by_id(children, form.PROGRESS_COMPLETION).options]
    assert completion[:5] == ["No Evidence", "Not Started", "Limited", "Substantial", "Complete"]
    assert by_id(children, form.PROGRESS_AS_OF).value == TODAY
    assert by_id(children, form.PROGRESS_NOTE).maxLength == MAX_NOTE

    children, shown = _forms_for(app_ctx, actors["ines"])
    assert shown == {"progress": True, "delay_note": True, "rating": True}
    assert "irm_results" in [o["value"] for o in by_id(children, form.PROGRESS_SOURCE).options]
    indicator_labels = [o["label"] for o in by_id(children, form.RATING_INDICATOR).options]
    assert "Completion (mid-term) (now NR)" in indicator_labels
    assert _forms_for(app_ctx, actors["ada"])[1] == {"progress": True, "delay_note": True, "rating": True}

    for actor in (actors["vera"], ANONYMOUS):
        children, shown = _forms_for(app_ctx, actor)
        assert not any(shown.values())
        assert "Sign in as support or IRM staff to record progress" in text_of(by_id(children, form.RECORD_NOTE))
    children, shown = _forms_for(app_ctx, actors["kamau"])
    assert not any(shown.values())
    assert "other members, not Albania" in text_of(by_id(children, form.RECORD_NOTE))
    # Everyone sees the version the page shows, the delay notes and the change history.
    assert by_id(children, form.RECORD_VERSION).data == 1
    assert has_id(children, form.DELAY_NOTES) and has_id(children, form.AUDIT)


def test_rec010_the_page_uses_the_signed_in_user_of_the_request(db_url, app_ctx, actors):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY))
    with app.server.test_request_context("/commitments/AL0001"):
        login_user(SignedInUser(actors["sofia"], session_id="a-session-id"))
        page = ROUTER.render(app_ctx, "/commitments/AL0001", Filters())
    assert has_id(page.children, form.PROGRESS_SAVE)
    with app.server.test_request_context("/commitments/AL0001"):
        page = ROUTER.render(app_ctx, "/commitments/AL0001", Filters())
    assert not has_id(page.children, form.PROGRESS_SAVE) and has_id(page.children, form.RECORD_NOTE)


@pytest.mark.parametrize(
    ("pathname", "version", "words"),
    [
        ("/countries/ALB", 1, "does not show a known commitment"),
        ("/commitments/<script>", 1, "does not show a known commitment"),
        ("/commitments/AL0001/../KE0001", 1, "does not show a known commitment"),
        ("/commitments/XX9999", 1, "does not show a known commitment"),
        (ALB_PAGE, "1", "lost track of the commitment's version"),
        (ALB_PAGE, True, "lost track of the commitment's version"),
        (ALB_PAGE, None, "lost track of the commitment's version"),
    ],
)
def test_rec011_forged_paths_or_versions_are_refused(app_ctx, actors, pathname, version, words):
    result = save_progress_report(
        app_ctx, actors["sofia"], pathname=pathname, search="", expected_version=version, fields=report_fields()
    )
    assert not result.saved and words in text_of(result.alert)
    assert counts(app_ctx.engine) == NOTHING_WRITTEN


def test_rec012_rating_choices_follow_the_indicator_scale(app_ctx):
    values = [o["value"] for o in form.rating_value_options("early_results")]
    assert values == ["No notable results", "Moderate", "Significant", "Outstanding", "ND", "NR", "NA"]
    assert "Unclear" in [o["value"] for o in form.rating_value_options("potential_for_results")]
    assert form.rating_value_options("starred_midterm") == []  # not recordable from the page
    assert commitment_id_from_path("/commitments/AL0001/") == "AL0001"
    assert commitment_id_from_path("/commitments") is None


def test_rec013_save_callbacks_are_wired_to_the_page(db_url):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url))
    inputs = {dep["id"] for spec in app.callback_map.values() for dep in spec["inputs"]}
    assert {form.PROGRESS_SAVE, form.DELAY_NOTE_SAVE, form.RATING_SAVE, form.RECORD_RELOAD} <= inputs
    states = [
        {dep["id"] for dep in spec["state"]}
        for spec in app.callback_map.values()
        if any(dep["id"] == form.PROGRESS_SAVE for dep in spec["inputs"])
    ]
    assert len(states) == 1 and {"url", form.RECORD_VERSION, *form.PROGRESS_FIELDS.values()} <= states[0]


def test_rec013_a_save_while_another_writer_holds_the_database_says_so_and_keeps_the_form(app_ctx, actors, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(db, "LOCK_TIMEOUT_MS", 300)
    db.dispose_engines()  # new connections take the short waits
    ctx = dataclasses.replace(app_ctx, engine=get_engine(app_ctx.settings.database_url))
    # Another writer holds the database, as an import does: on PostgreSQL reads go on and writes wait.
    with lock_held(ctx.settings.database_url, sqlite="BEGIN IMMEDIATE", postgresql=LOCK_REPORTS):
        result = save_progress_report(
            ctx, actors["sofia"], pathname=ALB_PAGE, search="", expected_version=1, fields=report_fields()
        )
    message = text_of(result.alert)
    assert not result.saved and result.sections is None  # the form is not redrawn: what was typed stays
    assert message.strip().startswith("Nothing was saved.") and "busy with another change" in message
    assert "What you typed is still in the form." in message
    assert counts(ctx.engine) == NOTHING_WRITTEN
    retried = save_progress_report(
        ctx, actors["sofia"], pathname=ALB_PAGE, search="", expected_version=1, fields=report_fields()
    )
    assert retried.saved  # once the other writer is done, the same form saves


def test_rec014_a_full_disk_is_named_as_such(tmp_path):
    """SQLite's own "database or disk is full" (the file may not grow: max_page_count) reads as a full disk."""
    engine = create_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE filler (data BLOB)"))
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA max_page_count=2"))
    engine.dispose()
    with pytest.raises(OperationalError) as full, engine.begin() as conn:
        conn.execute(text("INSERT INTO filler VALUES (:data)"), {"data": b"x" * 100_000})
    assert failure_reason(full.value).startswith("The server's disk is full")


def test_rec015_a_save_while_the_database_is_unreachable_says_so(app_ctx, actors):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    down = AppContext(get_engine(url), Settings(secret_key=TEST_SECRET, database_url=url, today=TODAY))
    result = save_progress_report(
        down, actors["sofia"], pathname=ALB_PAGE, search="", expected_version=1, fields=report_fields()
    )
    message = text_of(result.alert)
    assert not result.saved and "Nothing was saved." in message and "cannot be reached" in message
