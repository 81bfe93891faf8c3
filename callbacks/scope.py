"""What a view covers: the day its statuses are judged on and the query filters, statuses made current first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboard.domain.filters import Filters
from dashboard.web.context import AppContext
from data_access import statuses


def status_day(ctx: AppContext, filters: Filters) -> dt.date:
    """The day statuses are judged on: the URL's as-of date (a replay) when set, else today."""
    return filters.as_of or ctx.today()


def query_scope(ctx: AppContext, filters: Filters) -> dict[str, Any]:
    """Keyword filters for data_access queries, delay status included, with that day's statuses current.

    Every count and list of a page takes these, so a number and the list behind it select the same rows.
    """
    day = statuses.ensure(ctx.engine, status_day(ctx, filters))
    return {**filters.query_kwargs(), "delay_status": filters.delay_status or None, "status_day": day}
