"""The period a "what changed" view covers and the changes in it: the one source of the /changes page, the
panels of the overview and member pages, and the briefing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from callbacks.scope import query_scope
from callbacks.urls import link
from dashboard.domain.changes import COMMITMENT_CHANGES, PLAN_CHANGES
from dashboard.domain.filters import Filters, shown
from dashboard.domain.rules import OGP_FOUNDED, format_day
from dashboard.web.context import AppContext
from data_access import changes as change_data
from layouts import changes as layout
from layouts.components import count_link


@dataclass(frozen=True)
class Period:
    """The two days compared, and a message for each URL value that could not be used."""

    since: dt.date
    until: dt.date
    problems: tuple[str, ...] = ()


def day_param(raw: str | None, what: str, problems: list[str]) -> dt.date | None:
    """A YYYY-MM-DD value of the URL or a date field; None when absent, or when not a date (then a message)."""
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        problems.append(f"'{shown(raw)}' is not a date for '{what}' (use YYYY-MM-DD); the default is shown.")
        return None


def parse_period(filters: Filters, today: dt.date) -> Period:
    """since / until from the URL: until defaults to today, since to DEFAULT_DAYS before until; a value that is
    not a date, in the future, before OGP or not before until is replaced by its default, with a message."""
    problems: list[str] = []
    until = day_param(filters.view_value("until"), "until", problems) or today
    if until > today:
        problems.append(f"'until' ({format_day(until)}) is in the future; showing changes up to today.")
        until = today
    if until <= OGP_FOUNDED:
        problems.append(f"'until' ({format_day(until)}) is not after OGP was founded; showing up to today.")
        until = today
    since = day_param(filters.view_value("since"), "since", problems) or change_data.default_since(until)
    if since >= until:
        problems.append(
            f"'since' ({format_day(since)}) is not before 'until' ({format_day(until)}); "
            f"showing the {change_data.DEFAULT_DAYS} days before it."
        )
        since = change_data.default_since(until)
    if since < OGP_FOUNDED:
        since = OGP_FOUNDED
    return Period(since, until, tuple(problems))


def period_view(period: Period, today: dt.date) -> dict[str, str]:
    """The view parameters of a period (none for the default one, so the plain link stays plain)."""
    view = {}
    if period.until != today:
        view["until"] = period.until.isoformat()
    if period.since != change_data.default_since(period.until):
        view["since"] = period.since.isoformat()
    return view


def changes_for(ctx: AppContext, filters: Filters) -> tuple[Period, change_data.Changes]:
    """The period of the URL and the changes within the filters: the one source of every count and list."""
    period = parse_period(filters, ctx.today())
    scope = {**query_scope(ctx, filters), "as_of": None}
    return period, change_data.changes(ctx.engine, since=period.since, until=period.until, **scope)


def changes_href(filters: Filters, period: Period, today: dt.date, *, fragment: str = "") -> str:
    """/changes for these filters and this period, at one of its lists when `fragment` names it."""
    return link("/changes", filters, view=period_view(period, today)) + (f"#{fragment}" if fragment else "")


def panel(ctx: AppContext, filters: Filters) -> Any:
    """'What changed in the last 90 days' for a scope (overview, member page): the counts of /changes, each
    linking to the list of exactly those lines there."""
    today = ctx.today()
    plain = filters.with_view(since=None, until=None)
    period, found = changes_for(ctx, plain)
    counts = found.counts()
    lines = []
    for kind in COMMITMENT_CHANGES:
        if counts[kind]:
            n = counts[kind]
            href = changes_href(plain, period, today, fragment=layout.kind_list(kind))
            lines.append(count_link(n, f"{n:,} commitment{'s' if n != 1 else ''} {kind}", href))
    for kind in PLAN_CHANGES:
        n = counts[f"plan {kind}"]
        if n:
            href = changes_href(plain, period, today, fragment=layout.kind_list(f"plan {kind}"))
            lines.append(count_link(n, f"{n:,} action plan{'s' if n != 1 else ''} {kind}", href))
    for n, text, fragment in (
        (counts["reports"], "new progress report{}", layout.REPORTS_LIST),
        (counts["IRM ratings"], "IRM rating{} added", layout.IRM_LIST),
    ):
        if n:
            words = text.format("s" if n != 1 else "")
            lines.append(count_link(n, f"{n:,} {words}", changes_href(plain, period, today, fragment=fragment)))
    return layout.panel(
        f"What changed in the last {change_data.DEFAULT_DAYS} days (since {format_day(period.since)})",
        lines,
        changes_href(plain, period, today),
        period.since,
    )
