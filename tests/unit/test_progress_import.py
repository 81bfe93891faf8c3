"""Importing dated progress reports from a CSV: good rows appended, any bad row stops the whole file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.cli import cli
from data_access.db import get_engine, read_meta
from data_access.models import ActionPlan, Commitment, Member, ProgressReport
from data_access.ogp_sheet.upsert import import_ogp_sheet
from data_access.problems import ImportFailed
from data_access.progress_import import import_progress

HEADER = "commitment_id,as_of,source,completion,note,evidence_url"
GOOD = [
    "AL0081,2024-03-31,government,Complete,Law adopted,https://example.org/law",
    "CL0081,2024-04-15,civil_society,Limited,,",
    'XK0011,2024-05-01,support_unit,Substantial,"Two milestones met, one late",http://example.org/a',
]


@pytest.fixture
def imported(engine: Engine, real_sheet: Path) -> Engine:
    """A database holding the real sheet."""
    import_ogp_sheet(engine, real_sheet)
    return engine


@pytest.fixture(scope="module")
def imported_once(module_db_url: str, real_sheet: Path) -> Engine:
    """A database holding the real sheet, shared by this module's tests whose imports write nothing."""
    engine = get_engine(module_db_url)
    import_ogp_sheet(engine, real_sheet)
    return engine


def _write(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "progress.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _state(engine: Engine) -> tuple[int, str]:
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(ProgressReport))
    return count, read_meta(engine).get("data_version", "0")


def _held(engine: Engine) -> tuple[int, ...]:
    """Members, action plans, commitments and progress reports in the database, counted with SQL."""
    with Session(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Member, ActionPlan, Commitment, ProgressReport)
        )


HOLDING = re.compile(
    r"(Now holding|Would then hold) (\d+) members, (\d+) action plans, (\d+) commitments, (\d+) progress reports"
)


def _holding(line: str) -> tuple[int, ...]:
    """The totals a summary line states."""
    found = HOLDING.search(line)
    assert found, line
    return tuple(int(n) for n in found.groups()[1:])


def _reports(engine: Engine, ogp_id: str, source: str) -> list[ProgressReport]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(ProgressReport)
                .join(Commitment)
                .where(Commitment.ogp_id == ogp_id, ProgressReport.source == source)
                .order_by(ProgressReport.as_of)
            )
        )


def test_progress001_good_file_appends_reports(imported: Engine, tmp_path: Path) -> None:
    before_count, before_version = _state(imported)
    summary = import_progress(imported, _write(tmp_path, GOOD), recorded_by="maria")
    assert summary.added == {"progress reports": 3}
    count, version = _state(imported)
    assert count == before_count + 3
    assert int(version) == int(before_version) + 1
    [report] = _reports(imported, "AL0081", "government")
    assert (report.as_of, report.completion, report.note) == (dt.date(2024, 3, 31), "Complete", "Law adopted")
    assert (report.evidence_url, report.recorded_by, report.result) == ("https://example.org/law", "maria", None)
    [cso] = _reports(imported, "CL0081", "civil_society")
    assert cso.note is None and cso.evidence_url is None
    assert _reports(imported, "XK0011", "support_unit")[0].note == "Two milestones met, one late"


def test_progress002_reimport_skips_exact_duplicates(imported: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    import_progress(imported, path)
    state = _state(imported)
    summary = import_progress(imported, path)
    assert summary.added.get("progress reports", 0) == 0 and summary.unchanged == 3
    assert _state(imported) == state  # nothing written, data version unchanged


def test_progress003_optional_result_column(imported: Engine, tmp_path: Path) -> None:
    lines = [
        "XK0013,2024-01-31,irm_results,Complete,,,Significant",
        "AL0081,2024-01-31,irm_end_of_term,Limited,,,Major",
    ]
    path = _write(tmp_path, lines, header=HEADER + ",result")
    assert import_progress(imported, path).added == {"progress reports": 2}
    assert _reports(imported, "XK0013", "irm_results")[-1].result == "Significant"
    assert _reports(imported, "AL0081", "irm_end_of_term")[-1].result == "Major"


def test_progress004_dry_run_writes_nothing(imported_once: Engine, tmp_path: Path) -> None:
    state = _state(imported_once)
    summary = import_progress(imported_once, _write(tmp_path, GOOD), dry_run=True)
    assert summary.dry_run and summary.added == {"progress reports": 3}
    assert _state(imported_once) == state


TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("ZZ9999,2024-03-31,government,Complete,,", "commitment_id"),
        (",2024-03-31,government,Complete,,", "commitment_id"),
        ("AL0081,31/03/2024,government,Complete,,", "as_of"),
        ("AL0081,2024-02-30,government,Complete,,", "as_of"),
        (f"AL0081,{TOMORROW},government,Complete,,", "as_of"),
        ("AL0081,2024-03-31,journalists,Complete,,", "source"),
        ("AL0081,2024-03-31,government,Done,,", "completion"),
        ("AL0081,2024-03-31,government,,,", "completion"),
        ("AL0081,2024-03-31,government,Complete,,ftp://example.org/x", "evidence_url"),
        ("AL0081,2024-03-31,government,Complete,,example.org", "evidence_url"),
        ("AL0081,2024-03-31,government,Complete," + "x" * 2001 + ",", "note"),
    ],
)
def test_progress010_bad_row_reported_and_nothing_written(
    imported_once: Engine, tmp_path: Path, line: str, column: str
) -> None:
    state = _state(imported_once)
    path = _write(tmp_path, [GOOD[0], GOOD[1], line])  # the bad row is the file's line 4
    with pytest.raises(ImportFailed) as info:
        import_progress(imported_once, path)
    assert [(p.row, p.column) for p in info.value.problems] == [(4, column)]
    assert _state(imported_once) == state


def test_progress011_bad_result(imported_once: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, ["AL0081,2024-03-31,government,Complete,,,Huge"], header=HEADER + ",result")
    with pytest.raises(ImportFailed) as info:
        import_progress(imported_once, path)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "result")]


def test_progress012_every_problem_at_once(imported_once: Engine, tmp_path: Path) -> None:
    lines = ["ZZ0001,2024-03-31,government,Complete,,", "AL0081,2024-13-01,nobody,Complete,,", GOOD[0], GOOD[0]]
    with pytest.raises(ImportFailed) as info:
        import_progress(imported_once, _write(tmp_path, lines))
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(2, "commitment_id"), (3, "as_of"), (3, "source"), (5, "")}


def test_progress013_file_level_problems(imported_once: Engine, tmp_path: Path) -> None:
    state = _state(imported_once)
    with pytest.raises(ImportFailed) as info:
        import_progress(imported_once, _write(tmp_path, GOOD, header="commitment_id,as_of,completion,note"))
    assert {(p.row, p.column) for p in info.value.problems} == {(1, "source"), (1, "evidence_url")}
    with pytest.raises(ImportFailed) as info:
        import_progress(imported_once, _write(tmp_path, []))
    assert "no progress rows" in info.value.problems[0].message
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ImportFailed) as info:
        import_progress(imported_once, empty)
    assert "empty" in info.value.problems[0].message
    assert _state(imported_once) == state


def test_progress014_changed_statement_is_refused(imported: Engine, tmp_path: Path) -> None:
    import_progress(imported, _write(tmp_path, GOOD))
    state = _state(imported)
    changed = GOOD[0].replace("Law adopted", "Law adopted and published")
    with pytest.raises(ImportFailed) as info:
        import_progress(imported, _write(tmp_path, [changed]))
    assert info.value.problems[0].row == 2 and "never changed" in info.value.problems[0].message
    assert _state(imported) == state


def test_progress015_conflicting_rows_in_one_file_name_both_rows(imported: Engine, tmp_path: Path) -> None:
    state, held = _state(imported), _held(imported)
    conflicting = "AL0081,2024-03-31,government,Limited,,"  # line 4: same commitment, source, date as line 2
    path = _write(tmp_path, [GOOD[0], GOOD[1], conflicting, GOOD[2]])
    for dry_run in (False, True):
        with pytest.raises(ImportFailed) as info:
            import_progress(imported, path, dry_run=dry_run)
        [problem] = info.value.problems
        assert (problem.row, problem.column) == (4, "completion")
        assert str(problem) == (
            "row 4, column 'completion': conflicts with row 2 "
            "(same commitment AL0081, source government, date 2024-03-31: 'Complete' vs 'Limited')"
        )
    assert _state(imported) == state and _held(imported) == held  # the good rows were not written either
    # Another source, or another date, is no conflict.
    other = ["AL0081,2024-03-31,civil_society,Limited,,", "AL0081,2024-04-01,government,Limited,,"]
    assert import_progress(imported, _write(tmp_path, [GOOD[0], *other])).added == {"progress reports": 3}


def test_progress016_conflict_with_the_database_is_refused(imported: Engine, tmp_path: Path) -> None:
    import_progress(imported, _write(tmp_path, GOOD))
    state, held = _state(imported), _held(imported)
    new = "AL0081,2024-06-30,government,Complete,,"
    conflicting = "CL0081,2024-04-15,civil_society,Substantial,Faster than we said,"
    with pytest.raises(ImportFailed) as info:
        import_progress(imported, _write(tmp_path, [new, conflicting]))
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (3, "completion")
    assert "same commitment CL0081, source civil_society, date 2024-04-15" in problem.message
    assert "the database holds 'Limited', this row says 'Substantial'" in problem.message
    assert _state(imported) == state and _held(imported) == held


def test_progress017_exact_duplicate_of_a_stored_report_is_unchanged(imported: Engine, tmp_path: Path) -> None:
    import_progress(imported, _write(tmp_path, GOOD))
    state = _state(imported)
    summary = import_progress(imported, _write(tmp_path, [GOOD[1], "CL0081,2024-05-15,civil_society,Limited,,"]))
    assert (summary.added, summary.unchanged) == ({"progress reports": 1}, 1)
    assert _state(imported)[0] == state[0] + 1
    # The IRM reports import-ogp derived are stored reports too: restating one exactly changes nothing.
    [irm] = _reports(imported, "AL0002", "irm_midterm")
    restated = f'AL0002,{irm.as_of},irm_midterm,{irm.completion},"{irm.note}",'
    again = import_progress(imported, _write(tmp_path, [restated]))
    assert (again.added, again.unchanged) == ({"progress reports": 0}, 1)
    other = "Substantial" if irm.completion != "Substantial" else "Limited"
    with pytest.raises(ImportFailed) as info:
        import_progress(imported, _write(tmp_path, [f"AL0002,{irm.as_of},irm_midterm,{other},,"]))
    assert f"the database holds {irm.completion!r}" in info.value.problems[0].message


def test_progress018_summary_gives_the_totals_held(imported: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    before = _held(imported)
    dry = import_progress(imported, path, dry_run=True)
    summary = import_progress(imported, path)
    assert _holding(summary.line()) == _held(imported) == _holding(dry.line())
    assert _held(imported)[3] == before[3] + 3
    assert dry.line().startswith("Dry run (nothing written): would have added 3 progress reports")
    assert "Would then hold" in dry.line()
    assert summary.line().startswith("Added 3 progress reports; changed nothing; 0 unchanged. Now holding")
    assert summary.line().endswith(f"(earlier data kept: {before[3]} progress reports not in this file).")
    again = import_progress(imported, path)
    assert again.line().startswith("Added nothing; changed nothing; 3 unchanged. Now holding")
    assert _holding(again.line()) == _held(imported)


def test_progress020_cli(db_url: str, real_sheet: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["import-ogp", str(real_sheet), "--database-url", db_url]).exit_code == 0
    good = runner.invoke(cli, ["import-progress", str(_write(tmp_path, GOOD)), "--database-url", db_url])
    assert good.exit_code == 0, good.output
    members, plans, commitments, reports = _held(get_engine(db_url))
    assert good.stdout.strip() == (
        f"Added 3 progress reports; changed nothing; 0 unchanged. Now holding {members} members, {plans} action "
        f"plans, {commitments} commitments, {reports} progress reports (earlier data kept: {reports - 3} progress "
        "reports not in this file)."
    )
    bad_path = tmp_path / "bad.csv"
    bad_path.write_text(HEADER + "\nAL0081,2024-03-31,rumour,Complete,,\n", encoding="utf-8")
    bad = runner.invoke(cli, ["import-progress", str(bad_path), "--database-url", db_url])
    assert bad.exit_code != 0
    assert "row 2, column 'source'" in bad.output
    conflict_path = tmp_path / "conflict.csv"
    conflict_path.write_text(
        HEADER + "\nAL0081,2024-05-01,government,Substantial,,\nAL0081,2024-05-01,government,Limited,,\n",
        encoding="utf-8",
    )
    conflict = runner.invoke(cli, ["import-progress", str(conflict_path), "--database-url", db_url])
    assert conflict.exit_code != 0 and "nothing was written" in conflict.output
    assert (
        "row 3, column 'completion': conflicts with row 2 (same commitment AL0081, source government, "
        "date 2024-05-01: 'Substantial' vs 'Limited')" in conflict.output
    )
    assert _held(get_engine(db_url))[3] == reports


def test_progress021_a_date_outside_the_commitments_period_is_refused_naming_it(
    imported_once: Engine, tmp_path: Path
) -> None:
    """The recording form's rule (dashboard.domain.rules.report_date_problem) holds for imports too."""
    state = _state(imported_once)
    with pytest.raises(ImportFailed) as info:
        import_progress(imported_once, _write(tmp_path, [GOOD[0], "AL0002,2001-01-15,government,Limited,,"]))
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (3, "as_of")
    assert problem.message.startswith("15 Jan 2001 is outside this commitment's implementation period (")
    assert "a report may be dated from" in problem.message
    assert _state(imported_once) == state
