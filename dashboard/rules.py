"""OGP rules as pure functions: scale checks, stars, the plan cycle, lateness and delay status."""

from __future__ import annotations

import datetime as dt


def plan_calendar(submission_year: int, end_year: int | None = None) -> tuple[dt.date, dt.date, dt.date]:
    """(start, end, due date) of an action plan under the calendar of its era.

    2011-2014 cohorts and the 2015-2021 even/odd groups: plans due 30 June, implementation 1 July
    to 30 June. From 2022: due 31 August, implementation 1 September to 31 August of the end year.
    """
    if end_year is None or end_year < submission_year:
        end_year = submission_year + 2
    if submission_year >= 2022:
        return dt.date(submission_year, 9, 1), dt.date(end_year, 8, 31), dt.date(submission_year, 8, 31)
    return dt.date(submission_year, 7, 1), dt.date(end_year, 6, 30), dt.date(submission_year, 6, 30)
