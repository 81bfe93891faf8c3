"""What a view covers: the day its statuses are judged on and the query filters, statuses made current first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboard.domain.filters import Filters
from dashboard.domain.rules import OGP_FOUNDED, format_day
from dashboard.web.context import AppContext
from data_access import statuses


def replay_day(filters: Filters, today: dt.date) -> tuple[dt.date, str | None]:
    """The day a view shows (the URL's as_of, else today) and a message when the URL's date cannot be replayed."""
    if filters.as_of is None:
        return today, None
    if filters.as_of < OGP_FOUNDED:
        return today, (
            f"{format_day(filters.as_of)} is before OGP was founded ({format_day(OGP_FOUNDED)}), "
            "so there is nothing to replay; showing today instead."
        )
    if filters.as_of > today:
        return today, (
            f"{format_day(filters.as_of)} is in the future; the replay only goes up to today, which is shown instead."
        )
    return filters.as_of, None


def status_day(ctx: AppContext, filters: Filters) -> dt.date:
    """The day statuses are judged on: the URL's as-of date (a replay) when it can be replayed, else today."""
    return replay_day(filters, ctx.today())[0]


def query_scope(ctx: AppContext, filters: Filters) -> dict[str, Any]:
    """Keyword filters for data_access queries, delay status included, with that day's statuses current.

    Every count and list of a page takes these, so a number and the list behind it select the same rows.
    """
    day, problem = replay_day(filters, ctx.today())
    statuses.ensure(ctx.engine, day)
    replaying = filters.as_of is not None and problem is None
    return {
        **filters.query_kwargs(),
        "delay_status": filters.delay_status or None,
        "status_day": day,
        "as_of": day if replaying else None,  # a replay counts only commitments of plans started by then
    }
