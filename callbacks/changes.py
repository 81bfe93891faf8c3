"""What changed between two dates (/changes): the counts by kind and the lines behind them, each linking to its
commitment, plan or member."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, no_update

from callbacks.pages import Page
from callbacks.periods import Period, changes_for, changes_href, day_param, period_view
from callbacks.urls import commitment_href, link, member_href
from dashboard.domain.changes import (
    COMMITMENT_CHANGE_MEANING,
    COMMITMENT_CHANGES,
    PLAN_CHANGE_MEANING,
    PLAN_CHANGES,
    describe_period,
)
from dashboard.domain.filters import Filters, parse_filters
from dashboard.domain.scales import PROGRESS_SOURCES
from dashboard.web.context import AppContext
from layouts import changes as layout
from layouts import ids
from layouts.components import empty_state, pill_picker
from layouts.tables import data_grid, summary_row, visible_columns
from layouts.text import MISSING, day_text

PRESET_DAYS = (30, 90, 180, 365)
COMMITMENT_COLUMNS = ["Change", "Commitment", "Title", "Member", "Then", "Now", "Why now"]
PLAN_COLUMNS = ["Change", "Action plan", "Member", "Then", "Now", "Why now"]
REPORT_COLUMNS = ["Known from", "Commitment", "Title", "Member", "Source", "Dated", "Completion", "Recorded by"]
IRM_COLUMNS = ["Known from", "Commitment", "Title", "Member", "Report", "Dated", "Completion", "Result"]


# --- Tables ------------------------------------------------------------------------------------------------


def commitments_table(lines: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Commitment lines as shown: display columns plus hidden commitment and member links."""
    rows = [
        [
            line.change,
            line.ogp_id,
            line.title,
            line.member_name,
            line.before,
            line.after,
            line.reason,
            commitment_href(line.ogp_id, filters),
            member_href(line.member_code, filters),
        ]
        for line in lines.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*COMMITMENT_COLUMNS, "_commitment", "_member"])


def plans_table(lines: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Plan lines as shown: display columns plus the hidden member link."""
    rows = [
        [
            line.change,
            line.action_plan,
            line.member_name,
            line.before,
            line.after,
            line.reason,
            member_href(line.member_code, filters),
        ]
        for line in lines.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*PLAN_COLUMNS, "_member"])


def reports_table(reports: pd.DataFrame, filters: Filters, *, irm: bool) -> pd.DataFrame:
    """Progress reports (or IRM ratings) as shown: display columns plus hidden commitment and member links."""
    rows = []
    for r in reports.itertuples(index=False):
        last = (r.result if isinstance(r.result, str) else MISSING) if irm else r.recorded_by
        rows.append(
            [
                day_text(r.known_from),
                r.ogp_id,
                r.title,
                r.member_name,
                PROGRESS_SOURCES.get(r.source, r.source),
                day_text(r.as_of),
                r.completion,
                last,
                commitment_href(r.ogp_id, filters),
                member_href(r.member_code, filters),
            ]
        )
    return pd.DataFrame(rows, columns=[*(IRM_COLUMNS if irm else REPORT_COLUMNS), "_commitment", "_member"])


def commitments_export(ctx: AppContext, filters: Filters, _pathname: str = "/changes") -> pd.DataFrame:
    """Every commitment line, kind by kind, with its kind in the first column."""
    return visible_columns(commitments_table(changes_for(ctx, filters)[1].commitments, filters))


def plans_export(ctx: AppContext, filters: Filters, _pathname: str = "/changes") -> pd.DataFrame:
    """Every plan line, kind by kind, with its kind in the first column."""
    return visible_columns(plans_table(changes_for(ctx, filters)[1].plans, filters))


def reports_export(ctx: AppContext, filters: Filters, _pathname: str = "/changes") -> pd.DataFrame:
    """The new progress reports as shown."""
    return visible_columns(reports_table(changes_for(ctx, filters)[1].reports, filters, irm=False))


def irm_export(ctx: AppContext, filters: Filters, _pathname: str = "/changes") -> pd.DataFrame:
    """The IRM ratings added, as shown."""
    return visible_columns(reports_table(changes_for(ctx, filters)[1].irm_ratings, filters, irm=True))


# --- The page -----------------------------------------------------------------------------------------------


def _kinds(
    table: pd.DataFrame,
    kinds: tuple[str, ...],
    meanings: dict[str, str],
    prefix: str,
    grid: dict[str, Any],
    here: str,
) -> tuple[Any, list[Any]]:
    """The breakdown by kind (each count a link to its list on this page) and one list per kind with lines."""
    counts = table["Change"].value_counts().to_dict() if len(table) else {}
    breakdown = layout.breakdown(
        [
            (kind, n, f"{here}#{layout.kind_list(prefix + kind)}" if n else None)
            for kind, n in ((kind, int(counts.get(kind, 0))) for kind in kinds)
        ],
        meanings,
    )
    sections = []
    for kind in kinds:
        lines = table[table["Change"] == kind].drop(columns="Change")
        if len(lines):
            grid_id = f"changes-grid-{layout.kind_list(prefix + kind)}"
            body = data_grid(lines, grid_id=grid_id, **grid)
            sections.append(
                layout.kind_section(kind, meanings[kind], len(lines), body, layout.kind_list(prefix + kind))
            )
    return breakdown, sections


def _reports(table: pd.DataFrame, grid_id: str, empty: str) -> Any:
    if table.empty:
        return empty_state(empty)
    links = {"Commitment": "_commitment", "Member": "_member"}
    return data_grid(table, grid_id=grid_id, links=links, wide=("Title",), widths={"Source": 150})


def render_changes(ctx: AppContext, filters: Filters) -> Page:
    """The changes between the URL's two dates (default: the last 90 days) within the filters."""
    today = ctx.today()
    period, found = changes_for(ctx, filters)
    here = changes_href(filters, period, today)
    presets = pill_picker(
        layout.CHANGES_PRESETS,
        "Quick periods:",
        str((period.until - period.since).days) if period.until == today else "",
        [
            (
                str(days),
                f"Last {days} days",
                changes_href(filters, Period(today - dt.timedelta(days=days), today), today),
            )
            for days in PRESET_DAYS
        ],
    )
    alerts = [
        dbc.Alert(problem, color="warning", className="py-2 small changes-problem") for problem in period.problems
    ]
    span = describe_period(period.since, period.until)
    commitment_kinds, commitment_sections = _kinds(
        commitments_table(found.commitments, filters),
        COMMITMENT_CHANGES,
        COMMITMENT_CHANGE_MEANING,
        "",
        {
            "links": {"Commitment": "_commitment", "Member": "_member"},
            "status": ("Then", "Now"),
            "wide": ("Title", "Why now"),
            "widths": {"Member": 140},
        },
        here,
    )
    plan_kinds, plan_sections = _kinds(
        plans_table(found.plans, filters),
        PLAN_CHANGES,
        PLAN_CHANGE_MEANING,
        "plan ",
        {"links": {"Member": "_member"}, "status": ("Then", "Now"), "wide": ("Why now",)},
        here,
    )
    summary = summary_row(
        [
            (
                len(found.commitments),
                "commitments changed status",
                "changes-commitments-count",
                f"{here}#{layout.COMMITMENTS_LIST}",
            ),
            (len(found.plans), "action plans changed", "changes-plans-count", f"{here}#{layout.PLANS_LIST}"),
            (len(found.reports), "new progress reports", "changes-reports-count", f"{here}#{layout.REPORTS_LIST}"),
            (len(found.irm_ratings), "IRM ratings added", "changes-irm-count", f"{here}#{layout.IRM_LIST}"),
        ]
    )
    content = layout.layout(
        period=layout.period_control(period.since, period.until, today, presets),
        alerts=alerts,
        summary=summary,
        commitments=(
            commitment_kinds,
            commitment_sections or [empty_state(f"No commitment changed status {span}.")],
            len(found.commitments),
        ),
        plans=(
            plan_kinds,
            plan_sections
            or [empty_state(f"No action plan was delivered or became overdue or contrary to process {span}.")],
            len(found.plans),
        ),
        reports=(
            _reports(
                reports_table(found.reports, filters, irm=False),
                "changes-reports-grid",
                f"No progress report became known {span}.",
            ),
            len(found.reports),
        ),
        irm=(
            _reports(
                reports_table(found.irm_ratings, filters, irm=True),
                "changes-irm-grid",
                f"No IRM rating became known {span}.",
            ),
            len(found.irm_ratings),
        ),
    )
    trail = [("Overview", link("/", filters)), ("What changed", None)]
    return Page(content, trail=trail, title=f"What changed {span}")


# --- Callbacks ---------------------------------------------------------------------------------------------


def period_search(since: str | None, until: str | None, search: str | None, today: dt.date) -> str | Any:
    """The URL query string with the picked dates (each left out when it is its default), or no_update."""
    filters, _ = parse_filters(search)
    problems: list[str] = []
    picked_until = day_param(until, "until", problems) or today
    picked_since = day_param(since, "since", problems)
    if problems or picked_since is None:
        return no_update
    view = period_view(Period(picked_since, min(picked_until, today)), today)
    query = filters.with_view(since=view.get("since"), until=view.get("until")).to_query()
    return query if query != (search or "") else no_update


def register(app: Dash, app_ctx: AppContext) -> None:
    """Wire the two date fields to the URL."""

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(layout.CHANGES_SINCE, "value"),
        Input(layout.CHANGES_UNTIL, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def _pick(since, until, search):
        return period_search(since, until, search, app_ctx.today())
