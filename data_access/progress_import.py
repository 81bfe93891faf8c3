"""Import of dated progress reports (government, civil society, Support Unit, IRM) from a CSV, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.domain.recordable import MAX_NOTE
from dashboard.domain.rules import report_date_problem
from dashboard.domain.scales import COMPLETION, DIOG, EARLY_RESULTS, PROGRESS_SOURCES
from data_access.db import bump_data_version, session_scope
from data_access.models import ActionPlan, Commitment, ProgressReport
from data_access.ogp_sheet.read import ImportLimits, read_sheet
from data_access.problems import ImportFailed, ImportSummary, Problem, ProblemList, count_held

REQUIRED_COLUMNS: tuple[str, ...] = ("commitment_id", "as_of", "source", "completion", "note", "evidence_url")
OPTIONAL_COLUMNS: tuple[str, ...] = ("result",)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# (commitment database id, source, as_of, completion): the natural key of a progress report.
ReportKey = tuple[int, str, dt.date, str]
# (commitment database id, source, as_of): at most one completion per source and day.
DateKey = tuple[int, str, dt.date]


def import_progress(
    engine: Engine,
    path: Path | str,
    *,
    dry_run: bool = False,
    recorded_by: str = "import-progress",
    limits: ImportLimits | None = None,
    today: dt.date | None = None,
) -> ImportSummary:
    """Validate every row, then append the new progress reports in one transaction (exact duplicates skipped).

    Refused with the rest: two rows of one commitment, source and date with different completions (both rows
    named), and a row whose commitment, source and date already hold a report with another completion.
    limits: the size limits of read_sheet (by default those of the environment). today: the import's day (no
    report may be dated after it; the reports are known from it), by default the real date.
    """
    table = read_sheet(path, limits)
    problems = ProblemList()
    header = table.header
    seen = Counter(header)
    problems += [Problem(1, c, "required column is missing") for c in REQUIRED_COLUMNS if c not in seen]
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    problems += [Problem(1, c, "unknown column") for c in header if c not in known]
    problems += [Problem(1, c, "column appears more than once") for c, n in seen.items() if n > 1]
    if not table.records:
        problems.append(Problem(0, "", "the file has a header but no progress rows"))
    if problems:
        raise ImportFailed(problems)

    column = header.index("commitment_id")
    wanted = {cells[column].strip() for _row, cells in table.records if len(cells) > column}
    with Session(engine) as session:
        found = session.execute(
            select(
                Commitment.ogp_id,
                Commitment.id,
                func.coalesce(Commitment.start_date, ActionPlan.start_date),
                func.coalesce(Commitment.end_date, ActionPlan.end_date),
            )
            .join(ActionPlan, ActionPlan.id == Commitment.action_plan_id)
            .where(Commitment.ogp_id.in_(wanted))
        ).all()
        commitment_ids = {ogp_id: cid for ogp_id, cid, _start, _end in found}
        periods = {ogp_id: (start, end) for ogp_id, _cid, start, end in found}
        query = (
            select(ProgressReport)
            .where(ProgressReport.commitment_id.in_(list(commitment_ids.values())))
            .order_by(ProgressReport.id)
        )
        stored = list(session.scalars(query))
    existing = {(r.commitment_id, r.source, r.as_of, r.completion): r for r in stored}
    stored_on: dict[DateKey, list[str]] = {}
    for r in stored:
        stored_on.setdefault((r.commitment_id, r.source, r.as_of), []).append(r.completion)
    today = today or dt.date.today()
    summary = ImportSummary(dry_run=dry_run)
    new_reports: list[ProgressReport] = []
    first_row: dict[ReportKey, int] = {}
    first_on: dict[DateKey, tuple[int, str]] = {}
    for row, cells in table.records:
        if len(cells) != len(header):
            problems.append(Problem(row, "", f"has {len(cells)} cells but the header has {len(header)}"))
            continue
        values = dict(zip(header, cells, strict=True))
        report = _parse_row(row, values, commitment_ids, periods, today, recorded_by, problems)
        if report is None:
            continue
        key = (report.commitment_id, report.source, report.as_of, report.completion)
        on = (report.commitment_id, report.source, report.as_of)
        same = f"same commitment {values['commitment_id'].strip()}, source {report.source}, date {report.as_of}"
        if key in first_row:
            problems.append(
                Problem(row, "", f"the same report (commitment, date, source, completion) as row {first_row[key]}")
            )
            continue
        if on in first_on:
            # One source cannot say two things about one commitment on one day: which would be the latest?
            other_row, other = first_on[on]
            problems.append(
                Problem(
                    row, "completion", f"conflicts with row {other_row} ({same}: {other!r} vs {report.completion!r})"
                )
            )
            continue
        first_row[key] = row
        first_on[on] = (row, report.completion)
        previous = existing.get(key)
        if previous is None and on in stored_on:
            holds = " and ".join(repr(c) for c in stored_on[on])
            problems.append(
                Problem(
                    row,
                    "completion",
                    f"conflicts with a stored report ({same}: the database holds {holds}, this row says "
                    f"{report.completion!r}); reports are never changed, record a new one with another date",
                )
            )
        elif previous is None:
            new_reports.append(report)
        elif _same(previous, report):
            summary.unchanged += 1
        else:
            problems.append(
                Problem(
                    row,
                    "",
                    f"{values['commitment_id']} already has a {report.source} report of {report.as_of} rated "
                    f"{report.completion!r} with a different result, note or evidence; reports are never changed, "
                    "record a new one with another date",
                )
            )
    if problems:
        raise ImportFailed(problems)
    summary.count("added", "progress reports", len(new_reports))
    if new_reports and not dry_run:
        with session_scope(engine) as session:
            session.add_all(new_reports)
            bump_data_version(session)
            session.flush()
            summary.held = count_held(session)
    else:
        with Session(engine) as session:
            held = count_held(session)
        held["progress reports"] += len(new_reports)  # a dry run: what the database would then hold
        summary.held = held
    earlier = summary.held["progress reports"] - len(new_reports) - summary.unchanged
    summary.kept = {"progress reports": earlier} if earlier > 0 else {}
    return summary


def _parse_row(
    row: int,
    values: dict[str, str],
    commitment_ids: dict[str, int],
    periods: Mapping[str, tuple[dt.date | None, dt.date | None]],
    today: dt.date,
    recorded_by: str,
    problems: ProblemList,
) -> ProgressReport | None:
    before = len(problems)

    def report(column: str, message: str) -> None:
        problems.append(Problem(row, column, message))

    ogp_id = values["commitment_id"].strip()
    if not ogp_id:
        report("commitment_id", "empty commitment id")
    elif ogp_id not in commitment_ids:
        report("commitment_id", f"unknown commitment {ogp_id!r}")
    as_of = None
    raw_date = values["as_of"].strip()
    try:
        if not _ISO_DATE.match(raw_date):
            raise ValueError
        as_of = dt.date.fromisoformat(raw_date)
    except ValueError:
        report("as_of", f"{raw_date!r} is not a date written YYYY-MM-DD")
    if as_of is not None and as_of > today:
        report("as_of", f"{as_of} is in the future")
    elif as_of is not None and ogp_id in periods:
        outside = report_date_problem(as_of, *periods[ogp_id])  # the recording form's rule, with its margin
        if outside:
            report("as_of", outside)
    source = values["source"].strip()
    if source not in PROGRESS_SOURCES:
        report("source", f"{source!r} is not one of {', '.join(PROGRESS_SOURCES)}")
    completion = values["completion"].strip()
    if not completion or not COMPLETION.is_valid(completion):
        report("completion", f"{completion!r} is not on the completion scale ({', '.join(COMPLETION.values)})")
    result = values.get("result", "").strip() or None
    if result is not None and not (DIOG.is_valid(result) or EARLY_RESULTS.is_valid(result)):
        allowed = ", ".join(DIOG.values + EARLY_RESULTS.values)
        report("result", f"{result!r} is neither a DIOG nor an early-results rating ({allowed})")
    evidence_url = values["evidence_url"].strip() or None
    if evidence_url is not None:
        parsed = urlparse(evidence_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            report("evidence_url", f"{evidence_url!r} is not an http(s) address")
    note = values["note"].strip() or None
    if note is not None and len(note) > MAX_NOTE:
        report("note", f"{len(note)} characters; at most {MAX_NOTE}")
    if len(problems) > before:
        return None
    return ProgressReport(
        commitment_id=commitment_ids[ogp_id],
        as_of=as_of,
        source=source,
        completion=completion,
        result=result,
        note=note,
        evidence_url=evidence_url,
        recorded_by=recorded_by,
        known_from=today,
    )


def _same(existing: ProgressReport, new: ProgressReport) -> bool:
    return (existing.result, existing.note, existing.evidence_url) == (new.result, new.note, new.evidence_url)
