"""Reading an OGP-style sheet (CSV or XLSX) from disk into strings, before any validation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.domain.spreadsheet import restore
from dashboard.settings import Settings
from data_access.problems import ImportFailed, Problem

SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class ImportLimits:
    """How large a file an import reads; each is checked before the file is read in full (Settings.import_max_*)."""

    max_bytes: int
    max_rows: int
    max_cells: int
    max_xlsx_uncompressed_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ImportLimits:
        """The limits of these settings (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, ...)."""
        return cls(
            max_bytes=settings.import_max_bytes,
            max_rows=settings.import_max_rows,
            max_cells=settings.import_max_cells,
            max_xlsx_uncompressed_bytes=settings.import_max_xlsx_uncompressed_bytes,
        )


def _too_big(what: str, seen: str, limit: str, variable: str) -> ImportFailed:
    """The refusal of a file over a limit: what was seen, the limit and the variable that raises it."""
    return ImportFailed([Problem(0, "", f"{what} {seen}; the limit is {limit} (set {variable} to raise it)")])


def size_text(n: int) -> str:
    """A byte count as people read it: 950 bytes, 12.5 kB, 63.2 MB, 1.6 GB (decimal units)."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


@dataclass
class SheetTable:
    """A sheet as read from disk: header and (row number as a user sees it, cells) records."""

    header: list[str]
    records: list[tuple[int, list[str]]]
    kind: str


def read_sheet(path: Path | str, limits: ImportLimits | None = None) -> SheetTable:
    """Read a CSV or XLSX sheet into strings; raise ImportFailed when it cannot be read at all or is too large.

    limits: by default those of the environment (Settings.from_env). The file size and an XLSX's unpacked size
    are checked before reading; rows and cells are counted while reading, which stops one past the limit.
    """
    path = Path(path)
    limits = limits or ImportLimits.from_settings(Settings.from_env())
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFailed(
            [Problem(0, "", f"{path.name}: expected a .csv or .xlsx file, not {suffix or 'no extension'}")]
        )
    if not path.is_file():
        raise ImportFailed([Problem(0, "", f"{path}: no such file")])
    size = path.stat().st_size
    if size == 0:
        raise ImportFailed([Problem(0, "", f"{path.name}: the file is empty")])
    if size > limits.max_bytes:
        raise _too_big(f"{path.name} is", size_text(size), size_text(limits.max_bytes), "IMPORT_MAX_BYTES")
    return _read_xlsx(path, limits) if suffix == ".xlsx" else _read_csv(path, limits)


class _Counter:
    """Counts rows and cells as they are read; refuses the file one row or cell past a limit."""

    def __init__(self, path: Path, limits: ImportLimits):
        self.path = path
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def header(self, cells: Sequence[Any]) -> None:
        self._add_cells(len(cells))

    def row(self, cells: Sequence[Any]) -> None:
        self.rows += 1
        if self.rows > self.limits.max_rows:
            limit = f"{self.limits.max_rows:,}"
            raise _too_big(f"{self.path.name} has", f"more than {limit} rows", limit, "IMPORT_MAX_ROWS")
        self._add_cells(len(cells))

    def _add_cells(self, n: int) -> None:
        self.cells += n
        if self.cells > self.limits.max_cells:
            limit = f"{self.limits.max_cells:,}"
            seen = f"more than {limit} cells (reached at row {self.rows + 1:,})"
            raise _too_big(f"{self.path.name} has", seen, limit, "IMPORT_MAX_CELLS")


def _read_csv(path: Path, limits: ImportLimits) -> SheetTable:
    data = path.read_bytes()
    if b"\x00" in data[:8192] or data.startswith(b"\x89PNG") or data.startswith(b"PK\x03\x04"):
        raise ImportFailed([Problem(0, "", f"{path.name}: a binary file, not CSV text")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([Problem(0, "", f"{path.name}: not UTF-8 text (byte {exc.start})")]) from None
    del data
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    counter = _Counter(path, limits)
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    start = 1
    try:
        for cells in reader:
            # A record starts on the line after the previous one ended (multi-line quoted cells span lines).
            if header is None:
                counter.header(cells)
                header = _restored(cells)
            else:
                counter.row(cells)
                if any(c.strip() for c in cells):
                    records.append((start, _restored(cells)))
            start = reader.line_num + 1
    except csv.Error as exc:
        message = f"cannot read the CSV record starting here ({exc})"
        if "end of data" in str(exc):
            message = "unterminated quoted cell: the file looks truncated"
        raise ImportFailed([Problem(start, "", message)]) from None
    if not header or not any(h.strip() for h in header):
        raise ImportFailed([Problem(0, "", f"{path.name}: the file is empty")])
    return SheetTable(header, records, "csv")


def _restored(cells: list[str]) -> list[str]:
    """CSV cells without the quote an export put in front of formula-like text (dashboard.domain.spreadsheet)."""
    if "'" not in "".join(cells):  # most rows, found at C speed
        return cells
    return [restore(c) if c.startswith("'") else c for c in cells]


def _check_unpacked_size(path: Path, limits: ImportLimits) -> None:
    """Refuse an XLSX whose members unpack to more than the limit, from the zip's directory (nothing unpacked).

    zipfile never returns more than a member's declared size (and checks its CRC), so the declared sizes bound
    what reading the workbook can unpack, whatever the compressed data holds.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFailed([Problem(0, "", f"{path.name}: not a readable Excel workbook ({exc})")]) from None
    if unpacked > limits.max_xlsx_uncompressed_bytes:
        raise _too_big(
            f"{path.name} unpacks to",
            size_text(unpacked),
            size_text(limits.max_xlsx_uncompressed_bytes),
            "IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES",
        )


def _read_xlsx(path: Path, limits: ImportLimits) -> SheetTable:
    from openpyxl import load_workbook

    _check_unpacked_size(path, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ImportFailed([Problem(0, "", f"{path.name}: not a readable Excel workbook ({exc})")]) from None
    try:
        rows = _xlsx_rows(path, limits, workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    if not rows:
        raise ImportFailed([Problem(0, "", f"{path.name}: the workbook is empty")])
    header = rows[0][1]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    records: list[tuple[int, list[str]]] = []
    for index, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        if any(c for c in cells[width:]):
            records.append((index, cells))  # more cells than the header: reported by validation
        else:
            records.append((index, (cells + [""] * width)[:width]))
    return SheetTable(header, records, "xlsx")


def _xlsx_rows(path: Path, limits: ImportLimits, values: Iterable[tuple[Any, ...]]) -> list[tuple[int, list[str]]]:
    """(spreadsheet row, cells as text) from the first non-empty row on, counted against the limits as read."""
    counter = _Counter(path, limits)
    rows: list[tuple[int, list[str]]] = []
    for index, row in enumerate(values, start=1):
        if rows:
            counter.row(row)
        else:
            counter.header(row)
        cells = [_xlsx_text(v) for v in row]
        if rows or any(cells):
            rows.append((index, cells))
    return rows


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
