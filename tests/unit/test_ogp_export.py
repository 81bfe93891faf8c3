"""Exporting commitments to OGP's sheet format: an import of the real file comes back cell for cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.cli import cli
from dashboard.domain.policy_areas import POLICY_AREA_COLUMNS
from data_access.models import ORIGIN_SAMPLE, ActionPlan, Commitment, Member, PolicyArea
from data_access.ogp_sheet.catalogue import OGP_COLUMNS
from data_access.ogp_sheet.export import export_ogp_sheet
from data_access.ogp_sheet.upsert import import_ogp_sheet

ID = "Commitment Unique Identifier"


def _frame(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_export001_csv_round_trip_every_cell(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    import_ogp_sheet(engine, real_sheet)
    out = tmp_path / "export.csv"
    assert export_ogp_sheet(engine, out) == 332
    original, exported = _frame(real_sheet), _frame(out)
    assert list(exported.columns) == list(original.columns) == list(OGP_COLUMNS)
    pd.testing.assert_frame_equal(exported, original)


def test_export002_xlsx_round_trip_every_cell(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    import_ogp_sheet(engine, real_sheet)
    out = tmp_path / "export.xlsx"
    assert export_ogp_sheet(engine, out) == 332
    pd.testing.assert_frame_equal(_frame(out), _frame(real_sheet))
    # The exported workbook imports again without changing anything.
    summary = import_ogp_sheet(engine, out)
    assert summary.unchanged == 332 and not any(summary.changed.values())


def test_export003_reflects_an_update(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    frame = _frame(real_sheet)
    frame.loc[frame[ID] == "BUE0009", "Commitment Title"] = "Open data, reworded"
    frame.loc[frame[ID] == "BUE0009", "Open Data"] = "ND"
    newer = tmp_path / "newer.csv"
    frame.to_csv(newer, index=False)
    import_ogp_sheet(engine, real_sheet)
    import_ogp_sheet(engine, newer)
    out = tmp_path / "export.csv"
    export_ogp_sheet(engine, out)
    pd.testing.assert_frame_equal(_frame(out), frame)


def test_export004_sample_rows_fill_unknown_columns_with_na(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as session, session.begin():
        area = PolicyArea(slug="open-data", name="Open Data", parent=None, is_group=False)
        member = Member(code="SMP", name="Sampleland", member_type="National", region="Europe", origin=ORIGIN_SAMPLE)
        plan = ActionPlan(
            ogp_id="AP_SMP01", number=1, submission_year=2022, end_year=2024, member=member, origin=ORIGIN_SAMPLE
        )
        plan.commitments.append(
            Commitment(
                ogp_id="SM0001",
                title="Publish budgets",
                start_date=dt.date(2022, 9, 1),
                completion_end_of_term="Limited",
                policy_areas=[area],
                origin=ORIGIN_SAMPLE,
                sheet_extra={},
            )
        )
        session.add(member)
    out = tmp_path / "sample.csv"
    assert export_ogp_sheet(engine, out) == 1
    row = _frame(out).iloc[0]
    assert (row[ID], row["Commitment Title"], row["Code"], row["Action Plan ID"]) == (
        "SM0001",
        "Publish budgets",
        "SMP",
        "AP_SMP01",
    )
    assert row["Start Date"] == "9/1/2022" and row["End Date"] == "NA"
    assert row["Completion (End Of Term)"] == "Limited" and row["Specificity"] == "NA"
    assert row["Open Data"] == "1" and row["Audits"] == "0"
    assert row["Action Plan Duration (Years)"] == "NA"
    for column in ("_Specificity", "Commitment Dummy", "High Completion", "id", "Theme", "Full Text"):
        assert row[column] == "NA", column
    assert set(POLICY_AREA_COLUMNS) <= set(row.index)


def test_export005_cli(db_url: str, real_sheet: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["import-ogp", str(real_sheet), "--database-url", db_url]).exit_code == 0
    out = tmp_path / "cli.csv"
    result = runner.invoke(cli, ["export-ogp", str(out), "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote 332 commitments to {out}."
    pd.testing.assert_frame_equal(_frame(out), _frame(real_sheet))
