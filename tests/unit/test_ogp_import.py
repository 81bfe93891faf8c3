"""Importing OGP's real commitments sheet: counts, field-by-field values, re-import, updates, bad files, CLI."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from dashboard.cli import cli
from dashboard.domain.policy_areas import POLICY_AREA_COLUMNS, POLICY_AREAS
from dashboard.domain.scales import INDICATORS
from data_access.db import get_engine, read_meta
from data_access.models import (
    ORIGIN_SAMPLE,
    ActionPlan,
    Commitment,
    Member,
    PolicyArea,
    ProgressReport,
    commitment_policy_area,
)
from data_access.ogp_sheet.catalogue import OGP_COLUMNS, REQUIRED_COLUMNS
from data_access.ogp_sheet.upsert import import_ogp_sheet
from data_access.problems import ImportFailed
from data_access.progress_import import import_progress
from data_access.queries import latest_progress

ID = "Commitment Unique Identifier"
RATINGS = {"Completion (End Of Term)", "Completion (Progress Report)"}


def _frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _row(frame: pd.DataFrame, ogp_id: str) -> pd.Series:
    return frame[frame[ID] == ogp_id].iloc[0]


def _record_line(path: Path, ogp_id: str) -> list[int]:
    """Physical lines (1-based) on which a record of this id starts, found by reading the text."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [i + 1 for i, line in enumerate(lines) if line.startswith(f"{ogp_id},")]


def _snapshot(engine: Engine) -> dict:
    """Row counts, commitment versions and app_meta: what a failed import must leave untouched."""
    with Session(engine) as session:
        counts = {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Member, ActionPlan, Commitment, ProgressReport, PolicyArea)
        }
        counts["tags"] = session.scalar(select(func.count()).select_from(commitment_policy_area))
        counts["versions"] = dict(session.execute(select(Commitment.ogp_id, Commitment.version)).all())
        counts["titles"] = dict(session.execute(select(Commitment.ogp_id, Commitment.title)).all())
    counts["meta"] = read_meta(engine)
    return counts


HOLDING = re.compile(
    r"(Now holding|Would then hold) (\d+) members, (\d+) action plans, (\d+) commitments, (\d+) progress reports"
)


def _held(engine: Engine) -> tuple[int, ...]:
    """Members, action plans, commitments and progress reports in the database, counted with SQL."""
    with Session(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Member, ActionPlan, Commitment, ProgressReport)
        )


def _holding(line: str) -> tuple[int, ...]:
    """The totals a summary line states."""
    found = HOLDING.search(line)
    assert found, line
    return tuple(int(n) for n in found.groups()[1:])


def _subset(
    real_sheet: Path,
    path: Path,
    keep: Callable[[dict[str, str]], bool],
    change: dict[tuple[str, str], str] | None = None,
) -> list[dict[str, str]]:
    """Write the real sheet's rows that `keep` accepts to path (csv module), with cells changed by (id, column)."""
    with real_sheet.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = [row for row in reader if keep(row)]
    for (ogp_id, column), value in (change or {}).items():
        [row] = [r for r in rows if r[ID] == ogp_id]
        row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _commitment(engine: Engine, ogp_id: str) -> Commitment:
    with Session(engine) as session:
        return session.scalars(
            select(Commitment)
            .where(Commitment.ogp_id == ogp_id)
            .options(
                selectinload(Commitment.action_plan).selectinload(ActionPlan.member),
                selectinload(Commitment.policy_areas),
                selectinload(Commitment.progress_reports),
            )
        ).one()


def _us_or_day_first(raw: str, *, day_first: bool) -> dt.date:
    first, second, year = (int(p) for p in raw.split("/"))
    year = year + 2000 if year < 100 else year
    return dt.date(year, second, first) if day_first else dt.date(year, first, second)


# ---------------------------------------------------------------------------------------------- the real file


def test_ogp001_counts_match_the_file(engine: Engine, real_sheet: Path) -> None:
    frame = _frame(real_sheet)
    summary = import_ogp_sheet(engine, real_sheet)
    members, plans = frame["Code"].nunique(), frame["Action Plan ID"].nunique()
    assert len(frame) == 332
    assert summary.added["commitments"] == 332
    assert summary.added["members"] == members
    assert summary.added["action plans"] == plans
    snap = _snapshot(engine)
    assert (snap["Commitment"], snap["Member"], snap["ActionPlan"]) == (332, members, plans)
    assert snap["PolicyArea"] == len(POLICY_AREAS)
    assert snap["tags"] == int((frame[list(POLICY_AREA_COLUMNS)] == "1").to_numpy().sum())
    assert snap["meta"]["data_origin"] == "import"
    assert snap["meta"]["data_version"] == "1"
    assert snap["meta"]["last_import"].endswith(real_sheet.name)
    assert list(frame.columns) == list(OGP_COLUMNS)
    assert set(REQUIRED_COLUMNS) <= set(OGP_COLUMNS)


def _check_against_file(commitment: Commitment, row: pd.Series) -> None:
    def text(column: str) -> str | None:
        return None if row[column] == "NA" else row[column]

    plan, member = commitment.action_plan, commitment.action_plan.member
    assert commitment.title == row["Commitment Title"]
    assert commitment.short_title == text("Short Title")
    assert commitment.full_text == text("Full Text")
    assert commitment.theme == text("Theme")
    assert commitment.number == row["Commitment Number"]
    assert commitment.lead_institution == text("Lead Institution")
    assert commitment.supporting_institutions == text("Supporting Institution(s)")
    assert commitment.url == row["URL"]
    assert commitment.start_date_raw == row["Start Date"]
    assert commitment.end_date_raw == row["End Date"]
    assert commitment.midterm_report_year == row["Report Publication Year (Progress Report)"]
    assert commitment.end_of_term_report_year == row["Report Publication Year (End Of Term)"]
    for indicator in INDICATORS:
        assert getattr(commitment, indicator.attr) == row[indicator.column], indicator.column
    assert {a.name for a in commitment.policy_areas} == {c for c in POLICY_AREA_COLUMNS if row[c] == "1"}
    for column in ("_Specificity", "Commitment Dummy", "Cluster", "id", "High Completion", "Binding constraint"):
        assert commitment.sheet_extra[column] == row[column]
    assert (plan.ogp_id, str(plan.number)) == (row["Action Plan ID"], row["Action Plan Number"])
    assert (str(plan.submission_year), str(plan.end_year)) == (row["Year Of Submission"], row["Action Plan End Year"])
    assert str(plan.duration_years) == row["Action Plan Duration (Years)"]
    assert (member.code, member.name) == (row["Code"], row["Country/Locality"])
    assert (member.member_type, member.region) == (row["National Or Local"], row["Region"])
    rated = [row[c] for c in ("Completion (End Of Term)", "Completion (Progress Report)")]
    rated = [v for v in rated if v not in ("ND", "NR", "NA")]
    assert commitment.completion == (rated[0] if rated else None)
    starred = "1" in (row["Starred (Current Formula) Progress Report"], row["Starred (Current Formula) End of Term"])
    assert commitment.starred is starred
    assert commitment.version == 1


def test_ogp002_national_commitment_al0002(engine: Engine, real_sheet: Path) -> None:
    import_ogp_sheet(engine, real_sheet)
    row = _row(_frame(real_sheet), "AL0002")
    commitment = _commitment(engine, "AL0002")
    _check_against_file(commitment, row)
    assert row["Start Date"] == "NA" and commitment.start_date is None
    # Mid-term completion is a rating: one IRM mid-term report dated 31 Dec of its publication year.
    reports = [(r.source, r.completion, r.as_of) for r in commitment.progress_reports]
    year = int(row["Report Publication Year (Progress Report)"])
    assert ("irm_midterm", row["Completion (Progress Report)"], dt.date(year, 12, 31)) in reports


def test_ogp003_local_commitment_bue0009(engine: Engine, real_sheet: Path) -> None:
    import_ogp_sheet(engine, real_sheet)
    row = _row(_frame(real_sheet), "BUE0009")
    commitment = _commitment(engine, "BUE0009")
    _check_against_file(commitment, row)
    assert commitment.action_plan.member.member_type == "Legacy Local"
    assert commitment.start_date == _us_or_day_first(row["Start Date"], day_first=False)
    assert commitment.end_date == _us_or_day_first(row["End Date"], day_first=False)


def test_ogp004_kosovo_xk0011_keeps_nr(engine: Engine, real_sheet: Path) -> None:
    import_ogp_sheet(engine, real_sheet)
    row = _row(_frame(real_sheet), "XK0011")
    commitment = _commitment(engine, "XK0011")
    _check_against_file(commitment, row)
    assert commitment.action_plan.member.member_type == "Other"
    assert commitment.completion_end_of_term == "NR"
    assert commitment.progress_reports == []  # NR is not a rating: no IRM report


def test_ogp005_multi_line_full_text_and_day_first_dates(engine: Engine, real_sheet: Path) -> None:
    import_ogp_sheet(engine, real_sheet)
    frame = _frame(real_sheet)
    multi = frame[frame["Full Text"].str.count("\n") >= 3].iloc[0]
    commitment = _commitment(engine, multi[ID])
    _check_against_file(commitment, multi)
    assert commitment.full_text.count("\n") >= 3

    day_first = re.compile(r"^(1[3-9]|2\d|3[01])/\d{1,2}/\d{4}$")
    both = frame[frame["End Date"].str.match(day_first) & frame["Start Date"].str.match(r"^\d{1,2}/\d{1,2}/\d{4}$")]
    row = both.iloc[0]
    commitment = _commitment(engine, row[ID])
    _check_against_file(commitment, row)
    assert commitment.end_date == _us_or_day_first(row["End Date"], day_first=True)
    # The row's other date is read day first as well (e.g. '1/7/2014' next to '31/12/2016' is 1 July).
    assert commitment.start_date == _us_or_day_first(row["Start Date"], day_first=True)


def test_ogp006_missing_codes_stay_distinct(engine: Engine, real_sheet: Path) -> None:
    import_ogp_sheet(engine, real_sheet)
    frame = _frame(real_sheet)
    with Session(engine) as session:
        for indicator in INDICATORS:
            stored = pd.Series(session.scalars(select(getattr(Commitment, indicator.attr))).all())
            expected = frame[indicator.column].value_counts().to_dict()
            assert stored.value_counts().to_dict() == expected, indicator.column
    counts = frame["Completion (Progress Report)"].value_counts()
    assert {"ND", "NR", "NA"} <= set(counts.index)


def test_ogp007_unreadable_dates_are_warnings_with_their_line(engine: Engine, real_sheet: Path) -> None:
    frame = _frame(real_sheet)
    summary = import_ogp_sheet(engine, real_sheet)
    slip = frame[frame["Start Date"] == "7/15/1905"].iloc[0]
    expected_line = _record_line(real_sheet, slip[ID])
    assert len(expected_line) == 1
    found = [w for w in summary.warnings if w.column == "Start Date" and w.row == expected_line[0]]
    assert found and "1905" in found[0].message
    commitment = _commitment(engine, slip[ID])
    assert commitment.start_date is None and commitment.start_date_raw == "7/15/1905"
    free_text = {"Ongoing", "Permanent activity", "In progress", "Underway"}
    expected = int(frame["Start Date"].isin(free_text).sum() + frame["End Date"].isin(free_text).sum())
    assert sum("not a date" in w.message for w in summary.warnings) == expected


def test_ogp008_reimport_changes_nothing(engine: Engine, real_sheet: Path) -> None:
    import_ogp_sheet(engine, real_sheet)
    before = _snapshot(engine)
    summary = import_ogp_sheet(engine, real_sheet)
    after = _snapshot(engine)
    assert not any(summary.added.values()) and not any(summary.changed.values())
    assert summary.unchanged == 332
    assert after["versions"] == before["versions"]
    assert after["ProgressReport"] == before["ProgressReport"]
    assert {k: v for k, v in after.items() if k != "meta"} == {k: v for k, v in before.items() if k != "meta"}
    assert after["meta"]["data_version"] == before["meta"]["data_version"]
    assert "Added nothing; changed nothing; 332 unchanged" in summary.line()


def _modified(real_sheet: Path, tmp_path: Path) -> tuple[Path, str, str, str]:
    """A newer sheet: one end-of-term completion raised, one title reworded."""
    frame = _frame(real_sheet)
    rated = frame[frame["Completion (End Of Term)"] == "Substantial"].iloc[0][ID]
    retitled = frame[frame["Completion (End Of Term)"] == "ND"].iloc[0][ID]
    frame.loc[frame[ID] == rated, "Completion (End Of Term)"] = "Complete"
    frame.loc[frame[ID] == retitled, "Commitment Title"] = "A reworded title"
    path = tmp_path / "newer.csv"
    frame.to_csv(path, index=False)
    return path, rated, retitled, "Complete"


def test_ogp009_newer_file_updates_in_place_and_appends_progress(
    engine: Engine, real_sheet: Path, tmp_path: Path
) -> None:
    import_ogp_sheet(engine, real_sheet)
    before = _snapshot(engine)
    old_reports = {(r.source, r.completion, r.as_of) for r in _commitment(engine, "AL0002").progress_reports}
    path, rated, retitled, new_value = _modified(real_sheet, tmp_path)
    old = _commitment(engine, rated)
    old_ids = {r.id for r in old.progress_reports}

    summary = import_ogp_sheet(engine, path)
    after = _snapshot(engine)
    assert summary.changed == {"commitments": 2}
    assert summary.added == {"progress reports": 1}
    assert summary.unchanged == 330
    assert after["Commitment"] == before["Commitment"]
    assert after["ProgressReport"] == before["ProgressReport"] + 1
    assert after["titles"][retitled] == "A reworded title"
    assert after["versions"][rated] == after["versions"][retitled] == 2
    assert all(v == 1 for k, v in after["versions"].items() if k not in (rated, retitled))
    assert int(after["meta"]["data_version"]) == int(before["meta"]["data_version"]) + 1

    updated = _commitment(engine, rated)
    assert updated.completion_end_of_term == new_value and updated.completion == new_value
    assert {r.id for r in updated.progress_reports} > old_ids  # history kept, one appended
    end_reports = [r for r in updated.progress_reports if r.source in ("irm_end_of_term", "irm_results")]
    assert [r.completion for r in end_reports] == ["Substantial", new_value]
    assert {(r.source, r.completion, r.as_of) for r in _commitment(engine, "AL0002").progress_reports} == old_reports

    # Importing the newer file again adds nothing.
    again = import_ogp_sheet(engine, path)
    assert not any(again.added.values()) and not any(again.changed.values())


def test_ogp010_irm_reports_follow_the_file(engine: Engine, real_sheet: Path) -> None:
    frame = _frame(real_sheet)
    import_ogp_sheet(engine, real_sheet)
    ratings = {"No Evidence", "Not Started", "Limited", "Substantial", "Complete", "Withdrawn", "Unclear"}
    midterm = int(frame["Completion (Progress Report)"].isin(ratings).sum())
    end = frame[frame["Completion (End Of Term)"].isin(ratings)]
    results = int((end["Year Of Submission"].astype(int) >= 2020).sum())
    with Session(engine) as session:
        by_source = dict(
            session.execute(select(ProgressReport.source, func.count()).group_by(ProgressReport.source)).all()
        )
        recorders = set(session.scalars(select(ProgressReport.recorded_by)))
    assert by_source.get("irm_midterm", 0) == midterm
    assert by_source.get("irm_results", 0) == results
    assert by_source.get("irm_end_of_term", 0) == len(end) - results
    assert recorders == {"import-ogp"}


def test_ogp011_xlsx_gives_the_same_result(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    frame = _frame(real_sheet)
    xlsx = tmp_path / "sheet.xlsx"
    frame.to_excel(xlsx, index=False, engine="openpyxl")
    summary = import_ogp_sheet(engine, xlsx)
    assert summary.added["commitments"] == 332
    for ogp_id in ("AL0002", "BUE0009", "XK0011"):
        _check_against_file(_commitment(engine, ogp_id), _row(frame, ogp_id))
    # Spreadsheet row numbers in warnings: header is row 1, so record i is row i + 2.
    slip_index = int(frame.index[frame["Start Date"] == "7/15/1905"][0])
    assert any(w.row == slip_index + 2 and w.column == "Start Date" for w in summary.warnings)
    # The same file as CSV afterwards changes nothing.
    again = import_ogp_sheet(engine, real_sheet)
    assert again.unchanged == 332 and not any(again.changed.values())


def test_ogp012_dry_run_writes_nothing(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    empty = _snapshot(engine)
    summary = import_ogp_sheet(engine, real_sheet, dry_run=True)
    assert summary.dry_run and summary.added["commitments"] == 332
    assert summary.line().startswith("Dry run (nothing written)")
    assert _snapshot(engine) == empty

    import_ogp_sheet(engine, real_sheet)
    before = _snapshot(engine)
    path, *_ = _modified(real_sheet, tmp_path)
    summary = import_ogp_sheet(engine, path, dry_run=True)
    assert summary.changed == {"commitments": 2} and summary.added == {"progress reports": 1}
    assert _snapshot(engine) == before


def test_ogp013_import_replaces_sample_data(engine: Engine, real_sheet: Path) -> None:
    with Session(engine) as session, session.begin():
        member = Member(code="ALB", name="Sample Albania", member_type="National", region="Europe")
        member.origin = ORIGIN_SAMPLE
        plan = ActionPlan(ogp_id="AP_ALB01", number=1, submission_year=2012, member=member, origin=ORIGIN_SAMPLE)
        plan.commitments.append(Commitment(ogp_id="AL0002", title="Sample", origin=ORIGIN_SAMPLE, sheet_extra={}))
        session.add(member)
    dry = import_ogp_sheet(engine, real_sheet, dry_run=True)
    assert "would replace the sample data (1 sample member)" in dry.line()
    summary = import_ogp_sheet(engine, real_sheet)
    assert summary.replaced_sample_members == 1
    assert "; replaced the sample data (1 sample member). Now holding " in summary.line()
    assert _holding(summary.line()) == _held(engine) == _holding(dry.line())  # the sample is not counted
    assert "earlier data kept" not in summary.line()
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(Member.origin == ORIGIN_SAMPLE)) == 0
        assert session.scalar(select(func.count()).where(Commitment.origin == ORIGIN_SAMPLE)) == 0
    assert _commitment(engine, "AL0002").title == _row(_frame(real_sheet), "AL0002")["Commitment Title"]
    assert _snapshot(engine)["Commitment"] == 332


def test_ogp014_second_sheet_on_top_keeps_earlier_data(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    first_members, second_members = {"ALB", "UKR", "CHL"}, {"ALB", "SRB", "PRY"}
    first = _subset(real_sheet, tmp_path / "first.csv", lambda r: r["Code"] in first_members)
    summary = import_ogp_sheet(engine, tmp_path / "first.csv")
    assert _holding(summary.line()) == _held(engine)
    assert _held(engine)[:3] == (3, len({r["Action Plan ID"] for r in first}), len(first))
    assert "earlier data kept" not in summary.line()

    second = _subset(
        real_sheet,
        tmp_path / "second.csv",
        lambda r: r["Code"] in second_members,
        {("AL0003", "Commitment Title"): "A reworded title"},
    )
    before = _snapshot(engine)
    dry = import_ogp_sheet(engine, tmp_path / "second.csv", dry_run=True)
    assert _snapshot(engine) == before
    summary = import_ogp_sheet(engine, tmp_path / "second.csv")
    line = summary.line()
    held = _held(engine)
    assert _holding(line) == held == _holding(dry.line())
    assert line.startswith("Added 2 members, ") and "; changed 1 commitment; " in line
    assert dry.line().startswith("Dry run (nothing written): would have added 2 members, ")
    assert "Would then hold" in dry.line() and "Now holding" in line
    # Earlier data kept: what the database holds and this file does not state, counted with SQL.
    plan_ids = {r["Action Plan ID"] for r in second}
    with Session(engine) as session:
        kept_members = session.scalar(select(func.count()).where(Member.code.not_in(second_members)))
        kept_plans = session.scalar(select(func.count()).where(ActionPlan.ogp_id.not_in(plan_ids)))
        kept_commitments = session.scalar(select(func.count()).where(Commitment.ogp_id.not_in([r[ID] for r in second])))
    assert kept_members == 2 and kept_commitments == len({r[ID] for r in first} - {r[ID] for r in second})
    kept = f"(earlier data kept: {kept_members} members, {kept_plans} action plans, {kept_commitments} commitments"
    assert line.endswith(f"{kept} not in this file).")
    assert dry.line().endswith(f"{kept} not in this file).")
    assert held[2] == len({r[ID] for r in first} | {r[ID] for r in second})

    # The first sheet again: nothing added or changed but the reworded title, the totals stay.
    again = import_ogp_sheet(engine, tmp_path / "first.csv")
    assert again.changed == {"commitments": 1} and not any(again.added.values())
    assert _holding(again.line()) == _held(engine) == held
    assert "(earlier data kept: 2 members, " in again.line()


def test_ogp015_corrected_irm_rating_of_the_same_report_is_appended(
    engine: Engine, real_sheet: Path, tmp_path: Path
) -> None:
    """A newer export re-rates a mid-term report (same publication year): appended, and it is the latest."""
    import_ogp_sheet(engine, real_sheet)
    [old] = [r for r in _commitment(engine, "AL0003").progress_reports if r.source == "irm_midterm"]
    assert old.completion == "Limited"
    newer = tmp_path / "newer.csv"
    _subset(real_sheet, newer, lambda r: True, {("AL0003", "Completion (Progress Report)"): "Substantial"})
    before = _held(engine)
    summary = import_ogp_sheet(engine, newer)
    assert summary.changed == {"commitments": 1} and summary.added == {"progress reports": 1}
    assert _holding(summary.line()) == _held(engine) == (*before[:3], before[3] + 1)
    commitment = _commitment(engine, "AL0003")
    midterm = sorted((r for r in commitment.progress_reports if r.source == "irm_midterm"), key=lambda r: r.id)
    assert [(r.as_of, r.completion) for r in midterm] == [(old.as_of, "Limited"), (old.as_of, "Substantial")]
    assert midterm[0].id == old.id  # history kept: the earlier rating is still there
    latest = latest_progress(engine)
    [current] = latest[(latest["commitment_id"] == commitment.id) & (latest["source"] == "irm_midterm")].itertuples()
    assert current.completion == "Substantial"  # ties on the date go to the later entry
    # The newer sheet again adds nothing; the older one adds nothing either, and says why.
    assert not any(import_ogp_sheet(engine, newer).added.values())
    older = import_ogp_sheet(engine, real_sheet)
    assert not any(older.added.values()) and older.changed == {"commitments": 1}
    [warning] = [w for w in older.warnings if "superseded" in w.message]
    assert warning.row == _record_line(real_sheet, "AL0003")[0]
    assert _held(engine)[3] == before[3] + 1
    # A progress CSV cannot restate that report with yet another completion.
    progress = tmp_path / "progress.csv"
    progress.write_text(
        f"commitment_id,as_of,source,completion,note,evidence_url\nAL0003,{old.as_of},irm_midterm,Complete,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as info:
        import_progress(engine, progress)
    assert "the database holds 'Limited' and 'Substantial'" in info.value.problems[0].message


# ---------------------------------------------------------------------------------------------- bad input


def _bad_frame(real_sheet: Path, tmp_path: Path, change) -> tuple[Path, pd.DataFrame]:
    frame = _frame(real_sheet)
    frame = change(frame) if change else frame
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _set(frame: pd.DataFrame, ogp_id: str, column: str, value: str) -> pd.DataFrame:
    frame.loc[frame[ID] == ogp_id, column] = value
    return frame


def _assert_fails_unchanged(engine: Engine, path: Path) -> ImportFailed:
    before = _snapshot(engine)
    with pytest.raises(ImportFailed) as info:
        import_ogp_sheet(engine, path)
    assert _snapshot(engine) == before
    with pytest.raises(ImportFailed):
        import_ogp_sheet(engine, path, dry_run=True)
    return info.value


@pytest.fixture(scope="module")
def imported(module_db_url: str, real_sheet: Path) -> Engine:
    """A database that already holds an import of the real sheet, shared by this module's refused imports.

    Every test using it checks that its import fails and leaves the data unchanged, so none writes to it.
    """
    engine = get_engine(module_db_url)
    import_ogp_sheet(engine, real_sheet)
    return engine


def test_ogp020_missing_columns_each_listed(imported: Engine, real_sheet: Path, tmp_path: Path) -> None:
    path, _ = _bad_frame(real_sheet, tmp_path, lambda f: f.drop(columns=["Commitment Title", "Region", "Audits"]))
    failed = _assert_fails_unchanged(imported, path)
    missing = {(p.row, p.column) for p in failed.problems if "missing" in p.message}
    assert missing == {(1, "Commitment Title"), (1, "Region"), (1, "Audits")}


def test_ogp021_duplicate_ids_name_both_rows(imported: Engine, real_sheet: Path, tmp_path: Path) -> None:
    def duplicate(frame: pd.DataFrame) -> pd.DataFrame:
        return _set(frame, "AL0003", ID, "AL0002")

    path, _ = _bad_frame(real_sheet, tmp_path, duplicate)
    lines = _record_line(path, "AL0002")
    assert len(lines) == 2
    failed = _assert_fails_unchanged(imported, path)
    dupes = [p for p in failed.problems if "duplicate" in p.message]
    assert {p.row for p in dupes} == set(lines)
    assert all(p.column == ID for p in dupes)
    assert any(str(lines[0]) in p.message for p in dupes if p.row == lines[1])


@pytest.mark.parametrize(
    ("ogp_id", "column", "value"),
    [
        ("AL0002", "Completion (End Of Term)", "Mostly done"),
        ("BUE0009", "Potential Impact", "Huge"),
        ("XK0011", "Specificity", "nd"),  # missing codes are upper case; 'nd' is not one
        ("AL0003", "Audits", "2"),
        ("AL0003", "Year Of Submission", "2O12"),
        ("AL0003", "Action Plan Number", "one"),
        ("AL0050", "Commitment Title", ""),
        ("AL0050", ID, ""),
        ("AL0050", ID, "ZZ0050"),  # does not match its member's other ids (AL...)
        ("AL0050", "Region", "Atlantis"),
        ("AL0050", "Report Publication Year (End Of Term)", "soon"),
    ],
)
def test_ogp022_bad_cell_reported_at_its_row_and_column(
    imported: Engine, real_sheet: Path, tmp_path: Path, ogp_id: str, column: str, value: str
) -> None:
    path, _ = _bad_frame(real_sheet, tmp_path, lambda f: _set(f, ogp_id, column, value))
    line = _record_line(path, ogp_id) or _record_line(path, value)
    failed = _assert_fails_unchanged(imported, path)
    problems = [p for p in failed.problems if p.column == column]
    assert problems, failed.problems
    if line:
        assert problems[0].row == line[0]
    else:  # an empty id: the record's line is the one after the previous record's end
        assert problems[0].row > 1


def test_ogp023_inconsistent_plan_is_reported(imported: Engine, real_sheet: Path, tmp_path: Path) -> None:
    frame = _frame(real_sheet)
    plan_rows = frame[frame["Action Plan ID"] == frame["Action Plan ID"].value_counts().index[0]]
    second = plan_rows.iloc[1][ID]
    path, _ = _bad_frame(real_sheet, tmp_path, lambda f: _set(f, second, "Year Of Submission", "2099"))
    failed = _assert_fails_unchanged(imported, path)
    assert any(p.row == _record_line(path, second)[0] and p.column == "Action Plan ID" for p in failed.problems)


def test_ogp024_every_problem_listed_at_once(imported: Engine, real_sheet: Path, tmp_path: Path) -> None:
    def many(frame: pd.DataFrame) -> pd.DataFrame:
        _set(frame, "AL0002", "Specificity", "Very")
        _set(frame, "BUE0009", "Verifiable", "Maybe")
        return _set(frame, "XK0011", "Open Data", "yes")

    path, _ = _bad_frame(real_sheet, tmp_path, many)
    failed = _assert_fails_unchanged(imported, path)
    assert {(p.row, p.column) for p in failed.problems} == {
        (_record_line(path, "AL0002")[0], "Specificity"),
        (_record_line(path, "BUE0009")[0], "Verifiable"),
        (_record_line(path, "XK0011")[0], "Open Data"),
    }


def test_ogp025_wrong_file_types(imported: Engine, real_sheet: Path, tmp_path: Path) -> None:
    text = tmp_path / "sheet.txt"
    shutil.copy(real_sheet, text)
    assert _assert_fails_unchanged(imported, text).problems[0].row == 0

    png = tmp_path / "picture.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    failed = _assert_fails_unchanged(imported, png)
    assert failed.problems[0].row == 0 and "binary" in failed.problems[0].message

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(real_sheet.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    assert "UTF-8" in _assert_fails_unchanged(imported, latin1).problems[0].message

    fake_xlsx = tmp_path / "sheet.xlsx"
    shutil.copy(real_sheet, fake_xlsx)
    assert "Excel" in _assert_fails_unchanged(imported, fake_xlsx).problems[0].message

    assert _assert_fails_unchanged(imported, tmp_path / "absent.csv").problems[0].row == 0


def test_ogp026_empty_and_header_only(imported: Engine, real_sheet: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in _assert_fails_unchanged(imported, empty).problems[0].message
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n")
    assert "empty" in _assert_fails_unchanged(imported, blank).problems[0].message
    header = tmp_path / "header.csv"
    header.write_text(real_sheet.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
    failed = _assert_fails_unchanged(imported, header)
    assert [p.message for p in failed.problems] == ["the file has a header but no commitment rows"]


def test_ogp027_truncated_mid_quoted_cell(imported: Engine, real_sheet: Path, tmp_path: Path) -> None:
    frame = _frame(real_sheet)
    multi = frame[frame["Full Text"].str.count("\n") >= 3].iloc[5]
    text = real_sheet.read_text(encoding="utf-8")
    start_line = _record_line(real_sheet, multi[ID])[0]
    full_text = multi["Full Text"]
    cut = text.index(full_text) + full_text.rindex("\n")  # inside the quoted Full Text, after a line break
    path = tmp_path / "cut.csv"
    path.write_text(text[:cut], encoding="utf-8")
    failed = _assert_fails_unchanged(imported, path)
    assert [(p.row, p.column) for p in failed.problems] == [(start_line, "")]
    assert "truncated" in failed.problems[0].message


def test_ogp028_truncated_at_a_line_end(imported: Engine, real_sheet: Path, tmp_path: Path) -> None:
    text = real_sheet.read_text(encoding="utf-8")
    lines = text.split("\n")
    line = _record_line(real_sheet, "AL0003")[0]
    first_quote = lines[line - 1].index('"')
    path = tmp_path / "cut.csv"
    path.write_text("\n".join(lines[: line - 1] + [lines[line - 1][:first_quote]]), encoding="utf-8")
    failed = _assert_fails_unchanged(imported, path)
    assert [(p.row, p.column) for p in failed.problems] == [(line, "")]
    assert "cells but the header has 171" in failed.problems[0].message


# ---------------------------------------------------------------------------------------------- CLI


def test_ogp030_cli_bad_file_exits_non_zero_and_lists_problems(db_url: str, real_sheet: Path, tmp_path: Path) -> None:
    path, _ = _bad_frame(real_sheet, tmp_path, lambda f: _set(f, "AL0002", "Potential Impact", "Huge"))
    result = CliRunner().invoke(cli, ["import-ogp", str(path), "--database-url", db_url])
    assert result.exit_code != 0
    line = _record_line(path, "AL0002")[0]
    assert f"row {line}, column 'Potential Impact'" in result.output
    assert "nothing was written" in result.output


def test_ogp031_cli_good_file_prints_one_line_summary(db_url: str, real_sheet: Path) -> None:
    result = CliRunner().invoke(cli, ["import-ogp", str(real_sheet), "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1
    assert result.stdout.startswith("Added 49 members, 138 action plans, 332 commitments")
    assert _holding(result.stdout) == _held(get_engine(db_url))
    dry = CliRunner().invoke(cli, ["import-ogp", str(real_sheet), "--dry-run", "--database-url", db_url])
    assert dry.exit_code == 0 and "332 unchanged" in dry.stdout and dry.stdout.startswith("Dry run")
