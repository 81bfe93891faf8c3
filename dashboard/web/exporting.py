"""Table downloads: CSV and XLSX bytes with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pandas as pd

from dashboard.domain.spreadsheet import neutralise

ABOUT_SHEET = "About"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where every text cell that a spreadsheet could run as a formula (at its start, or after a ; , |
    tab or line break inside it) starts with a quote: dashboard.domain.spreadsheet, the rule of every export."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out


def to_csv_bytes(frame: pd.DataFrame, about: Sequence[tuple[str, str]] = ()) -> bytes:
    """UTF-8 CSV (with BOM so Excel reads accents) of a neutralised frame, every cell in double quotes (a
    reader splitting at ';' must not cut a cell in two). `about` (label, value rows: what the table is, its
    filters, source and date) comes first as comment lines starting with '# ' (pandas: comment="#")."""
    header = "".join(f"# {_one_line(label)}: {_one_line(value)}\n" for label, value in about)
    return (header + neutralise_formulas(frame).to_csv(index=False, quoting=csv.QUOTE_ALL)).encode("utf-8-sig")


def _one_line(text: str) -> str:
    """A value on one comment line: line breaks (which would start a data row) become spaces."""
    return " ".join(str(text).split())


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "data", about: Sequence[tuple[str, str]] = ()) -> bytes:
    """An XLSX workbook of a neutralised frame (cells written as values, never formulas), and when `about` is
    given an "About" sheet after it: what the table is, its filters, source and date (label, value rows)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise_formulas(frame).to_excel(writer, index=False, sheet_name=sheet_name[:31])
        if about:
            context = pd.DataFrame(list(about), columns=["About this table", ""])
            neutralise_formulas(context).to_excel(writer, index=False, sheet_name=ABOUT_SHEET)
            writer.sheets[ABOUT_SHEET].column_dimensions["A"].width = 22
            writer.sheets[ABOUT_SHEET].column_dimensions["B"].width = 80
        for sheet in writer.sheets.values():
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # openpyxl treats text starting with '=' as a formula
                        cell.data_type = "s"
    return buffer.getvalue()
