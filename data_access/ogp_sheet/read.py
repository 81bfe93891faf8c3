"""Reading an OGP-style sheet (CSV or XLSX) from disk into strings, before any validation."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from data_access.problems import ImportFailed, Problem

SUFFIXES = (".csv", ".xlsx")


@dataclass
class SheetTable:
    """A sheet as read from disk: header and (row number as a user sees it, cells) records."""

    header: list[str]
    records: list[tuple[int, list[str]]]
    kind: str


def read_sheet(path: Path | str) -> SheetTable:
    """Read a CSV or XLSX sheet into strings; raise ImportFailed when it cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFailed(
            [Problem(0, "", f"{path.name}: expected a .csv or .xlsx file, not {suffix or 'no extension'}")]
        )
    if not path.is_file():
        raise ImportFailed([Problem(0, "", f"{path}: no such file")])
    if path.stat().st_size == 0:
        raise ImportFailed([Problem(0, "", f"{path.name}: the file is empty")])
    return _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)


def _read_csv(path: Path) -> SheetTable:
    data = path.read_bytes()
    if b"\x00" in data[:8192] or data.startswith(b"\x89PNG") or data.startswith(b"PK\x03\x04"):
        raise ImportFailed([Problem(0, "", f"{path.name}: a binary file, not CSV text")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([Problem(0, "", f"{path.name}: not UTF-8 text (byte {exc.start})")]) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    start = 1
    try:
        for cells in reader:
            # A record starts on the line after the previous one ended (multi-line quoted cells span lines).
            if header is None:
                header = cells
            elif any(c.strip() for c in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        message = f"cannot read the CSV record starting here ({exc})"
        if "end of data" in str(exc):
            message = "unterminated quoted cell: the file looks truncated"
        raise ImportFailed([Problem(start, "", message)]) from None
    if not header or not any(h.strip() for h in header):
        raise ImportFailed([Problem(0, "", f"{path.name}: the file is empty")])
    return SheetTable(header, records, "csv")


def _read_xlsx(path: Path) -> SheetTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ImportFailed([Problem(0, "", f"{path.name}: not a readable Excel workbook ({exc})")]) from None
    try:
        rows = [[_xlsx_text(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise ImportFailed([Problem(0, "", f"{path.name}: the workbook is empty")])
    header = rows[0]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    records: list[tuple[int, list[str]]] = []
    for index, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if any(c for c in cells[width:]):
            records.append((index, cells))  # more cells than the header: reported by validation
        else:
            records.append((index, (cells + [""] * width)[:width]))
    return SheetTable(header, records, "xlsx")


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
