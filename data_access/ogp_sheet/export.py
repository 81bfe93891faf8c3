"""Export of every commitment in OGP's sheet format (CSV, or XLSX by extension)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from dashboard.domain.policy_areas import POLICY_AREA_COLUMNS
from dashboard.domain.spreadsheet import may_need_quotes, needs_quote, neutralise_all
from data_access.models import ActionPlan, Commitment
from data_access.ogp_sheet.catalogue import (
    COMMITMENT_ID,
    END_DATE,
    MEMBER_COLUMNS,
    OGP_COLUMNS,
    PLAN_COLUMNS,
    PLAN_ID,
    RATING_COLUMNS,
    REPORT_YEAR_COLUMNS,
    START_DATE,
    TEXT_COLUMNS,
    TITLE,
)


def export_ogp_sheet(engine: Engine, path: Path | str) -> int:
    """Write every commitment in OGP's sheet format (CSV, or XLSX by extension); return how many.

    No cell can run as a spreadsheet formula (dashboard.domain.spreadsheet). In CSV every cell is in double
    quotes, so no locale splits one at a ';', and formula-like text gets a leading quote, which the importer
    removes again (read_sheet). In XLSX every cell is text, and formula-like text is marked quote-prefixed
    (what Excel does for typed text starting with ') so that editing the cell keeps it text; its value is
    unchanged.
    """
    path = Path(path)
    with Session(engine) as session:
        commitments = session.scalars(
            select(Commitment)
            .options(
                selectinload(Commitment.action_plan).selectinload(ActionPlan.member),
                selectinload(Commitment.policy_areas),
            )
            .order_by(Commitment.id)
        ).all()
        rows = [sheet_row(c) for c in commitments]
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(path, rows)
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
            writer.writerow(OGP_COLUMNS)
            writer.writerows(neutralise_all(row) for row in rows)
    return len(rows)


def sheet_row(commitment: Commitment) -> list[str]:
    """One commitment as the 171 cells of OGP's sheet."""
    plan = commitment.action_plan
    member = plan.member
    extra = commitment.sheet_extra or {}
    tags = {a.name for a in commitment.policy_areas}
    cells: dict[str, str] = {
        COMMITMENT_ID: commitment.ogp_id,
        PLAN_ID: plan.ogp_id,
        TITLE: commitment.title,
        START_DATE: _date_cell(commitment.start_date_raw, commitment.start_date),
        END_DATE: _date_cell(commitment.end_date_raw, commitment.end_date),
    }
    cells.update({c: _cell(getattr(member, attr)) for c, attr in MEMBER_COLUMNS.items()})
    cells.update({c: _cell(getattr(plan, attr)) for c, attr in PLAN_COLUMNS.items()})
    for column_map in (TEXT_COLUMNS, REPORT_YEAR_COLUMNS, RATING_COLUMNS):
        cells.update({c: _cell(getattr(commitment, attr)) for c, attr in column_map.items()})
    for column in POLICY_AREA_COLUMNS:
        cells[column] = "1" if column in tags else str(extra.get(column, "0"))
    return [cells[c] if c in cells else str(extra.get(c, "NA")) for c in OGP_COLUMNS]


def _cell(value: Any) -> str:
    return "NA" if value is None or value == "" else str(value)


def _date_cell(raw: str | None, value: dt.date | None) -> str:
    if raw is not None:
        return raw
    return f"{value.month}/{value.day}/{value.year}" if value else "NA"


def _write_xlsx(path: Path, rows: Iterable[list[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Commitments")
    sheet.append(list(OGP_COLUMNS))
    for row in rows:
        cells = []
        check = may_need_quotes(row)
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # never a formula, even when a text starts with '='
            if check and needs_quote(value):
                cell.quotePrefix = True  # and still text once edited in Excel
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)
