"""Import limits (issue 10, item 8): file size, XLSX unpacked size, rows and cells refused before the file is read
in full, with a message naming the limit and its variable; problem lists capped in memory and on screen."""

from __future__ import annotations

import struct
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.cli import cli
from dashboard.domain.scales import REGIONS
from dashboard.settings import Settings
from data_access.ogp_sheet.read import ImportLimits, read_sheet, size_text
from data_access.ogp_sheet.upsert import import_ogp_sheet
from data_access.problems import MAX_MESSAGE, MAX_PROBLEMS_KEPT, ImportFailed, Problem, ProblemList, count_held
from data_access.progress_import import import_progress

PROGRESS_HEADER = "commitment_id,as_of,source,completion,note,evidence_url"
# Generous bounds on refusals that take milliseconds (a shared 2-core machine may be slow).
QUICK = 5.0


def _limits(**changes: int) -> ImportLimits:
    return ImportLimits.from_settings(Settings(**{f"import_{k}": v for k, v in changes.items()}))


def _refusal(call) -> tuple[Problem, float]:
    """The one file problem a refused import reports, and how long the refusal took."""
    started = time.perf_counter()
    with pytest.raises(ImportFailed) as raised:
        call()
    elapsed = time.perf_counter() - started
    assert raised.value.total == 1, raised.value.problems
    [problem] = raised.value.problems
    assert problem.row == 0 and problem.column == ""
    return problem, elapsed


def _nothing_held(engine: Engine) -> bool:
    with Session(engine) as session:
        return not any(count_held(session).values())


def _progress_csv(path: Path, rows: int, *, tail: str = "") -> Path:
    lines = [PROGRESS_HEADER] + [f"XX{i:06d},2024-01-31,government,Complete,," for i in range(rows)]
    path.write_text("\n".join(lines) + "\n" + tail, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------- file size


def test_lim001_a_file_over_the_default_size_is_refused_at_once(engine: Engine, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:  # a sparse 150 MB file: nothing to read but its size
        handle.truncate(150_000_000)
    problem, elapsed = _refusal(lambda: import_ogp_sheet(engine, big))
    assert problem.message == "big.csv is 150 MB; the limit is 100 MB (set IMPORT_MAX_BYTES to raise it)"
    assert elapsed < QUICK and _nothing_held(engine)


def test_lim002_the_size_limit_comes_before_any_reading(engine: Engine, tmp_path: Path) -> None:
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x00" * 2500)  # read, it would be "a binary file"
    problem, _ = _refusal(lambda: import_ogp_sheet(engine, binary, limits=_limits(max_bytes=1000)))
    assert problem.message == "binary.csv is 2.5 kB; the limit is 1 kB (set IMPORT_MAX_BYTES to raise it)"
    assert "binary" in _refusal(lambda: import_ogp_sheet(engine, binary))[0].message  # the default is larger


def test_lim003_cli_takes_the_limit_from_the_environment(db_url: str, real_sheet: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["import-ogp", str(real_sheet), "--database-url", db_url], env={"IMPORT_MAX_BYTES": "1000000"}
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: 1 problem(s); nothing was written",
        "  file: ogp_commitments_europe_americas.csv is 1.4 MB; the limit is 1 MB (set IMPORT_MAX_BYTES to raise it)",
    ]
    # With the default limits OGP's real sheet imports.
    assert runner.invoke(cli, ["import-ogp", str(real_sheet), "--database-url", db_url]).exit_code == 0


# ------------------------------------------------------------------------------------------------- XLSX bomb


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A zip of (name, raw deflate data, CRC-32, unpacked size) members, written by hand."""
    out, directory = bytearray(), bytearray()
    for name, data, crc, size in members:
        encoded, offset = name.encode(), len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out += encoded + data
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded
    start = len(out)
    out += directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0)
    path.write_bytes(bytes(out))


def _xlsx_bomb(path: Path, unpacked: int = 1_600_000_000) -> Path:
    """A 5 MB .xlsx whose worksheet really unpacks to 1.6 GB of XML rows (the issue's file).

    The worksheet is one 1 MiB block of rows, deflated once after a full flush and repeated: each copy is
    byte-aligned and refers to nothing before it, so the copies make one valid deflate stream. Its CRC is
    left 0 (computing it would mean producing the 1.6 GB); zipfile would only notice after unpacking it all.
    """
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    head += b"<sheetData>"
    row = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>'
    chunk = row * ((1 << 20) // len(row))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    copies = (unpacked - len(head)) // len(chunk)
    stream = first + block * copies + b"\x03\x00"  # an empty final block ends the stream
    types = b"<Types/>"
    _write_zip(
        path,
        [
            ("[Content_Types].xml", _raw_deflate(types), zlib.crc32(types), len(types)),
            ("xl/worksheets/sheet1.xml", stream, 0, len(head) + len(chunk) * copies),
        ],
    )
    return path


def test_lim004_xlsx_bomb_is_refused_from_the_zip_directory(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = _xlsx_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 6_000_000  # under IMPORT_MAX_BYTES: only the unpacked size can stop it
    with zipfile.ZipFile(bomb) as archive, archive.open("xl/worksheets/sheet1.xml") as member:
        unpacked = member.read(50_000_000)  # it really unpacks: the first 50 MB are worksheet rows
        assert len(unpacked) == 50_000_000 and unpacked.count(b"<row>") > 900_000

    def unpacking(*args, **kwargs):
        raise AssertionError("the bomb was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", unpacking)
    monkeypatch.setattr(openpyxl, "load_workbook", unpacking)
    problem, elapsed = _refusal(lambda: import_ogp_sheet(engine, bomb))
    assert problem.message == (
        "bomb.xlsx unpacks to 1.6 GB; the limit is 500 MB (set IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES to raise it)"
    )
    assert elapsed < QUICK and _nothing_held(engine)


def test_lim005_the_unpacked_limit_is_the_sum_the_zip_declares(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(["a", "b"])
    workbook.active.append(["1", "2"])
    xlsx = tmp_path / "small.xlsx"
    workbook.save(xlsx)
    with zipfile.ZipFile(xlsx) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    problem, _ = _refusal(lambda: read_sheet(xlsx, _limits(max_xlsx_uncompressed_bytes=unpacked - 1)))
    assert problem.message == (
        f"small.xlsx unpacks to {size_text(unpacked)}; the limit is {size_text(unpacked - 1)} "
        "(set IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES to raise it)"
    )
    assert read_sheet(xlsx, _limits(max_xlsx_uncompressed_bytes=unpacked)).records == [(2, ["1", "2"])]
    # A .xlsx that is not a zip is still "not a workbook".
    fake = tmp_path / "fake.xlsx"
    fake.write_text("a,b\n", encoding="utf-8")
    assert "not a readable Excel workbook" in _refusal(lambda: read_sheet(fake))[0].message


# ------------------------------------------------------------------------------------------------ rows, cells


def test_lim006_too_many_rows_stops_reading_at_the_limit(engine: Engine, tmp_path: Path) -> None:
    # Past row 12 the file is broken: reading on would report the unterminated quote instead.
    path = _progress_csv(tmp_path / "rows.csv", 11, tail='XX9,2024-01-31,government,"Complete\n')
    problem, elapsed = _refusal(lambda: import_progress(engine, path, limits=_limits(max_rows=10)))
    assert problem.message == "rows.csv has more than 10 rows; the limit is 10 (set IMPORT_MAX_ROWS to raise it)"
    assert elapsed < QUICK and _nothing_held(engine)
    # At the limit it is read (and refused for its content, not its size).
    ok = _progress_csv(tmp_path / "ten.csv", 10)
    with pytest.raises(ImportFailed) as raised:
        import_progress(engine, ok, limits=_limits(max_rows=10))
    assert raised.value.total == 10 and "unknown commitment" in raised.value.problems[0].message


def test_lim007_too_many_rows_in_a_workbook(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["a", "b", "c"])
    for i in range(30):
        sheet.append([i, "x", "y"])
    path = tmp_path / "rows.xlsx"
    workbook.save(path)
    problem, _ = _refusal(lambda: read_sheet(path, _limits(max_rows=29)))
    assert problem.message == "rows.xlsx has more than 29 rows; the limit is 29 (set IMPORT_MAX_ROWS to raise it)"
    assert len(read_sheet(path, _limits(max_rows=30)).records) == 30


def test_lim008_too_many_cells(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    # OGP's sheet has 171 columns: 1,000 cells are reached on the sixth row (the header is the first).
    problem, elapsed = _refusal(lambda: import_ogp_sheet(engine, real_sheet, limits=_limits(max_cells=1000)))
    assert problem.message == (
        "ogp_commitments_europe_americas.csv has more than 1,000 cells (reached at row 6); "
        "the limit is 1,000 (set IMPORT_MAX_CELLS to raise it)"
    )
    assert elapsed < QUICK and _nothing_held(engine)
    # One very wide row is refused as it is read, header included.
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(5000)) + "\n", encoding="utf-8")
    problem, _ = _refusal(lambda: read_sheet(wide, _limits(max_cells=4999)))
    assert "more than 4,999 cells (reached at row 1)" in problem.message
    # The whole real sheet is 333 x 171 = 56,943 cells.
    assert len(read_sheet(real_sheet, _limits(max_cells=333 * 171)).records) == 332


def test_lim009_settings_read_every_limit_from_the_environment() -> None:
    defaults = ImportLimits.from_settings(Settings.from_env({}))
    assert defaults == ImportLimits(100_000_000, 200_000, 10_000_000, 500_000_000)
    env = {
        "IMPORT_MAX_BYTES": "1",
        "IMPORT_MAX_ROWS": "2",
        "IMPORT_MAX_CELLS": "3",
        "IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES": "4",
    }
    assert ImportLimits.from_settings(Settings.from_env(env)) == ImportLimits(1, 2, 3, 4)


# ------------------------------------------------------------------------------------------- capped problems


def test_lim010_cli_prints_the_first_200_problems_of_50000(db_url: str, tmp_path: Path) -> None:
    path = _progress_csv(tmp_path / "invalid.csv", 50_000)  # every commitment unknown: one problem a row
    started = time.perf_counter()
    result = CliRunner().invoke(cli, ["import-progress", str(path), "--database-url", db_url])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 202
    assert lines[0] == "Error: 50000 problem(s); nothing was written"
    assert lines[1] == "  row 2, column 'commitment_id': unknown commitment 'XX000000'"
    assert lines[200] == "  row 201, column 'commitment_id': unknown commitment 'XX000199'"
    assert lines[201] == "  ... and 49,800 more problems (50,000 in all); nothing was written"
    assert elapsed < 30


def test_lim011_problems_kept_in_memory_are_capped(engine: Engine, tmp_path: Path) -> None:
    path = _progress_csv(tmp_path / "invalid.csv", 12_000)
    with pytest.raises(ImportFailed) as raised:
        import_progress(engine, path)
    failed = raised.value
    assert failed.total == 12_000 and len(failed.problems) == MAX_PROBLEMS_KEPT == 10_000
    assert [p.row for p in failed.problems] == list(range(2, 2 + MAX_PROBLEMS_KEPT))
    assert len(failed.lines()) == 201 and failed.lines(shown=3)[-1].startswith("... and 11,997 more problems")


def test_lim012_problem_list_keeps_the_first_rows_whatever_the_order_found() -> None:
    problems = ProblemList(keep=10)
    for row in range(1000, 0, -1):  # found last row first, as cross-row checks may
        problems.append(Problem(row, "", "bad"))
    problems += [Problem(0, "", "file")]
    assert len(problems) == 1001 and problems.total == 1001
    assert [p.row for p in problems.kept()] == list(range(10))
    failed = ImportFailed(problems)
    assert str(failed) == "1001 problem(s); nothing was written"
    assert failed.lines(shown=2) == [
        "file: file",
        "row 1: bad",
        "... and 999 more problems (1,001 in all); nothing was written",
    ]
    # A short list is printed whole, without the closing line.
    assert ImportFailed([Problem(2, "x", "bad")]).lines() == ["row 2, column 'x': bad"]


def test_lim013_a_huge_cell_makes_a_short_problem(engine: Engine, real_sheet: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(real_sheet, dtype=str, keep_default_na=False)
    frame.loc[0, "Region"] = "Mars " * 20_000
    path = tmp_path / "huge_cell.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ImportFailed) as raised:
        import_ogp_sheet(engine, path)
    [problem] = [p for p in raised.value.problems if p.column == "Region" and "is not one of" in p.message]
    assert len(problem.message) == MAX_MESSAGE and problem.message.startswith("'Mars Mars")
    assert problem.message.count("…") == 1 and problem.message.endswith("is not one of " + ", ".join(REGIONS))


def test_lim014_cli_caps_the_problems_of_an_ogp_sheet(db_url: str, real_sheet: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(real_sheet, dtype=str, keep_default_na=False)
    frame["Region"] = "Mars"  # 332 rows, one problem each
    path = tmp_path / "mars.csv"
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["import-ogp", str(path), "--database-url", db_url])
    lines = result.stderr.splitlines()
    assert result.exit_code == 1 and len(lines) == 202
    assert lines[0] == "Error: 332 problem(s); nothing was written"
    assert all("column 'Region': 'Mars' is not one of" in line for line in lines[1:201])
    assert lines[-1] == "  ... and 132 more problems (332 in all); nothing was written"
