"""Deterministic, realistic sample data: OGP members, action plans, commitments, milestones and progress."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import itertools
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, Table, func, insert, select
from sqlalchemy.orm import Session

from dashboard.domain.policy_areas import POLICY_AREAS
from dashboard.domain.rules import StarFormula, is_starred, latest_completion, plan_calendar
from data_access import models, search
from data_access.dates import parse_ogp_date
from data_access.db import bump_data_version, refresh_planner_statistics, session_scope, set_meta
from data_access.sample_members import SAMPLE_MEMBERS, SampleMember
from data_access.sample_topics import (
    CIVIL_SOCIETY_NOTES,
    GENERIC_MILESTONES,
    GENERIC_SUPPORTERS,
    LOCAL_LEADS,
    SUPPORT_UNIT_NOTES,
    TOPICS,
    Topic,
)

# Commitments at scale 1: OGP quotes "4,095+ commitments" to its Steering Committee.
COMMITMENTS_AT_SCALE_1 = 4_150
BATCH_SIZE = 5_000
RECORDED_BY = "sample"
SITE = "https://www.opengovpartnership.org"

# End-of-term completion mix of assessed commitments (OGP/IRM): Not Started, Limited, Substantial, Complete.
END_OF_TERM_MIX: tuple[tuple[str, float], ...] = (
    ("Withdrawn", 0.01),
    ("Unclear", 0.005),
    ("Not Started", 0.07),
    ("Limited", 0.36),
    ("Substantial", 0.36),
    ("Complete", 0.205),
)
# Transformative commitments reach high completion more often: IRM data shows ambition and results go together.
AMBITIOUS_END_OF_TERM_MIX: tuple[tuple[str, float], ...] = (
    ("Withdrawn", 0.005),
    ("Unclear", 0.005),
    ("Not Started", 0.03),
    ("Limited", 0.24),
    ("Substantial", 0.42),
    ("Complete", 0.30),
)
# Share of Transformative potential impact: plans to 2017, plans 2018-2019 (the rating ends in 2019).
TRANSFORMATIVE_SHARE = (0.38, 0.13)
# Share of the work done by the end of a commitment's life for each final completion level.
FINAL_SHARE: dict[str, float] = {
    "Not Started": 0.0,
    "Withdrawn": 0.2,
    "Unclear": 0.3,
    "Limited": 0.4,
    "Substantial": 0.8,
    "Complete": 1.0,
}
LEVELS: tuple[str, ...] = ("Not Started", "Limited", "Substantial", "Complete")

# Plans arrive up to this many days before their due date.
EARLY_SUBMISSION_DAYS = 75
# IRM Action Plan Review: within four months of submission. Results Report: four months after the plan ends.
DESIGN_REVIEW_DAYS = 120
RESULTS_REPORT_DAYS = 120
# Old IRM model: the mid-term progress report came 12-18 months into the plan.
MIDTERM_REPORT_DAYS = (365, 540)
# Plans that ended this recently are still followed: milestones and self-reports.
MONITORED_AFTER_END_DAYS = 730
SELF_REPORT_EVERY_DAYS = 182

ND, NR = "ND", "NR"
VALUE_ATTRS: tuple[str, ...] = (
    "ogp_value_access_to_information",
    "ogp_value_civic_participation",
    "ogp_value_public_accountability",
    "ogp_value_technology",
)


@dataclass(frozen=True)
class SeedSummary:
    """How many rows of each kind seed_sample wrote."""

    members: int
    action_plans: int
    commitments: int
    milestones: int
    progress_reports: int

    def __str__(self) -> str:
        return (
            f"Seeded sample data: {self.members:,} members, {self.action_plans:,} action plans, "
            f"{self.commitments:,} commitments, {self.milestones:,} milestones, "
            f"{self.progress_reports:,} progress reports."
        )


@dataclass
class _Plan:
    """An action plan being generated, with the member it belongs to."""

    id: int
    member: SampleMember
    member_id: int
    number: int
    submission_year: int
    end_year: int
    duration: int
    start: dt.date
    end: dt.date
    due: dt.date
    submitted_on: dt.date | None
    cohort: str
    co_creation_met: bool
    raw_commitments: float = 0.0
    commitments: int = 0


def seed_sample(engine: Engine, *, scale: int = 1, seed: int = 2011, today: dt.date | None = None) -> SeedSummary:
    """Fill an empty database with the deterministic sample dataset (same seed, scale and today: same rows)."""
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a whole number of at least 1, not {scale!r}")
    today = today or dt.date.today()
    with session_scope(engine) as session:
        _refuse_non_empty(session)
        area_ids = _ensure_policy_areas(session)
        rows = _Generator(seed, scale, today, area_ids).generate()
        for table, table_rows in rows.items():
            _bulk_insert(session, table, table_rows)
        _advance_sequences(session, rows)
        search.rebuild(session.connection())
        set_meta(session, "data_origin", models.ORIGIN_SAMPLE)
        set_meta(session, "sample_parameters", f"seed={seed} scale={scale} today={today.isoformat()}")
        bump_data_version(session)
    refresh_planner_statistics(engine)
    return SeedSummary(
        members=len(rows[models.Member.__table__]),
        action_plans=len(rows[models.ActionPlan.__table__]),
        commitments=len(rows[models.Commitment.__table__]),
        milestones=len(rows[models.Milestone.__table__]),
        progress_reports=len(rows[models.ProgressReport.__table__]),
    )


def _refuse_non_empty(session: Session) -> None:
    for model, words in (
        (models.Commitment, "commitments"),
        (models.ActionPlan, "action plans"),
        (models.Member, "members"),
    ):
        count = session.scalar(select(func.count()).select_from(model))
        if count:
            raise ValueError(
                f"The database already holds {count:,} {words}; the sample can only be seeded into an empty "
                "database (use a new database URL)."
            )


def _ensure_policy_areas(session: Session) -> dict[str, int]:
    """Ids of every OGP policy area by name, creating the rows that are missing."""
    table = models.PolicyArea.__table__
    existing = {name: id_ for id_, name in session.execute(select(table.c.id, table.c.name))}
    next_id = max(existing.values(), default=0) + 1
    missing = []
    for area in POLICY_AREAS:
        if area.name not in existing:
            existing[area.name] = next_id
            missing.append(
                {"id": next_id, "slug": area.slug, "name": area.name, "parent": area.parent, "is_group": area.is_group}
            )
            next_id += 1
    _bulk_insert(session, table, missing)
    return existing


def _bulk_insert(session: Session, table: Table, rows: list[dict]) -> None:
    for first in range(0, len(rows), BATCH_SIZE):
        session.execute(insert(table), rows[first : first + BATCH_SIZE])


def _advance_sequences(session: Session, rows: dict[Table, list[dict]]) -> None:
    """On PostgreSQL, move each id sequence past the ids written here so later inserts get fresh ids."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (*rows, models.PolicyArea.__table__):
        if "id" not in table.c:
            continue
        highest = select(func.max(table.c.id)).scalar_subquery()
        session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest)))


def _cohort(year: int) -> str:
    if year <= 2014:
        return f"{year} (cohort {year - 2010})"
    return f"{year} ({'even' if year % 2 == 0 else 'odd'})"


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@functools.cache
def _other_mix(transformative: float) -> tuple[tuple[str, float], ...]:
    """Completion mix of the non-Transformative commitments that keeps the overall mix on target."""
    ambitious = dict(AMBITIOUS_END_OF_TERM_MIX)
    return tuple(
        (value, (share - transformative * ambitious[value]) / (1 - transformative)) for value, share in END_OF_TERM_MIX
    )


def _weighted(rng: random.Random, mix: Iterable[tuple[str, float]]) -> str:
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights)[0]


class _Generator:
    """Builds every row in memory with precomputed ids; seed_sample writes them in bulk."""

    def __init__(self, seed: int, scale: int, today: dt.date, area_ids: dict[str, int]) -> None:
        master = random.Random(seed)
        # Separate streams: members and plans do not depend on the scale, commitments do.
        self.plan_rng = random.Random(master.getrandbits(64))
        self.rng = random.Random(master.getrandbits(64))
        self.scale = scale
        self.today = today
        self.area_ids = area_ids
        self.area_parent = {area.name: area.parent for area in POLICY_AREAS}
        self.topic_weights = list(itertools.accumulate(topic.weight for topic in TOPICS))
        self.ids = {"commitment": 0, "milestone": 0, "progress_report": 0}
        self.commitments: list[dict] = []
        self.links: list[dict] = []
        self.milestones: list[dict] = []
        self.reports: list[dict] = []

    def generate(self) -> dict[Table, list[dict]]:
        plans = self._plans()
        members = [
            {
                "id": index,
                "code": member.code,
                "name": member.name,
                "member_type": member.member_type,
                "region": member.region,
                "status": member.status,
                "joined_year": member.joined_year,
                "origin": models.ORIGIN_SAMPLE,
            }
            for index, member in enumerate(SAMPLE_MEMBERS, start=1)
        ]
        numbers: dict[str, int] = {}
        for plan in plans:
            first = numbers.get(plan.member.code, 0)
            numbers[plan.member.code] = first + plan.commitments
            self._plan_commitments(plan, first)
        return {
            models.Member.__table__: members,
            models.ActionPlan.__table__: [self._plan_row(plan) for plan in plans],
            models.Commitment.__table__: self.commitments,
            models.commitment_policy_area: self.links,
            models.Milestone.__table__: self.milestones,
            models.ProgressReport.__table__: self.reports,
        }

    # --- Action plans ---------------------------------------------------------------------------

    def _plans(self) -> list[_Plan]:
        rng = self.plan_rng
        nationals = [m for m in SAMPLE_MEMBERS if m.member_type != "Legacy Local" and m.status == "Active"]
        # A few members have not delivered the plan of the current cycle; procedural-review members neither.
        stalled = {m.code for m in SAMPLE_MEMBERS if m.status == "Under Procedural Review"}
        stalled.update(m.code for m in rng.sample(nationals, 3))
        # The four-year option (2022-): about 15 members chose it in 2023-24.
        candidates = [m for m in nationals if m.code not in stalled and m.first_plan_year <= 2021]
        chosen = rng.sample(candidates, 18)
        four_year_from = {m.code: 2022 if i < 3 else 2023 for i, m in enumerate(chosen)}

        plans: list[_Plan] = []
        for member_id, member in enumerate(SAMPLE_MEMBERS, start=1):
            plans.extend(self._member_plans(member, member_id, member.code in stalled, four_year_from.get(member.code)))
        for plan_id, plan in enumerate(plans, start=1):
            plan.id = plan_id

        total = sum(plan.raw_commitments for plan in plans)
        target = COMMITMENTS_AT_SCALE_1 + rng.randint(-60, 60)
        for plan in plans:
            if plan.raw_commitments:
                least = 3 if plan.member.member_type == "Legacy Local" else 5
                plan.commitments = max(least, round(plan.raw_commitments * target / total)) * self.scale
        return plans

    def _member_plans(
        self, member: SampleMember, member_id: int, stalled: bool, four_year_from: int | None
    ) -> list[_Plan]:
        rng, today = self.plan_rng, self.today
        early = dt.timedelta(days=EARLY_SUBMISSION_DAYS)
        review = member.status == "Under Procedural Review"
        plans: list[_Plan] = []
        year, four_year_used = member.first_plan_year, False
        while member.last_plan_year is None or year <= member.last_plan_year:
            duration = 2
            if four_year_from is not None and not four_year_used and year >= four_year_from:
                duration, four_year_used = 4, True
            elif 2018 <= year <= 2019 and rng.random() < 0.4:
                # COVID-19: OGP let plans ending 2020-21 extend implementation by a year.
                duration = 3
            start, end, due = plan_calendar(year, year + duration)
            if due - early > today:
                break
            current_cycle = plan_calendar(year + duration)[2] - early > today
            cohort_year, submitted = year, None
            if not (stalled and current_cycle):
                roll = rng.random()
                on_time, late = (0.2, 0.5) if review and year >= 2017 else (0.8, 0.94)
                if year <= 2014 or roll < on_time:
                    # Cohorts 2011-2014 had their own deadlines: count them as on time.
                    submitted = due - dt.timedelta(days=rng.randint(0, 60))
                elif roll < late:
                    submitted = due + dt.timedelta(days=rng.randint(1, (dt.date(year, 12, 31) - due).days))
                else:
                    # Not delivered by 1 January: the plan moves to the other cohort (contrary to process).
                    submitted = dt.date(year + 1, 1, 1) + dt.timedelta(days=rng.randint(10, 110))
                    if submitted <= today:
                        cohort_year = year + 1
                        start, end, _ = plan_calendar(cohort_year, cohort_year + duration)
                if submitted > today:
                    submitted = None
            plans.append(
                _Plan(
                    id=0,
                    member=member,
                    member_id=member_id,
                    number=len(plans) + 1,
                    submission_year=year,
                    end_year=end.year,
                    duration=duration,
                    start=start,
                    end=end,
                    due=due,
                    submitted_on=submitted,
                    cohort=_cohort(cohort_year),
                    co_creation_met=rng.random() < (0.6 if review else 0.94),
                    raw_commitments=self._raw_commitments(member, year, duration) if submitted else 0.0,
                )
            )
            if submitted is None:
                break
            year = cohort_year + duration
            if year >= 2015 and rng.random() < (0.4 if member.member_type == "Legacy Local" else 0.25):
                # The member skipped a year and continues in the other cohort.
                year += 1
        return plans

    def _raw_commitments(self, member: SampleMember, year: int, duration: int) -> float:
        rng = self.plan_rng
        if member.member_type == "Legacy Local":
            return rng.uniform(3, 8)
        if year <= 2014:
            low, high, mode = 5, 14, 8
        elif year <= 2019:
            low, high, mode = 6, 18, 10
        else:
            low, high, mode = 7, 22, 12
        return rng.triangular(low, high, mode) + (4 if duration == 4 else 0)

    def _plan_row(self, plan: _Plan) -> dict:
        return {
            "id": plan.id,
            "ogp_id": f"AP_{plan.member.code}{plan.number:02d}",
            "member_id": plan.member_id,
            "number": plan.number,
            "submission_year": plan.submission_year,
            "submitted_on": plan.submitted_on,
            "start_date": plan.start,
            "end_date": plan.end,
            "end_year": plan.end_year,
            "duration_years": plan.duration,
            "cohort": plan.cohort,
            "co_creation_met": plan.co_creation_met,
            "origin": models.ORIGIN_SAMPLE,
        }

    # --- Commitments ----------------------------------------------------------------------------

    def _plan_commitments(self, plan: _Plan, first_number: int) -> None:
        submitted_on = plan.submitted_on
        if not plan.commitments or submitted_on is None:  # an undelivered plan has no commitments
            return
        today = self.today
        year = plan.submission_year
        reviewed_after = submitted_on + dt.timedelta(days=DESIGN_REVIEW_DAYS if year >= 2020 else 365)
        state = {
            "design_done": today >= reviewed_after,
            "midterm_after": plan.start + dt.timedelta(days=self.rng.randint(*MIDTERM_REPORT_DAYS)),
            "results_after": plan.end + dt.timedelta(days=RESULTS_REPORT_DAYS),
            "monitored": plan.end >= today - dt.timedelta(days=MONITORED_AFTER_END_DAYS) and year >= 2017,
            # A member whose self-reporting lapsed: nothing from the government in the last months.
            "lapsed": self.rng.random() < 0.15,
        }
        for index in range(plan.commitments):
            self._commitment(plan, first_number + index + 1, index + 1, state)

    def _commitment(self, plan: _Plan, serial: int, number: int, state: dict) -> None:
        rng = self.rng
        member = plan.member
        self.ids["commitment"] += 1
        commitment_id = self.ids["commitment"]
        ogp_id = f"{member.prefix}{serial:04d}"
        topic = rng.choices(TOPICS, cum_weights=self.topic_weights)[0]
        title, short_title = rng.choice(topic.titles)
        local = member.member_type == "Legacy Local"
        lead = rng.choice(LOCAL_LEADS if local else topic.leads)
        supporters = rng.sample(topic.supporters + GENERIC_SUPPORTERS, rng.randint(1, 3))
        start_raw, end_raw = self._date_texts(plan)
        start = parse_ogp_date(start_raw, bound="start").value
        end = parse_ogp_date(end_raw, bound="end").value
        # final: the completion the commitment reaches (the IRM rates it later); drives the progress reported meanwhile.
        ratings, final = self._ratings(plan, topic, state)
        completion = latest_completion(ratings["completion_midterm"], ratings["completion_end_of_term"])
        self.commitments.append(
            {
                "id": commitment_id,
                "ogp_id": ogp_id,
                "action_plan_id": plan.id,
                "number": str(number),
                "title": title,
                "short_title": short_title,
                "full_text": (
                    f"{topic.problem} {member.name} commits to the following: {title[0].lower()}{title[1:]}. "
                    f"{topic.action} {lead} leads the work with {', '.join(supporters)}."
                ),
                "theme": topic.theme,
                "lead_institution": lead,
                "supporting_institutions": ", ".join(supporters),
                "start_date": start,
                "start_date_raw": start_raw,
                "end_date": end,
                "end_date_raw": end_raw,
                "url": f"{SITE}/members/{member.slug}/commitments/{ogp_id.lower()}/",
                **ratings,
                "completion": completion,
                "starred": ratings["starred_midterm"] == "1" or ratings["starred_end_of_term"] == "1",
                "sheet_extra": {},
                "origin": models.ORIGIN_SAMPLE,
                "version": 1,
            }
        )
        self._policy_areas(commitment_id, topic)
        self._irm_reports(commitment_id, plan, ratings, state)
        if state["monitored"] and start is not None and end is not None:
            self._monitoring(commitment_id, plan, topic, start, end, final, state)

    def _policy_areas(self, commitment_id: int, topic: Topic) -> None:
        rng = self.rng
        main = rng.choice(topic.areas)
        names = [main]
        parent = self.area_parent[main]
        if parent and rng.random() < 0.45:
            names.append(parent)
        names.extend(extra for extra in topic.extras if rng.random() < 0.3)
        for name in names[:4]:
            self.links.append({"commitment_id": commitment_id, "policy_area_id": self.area_ids[name]})

    def _date_texts(self, plan: _Plan) -> tuple[str, str]:
        """Start and end date as OGP's sheet writes them (m/d/Y mostly, months, quarters, NA)."""
        rng = self.rng
        year = plan.submission_year
        months = _months_between(plan.start, plan.end)
        start = _add_months(plan.start, rng.choice((0, 0, 0, 0, 1, 2, 3, 4, 6)))
        if rng.random() < 0.55:
            end = plan.end
        else:
            end = _month_end(_add_months(plan.start, rng.randint(min(9, months - 1), months - 1)))
        if end <= _add_months(start, 3):
            start = plan.start
        roll = rng.random()
        if year <= 2014 and roll < 0.06:
            return "NA", "NA"
        if roll < (0.3 if year <= 2016 else 0.1):
            return (
                f"{calendar.month_name[start.month]} {start.year}",
                f"{calendar.month_name[end.month]} {end.year}",
            )
        if roll < (0.4 if year <= 2016 else 0.14):
            first_quarter = (start.month - 1) // 3 + 1
            if dt.date(start.year, 3 * first_quarter - 2, 1) < plan.start:
                first_quarter += 1
            last_quarter = (end.month - 1) // 3 + 1
            last_year = end.year
            if _month_end(dt.date(end.year, 3 * last_quarter, 1)) > plan.end:
                last_quarter -= 1
            if last_quarter == 0:
                last_quarter, last_year = 4, last_year - 1
            first_year = start.year + (first_quarter - 1) // 4
            first_quarter = (first_quarter - 1) % 4 + 1
            return f"Quarter {first_quarter} {first_year}", f"Quarter {last_quarter} {last_year}"
        return f"{start.month}/{start.day}/{start.year}", f"{end.month}/{end.day}/{end.year}"

    # --- IRM ratings ----------------------------------------------------------------------------

    def _ratings(self, plan: _Plan, topic: Topic, state: dict) -> tuple[dict[str, str | None], str]:
        """The IRM ratings as sheet values, and the completion the commitment finally reaches."""
        """Every IRM rating as OGP's sheet writes it for the era of the plan (ND: no such indicator then)."""
        rng, today, year = self.rng, self.today, plan.submission_year
        design = state["design_done"]
        r: dict[str, str | None] = {}

        transformative = TRANSFORMATIVE_SHARE[0] if year <= 2017 else TRANSFORMATIVE_SHARE[1]
        if year >= 2020:
            transformative = 0.0
        others = (("None", 0.05), ("Minor", 0.45), ("Moderate", 0.5))
        impact = _weighted(rng, ((v, p * (1 - transformative)) for v, p in others))
        if rng.random() < transformative:
            impact = "Transformative"
        if impact == "Transformative":
            specificity = _weighted(rng, (("Low", 5), ("Medium", 25), ("High", 70)))
        else:
            specificity = _weighted(rng, (("None", 4), ("Low", 20), ("Medium", 42), ("High", 34)))
        values = [rng.random() < p for p in topic.values]
        if not any(values[:3]) and rng.random() < 0.85:
            values[rng.randrange(3)] = True
        verifiable = ("Yes" if specificity in ("Medium", "High") else "No") if year <= 2016 else None
        if verifiable is None:
            verifiable = "Yes" if rng.random() < 0.92 else "No"

        r["specificity"] = (specificity if design else NR) if year <= 2016 else ND
        r["verifiable"] = verifiable if design else NR
        for attr, value in zip(VALUE_ATTRS, values, strict=True):
            r[attr] = ("1" if value else "0") if design else NR
            if year >= 2020:
                r[attr] = ND
        r["potential_impact"] = (impact if design else NR) if 2012 <= year <= 2019 else ND
        if year >= 2020:
            results = "Unclear" if verifiable == "No" else _weighted(rng, (("Modest", 65), ("Substantial", 35)))
            r["potential_for_results"] = results if design else NR
        else:
            r["potential_for_results"] = ND

        # Ambitious commitments get further (the marginal mix stays END_OF_TERM_MIX in every era).
        end_of_term = _weighted(
            rng, AMBITIOUS_END_OF_TERM_MIX if impact == "Transformative" else _other_mix(transformative)
        )
        if year <= 2016:
            midterm = self._midterm(end_of_term) if year >= 2013 else _weighted(rng, END_OF_TERM_MIX)
            r["completion_midterm"] = midterm if today >= state["midterm_after"] else NR
        else:
            r["completion_midterm"] = ND
        results_out = today >= state["results_after"]
        if year <= 2012:
            r["completion_end_of_term"] = ND
        else:
            r["completion_end_of_term"] = end_of_term if results_out else NR

        if 2013 <= year <= 2016:
            r["change_in_completion"] = self._change(r["completion_midterm"], r["completion_end_of_term"])
        else:
            r["change_in_completion"] = ND
        r["early_results"] = (self._early_results(end_of_term) if results_out else NR) if year >= 2020 else ND
        diog_attrs = (
            ("diog_access_to_information", 0),
            ("diog_civic_participation", 1),
            ("diog_public_accountability", 2),
        )
        if 2013 <= year <= 2019:
            overall = self._diog(end_of_term) if results_out else NR
            r["diog_overall"] = overall
            for attr, index in diog_attrs:
                if not results_out:
                    r[attr] = NR
                elif values[index]:
                    r[attr] = overall if rng.random() < 0.7 else self._diog(end_of_term)
                else:
                    r[attr] = "Not Applicable"
        else:
            r["diog_overall"] = ND
            for attr, _ in diog_attrs:
                r[attr] = ND

        if year <= 2016:
            midterm_rating = r["completion_midterm"]
            if midterm_rating == NR:
                r["starred_2015"] = r["starred_midterm"] = NR
            else:
                r["starred_2015"] = self._star(r, midterm_rating, "pre_2015")
                r["starred_midterm"] = self._star(r, midterm_rating, "current")
        else:
            r["starred_2015"] = r["starred_midterm"] = ND
        if 2013 <= year <= 2017:
            final = r["completion_end_of_term"]
            r["starred_end_of_term"] = NR if final == NR else self._star(r, final, "current")
        else:
            r["starred_end_of_term"] = ND

        midterm_report = state["midterm_after"]
        r["midterm_report_year"] = str(midterm_report.year) if year <= 2016 and today >= midterm_report else None
        r["end_of_term_report_year"] = str(state["results_after"].year) if year >= 2013 and results_out else None
        return r, end_of_term

    def _midterm(self, end_of_term: str) -> str:
        """Mid-term completion consistent with the end-of-term one (progress mostly grows)."""
        if end_of_term not in LEVELS:
            return _weighted(self.rng, (("Limited", 60), ("Not Started", 40)))
        steps = _weighted(self.rng, (("0", 45), ("1", 40), ("2", 10), ("-1", 5)))
        index = max(0, min(len(LEVELS) - 1, LEVELS.index(end_of_term) - int(steps)))
        return LEVELS[index]

    @staticmethod
    def _change(midterm: str | None, end_of_term: str | None) -> str:
        if end_of_term == NR:
            return NR
        if midterm not in LEVELS or end_of_term not in LEVELS:
            return "NA"  # Withdrawn or Unclear: no change to measure
        diff = LEVELS.index(end_of_term) - LEVELS.index(midterm)
        return "Increase" if diff > 0 else "Decrease" if diff < 0 else "No Change"

    def _diog(self, end_of_term: str) -> str:
        mixes = {
            "Not Started": (("Did Not Change", 95), ("Worsens", 5)),
            "Limited": (("Did Not Change", 50), ("Marginal", 45), ("Major", 5)),
            "Substantial": (("Did Not Change", 20), ("Marginal", 50), ("Major", 25), ("Outstanding", 5)),
            "Complete": (("Did Not Change", 15), ("Marginal", 40), ("Major", 35), ("Outstanding", 10)),
        }
        return _weighted(self.rng, mixes.get(end_of_term, (("Did Not Change", 80), ("Marginal", 20))))

    def _early_results(self, end_of_term: str) -> str:
        mixes = {
            "Limited": (("No notable results", 75), ("Moderate", 25)),
            "Substantial": (("No notable results", 40), ("Moderate", 45), ("Significant", 15)),
            "Complete": (("No notable results", 25), ("Moderate", 45), ("Significant", 25), ("Outstanding", 5)),
        }
        return _weighted(self.rng, mixes.get(end_of_term, (("No notable results", 1),)))

    @staticmethod
    def _star(r: dict[str, str | None], completion: str | None, formula: StarFormula) -> str:
        """The star ("1"/"0") the ratings in r and this completion earn."""
        ati, cp, pa, tech = (r[attr] for attr in VALUE_ATTRS)
        starred = is_starred(
            r["specificity"],
            ati,
            cp,
            pa,
            tech,
            r["potential_impact"],
            completion,
            formula=formula,
            verifiable=r["verifiable"],
        )
        return "1" if starred else "0"

    # --- Progress: IRM reports, milestones and monitoring ----------------------------------------

    def _report(
        self,
        commitment_id: int,
        as_of: dt.date,
        source: str,
        completion: str,
        note: str,
        result: str | None = None,
        evidence_url: str | None = None,
    ) -> None:
        self.ids["progress_report"] += 1
        self.reports.append(
            {
                "id": self.ids["progress_report"],
                "commitment_id": commitment_id,
                "as_of": as_of,
                "source": source,
                "completion": completion,
                "result": result,
                "note": note,
                "evidence_url": evidence_url,
                "recorded_by": RECORDED_BY,
                "known_from": as_of,  # the sample's history: as if recorded when reported
            }
        )

    def _irm_reports(self, commitment_id: int, plan: _Plan, ratings: dict, state: dict) -> None:
        rng, year, slug = self.rng, plan.submission_year, plan.member.slug
        midterm = ratings["completion_midterm"]
        if midterm not in (ND, NR):
            as_of = state["midterm_after"]
            url = f"{SITE}/documents/{slug}-irm-progress-report-{as_of.year}/"
            self._report(commitment_id, as_of, "irm_midterm", midterm, f"IRM progress report {as_of.year}", None, url)
        final = ratings["completion_end_of_term"]
        if final in (ND, NR):
            return
        as_of = state["results_after"] - dt.timedelta(days=rng.randint(0, 30))
        if year <= 2019:
            url = f"{SITE}/documents/{slug}-irm-end-of-term-report-{as_of.year}/"
            note = f"IRM end-of-term report {as_of.year}"
            self._report(commitment_id, as_of, "irm_end_of_term", final, note, ratings["diog_overall"], url)
        else:
            url = f"{SITE}/documents/{slug}-irm-results-report-{as_of.year}/"
            note = f"IRM Results Report {as_of.year}"
            self._report(commitment_id, as_of, "irm_results", final, note, ratings["early_results"], url)

    def _monitoring(
        self,
        commitment_id: int,
        plan: _Plan,
        topic: Topic,
        start: dt.date,
        end: dt.date,
        final: str,
        state: dict,
    ) -> None:
        """Milestones and dated reports from the government, civil society and the Support Unit."""
        rng, today = self.rng, self.today
        share = FINAL_SHARE[final]
        span = (end - start).days
        # Work runs from t0 to t1: some start late, some finish after the end date (delays).
        t0 = start + dt.timedelta(days=round(span * rng.uniform(0, 0.15)))
        t1 = end + dt.timedelta(days=round(span * rng.uniform(-0.15, 0.35)))

        def done_share(day: dt.date) -> float:
            return share * min(max((day - t0).days / max((t1 - t0).days, 1), 0.0), 1.0)

        def level(day: dt.date) -> str:
            done = done_share(day)
            if done < 0.05:
                return "Not Started"
            if done < 0.55:
                return "Limited"
            return "Substantial" if done < 0.97 else "Complete"

        count = rng.randint(2, 5)
        picks = sorted(rng.sample(range(len(topic.milestones)), min(count, len(topic.milestones))))
        titles = [topic.milestones[i] for i in picks] + list(GENERIC_MILESTONES[: count - len(picks)])
        milestones: list[tuple[dt.date, dt.date | None]] = []
        for index, title in enumerate(titles):
            threshold = (index + 1) / count
            due = start + dt.timedelta(days=round(span * threshold) - rng.randint(0, 20))
            done = None
            if share >= threshold - 1e-9 and share > 0:
                done = t0 + dt.timedelta(days=round((t1 - t0).days * threshold / share))
                done = max(done, start)
                if done > today:
                    done = None
            milestones.append((due, done))
            self.ids["milestone"] += 1
            self.milestones.append(
                {
                    "id": self.ids["milestone"],
                    "commitment_id": commitment_id,
                    "title": title,
                    "due_date": due,
                    "done_date": done,
                }
            )

        def milestones_met(day: dt.date) -> str:
            met = sum(1 for _, done in milestones if done is not None and done <= day)
            return f"{met} of {count} milestones met"

        self._self_reports(commitment_id, plan, final, start, end, level, milestones_met, state)
        self._other_reports(commitment_id, start, end, level)

    def _self_reports(
        self,
        commitment_id: int,
        plan: _Plan,
        final: str,
        start: dt.date,
        end: dt.date,
        level: Callable[[dt.date], str],
        milestones_met: Callable[[dt.date], str],
        state: dict,
    ) -> None:
        """Government self-reports every six months, then an end-of-term self-assessment."""
        rng, today = self.rng, self.today
        if rng.random() < 0.05:
            return
        optimistic = rng.random() < 0.15
        claims_complete = rng.random() < 0.06
        last = min(today, end)
        if state["lapsed"] and plan.end >= today:
            last = min(last, plan.start + dt.timedelta(days=200))
        day = plan.start + dt.timedelta(days=SELF_REPORT_EVERY_DAYS + rng.randint(-20, 20))
        dates = []
        while day <= last:
            if day > start:
                dates.append(day)
            day += dt.timedelta(days=SELF_REPORT_EVERY_DAYS + rng.randint(-15, 15))
        for index, day in enumerate(dates):
            value = level(day)
            if optimistic and value != "Complete":
                value = LEVELS[LEVELS.index(value) + 1]
            if claims_complete and index == len(dates) - 1 and day >= start + (end - start) / 2:
                value = "Complete"
            self._report(commitment_id, day, "government", value, f"Government self-report: {milestones_met(day)}")
        assessment = plan.end + dt.timedelta(days=rng.randint(30, 90))
        if assessment <= today and not state["lapsed"]:
            value = final if final in ("Withdrawn", "Unclear") else level(plan.end)
            if optimistic and value in LEVELS[:-1]:
                value = LEVELS[LEVELS.index(value) + 1]
            url = f"{SITE}/documents/{plan.member.slug}-end-of-term-self-assessment-{assessment.year}/"
            self._report(commitment_id, assessment, "government", value, "End-of-term self-assessment", None, url)

    def _other_reports(self, commitment_id: int, start: dt.date, end: dt.date, level: Callable[[dt.date], str]) -> None:
        """Civil society monitoring for some commitments (often less positive), Support Unit check-ins for a few."""
        rng, today = self.rng, self.today
        first, last = start + dt.timedelta(days=120), min(today, end + dt.timedelta(days=120))
        if first > last:
            return
        if rng.random() < 0.35:
            days = sorted(rng.sample(range((last - first).days + 1), min(rng.randint(1, 3), (last - first).days + 1)))
            for offset in days:
                day = first + dt.timedelta(days=offset)
                value = level(day)
                if rng.random() < 0.08:
                    value, note = "No Evidence", "Civil society monitoring: no public evidence of progress found"
                else:
                    if value != "Not Started" and rng.random() < 0.35:
                        value = LEVELS[LEVELS.index(value) - 1]
                    note = rng.choice(CIVIL_SOCIETY_NOTES)
                self._report(commitment_id, day, "civil_society", value, note)
        if rng.random() < 0.08:
            day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
            self._report(commitment_id, day, "support_unit", level(day), rng.choice(SUPPORT_UNIT_NOTES))
