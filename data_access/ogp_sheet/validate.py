"""Validation of an OGP commitments sheet: column problems, row problems and cross-row consistency."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dashboard.domain.policy_areas import POLICY_AREA_COLUMNS
from dashboard.domain.scales import COMPLETION, INDICATORS, MEMBER_TYPES, MISSING_CODES, REGIONS
from data_access.dates import is_day_first, parse_ogp_date
from data_access.ogp_sheet.catalogue import (
    COMMITMENT_ID,
    END_DATE,
    ID_PATTERN,
    MAPPED_COLUMNS,
    MEMBER_COLUMNS,
    OGP_COLUMNS,
    PLAN_COLUMNS,
    PLAN_ID,
    RATING_COLUMNS,
    REPORT_YEAR_COLUMNS,
    REQUIRED_COLUMNS,
    START_DATE,
    TEXT_COLUMNS,
    TITLE,
    YEAR_PATTERN,
)
from data_access.ogp_sheet.read import SheetTable
from data_access.problems import MAX_PROBLEMS_KEPT, Problem, ProblemList

OGP_COLUMN_SET = frozenset(OGP_COLUMNS)
TAG_VALUES = frozenset({"0", "1"}) | frozenset(MISSING_CODES)
# Lengths of the String columns the importer fills (PostgreSQL enforces them; SQLite would not).
MAX_LENGTHS: dict[str, int] = {
    COMMITMENT_ID: 20,
    PLAN_ID: 20,
    "Code": 8,
    "Country/Locality": 200,
    "National Or Local": 20,
    "Region": 40,
    "Commitment Number": 20,
    START_DATE: 100,
    END_DATE: 100,
}


@dataclass
class SheetRecord:
    """One valid sheet row, split into member, plan and commitment values."""

    row: int
    member: dict[str, Any]
    plan: dict[str, Any]
    fields: dict[str, Any]
    tags: frozenset[str]
    cells: dict[str, str] = field(repr=False, default_factory=dict)


def validate_sheet(table: SheetTable) -> tuple[list[SheetRecord], ProblemList, list[Problem]]:
    """Check every row; return the parsed records, the problems (all counted, the first kept) and the warnings."""
    problems = ProblemList()
    warnings: list[Problem] = []
    header = table.header
    seen: Counter[str] = Counter(header)
    problems += [Problem(1, name, "column appears more than once") for name, n in seen.items() if n > 1]
    problems += [Problem(1, name, "required column is missing") for name in REQUIRED_COLUMNS if name not in seen]
    unknown = [name for name in header if name not in OGP_COLUMN_SET]
    kept = unknown[:MAX_PROBLEMS_KEPT]
    warnings += [Problem(1, name, "not a column of OGP's sheet: kept, but not exported") for name in kept]
    if len(unknown) > len(kept):
        warnings.append(Problem(1, "", f"{len(unknown) - len(kept):,} more columns that OGP's sheet does not have"))
    if not table.records:
        problems.append(Problem(0, "", "the file has a header but no commitment rows"))
    if problems:
        return [], problems, warnings

    records: list[SheetRecord] = []
    for row, cells in table.records:
        if len(cells) != len(header):
            problems.append(
                Problem(row, "", f"has {len(cells)} cells but the header has {len(header)} (truncated or malformed)")
            )
            continue
        record = _parse_row(row, dict(zip(header, cells, strict=True)), problems, warnings)
        if record is not None:
            records.append(record)
    problems += _cross_row_problems(records)
    return records, problems, warnings


def _parse_row(row: int, cells: dict[str, str], problems: ProblemList, warnings: list[Problem]) -> SheetRecord | None:
    before = len(problems)

    def report(column: str, message: str) -> None:
        problems.append(Problem(row, column, message))

    for column, limit in MAX_LENGTHS.items():
        if len(cells[column]) > limit:
            report(column, f"longer than {limit} characters")
    commitment_id = cells[COMMITMENT_ID]
    if not commitment_id.strip():
        report(COMMITMENT_ID, "empty commitment id")
    elif not ID_PATTERN.match(commitment_id):
        report(COMMITMENT_ID, f"{commitment_id!r} is not an OGP commitment id (letters then digits, e.g. AL0002)")
    if not cells[TITLE].strip() or cells[TITLE].strip() in MISSING_CODES:
        report(TITLE, "empty commitment title")
    for column in ("Code", "Country/Locality"):
        if not cells[column].strip():
            report(column, "empty")
    if cells["National Or Local"] not in MEMBER_TYPES:
        report("National Or Local", f"{cells['National Or Local']!r} is not one of {', '.join(MEMBER_TYPES)}")
    if cells["Region"] not in REGIONS:
        report("Region", f"{cells['Region']!r} is not one of {', '.join(REGIONS)}")
    plan_id = cells[PLAN_ID]
    if not plan_id.startswith(f"AP_{cells['Code']}") or not cells["Code"]:
        report(PLAN_ID, f"{plan_id!r} does not belong to member {cells['Code']!r} (expected AP_{cells['Code']}NN)")
    plan: dict[str, Any] = {"ogp_id": plan_id}
    for column, attr in PLAN_COLUMNS.items():
        value = cells[column].strip()
        if not value.isdigit():
            report(column, f"{cells[column]!r} is not a whole number")
        else:
            plan[attr] = int(value)
    if "submission_year" in plan and not 2011 <= plan["submission_year"] <= 2100:
        report("Year Of Submission", f"{plan['submission_year']} is not a plausible OGP year")
    for column, attr in RATING_COLUMNS.items():
        scale = next(i.scale for i in INDICATORS if i.attr == attr)
        if not scale.is_valid(cells[column]):
            allowed = ", ".join(scale.values + tuple(MISSING_CODES))
            report(column, f"{cells[column]!r} is not on the {scale.label} scale ({allowed})")
    for column in REPORT_YEAR_COLUMNS:
        if not (YEAR_PATTERN.match(cells[column]) or cells[column] in MISSING_CODES):
            report(column, f"{cells[column]!r} is not a year or ND/NR/NA")
    tags: set[str] = set()
    extra: dict[str, str] = {}
    for column in POLICY_AREA_COLUMNS:
        value = cells[column]
        if value not in TAG_VALUES:
            report(column, f"{value!r} is not a policy-area tag (0, 1, ND, NR or NA)")
        elif value == "1":
            tags.add(column)
        elif value != "0":
            extra[column] = value
    if len(problems) > before:
        return None

    # A row whose one date is unambiguously day first (31/12/2016) writes the other one day first too.
    day_first = is_day_first(cells[START_DATE]) or is_day_first(cells[END_DATE])
    start = parse_ogp_date(cells[START_DATE], bound="start", day_first=day_first)
    end = parse_ogp_date(cells[END_DATE], bound="end", day_first=day_first)
    for column, parsed in ((START_DATE, start), (END_DATE, end)):
        if parsed.problem:
            message = f"{commitment_id}: {parsed.problem}; raw text kept, date left empty"
            warnings.append(Problem(row, column, message))
    extra.update({c: v for c, v in cells.items() if c not in MAPPED_COLUMNS})
    fields: dict[str, Any] = {
        "ogp_id": commitment_id,
        "title": cells[TITLE],
        "start_date": start.value,
        "start_date_raw": start.raw,
        "end_date": end.value,
        "end_date_raw": end.raw,
        "sheet_extra": extra,
    }
    fields.update({attr: _text_or_none(cells[c]) for c, attr in TEXT_COLUMNS.items()})
    fields.update({attr: cells[c] for c, attr in REPORT_YEAR_COLUMNS.items()})
    fields.update({attr: cells[c] for c, attr in RATING_COLUMNS.items()})
    fields["completion"] = _derived_completion(fields)
    fields["starred"] = fields["starred_midterm"] == "1" or fields["starred_end_of_term"] == "1"
    member = {attr: cells[c] for c, attr in MEMBER_COLUMNS.items()}
    return SheetRecord(row, member, plan, fields, frozenset(tags), cells)


def _text_or_none(value: str) -> str | None:
    return None if value.strip() in ("", "NA") else value


def _derived_completion(fields: dict[str, Any]) -> str | None:
    for attr in ("completion_end_of_term", "completion_midterm"):
        if COMPLETION.is_rating(fields[attr]):
            return fields[attr]
    return None


def _cross_row_problems(records: list[SheetRecord]) -> Iterator[Problem]:
    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for record in records:
        rows_by_id[record.fields["ogp_id"]].append(record.row)
    for commitment_id, rows in rows_by_id.items():
        for row in rows[1:]:
            yield Problem(row, COMMITMENT_ID, f"duplicate commitment id {commitment_id!r}: also on row {rows[0]}")
        if len(rows) > 1:
            others = ", ".join(str(r) for r in rows[1:21]) + (f" and {len(rows) - 21:,} more" if len(rows) > 21 else "")
            yield Problem(rows[0], COMMITMENT_ID, f"duplicate commitment id {commitment_id!r}: also on row(s) {others}")
    yield from _inconsistent(records, "Code", lambda r: r.member["code"], lambda r: r.member, "member")
    yield from _inconsistent(records, PLAN_ID, lambda r: r.plan["ogp_id"], lambda r: r.plan, "action plan")
    # Commitment ids carry their member's prefix (AL for ALB, BUE for Buenos Aires): one prefix per member.
    prefixes: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        prefixes[record.member["code"]][_id_prefix(record.fields["ogp_id"])] += 1
    for record in records:
        usual = prefixes[record.member["code"]].most_common(1)[0][0]
        prefix = _id_prefix(record.fields["ogp_id"])
        if prefix != usual:
            yield Problem(
                record.row,
                COMMITMENT_ID,
                f"{record.fields['ogp_id']!r} does not match member {record.member['code']!r}, "
                f"whose other commitment ids start with {usual!r}",
            )


def _id_prefix(commitment_id: str) -> str:
    """The member prefix of a commitment id that passed _parse_row (AL of AL0002)."""
    match = ID_PATTERN.match(commitment_id)
    if match is None:
        raise ValueError(f"{commitment_id!r} was not validated as an OGP commitment id")
    return match.group(1)


def _inconsistent(records: list[SheetRecord], column: str, key, values, what: str) -> Iterator[Problem]:
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    for record in records:
        seen = first.setdefault(key(record), (record.row, values(record)))
        if values(record) != seen[1]:
            differing = sorted(k for k in values(record) if values(record).get(k) != seen[1].get(k))
            yield Problem(
                record.row, column, f"{what} {key(record)!r} differs from row {seen[0]} in {', '.join(differing)}"
            )
