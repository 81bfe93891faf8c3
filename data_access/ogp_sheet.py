"""Import and export of OGP's commitments sheet (CSV or XLSX, 171 columns), all-or-nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, exists, select
from sqlalchemy.orm import Session, selectinload

from dashboard.domain.policy_areas import POLICY_AREA_COLUMNS, POLICY_AREAS
from dashboard.domain.rules import plan_calendar
from dashboard.domain.scales import COMPLETION, DIOG, EARLY_RESULTS, INDICATORS, MEMBER_TYPES, MISSING_CODES, REGIONS
from data_access.dates import is_day_first, parse_ogp_date
from data_access.db import bump_data_version, session_scope, set_meta
from data_access.models import (
    ORIGIN_IMPORT,
    ORIGIN_SAMPLE,
    ActionPlan,
    Commitment,
    Member,
    PolicyArea,
    ProgressReport,
)
from data_access.problems import ImportFailed, ImportSummary, Problem

# The columns of OGP's commitments sheet, in OGP's order.
OGP_COLUMNS: tuple[str, ...] = (
    "Commitment Unique Identifier",
    "Country/Locality",
    "Action Plan Number",
    "Commitment Number",
    "Code",
    "Region",
    "National Or Local",
    "Commitment Dummy",
    "Year Of Submission",
    "Action Plan End Year",
    "Action Plan Duration (Years)",
    "Theme",
    "Commitment Title",
    "Short Title",
    "Full Text",
    "Start Date",
    "End Date",
    "Lead Institution",
    "Supporting Institution(s)",
    # the 86 policy-area tag columns, in the sheet's order
    *POLICY_AREA_COLUMNS,
    "Report Publication Year (Progress Report)",
    "Compound",
    "Cluster",
    "Specificity",
    "_Specificity",
    "Verifiable",
    "OGP Value Access To Information",
    "OGP Value Civic Participation",
    "OGP Value Public Accountability",
    "OGP Value Technology",
    "_Relevant",
    "Potential Impact",
    "_Potential Impact",
    "Completion (Progress Report)",
    "_CompletionProgress",
    "Starred (2015 Only)",
    "Starred (Current Formula) Progress Report",
    "Potential for Results",
    "_Potential for Results",
    "Cluster (AP Review)",
    "Cluster Commitment ID(s)",
    "Report Publication Year (End Of Term)",
    "Completion (End Of Term)",
    "_CompletionEndTerm",
    "Change In Completion",
    "_ChangeCompletion",
    "Early Results",
    "_Early Results",
    "Did It Open Government (Overall)",
    "_OpenGovernment",
    "Did It Open Government (Access To Information)",
    "_DIOGATI",
    "Did It Open Government (Civic Participation)",
    "_DIOGCP",
    "Did It Open Government: Public Accountability",
    "_DIOGPA",
    "Starred (Current Formula) End of Term",
    "Carried Forward",
    "Most Recently Assessed",
    "Star - Most Recently Assessed",
    "IRM Assessed",
    "Updated? (Website)",
    "Active Commitment",
    "Max star",
    "Ambition Assessed",
    "Comp Assessed",
    "DIOG Assessed",
    "Midterm Only",
    "Max Completion",
    "Raw Completion",
    "High Completion",
    "High Ambition",
    "High DIOG",
    "Ambitious and complete, or DIOG",
    "Ambitious but not complete",
    "Complete but not ambitious",
    "Not complete or ambitious",
    "Not reviewed",
    "CHECKSUM",
    "IRM-Based Score",
    "Binding constraint",
    "URL",
    "Latest IRM Report",
    "Subnational in NAPs",
    "Action Plan ID",
    "id",
)

COMMITMENT_ID = "Commitment Unique Identifier"
PLAN_ID = "Action Plan ID"
START_DATE = "Start Date"
END_DATE = "End Date"

# Sheet column -> Member attribute.
MEMBER_COLUMNS: dict[str, str] = {
    "Code": "code",
    "Country/Locality": "name",
    "National Or Local": "member_type",
    "Region": "region",
}
# Sheet column -> ActionPlan attribute (integers).
PLAN_COLUMNS: dict[str, str] = {
    "Action Plan Number": "number",
    "Year Of Submission": "submission_year",
    "Action Plan End Year": "end_year",
    "Action Plan Duration (Years)": "duration_years",
}
# Free-text sheet column -> Commitment attribute; 'NA' (or blank) is stored as None and exported as 'NA'.
TEXT_COLUMNS: dict[str, str] = {
    "Commitment Number": "number",
    "Short Title": "short_title",
    "Full Text": "full_text",
    "Theme": "theme",
    "Lead Institution": "lead_institution",
    "Supporting Institution(s)": "supporting_institutions",
    "URL": "url",
}
TITLE = "Commitment Title"
# Report years, stored verbatim (a year, or ND / NR / NA).
REPORT_YEAR_COLUMNS: dict[str, str] = {
    "Report Publication Year (Progress Report)": "midterm_report_year",
    "Report Publication Year (End Of Term)": "end_of_term_report_year",
}
RATING_COLUMNS: dict[str, str] = {i.column: i.attr for i in INDICATORS}

REQUIRED_COLUMNS: tuple[str, ...] = tuple(
    c
    for c in OGP_COLUMNS
    if c in {COMMITMENT_ID, PLAN_ID, TITLE, START_DATE, END_DATE}
    or c in MEMBER_COLUMNS
    or c in PLAN_COLUMNS
    or c in TEXT_COLUMNS
    or c in REPORT_YEAR_COLUMNS
    or c in RATING_COLUMNS
    or c in POLICY_AREA_COLUMNS
)
# Columns that map to a model field; every other column is kept verbatim in Commitment.sheet_extra.
MAPPED_COLUMNS = frozenset(REQUIRED_COLUMNS)

TAG_VALUES = frozenset({"0", "1"}) | frozenset(MISSING_CODES)
RECORDED_BY = "import-ogp"
SUFFIXES = (".csv", ".xlsx")
_ID = re.compile(r"^([A-Z]+)\d+$")
_YEAR = re.compile(r"^\d{4}$")
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
class OgpImportSummary(ImportSummary):
    """What an OGP sheet import did, plus how many sample members it replaced."""

    replaced_sample_members: int = 0

    def line(self) -> str:
        """The one-line summary, saying when the sample data was replaced."""
        text = super().line()
        if self.replaced_sample_members:
            verb = "would replace" if self.dry_run else "replaced"
            text = f"{text[:-1]}; {verb} the sample data ({self.replaced_sample_members} sample members)."
        return text


@dataclass
class SheetTable:
    """A sheet as read from disk: header and (row number as a user sees it, cells) records."""

    header: list[str]
    records: list[tuple[int, list[str]]]
    kind: str


@dataclass
class _Record:
    """One valid sheet row, split into member, plan and commitment values."""

    row: int
    member: dict[str, Any]
    plan: dict[str, Any]
    fields: dict[str, Any]
    tags: frozenset[str]
    cells: dict[str, str] = field(repr=False, default_factory=dict)


# ---------------------------------------------------------------------------------------------- reading


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


# ---------------------------------------------------------------------------------------------- validation


def validate_sheet(table: SheetTable) -> tuple[list[_Record], list[Problem], list[Problem]]:
    """Check every row; return the parsed records, the problems and the warnings."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    header = table.header
    seen: Counter[str] = Counter(header)
    problems += [Problem(1, name, "column appears more than once") for name, n in seen.items() if n > 1]
    problems += [Problem(1, name, "required column is missing") for name in REQUIRED_COLUMNS if name not in seen]
    unknown = [name for name in header if name not in OGP_COLUMNS]
    warnings += [Problem(1, name, "not a column of OGP's sheet: kept, but not exported") for name in unknown]
    if not table.records:
        problems.append(Problem(0, "", "the file has a header but no commitment rows"))
    if problems:
        return [], problems, warnings

    records: list[_Record] = []
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


def _parse_row(row: int, cells: dict[str, str], problems: list[Problem], warnings: list[Problem]) -> _Record | None:
    before = len(problems)

    def report(column: str, message: str) -> None:
        problems.append(Problem(row, column, message))

    for column, limit in MAX_LENGTHS.items():
        if len(cells[column]) > limit:
            report(column, f"longer than {limit} characters")
    commitment_id = cells[COMMITMENT_ID]
    if not commitment_id.strip():
        report(COMMITMENT_ID, "empty commitment id")
    elif not _ID.match(commitment_id):
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
        if not (_YEAR.match(cells[column]) or cells[column] in MISSING_CODES):
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
    return _Record(row, member, plan, fields, frozenset(tags), cells)


def _text_or_none(value: str) -> str | None:
    return None if value.strip() in ("", "NA") else value


def _derived_completion(fields: dict[str, Any]) -> str | None:
    for attr in ("completion_end_of_term", "completion_midterm"):
        if COMPLETION.is_rating(fields[attr]):
            return fields[attr]
    return None


def _cross_row_problems(records: list[_Record]) -> list[Problem]:
    problems: list[Problem] = []
    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for record in records:
        rows_by_id[record.fields["ogp_id"]].append(record.row)
    for commitment_id, rows in rows_by_id.items():
        for row in rows[1:]:
            problems.append(
                Problem(row, COMMITMENT_ID, f"duplicate commitment id {commitment_id!r}: also on row {rows[0]}")
            )
        if len(rows) > 1:
            others = ", ".join(str(r) for r in rows[1:])
            problems.append(
                Problem(rows[0], COMMITMENT_ID, f"duplicate commitment id {commitment_id!r}: also on row(s) {others}")
            )
    problems += _inconsistent(records, "Code", lambda r: r.member["code"], lambda r: r.member, "member")
    problems += _inconsistent(records, PLAN_ID, lambda r: r.plan["ogp_id"], lambda r: r.plan, "action plan")
    # Commitment ids carry their member's prefix (AL for ALB, BUE for Buenos Aires): one prefix per member.
    prefixes: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        prefixes[record.member["code"]][_ID.match(record.fields["ogp_id"]).group(1)] += 1
    for record in records:
        usual = prefixes[record.member["code"]].most_common(1)[0][0]
        prefix = _ID.match(record.fields["ogp_id"]).group(1)
        if prefix != usual:
            problems.append(
                Problem(
                    record.row,
                    COMMITMENT_ID,
                    f"{record.fields['ogp_id']!r} does not match member {record.member['code']!r}, "
                    f"whose other commitment ids start with {usual!r}",
                )
            )
    return problems


def _inconsistent(records: list[_Record], column: str, key, values, what: str) -> list[Problem]:
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    problems: list[Problem] = []
    for record in records:
        seen = first.setdefault(key(record), (record.row, values(record)))
        if values(record) != seen[1]:
            differing = sorted(k for k in values(record) if values(record).get(k) != seen[1].get(k))
            problems.append(
                Problem(
                    record.row,
                    column,
                    f"{what} {key(record)!r} differs from row {seen[0]} in {', '.join(differing)}",
                )
            )
    return problems


# ---------------------------------------------------------------------------------------------- import


def import_ogp_sheet(engine: Engine, path: Path | str, *, dry_run: bool = False) -> OgpImportSummary:
    """Validate the whole sheet, then upsert members, plans, commitments and IRM progress in one transaction."""
    path = Path(path)
    table = read_sheet(path)
    records, problems, warnings = validate_sheet(table)
    if problems:
        raise ImportFailed(problems)
    summary = OgpImportSummary(warnings=warnings, dry_run=dry_run)
    if dry_run:
        # No autoflush: objects built to count changes must never reach the database.
        with Session(engine, autoflush=False) as session:
            _Upsert(session, summary, write=False).run(records)
            session.rollback()
        return summary
    with session_scope(engine) as session:
        if _Upsert(session, summary, write=True).run(records):
            bump_data_version(session)
        set_meta(session, "data_origin", "import")
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        set_meta(session, "last_import", f"{stamp} {path.name}")
    return summary


class _Upsert:
    """Apply validated records to the database (or, with write=False, only count what would change)."""

    def __init__(self, session: Session, summary: OgpImportSummary, *, write: bool):
        self.session = session
        self.summary = summary
        self.write = write
        self.has_sample = False

    def run(self, records: list[_Record]) -> bool:
        """Do the work; True when anything was (or would be) written."""
        self._replace_sample()
        areas = self._policy_areas()
        members = self._members(records)
        plans = self._plans(records, members)
        commitments = self._commitments(records, plans, areas)
        self._progress_reports(records, commitments, plans)
        return bool(self.has_sample or any(self.summary.added.values()) or any(self.summary.changed.values()))

    def _replace_sample(self) -> None:
        session = self.session
        has_sample = session.scalar(
            select(
                exists().where(Member.origin == ORIGIN_SAMPLE)
                | exists().where(ActionPlan.origin == ORIGIN_SAMPLE)
                | exists().where(Commitment.origin == ORIGIN_SAMPLE)
            )
        )
        if not has_sample:
            return
        self.has_sample = True
        self.summary.replaced_sample_members = len(
            session.scalars(select(Member.id).where(Member.origin == ORIGIN_SAMPLE)).all()
        )
        if self.write:
            # Children first, so the delete does not depend on ON DELETE CASCADE being enforced.
            for model in (Commitment, ActionPlan, Member):
                session.execute(delete(model).where(model.origin == ORIGIN_SAMPLE))

    def _policy_areas(self) -> dict[str, PolicyArea | None]:
        existing = {a.name: a for a in self.session.scalars(select(PolicyArea))}
        areas: dict[str, PolicyArea | None] = dict(existing)
        for definition in POLICY_AREAS:
            if definition.name in existing:
                continue
            area = PolicyArea(
                slug=definition.slug, name=definition.name, parent=definition.parent, is_group=definition.is_group
            )
            if self.write:
                self.session.add(area)
            areas[definition.name] = area
        return areas

    def _upsert(self, model, kind: str, key: str, rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
        found = self.session.scalars(
            select(model).where(getattr(model, key).in_(list(rows)), model.origin != ORIGIN_SAMPLE)
        ).all()
        objects = {getattr(obj, key): obj for obj in found}
        for natural_key, values in rows.items():
            obj = objects.get(natural_key)
            if obj is None:
                obj = model(**values, origin=ORIGIN_IMPORT)
                self.summary.count("added", kind)
                if self.write:
                    self.session.add(obj)
                objects[natural_key] = obj
            elif self._assign(obj, values):
                self.summary.count("changed", kind)
        return objects

    def _assign(self, obj: Any, values: dict[str, Any]) -> bool:
        changes = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if changes and self.write:
            for attr, value in changes.items():
                setattr(obj, attr, value)
        return bool(changes)

    def _members(self, records: list[_Record]) -> dict[str, Member]:
        rows = {r.member["code"]: r.member for r in records}
        return self._upsert(Member, "members", "code", rows)

    def _plans(self, records: list[_Record], members: dict[str, Member]) -> dict[str, ActionPlan]:
        rows: dict[str, dict[str, Any]] = {}
        for record in records:
            plan = dict(record.plan)
            start, end, _due = plan_calendar(plan["submission_year"], plan["end_year"])
            plan.update(start_date=start, end_date=end, **_link("member", members[record.member["code"]]))
            rows[plan["ogp_id"]] = plan
        return self._upsert(ActionPlan, "action plans", "ogp_id", rows)

    def _commitments(
        self, records: list[_Record], plans: dict[str, ActionPlan], areas: dict[str, PolicyArea | None]
    ) -> dict[str, Commitment]:
        ids = [r.fields["ogp_id"] for r in records]
        found = self.session.scalars(
            select(Commitment)
            .where(Commitment.ogp_id.in_(ids), Commitment.origin != ORIGIN_SAMPLE)
            .options(selectinload(Commitment.policy_areas))
        ).all()
        existing = {c.ogp_id: c for c in found}
        commitments: dict[str, Commitment] = {}
        for record in records:
            plan = plans[record.plan["ogp_id"]]
            values = dict(record.fields, **_link("action_plan", plan))
            wanted = [areas[name] for name in POLICY_AREA_COLUMNS if name in record.tags]
            commitment = existing.get(record.fields["ogp_id"])
            if commitment is None:
                commitment = Commitment(**values, policy_areas=wanted, origin=ORIGIN_IMPORT)
                if self.write:
                    self.session.add(commitment)
                self.summary.count("added", "commitments")
            else:
                fields_changed = self._assign(commitment, values)
                tags_changed = {a.name for a in commitment.policy_areas} != set(record.tags)
                if tags_changed and self.write:
                    commitment.policy_areas = wanted
                    if not fields_changed:
                        # A tag-only change still bumps the version (updated_at forces the row UPDATE).
                        commitment.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                if fields_changed or tags_changed:
                    self.summary.count("changed", "commitments")
                else:
                    self.summary.unchanged += 1
            commitments[record.fields["ogp_id"]] = commitment
        if self.write:
            self.session.flush()
        return commitments

    def _progress_reports(
        self, records: list[_Record], commitments: dict[str, Commitment], plans: dict[str, ActionPlan]
    ) -> None:
        known_ids = [c.id for c in commitments.values() if c.id is not None]
        latest: dict[tuple[int, str], ProgressReport] = {}
        keys: dict[tuple[int, str, dt.date, str], ProgressReport] = {}
        if known_ids:
            query = (
                select(ProgressReport)
                .where(ProgressReport.commitment_id.in_(known_ids))
                .order_by(ProgressReport.as_of, ProgressReport.id)
            )
            for report in self.session.scalars(query):
                latest[(report.commitment_id, report.source)] = report
                keys[(report.commitment_id, report.source, report.as_of, report.completion)] = report
        for record in records:
            commitment = commitments[record.fields["ogp_id"]]
            for report in irm_reports(record.fields, plans[record.plan["ogp_id"]]):
                if commitment.id is not None:
                    previous = latest.get((commitment.id, report.source))
                    if previous is not None and (previous.completion, previous.result) == (
                        report.completion,
                        report.result,
                    ):
                        continue
                    same_key = keys.get((commitment.id, report.source, report.as_of, report.completion))
                    if same_key is not None:
                        if same_key.result != report.result:
                            self.summary.warnings.append(
                                Problem(
                                    record.row,
                                    "",
                                    f"{report.source} report of {report.as_of} already holds result "
                                    f"{same_key.result!r}; the new result {report.result!r} was not added "
                                    "(progress history is append-only)",
                                )
                            )
                        continue
                    report.commitment_id = commitment.id
                self.summary.count("added", "progress reports")
                if self.write:
                    self.session.add(report)


def _link(relationship: str, parent: Any) -> dict[str, Any]:
    # Compare foreign keys, not related objects, so checking an existing row never lazy-loads its parent.
    return {f"{relationship}_id": parent.id} if parent.id is not None else {relationship: parent}


def irm_reports(fields: dict[str, Any], plan: ActionPlan) -> list[ProgressReport]:
    """The IRM progress reports a sheet row states: mid-term and end of term (or Results Report) completion."""
    reports: list[ProgressReport] = []
    if COMPLETION.is_rating(fields["completion_midterm"]):
        year = fields["midterm_report_year"]
        if _YEAR.match(year or ""):
            as_of = dt.date(int(year), 12, 31)
        else:
            as_of = plan.start_date + (plan.end_date - plan.start_date) / 2
        reports.append(
            ProgressReport(
                as_of=as_of,
                source="irm_midterm",
                completion=fields["completion_midterm"],
                note=f"IRM mid-term Progress Report ({year}), from OGP's commitments sheet",
                recorded_by=RECORDED_BY,
            )
        )
    if COMPLETION.is_rating(fields["completion_end_of_term"]):
        results_report = (plan.submission_year or 0) >= 2020
        year = fields["end_of_term_report_year"]
        as_of = dt.date(int(year), 12, 31) if _YEAR.match(year or "") else plan.end_date
        candidates = (
            (fields["early_results"], EARLY_RESULTS),
            (fields["diog_overall"], DIOG),
        )
        if not results_report:
            candidates = candidates[::-1]
        result = next((value for value, scale in candidates if scale.is_rating(value)), None)
        name = "IRM Results Report" if results_report else "IRM End-of-Term Report"
        reports.append(
            ProgressReport(
                as_of=as_of,
                source="irm_results" if results_report else "irm_end_of_term",
                completion=fields["completion_end_of_term"],
                result=result,
                note=f"{name} ({year}), from OGP's commitments sheet",
                recorded_by=RECORDED_BY,
            )
        )
    return reports


# ---------------------------------------------------------------------------------------------- export


def export_ogp_sheet(engine: Engine, path: Path | str) -> int:
    """Write every commitment in OGP's sheet format (CSV, or XLSX by extension); return how many."""
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
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(OGP_COLUMNS)
            writer.writerows(rows)
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
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # never a formula, even when a text starts with '='
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)
