"""A wrong progress report is corrected by a report that names it: both stay in the history, the latest report
that is not replaced counts (statuses, latest by source, the commitment page), and a report is replaced once. And a
report's result keeps the scale it is on."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks.commitment_sections import live_sections
from callbacks.recording import save_progress_report
from dashboard.domain.filters import Filters
from dashboard.domain.roles import Actor
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access import statuses
from data_access.commitment_queries import commitment_detail
from data_access.db import get_engine
from data_access.models import Commitment, ProgressReport
from data_access.recording import ValidationFailed, add_progress_report, audit_log
from layouts.commitments import DETAIL_HISTORY_SECTION
from layouts.recording import RESULT_NONE, result_options
from tests.builders import build, report
from tests.helpers import TEST_SECRET, text_of

TODAY = dt.date(2024, 3, 1)
SOFIA = Actor("sofia", "support", frozenset({"ALB"}))
PLAN = {"ogp_id": "AP_ALB05", "submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}


@pytest.fixture
def engine(db_url):
    engine = get_engine(db_url)
    commitments = [
        {
            "ogp_id": "AL0001",
            "title": "Open the budget",
            "reports": [report(dt.date(2023, 10, 1), "government", "Limited")],
        },
        {
            "ogp_id": "AL0002",
            "title": "Open contracts",
            "reports": [report(dt.date(2023, 10, 1), "civil_society", "Limited")],
        },
    ]
    build(
        engine,
        [{"code": "ALB", "name": "Albania", "region": "Europe", "plans": [{**PLAN, "commitments": commitments}]}],
    )
    return engine


def _version(engine, ogp_id="AL0001") -> int:
    with Session(engine) as session:
        return session.scalar(select(Commitment.version).where(Commitment.ogp_id == ogp_id))


def _report_id(engine, ogp_id: str, completion: str) -> int:
    with Session(engine) as session:
        return session.scalar(
            select(ProgressReport.id)
            .join(Commitment, Commitment.id == ProgressReport.commitment_id)
            .where(Commitment.ogp_id == ogp_id, ProgressReport.completion == completion)
        )


def _add(engine, completion: str, supersedes=None, as_of="2024-02-20", ogp_id="AL0001", source="government"):
    fields = {"as_of": as_of, "source": source, "completion": completion, "supersedes": supersedes}
    return add_progress_report(
        engine, SOFIA, ogp_id=ogp_id, expected_version=_version(engine, ogp_id), fields=fields, today=TODAY
    )


def _status(engine) -> str:
    statuses.ensure(engine, TODAY)
    with Session(engine) as session:
        cid = session.scalar(select(Commitment.id).where(Commitment.ogp_id == "AL0001"))
    return statuses.commitment_status(engine, day=TODAY, commitment_id=cid)["delay_status"]


def test_cor001_the_correction_counts_and_the_corrected_report_stays_in_the_history(engine):
    _add(engine, "Complete")
    assert _status(engine) == "complete"
    wrong = _report_id(engine, "AL0001", "Complete")
    _add(engine, "Limited", supersedes=str(wrong), as_of="2024-02-20")  # same day: the report said the wrong thing
    assert _status(engine) != "complete"
    with Session(engine) as session:
        kept = session.get(ProgressReport, wrong)
        assert kept is not None and kept.completion == "Complete"  # history kept
    detail = commitment_detail(engine, "AL0001")
    assert detail["progress"]["completion"].tolist() == ["Limited", "Limited"]  # the ones in force, oldest first
    assert detail["corrected"]["completion"].tolist() == ["Complete"]
    trail = audit_log(engine, entity="commitment", entity_id="AL0001")
    assert trail["action"].tolist()[-1] == "correct-progress-report"
    assert trail["old_value"].tolist()[-1].endswith("Government self-report: Complete")


@pytest.mark.parametrize(
    ("target", "source", "said"),
    [
        (("AL0002", "Limited"), "government", "not one of this commitment's"),
        (("AL0001", "Limited"), "civil_society", "from the same source"),
        (("AL0001", "Limited"), "government", None),  # corrected once: a second correction of it is refused
    ],
)
def test_cor002_a_correction_must_name_a_report_of_this_commitment_and_source_not_corrected_yet(
    engine, target, source, said
):
    report_id = _report_id(engine, *target)
    if said is None:
        _add(engine, "Substantial", supersedes=str(report_id))
        said = "was corrected already"
    version = _version(engine)
    sofia = Actor("sofia", "irm", frozenset())  # may record every source
    fields = {"as_of": "2024-02-21", "source": source, "completion": "Complete", "supersedes": str(report_id)}
    with pytest.raises(ValidationFailed) as info:
        add_progress_report(engine, sofia, ogp_id="AL0001", expected_version=version, fields=fields, today=TODAY)
    assert said in info.value.errors["supersedes"]
    assert _version(engine) == version


def test_cor003_the_form_offers_the_reports_in_force_and_the_page_marks_the_corrected_one(engine, db_url):
    ctx = AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY.isoformat()))
    page = {"pathname": "/commitments/AL0001", "search": ""}
    base = {"as_of": "2023-10-01", "source": "government", "result": RESULT_NONE, "note": "", "evidence_url": ""}
    wrong = _report_id(engine, "AL0001", "Limited")
    saved = save_progress_report(
        ctx, SOFIA, expected_version=1, fields={**base, "completion": "Substantial", "supersedes": str(wrong)}, **page
    )
    assert saved.saved
    history = text_of(saved.sections[DETAIL_HISTORY_SECTION])
    assert "Corrected reports" in history
    assert (
        "1 Oct 2023, Government self-report: Limited (corrected by the report of 1 Oct 2023; no longer counts)"
        in history
    )
    plain = save_progress_report(
        ctx,
        SOFIA,
        expected_version=2,
        fields={**base, "as_of": "2024-01-05", "completion": "Limited", "supersedes": RESULT_NONE},
        **page,
    )
    assert plain.saved  # "nothing" corrects nothing


def test_cor004_a_result_keeps_its_scale_so_both_outstandings_stay_apart(engine, db_url):
    """Early results and "did it open government" both have "Outstanding": the form sends the scale with the value
    and the page says which; a bare value from an import or the API takes the one scale that has it."""
    options = {o["label"]: o["value"] for o in result_options()}
    early, diog = options["Early results: Outstanding"], options["Did it open government: Outstanding"]
    assert early != diog
    _add_result(engine, early, as_of="2024-02-10")
    _add_result(engine, diog, as_of="2024-02-11")
    _add_result(engine, "Major", as_of="2024-02-12")  # only DIOG has it
    _add_result(engine, "Outstanding", as_of="2024-02-13")  # both have it: stored without a scale, not guessed
    progress = commitment_detail(engine, "AL0001")["progress"]
    stored = list(zip(progress["result"], progress["result_scale"], strict=True))[-4:]
    assert stored == [
        ("Outstanding", "early_results"),
        ("Outstanding", "diog"),
        ("Major", "diog"),
        ("Outstanding", None),
    ]
    ctx = AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today=TODAY.isoformat()))
    history = text_of(live_sections(ctx, Filters(), commitment_detail(engine, "AL0001"), SOFIA)[DETAIL_HISTORY_SECTION])
    assert "Early results: Outstanding" in history and "Did it open government: Outstanding" in history
    with pytest.raises(ValidationFailed) as info:
        _add_result(engine, "diog:Significant", as_of="2024-02-14")  # an early-results value sent as DIOG
    assert "early-results" in info.value.errors["result"]


def _add_result(engine, result: str, as_of: str) -> None:
    fields = {"as_of": as_of, "source": "government", "completion": "Limited", "result": result}
    add_progress_report(engine, SOFIA, ogp_id="AL0001", expected_version=_version(engine), fields=fields, today=TODAY)
