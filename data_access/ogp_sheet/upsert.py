"""Writing a validated OGP commitments sheet to the database in one transaction (members, plans, commitments, IRM)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, exists, select
from sqlalchemy.orm import Session, selectinload

from dashboard.domain.policy_areas import POLICY_AREA_COLUMNS, POLICY_AREAS
from dashboard.domain.rules import plan_calendar
from dashboard.domain.scales import COMPLETION, DIOG, EARLY_RESULTS
from data_access import search
from data_access.db import bump_data_version, refresh_planner_statistics, session_scope, set_meta
from data_access.models import (
    ORIGIN_IMPORT,
    ORIGIN_SAMPLE,
    ActionPlan,
    Commitment,
    Member,
    PolicyArea,
    ProgressReport,
)
from data_access.ogp_sheet.catalogue import YEAR_PATTERN
from data_access.ogp_sheet.read import ImportLimits, read_sheet
from data_access.ogp_sheet.validate import SheetRecord, validate_sheet
from data_access.problems import ImportFailed, ImportSummary, Problem, count_held, plural

RECORDED_BY = "import-ogp"


@dataclass
class OgpImportSummary(ImportSummary):
    """What an OGP sheet import did, plus how many sample members it replaced."""

    replaced_sample_members: int = 0

    def clauses(self) -> list[str]:
        """The first sentence says when the sample data was (or would be) replaced."""
        clauses = super().clauses()
        if self.replaced_sample_members:
            verb = "would replace" if self.dry_run else "replaced"
            clauses.append(f"{verb} the sample data ({plural(self.replaced_sample_members, 'sample members')})")
        return clauses


def import_ogp_sheet(
    engine: Engine, path: Path | str, *, dry_run: bool = False, limits: ImportLimits | None = None
) -> OgpImportSummary:
    """Validate the whole sheet, then upsert members, plans, commitments and IRM progress in one transaction.

    limits: the size limits of read_sheet (by default those of the environment).
    """
    path = Path(path)
    table = read_sheet(path, limits)
    records, problems, warnings = validate_sheet(table)
    if problems:
        raise ImportFailed(problems)
    summary = OgpImportSummary(warnings=warnings, dry_run=dry_run)
    if dry_run:
        # No autoflush: objects built to count changes must never reach the database.
        with Session(engine, autoflush=False) as session:
            _Upsert(session, summary, write=False).run(records)
            # What would be held: what is there now (the sample would be gone) plus what would be added.
            held = count_held(session, without_sample=True)
            _set_totals(summary, records, {k: n + summary.added.get(k, 0) for k, n in held.items()})
            session.rollback()
        return summary
    with session_scope(engine) as session:
        changed = _Upsert(session, summary, write=True).run(records)
        session.flush()
        if changed:
            bump_data_version(session)
            search.rebuild(session.connection())
        _set_totals(summary, records, count_held(session))
        set_meta(session, "data_origin", "import")
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        set_meta(session, "last_import", f"{stamp} {path.name}")
    if changed:
        refresh_planner_statistics(engine)
    return summary


def _set_totals(summary: OgpImportSummary, records: list[SheetRecord], held: dict[str, int]) -> None:
    """Record the totals held and the earlier members, plans and commitments this file does not state."""
    summary.held = held
    in_file = {
        "members": len({r.member["code"] for r in records}),
        "action plans": len({r.plan["ogp_id"] for r in records}),
        "commitments": len({r.fields["ogp_id"] for r in records}),
    }
    summary.kept = {kind: held[kind] - n for kind, n in in_file.items() if held[kind] > n}


class _Upsert:
    """Apply validated records to the database (or, with write=False, only count what would change)."""

    def __init__(self, session: Session, summary: OgpImportSummary, *, write: bool):
        self.session = session
        self.summary = summary
        self.write = write
        self.has_sample = False

    def run(self, records: list[SheetRecord]) -> bool:
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

    def _policy_areas(self) -> dict[str, PolicyArea]:
        existing = {a.name: a for a in self.session.scalars(select(PolicyArea))}
        areas: dict[str, PolicyArea] = dict(existing)
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

    def _members(self, records: list[SheetRecord]) -> dict[str, Member]:
        rows = {r.member["code"]: r.member for r in records}
        return self._upsert(Member, "members", "code", rows)

    def _plans(self, records: list[SheetRecord], members: dict[str, Member]) -> dict[str, ActionPlan]:
        rows: dict[str, dict[str, Any]] = {}
        for record in records:
            plan = dict(record.plan)
            start, end, _due = plan_calendar(plan["submission_year"], plan["end_year"])
            plan.update(start_date=start, end_date=end, **_link("member", members[record.member["code"]]))
            rows[plan["ogp_id"]] = plan
        return self._upsert(ActionPlan, "action plans", "ogp_id", rows)

    def _commitments(
        self, records: list[SheetRecord], plans: dict[str, ActionPlan], areas: dict[str, PolicyArea]
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
        self, records: list[SheetRecord], commitments: dict[str, Commitment], plans: dict[str, ActionPlan]
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
                        elif previous is not None and previous.as_of == report.as_of:
                            # An older export: its rating was corrected by a later entry of the same date.
                            self.summary.warnings.append(
                                Problem(
                                    record.row,
                                    "",
                                    f"{report.source} rating {report.completion!r} of {report.as_of} was superseded "
                                    f"by a later import's {previous.completion!r} for the same report; not added "
                                    "again, the later rating stays the latest (is this an older export?)",
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


def _plan_period(plan: ActionPlan) -> tuple[dt.date, dt.date]:
    """A plan's implementation period; imported plans always have one (plan_calendar sets it)."""
    if plan.start_date is None or plan.end_date is None:
        raise ValueError(f"action plan {plan.ogp_id} has no implementation period")
    return plan.start_date, plan.end_date


def irm_reports(fields: dict[str, Any], plan: ActionPlan) -> list[ProgressReport]:
    """The IRM progress reports a sheet row states: mid-term and end of term (or Results Report) completion."""
    reports: list[ProgressReport] = []
    if COMPLETION.is_rating(fields["completion_midterm"]):
        year = fields["midterm_report_year"]
        if YEAR_PATTERN.match(year or ""):
            as_of = dt.date(int(year), 12, 31)
        else:
            start, end = _plan_period(plan)
            as_of = start + (end - start) / 2
        reports.append(
            ProgressReport(
                as_of=as_of,
                source="irm_midterm",
                completion=fields["completion_midterm"],
                note=f"IRM mid-term Progress Report ({year}), from OGP's commitments sheet",
                recorded_by=RECORDED_BY,
                known_from=as_of,  # a published IRM report: known from its date
            )
        )
    if COMPLETION.is_rating(fields["completion_end_of_term"]):
        results_report = (plan.submission_year or 0) >= 2020
        year = fields["end_of_term_report_year"]
        as_of = dt.date(int(year), 12, 31) if YEAR_PATTERN.match(year or "") else _plan_period(plan)[1]
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
                known_from=as_of,  # a published IRM report: known from its date
            )
        )
    return reports
