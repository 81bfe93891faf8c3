"""Exporting commitments to OGP's sheet format: an import of the real file comes back cell for cell."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.cli import cli
from dashboard.domain.policy_areas import POLICY_AREA_COLUMNS
from dashboard.domain.spreadsheet import is_formula_like, needs_quote, neutralise, restore
from data_access.models import ORIGIN_SAMPLE, ActionPlan, Commitment, Member, PolicyArea
from data_access.ogp_sheet.catalogue import OGP_COLUMNS
from data_access.ogp_sheet.export import export_ogp_sheet
from data_access.ogp_sheet.upsert import import_ogp_sheet

ID = "Commitment Unique Identifier"
# Cells of the real sheet a spreadsheet could run as formulas: '-Regional department', bullet lists after a
# line break or a tab ('\n- Plenary Session ...'). The CSV export gives each a leading quote.
REAL_FORMULA_LIKE_CELLS = {"Full Text": 15, "Supporting Institution(s)": 2}


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
    # Every cell is the imported file's, but for the formula-like ones, which get one leading quote.
    pd.testing.assert_frame_equal(exported, original.map(neutralise))
    quoted = (exported != original).sum()
    assert quoted[quoted > 0].to_dict() == REAL_FORMULA_LIKE_CELLS
    pd.testing.assert_frame_equal(exported.map(restore), original)
    # Every cell is in double quotes (no locale splits one at a ';').
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith('"Commitment Unique Identifier","') and lines[1].startswith('"')
    # The importer removes the quotes again: importing the export changes nothing.
    summary = import_ogp_sheet(engine, out)
    assert summary.unchanged == 332 and not any(summary.changed.values()) and not any(summary.added.values())


def test_export002_xlsx_round_trip_every_cell(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    import_ogp_sheet(engine, real_sheet)
    out = tmp_path / "export.xlsx"
    assert export_ogp_sheet(engine, out) == 332
    pd.testing.assert_frame_equal(_frame(out), _frame(real_sheet))
    # XLSX values stay exact; formula-like text is quote-prefixed (still text when edited in Excel).
    sheet = load_workbook(out).worksheets[0]
    prefixed = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row if cell.quotePrefix]
    assert len(prefixed) == sum(REAL_FORMULA_LIKE_CELLS.values()) and all(needs_quote(v) for v in prefixed)
    assert any(v.startswith("-Regional departments of the Ministry of Justice") for v in prefixed)  # MK0193
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
    pd.testing.assert_frame_equal(_frame(out), frame.map(neutralise))


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
    pd.testing.assert_frame_equal(_frame(out), _frame(real_sheet).map(neutralise))


# (text, whether a spreadsheet could run part of it as a formula)
FORMULA_CASES = [
    ("x;=cmd|' /C calc'!A0", True),  # Excel in ';' locales splits it: 'x' and a formula (issue 10, item 8)
    ("x,=1+1", True),
    ("x\t@SUM(A1)", True),
    ('Budget law\n=HYPERLINK("https://evil.example")', True),
    ("x|+cmd", True),
    ("=1+1", True),
    ("-2+3+cmd|' /C calc'!A0", True),
    ("@SUM(A1)", True),
    ("-Regional department", True),
    ("\tindented", True),
    ("-5", False),  # a negative number is a number, not a formula
    ("+3.25", False),
    ("-1e3", False),
    ("1;-2", False),
    ("e-government", False),  # a '-' inside a word
    ("Phone: 555-0100, +31 6", False),  # '+' after ', ' (a space) starts no formula
    ("Open data", False),
    ("", False),
]


@pytest.mark.parametrize(("text", "formula_like"), FORMULA_CASES)
def test_export006_formula_like_text_is_quoted_and_restored(text: str, formula_like: bool) -> None:
    assert is_formula_like(text) is formula_like
    assert neutralise(text) == ("'" + text if formula_like else text)
    assert restore(neutralise(text)) == text
    # A text that really starts with a quote before a formula keeps it through the round trip.
    assert restore(neutralise("'" + text)) == "'" + text


def test_export007_semicolon_payload_is_exported_neutralised(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    payload = "x;=cmd|' /C calc'!A0"
    frame = _frame(real_sheet)
    frame = frame[frame["Code"] == "ALB"].head(3).copy()
    first, second = frame.index[:2]
    frame.loc[first, "Commitment Title"] = payload
    frame.loc[second, "Lead Institution"] = '=HYPERLINK("https://evil.example","x")'
    hostile = tmp_path / "hostile.csv"
    frame.to_csv(hostile, index=False)
    import_ogp_sheet(engine, hostile)
    out = tmp_path / "export.csv"
    export_ogp_sheet(engine, out)
    text = out.read_text(encoding="utf-8")
    # Quoted and prefixed: one cell in every locale, and that cell starts with a quote, not a formula.
    assert f'"\'{payload}"' in text and f",{payload}" not in text
    assert '"\'=HYPERLINK(""https://evil.example"",""x"")"' in text
    # No ';', '|' or tab outside double quotes, so no locale splits a cell there; and every cell that could
    # start a formula anywhere begins with the quote.
    outside = "".join(part for i, part in enumerate(text.split('"')) if i % 2 == 0)
    assert not set(outside) & set(";|\t")
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert len(cells) == 4 * len(OGP_COLUMNS)
    assert all(cell.startswith("'") for cell in cells if is_formula_like(cell))
    # The importer restores the text exactly.
    pd.testing.assert_frame_equal(_frame(out).map(restore), frame.reset_index(drop=True))
    xlsx = tmp_path / "export.xlsx"
    export_ogp_sheet(engine, xlsx)
    [cell] = [c for row in load_workbook(xlsx).worksheets[0].iter_rows() for c in row if c.value == payload]
    assert cell.data_type == "s" and cell.quotePrefix
