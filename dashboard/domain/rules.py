"""OGP rules as pure functions: scale checks, stars, the plan cycle, lateness and delay status."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dashboard.domain.scales import (
    BINARY,
    COMPLETION,
    HIGH_COMPLETION,
    MISSING_CODES,
    POTENTIAL_IMPACT,
    SPECIFICITY,
    VERIFIABLE,
    Scale,
)

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS_PER_MONTH = 365.25 / 12

StarFormula = Literal["pre_2015", "current"]
STAR_IMPACTS: dict[str, frozenset[str]] = {
    "pre_2015": frozenset({"Moderate", "Transformative"}),
    "current": frozenset({"Transformative"}),
}
SPECIFIC = frozenset({"Medium", "High"})

# Share of a commitment done at each completion level (used to compare progress with elapsed time).
PROGRESS_SHARE: dict[str, float] = {
    "No Evidence": 0.0,
    "Not Started": 0.0,
    "Limited": 1 / 3,
    "Substantial": 2 / 3,
    "Complete": 1.0,
}
MILESTONE_DELAYED_AFTER_DAYS = 90
DELAYED_BEHIND_SHARE = 0.5
AT_RISK_BEHIND_SHARE = 0.25
NEW_PLAN_WITHIN_MONTHS = 12
PROCEDURAL_REVIEW_AFTER_CYCLES = 2


def format_day(day: dt.date) -> str:
    """A date as OGP staff write it, e.g. '12 Oct 2023' (independent of the locale)."""
    return f"{day.day} {MONTH_ABBR[day.month - 1]} {day.year}"


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, moved back to the month's last day when it does not exist."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _full_months(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start to end (0 when end is less than a month after start)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months


# --- Scales -------------------------------------------------------------------------------------


def is_missing_code(value: str | None) -> bool:
    """True for OGP's missing-value codes ND, NR and NA."""
    return value in MISSING_CODES


def compare(scale: Scale, a: str, b: str) -> int:
    """-1, 0 or 1 as rating a is below, equal to or above rating b; ValueError for unordered values."""
    rank_a, rank_b = scale.rank(a), scale.rank(b)
    if rank_a is None or rank_b is None:
        unordered = a if rank_a is None else b
        raise ValueError(f"{unordered!r} is not an ordered rating of the {scale.label} scale")
    return (rank_a > rank_b) - (rank_a < rank_b)


def at_least(scale: Scale, value: str | None, threshold: str) -> bool:
    """True when value is an ordered rating at or above threshold (missing codes are never)."""
    rank, floor = scale.rank(value), scale.rank(threshold)
    if floor is None:
        raise ValueError(f"{threshold!r} is not an ordered rating of the {scale.label} scale")
    return rank is not None and rank >= floor


# --- Completion ---------------------------------------------------------------------------------


def is_high_completion(completion: str | None) -> bool:
    """True for Substantial or Complete."""
    return completion is not None and COMPLETION.canonical(completion) in HIGH_COMPLETION


def latest_completion(midterm: str | None, end_of_term: str | None) -> str | None:
    """The end-of-term completion if it is a rating, else the mid-term one, else None."""
    for value in (end_of_term, midterm):
        if COMPLETION.is_rating(value):
            return COMPLETION.canonical(value)
    return None


def expected_completion(elapsed_share: float) -> str:
    """The completion level a commitment on schedule would have reached after elapsed_share of its time."""
    share = min(max(elapsed_share, 0.0), 1.0)
    reached = "Not Started"
    for level in ("Limited", "Substantial", "Complete"):
        # A small tolerance so that exactly a third of the time counts as "Limited" despite float error.
        if share + 1e-9 >= PROGRESS_SHARE[level]:
            reached = level
    return reached


def sources_disagree(completion_a: str | None, completion_b: str | None) -> bool:
    """True when two sources' completion ratings are two or more levels apart."""
    rank_a, rank_b = COMPLETION.rank(completion_a), COMPLETION.rank(completion_b)
    return rank_a is not None and rank_b is not None and abs(rank_a - rank_b) >= 2


# --- Stars --------------------------------------------------------------------------------------


def is_relevant(ati: str | None, cp: str | None, pa: str | None, tech: str | None) -> bool:
    """True when the commitment is relevant to access to information, participation or accountability.

    Technology and innovation counts only alongside one of those three, so `tech` alone never makes a
    commitment relevant (it is taken so callers pass all four OGP values).
    """
    return any(BINARY.canonical(value) == "1" for value in (ati, cp, pa) if value)


def is_specific(specificity: str | None, verifiable: str | None = None) -> bool:
    """True for Medium or High specificity; for plans rated only on 'Verifiable' (2017-), for 'Yes'."""
    if SPECIFICITY.is_rating(specificity):
        return specificity in SPECIFIC
    return VERIFIABLE.is_rating(verifiable) and VERIFIABLE.canonical(verifiable) == "Yes"


def is_starred(
    specificity: str | None,
    ati: str | None,
    cp: str | None,
    pa: str | None,
    tech: str | None,
    potential_impact: str | None,
    completion: str | None,
    *,
    formula: StarFormula,
    verifiable: str | None = None,
) -> bool:
    """True when a commitment earns a star: specific, relevant, ambitious enough and Substantial/Complete.

    formula "pre_2015" accepts Moderate or Transformative potential impact; "current" only Transformative.
    """
    if formula not in STAR_IMPACTS:
        raise ValueError(f"unknown star formula {formula!r}; use one of {sorted(STAR_IMPACTS)}")
    impact = POTENTIAL_IMPACT.canonical(potential_impact) if potential_impact else None
    return (
        is_specific(specificity, verifiable)
        and is_relevant(ati, cp, pa, tech)
        and impact in STAR_IMPACTS[formula]
        and is_high_completion(completion)
    )


# --- Plan cycle ---------------------------------------------------------------------------------


def plan_calendar(submission_year: int, end_year: int | None = None) -> tuple[dt.date, dt.date, dt.date]:
    """(start, end, due date) of an action plan under the calendar of its era.

    2011-2014 cohorts and the 2015-2021 even/odd groups: plans due 30 June, implementation 1 July
    to 30 June. From 2022: due 31 August, implementation 1 September to 31 August of the end year.
    A plan ending in its submission year (one-year plans in old data) ends 31 December of that year,
    so the sheet's end year is kept and the end still falls after the start.
    """
    if end_year is None or end_year < submission_year:
        end_year = submission_year + 2
    if submission_year >= 2022:
        start, due, end = dt.date(submission_year, 9, 1), dt.date(submission_year, 8, 31), dt.date(end_year, 8, 31)
    else:
        start, due, end = dt.date(submission_year, 7, 1), dt.date(submission_year, 6, 30), dt.date(end_year, 6, 30)
    if end <= start:
        end = dt.date(end_year, 12, 31)
    return start, end, due


CyclePhase = Literal["not started", "implementing", "ended"]


@dataclass(frozen=True)
class CyclePosition:
    """Where a plan (or commitment) stands in its implementation period on a given day."""

    month: int
    total_months: int
    midterm: dt.date
    elapsed_share: float
    phase: CyclePhase
    label: str


def cycle_position(start: dt.date, end: dt.date, today: dt.date) -> CyclePosition:
    """Month N of the total, the midterm date, the share of time gone and the phase on `today`."""
    if end <= start:
        raise ValueError(f"end {end} must be after start {start}")
    total_days = (end - start).days
    # The end date is the last day of implementation, hence +1: 1 Sep 2022-31 Aug 2024 is 24 months.
    total_months = max(1, round((total_days + 1) / DAYS_PER_MONTH))
    month = min(max(_full_months(start, today) + 1, 1), total_months)
    elapsed_share = min(max((today - start).days / total_days, 0.0), 1.0)
    midterm = start + dt.timedelta(days=total_days // 2)
    phase: CyclePhase
    if today < start:
        phase, label = "not started", f"Starts {format_day(start)}, runs {total_months} months"
    elif today > end:
        phase, label = "ended", f"Ended {format_day(end)}, after {total_months} months"
    else:
        phase, label = "implementing", f"Month {month} of {total_months}"
    return CyclePosition(month, total_months, midterm, elapsed_share, phase, label)


@dataclass(frozen=True)
class SubmissionStatus:
    """Whether an action plan arrived on time; days_after_due is negative while days are left."""

    # "delivered": a plan with commitments but no recorded delivery date (status.plan_statuses).
    status: Literal["on time", "late", "due", "overdue", "contrary to process", "delivered"]
    reason: str
    days_after_due: int


def plan_submission_status(due_date: dt.date, submitted_on: dt.date | None, today: dt.date) -> SubmissionStatus:
    """On time, late, due, overdue or contrary to process under the 31 August / 1 January rule."""
    cutoff = dt.date(due_date.year + 1, 1, 1)
    deadline = f"the {format_day(due_date)} deadline"
    if submitted_on is not None:
        days = (submitted_on - due_date).days
        delivered = f"Delivered {format_day(submitted_on)}"
        if days <= 0:
            when = "on" if days == 0 else f"{-days} days before"
            return SubmissionStatus("on time", f"{delivered}, {when} {deadline}", days)
        if submitted_on < cutoff:
            return SubmissionStatus(
                "late",
                f"{delivered}, {days} days after {deadline}; keeps its end date, so implementation is shorter",
                days,
            )
        return SubmissionStatus(
            "contrary to process",
            f"{delivered}, not by {format_day(cutoff)}: moves to the other cohort and is acting contrary to process",
            days,
        )
    days = (today - due_date).days
    if days <= 0:
        left = "today" if days == 0 else f"in {-days} days"
        return SubmissionStatus("due", f"Due {format_day(due_date)}, {left}", days)
    if today < cutoff:
        return SubmissionStatus(
            "overdue",
            f"Not delivered, {days} days after {deadline}; "
            f"if it arrives before {format_day(cutoff)} it keeps its end date",
            days,
        )
    return SubmissionStatus(
        "contrary to process",
        f"Not delivered by {format_day(cutoff)}: moves to the other cohort and is acting contrary to process",
        days,
    )


def contrary_to_process_reasons(
    *,
    previous_plan_end: dt.date | None,
    next_plan_submitted_on: dt.date | None,
    co_creation_met: bool | None,
    any_progress_assessed: bool | None,
    today: dt.date,
) -> list[str]:
    """The triggers of 'acting contrary to process' that apply; None for a fact means unknown, no trigger.

    next_plan_submitted_on None means no new plan has arrived (yet).
    """
    reasons: list[str] = []
    if previous_plan_end is not None:
        deadline = _add_months(previous_plan_end, NEW_PLAN_WITHIN_MONTHS)
        ended = f"the previous plan ended {format_day(previous_plan_end)}"
        if next_plan_submitted_on is not None and next_plan_submitted_on > deadline:
            reasons.append(
                f"New plan delivered {format_day(next_plan_submitted_on)}, more than 12 months after {ended} "
                f"(deadline {format_day(deadline)})"
            )
        elif next_plan_submitted_on is None and today > deadline:
            reasons.append(f"No new plan within 12 months: {ended}, deadline {format_day(deadline)}")
    if co_creation_met is False:
        reasons.append("Did not meet the co-creation minimum requirements")
    if any_progress_assessed is False:
        reasons.append("The IRM assessed no progress on any commitment")
    return reasons


def needs_procedural_review(consecutive_contrary_cycles: int) -> bool:
    """True after two or more consecutive cycles acting contrary to process."""
    return consecutive_contrary_cycles >= PROCEDURAL_REVIEW_AFTER_CYCLES


# --- Commitment delay ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DelayStatus:
    """A commitment's delay status, the reason in words and a severity for sorting (higher is worse)."""

    status: Literal["complete", "on track", "at risk", "delayed", "not assessable"]
    reason: str
    severity: float


def _milestone(item: Any) -> tuple[str, dt.date | None, dt.date | None]:
    """(title, due date, done date) of a milestone given as a tuple or an object with those attributes."""
    if isinstance(item, tuple | list):
        title, due, done = item
        return title, due, done
    return item.title, item.due_date, item.done_date


def _span(since: dt.date, today: dt.date) -> str:
    """'4 months', '1 month' or '12 days' from since to today (whole months once there is one)."""
    months, days = _full_months(since, today), (today - since).days
    if months >= 1:
        return f"{months} month{'s' if months > 1 else ''}"
    return f"{days} day{'s' if days > 1 else ''}"


def delay_status(
    *,
    start: dt.date | None,
    end: dt.date | None,
    completion: str | None,
    milestones: Sequence[Any],
    today: dt.date,
    last_report_on: dt.date | None = None,
) -> DelayStatus:
    """Complete, on track, at risk, delayed or not assessable, comparing reported progress with time gone."""
    level = COMPLETION.canonical(completion) if completion else None
    if level == "Complete":
        return DelayStatus("complete", "Reported Complete", 0.0)
    if level == "Withdrawn":
        return DelayStatus("not assessable", "Withdrawn", 0.0)
    if start is None or end is None or end <= start:
        return DelayStatus("not assessable", "No usable start and end dates", 0.0)
    if today < start:
        return DelayStatus("on track", f"Starts {format_day(start)}", 0.0)

    position = cycle_position(start, end, today)
    share = PROGRESS_SHARE.get(level) if level is not None else None
    reported = share is not None
    progress = share if share is not None else 0.0
    behind = position.elapsed_share - progress
    months_behind = max(behind, 0.0) * position.total_months
    expected = expected_completion(position.elapsed_share)
    on_date = f" on {format_day(last_report_on)}" if last_report_on else ""
    progress_words = f"reported {level}{on_date}" if reported else "no progress reported"
    elapsed_words = f"{position.elapsed_share:.0%} of the time has passed (expected {expected})"
    share_words = f"{progress_words[0].upper()}{progress_words[1:]}; {elapsed_words}"

    overdue = [
        (due, title)
        for title, due, done in map(_milestone, milestones)
        if due is not None and done is None and due < today
    ]
    oldest_due, oldest_title = min(overdue) if overdue else (today, "")
    overdue_days = (today - oldest_due).days
    milestone_words = (
        f"Milestone '{oldest_title}' was due {format_day(oldest_due)} and is {_span(oldest_due, today)} overdue"
    )
    milestone_months = overdue_days / DAYS_PER_MONTH
    severity = round(max(months_behind, milestone_months, (today - end).days / DAYS_PER_MONTH), 2)

    if today > end:
        ended = f"Ended {format_day(end)} ({_span(end, today)} ago)"
        return DelayStatus("delayed", f"{ended} and is not complete: {progress_words}", severity)
    if overdue_days > MILESTONE_DELAYED_AFTER_DAYS:
        return DelayStatus("delayed", milestone_words, severity)
    if behind > DELAYED_BEHIND_SHARE:
        return DelayStatus("delayed", share_words, severity)
    if overdue:
        return DelayStatus("at risk", milestone_words, severity)
    if behind > AT_RISK_BEHIND_SHARE:
        return DelayStatus("at risk", share_words, severity)
    return DelayStatus("on track", share_words, severity)
