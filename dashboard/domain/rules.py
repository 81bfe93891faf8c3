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

OGP_FOUNDED = dt.date(2011, 9, 20)  # nothing in OGP's data can be older
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
# Levels that prove how far a commitment got, lowest first ("No Evidence" and "Unclear" prove nothing).
EVIDENCE_ORDER: tuple[str, ...] = ("Not Started", "Limited", "Substantial", "Complete")
EVIDENCE_LEVELS = frozenset(EVIDENCE_ORDER)
DISAGREEMENT_LEVELS = 2  # sources that far apart disagree
DISAGREEMENT_WINDOW_DAYS = 120  # ...when their reports are at most this far apart in time
MILESTONE_DELAYED_AFTER_DAYS = 90
# Evidence is due six months into implementation: members update their online repository at least twice a year.
FIRST_REPORT_AFTER_MONTHS = 6
CLOSED_AFTER_DAYS = 365  # a plan that ended more than 12 months ago is closed: its commitments are history
DELAYED_BEHIND_SHARE = 0.5
AT_RISK_BEHIND_SHARE = 0.25
NEW_PLAN_WITHIN_MONTHS = 12
PROCEDURAL_REVIEW_AFTER_CYCLES = 2


REPORT_BEFORE_START_DAYS = 92  # a progress report may describe the weeks before a commitment starts...
REPORT_AFTER_END_DAYS = 730  # ...and come up to two years after it ends (end-of-term and Results Reports)


def report_date_problem(as_of: dt.date, start: dt.date | None, end: dt.date | None) -> str | None:
    """Why a progress report's date cannot be about a commitment implemented from start to end, or None (also
    when the period is not known)."""
    if start is None or end is None:
        return None
    earliest = start - dt.timedelta(days=REPORT_BEFORE_START_DAYS)
    latest = end + dt.timedelta(days=REPORT_AFTER_END_DAYS)
    if earliest <= as_of <= latest:
        return None
    return (
        f"{format_day(as_of)} is outside this commitment's implementation period ({format_day(start)} to "
        f"{format_day(end)}): a report may be dated from {format_day(earliest)} to {format_day(latest)}."
    )


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


def levels_apart(
    completion_a: str | None, day_a: dt.date | None, completion_b: str | None, day_b: dt.date | None
) -> int | None:
    """How many completion levels two sources' reports are apart, or None when they cannot be compared.

    Only reports that prove a level count ("No Evidence" is the absence of evidence, not a level), and only
    reports dated within DISAGREEMENT_WINDOW_DAYS of each other: a report of 2023 and one of 2026 describe
    different moments, not a disagreement.
    """
    level_a, level_b = evidence_level(completion_a), evidence_level(completion_b)
    if level_a is None or level_b is None or day_a is None or day_b is None:
        return None
    if abs((day_a - day_b).days) > DISAGREEMENT_WINDOW_DAYS:
        return None
    order = EVIDENCE_ORDER
    return abs(order.index(level_a) - order.index(level_b))


def sources_disagree(
    completion_a: str | None, day_a: dt.date | None, completion_b: str | None, day_b: dt.date | None
) -> bool:
    """True when two sources' reports of about the same time are two or more completion levels apart."""
    apart = levels_apart(completion_a, day_a, completion_b, day_b)
    return apart is not None and apart >= DISAGREEMENT_LEVELS


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

    # "delivered": a plan with commitments but no recorded delivery date (the sheet has none): on time or
    # late cannot be told.
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


@dataclass(frozen=True)
class NextPlan:
    """What the data holds about the plan that followed one: is it there, was it delivered, and when.

    missing: why it is not in the data ("no later plan of this member is in the data", "plan 3 is missing");
    empty when it is.
    """

    label: str = ""
    submitted_on: dt.date | None = None
    delivered: bool = False
    missing: str = ""


@dataclass(frozen=True)
class ProcessStatus:
    """Whether a plan's member kept to the process afterwards, only as far as the data proves it."""

    status: Literal["contrary to process", "unknown (not in the data)", "in process"]
    reasons: tuple[str, ...]


def new_plan_deadline(plan_end: dt.date) -> dt.date:
    """The day by which the plan after one ending on plan_end must be delivered (12 months later)."""
    return _add_months(plan_end, NEW_PLAN_WITHIN_MONTHS)


def process_status(
    *,
    plan_end: dt.date | None,
    next_plan: NextPlan,
    co_creation_met: bool | None,
    any_progress_assessed: bool | None,
    today: dt.date,
) -> ProcessStatus:
    """The triggers of 'acting contrary to process' the data proves, or 'unknown (not in the data)'.

    A new plan must arrive within 12 months of the previous plan's end. That is proven broken only by a
    later plan in the data that was delivered after the deadline or is recorded as not delivered; when the
    next plan is missing from the data (the member's last plan in the file, or a gap in plan numbers), or
    is there without a delivery date, the status is unknown with the reason. None for co_creation_met or
    any_progress_assessed means the data does not say: no trigger.
    """
    contrary: list[str] = []
    unknown: list[str] = []
    if co_creation_met is False:
        contrary.append("Did not meet the co-creation minimum requirements")
    if any_progress_assessed is False:
        contrary.append("The IRM assessed no progress on any commitment")
    if plan_end is not None:
        deadline = new_plan_deadline(plan_end)
        ended, by = format_day(plan_end), format_day(deadline)
        rule = f"a new plan was due within 12 months of this plan's end ({ended}), by {by}"
        if next_plan.missing:
            if today > deadline:
                unknown.append(
                    f"{next_plan.missing[0].upper()}{next_plan.missing[1:]}, so whether {rule} cannot be told"
                )
        elif next_plan.submitted_on is not None:
            if next_plan.submitted_on > deadline:
                contrary.append(
                    f"{next_plan.label} was delivered {format_day(next_plan.submitted_on)}, after the deadline: {rule}"
                )
        elif not next_plan.delivered:
            if today > deadline:
                contrary.append(f"{next_plan.label} has not been delivered: {rule}")
        elif today > deadline:
            unknown.append(
                f"{next_plan.label} is in the data without a delivery date, so whether {rule} cannot be told"
            )
    if contrary:
        return ProcessStatus("contrary to process", tuple(contrary))
    if unknown:
        return ProcessStatus("unknown (not in the data)", tuple(unknown))
    return ProcessStatus("in process", ())


def needs_procedural_review(consecutive_contrary_cycles: int) -> bool:
    """True after two or more consecutive cycles acting contrary to process."""
    return consecutive_contrary_cycles >= PROCEDURAL_REVIEW_AFTER_CYCLES


# --- Commitment delay ---------------------------------------------------------------------------

DelayStatusName = Literal["delayed", "at risk", "no evidence", "on track", "not assessable", "complete", "closed"]


@dataclass(frozen=True)
class DelayStatus:
    """A commitment's delay status, the reason in words and a severity for sorting (higher is worse).

    The severity is in months and never exceeds the time since the date the reason names (the end date,
    a milestone's due date, the date a first report was due, or the date the reported level was expected).
    """

    status: DelayStatusName
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
    return f"{days} day{'s' if days != 1 else ''}"


def _months(since: dt.date, today: dt.date) -> float:
    """Months from since to today (0 when today is not later)."""
    return max((today - since).days, 0) / DAYS_PER_MONTH


def evidence_level(completion: str | None) -> str | None:
    """The completion level a report or rating proves, or None when it proves nothing.

    "No Evidence", "Unclear", ND/NR/NA and blanks are the absence of evidence, not a level of progress.
    """
    if not completion:
        return None
    level = COMPLETION.canonical(completion)
    return level if level in EVIDENCE_LEVELS else None


def is_evidence(completion: str | None) -> bool:
    """True for a report that says something: a level of progress, or that the commitment was withdrawn."""
    if not completion:
        return False
    return evidence_level(completion) is not None or COMPLETION.canonical(completion) == "Withdrawn"


def closes_on(plan_end: dt.date) -> dt.date:
    """The day after which a plan counts as closed: 12 months after it ended."""
    return plan_end + dt.timedelta(days=CLOSED_AFTER_DAYS)


def delay_status(
    *,
    start: dt.date | None,
    end: dt.date | None,
    completion: str | None,
    milestones: Sequence[Any],
    today: dt.date,
    last_report_on: dt.date | None = None,
    plan_end: dt.date | None = None,
) -> DelayStatus:
    """Delayed, at risk, no evidence, on track, not assessable, complete or closed, saying only what data shows.

    completion is the latest evidence (a progress report's level, else the IRM's rating); last_report_on
    its date. Reported progress is compared with the share of time gone; without evidence the status is
    "no evidence" once a report was due (six months into implementation) and "not assessable" before.
    A commitment of a plan that ended more than 12 months ago is "closed" with its final completion.
    """
    level = evidence_level(completion)
    raw = COMPLETION.canonical(completion) if completion else None
    on_date = f" on {format_day(last_report_on)}" if last_report_on else ""
    ended_on = plan_end or end
    if ended_on is not None and today > closes_on(ended_on):
        final = f"final completion {level}{on_date}" if level else "no completion was reported"
        return DelayStatus("closed", f"Plan ended {format_day(ended_on)}; {final}", 0.0)
    if level == "Complete":
        return DelayStatus("complete", f"Reported Complete{on_date}", 0.0)
    if raw == "Withdrawn":
        return DelayStatus("not assessable", "Withdrawn", 0.0)
    if start is None or end is None or end <= start:
        return DelayStatus("not assessable", "No usable start and end dates", 0.0)
    if today < start:
        return DelayStatus("on track", f"Starts {format_day(start)}", 0.0)

    progress_words = f"reported {level}{on_date}" if level else "no progress reported"
    if today > end:
        ended = f"Ended {format_day(end)} ({_span(end, today)} ago)"
        if level is None:
            return DelayStatus("no evidence", f"{ended} with no progress report", _months(end, today))
        return DelayStatus("delayed", f"{ended} and is not complete: {progress_words}", _months(end, today))

    overdue = [
        (due, title)
        for title, due, done in map(_milestone, milestones)
        if due is not None and done is None and due < today
    ]
    milestone = None
    if overdue:
        oldest_due, oldest_title = min(overdue)
        milestone = (
            f"Milestone '{oldest_title}' was due {format_day(oldest_due)} and is {_span(oldest_due, today)} overdue",
            _months(oldest_due, today),
            (today - oldest_due).days > MILESTONE_DELAYED_AFTER_DAYS,
        )
    if milestone is not None and milestone[2]:
        return DelayStatus("delayed", milestone[0], milestone[1])

    if level is None:
        first_due = _add_months(start, FIRST_REPORT_AFTER_MONTHS)
        if today > first_due:
            return DelayStatus(
                "no evidence",
                f"No progress report since it started on {format_day(start)} (one was due by {format_day(first_due)})",
                _months(first_due, today),
            )
        if milestone is not None:
            return DelayStatus("at risk", milestone[0], milestone[1])
        return DelayStatus(
            "not assessable",
            f"Started {format_day(start)}; no progress report is due before {format_day(first_due)}",
            0.0,
        )

    position = cycle_position(start, end, today)
    behind = position.elapsed_share - PROGRESS_SHARE[level]
    # In days, not the rounded month count, so it never exceeds the time since the level was due.
    months_behind = max(behind, 0.0) * (end - start).days / DAYS_PER_MONTH
    expected = expected_completion(position.elapsed_share)
    elapsed_words = f"{position.elapsed_share:.0%} of the time has passed (expected {expected})"
    share_words = f"{progress_words[0].upper()}{progress_words[1:]}; {elapsed_words}"
    if behind > DELAYED_BEHIND_SHARE:
        return DelayStatus("delayed", share_words, months_behind)
    if milestone is not None:
        return DelayStatus("at risk", milestone[0], milestone[1])
    if behind > AT_RISK_BEHIND_SHARE:
        return DelayStatus("at risk", share_words, months_behind)
    return DelayStatus("on track", share_words, months_behind)
