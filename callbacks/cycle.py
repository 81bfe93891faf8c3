"""Cycle page: plans on a timeline with expected vs reported progress, replayable on any past date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, no_update

from callbacks.pages import Page
from callbacks.scope import query_scope, replay_day
from callbacks.urls import link, member_href
from dashboard.domain.filters import Filters, parse_filters
from dashboard.domain.rules import format_day
from dashboard.domain.scales import SUBMISSION_STATUSES
from dashboard.domain.status import plan_verdict
from dashboard.web.context import AppContext
from data_access import statuses
from layouts import cycle, ids, tables
from layouts.components import empty_state
from layouts.cycle_figures import cycle_timeline
from layouts.text import MISSING, day_text, share_text

PLAN_TABLE_COLUMNS = [
    "Member",
    "Action plan",
    "Position",
    "Mid-term",
    "End",
    "Expected",
    "Reported",
    "Substantial or Complete",
    "Commitments reported",
    "Last report",
    "Schedule",
]
SUBMISSION_TABLE_COLUMNS = ["Member", "Action plan", "Due", "Delivered", "Status", "Reason"]


SCHEDULE_VIEWS = {"behind": "behind"}  # ?schedule=behind lists only the plans behind schedule


def _day(ctx: AppContext, filters: Filters) -> tuple[Filters, dt.date, str | None]:
    """The filters to show (an as-of date that cannot be replayed dropped), their day and the message why."""
    as_of, problem = replay_day(filters, ctx.today())
    return (filters.replace(as_of=None) if problem else filters), as_of, problem


def plans_frame(ctx: AppContext, filters: Filters) -> pd.DataFrame:
    """Plans delivered and in implementation on the page's day (statuses.PLAN_ROW_COLUMNS), most behind first.

    The view choice `schedule=behind` keeps the plans behind schedule only.
    """
    shown, day, _ = _day(ctx, filters)
    plans = statuses.plan_rows(ctx.engine, **query_scope(ctx, shown), day=day, phase="implementing")
    if filters.view_value("schedule") in SCHEDULE_VIEWS:
        plans = plans[plans["schedule"] == "behind"]
    if plans.empty:
        return plans
    gap = plans["elapsed_share"].astype(float) - plans["progress_share"].astype(float).fillna(0.0)
    return plans.assign(gap=gap).sort_values(["gap", "member_name"], ascending=[False, True]).drop(columns="gap")


def plans_table(plans: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The 'where each plan stands' table: display columns plus the hidden member link."""
    rows = [
        [
            p.member_name,
            p.action_plan,
            p.position,
            day_text(p.midterm),
            day_text(p.end_date),
            share_text(p.elapsed_share),
            share_text(p.progress_share),
            f"{p.high_completion} of {p.commitments}",
            f"{p.reported} of {p.commitments}",
            day_text(p.last_report_on),
            p.schedule,
            member_href(p.member_code, filters),
        ]
        for p in plans.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*PLAN_TABLE_COLUMNS, "_member"])


def plans_table_export(ctx: AppContext, filters: Filters, _pathname: str = "/cycle") -> pd.DataFrame:
    """The 'where each plan stands' table as shown."""
    return tables.visible_columns(plans_table(plans_frame(ctx, filters), filters))


def submissions_frame(ctx: AppContext, filters: Filters) -> pd.DataFrame:
    """Plans due, overdue, late or contrary to process on the page's day (statuses.PLAN_ROW_COLUMNS), worst first."""
    shown, day, _ = _day(ctx, filters)
    plans = statuses.plan_rows(ctx.engine, **query_scope(ctx, shown), day=day, needs_attention=True)
    if plans.empty:
        return plans
    verdicts = [
        plan_verdict(p.submission_status, p.submission_reason, p.process_status, p.process_reason)
        for p in plans.itertuples(index=False)
    ]
    # A replay shows what was known on its day: a delivery after the day had not happened yet.
    submitted = [d if isinstance(d, dt.date) and d <= day else None for d in plans["submitted_on"]]
    plans = plans.assign(status=[v[0] for v in verdicts], why=[v[1] for v in verdicts], submitted_on=submitted)
    rank = plans["status"].map({status: i for i, status in enumerate(SUBMISSION_STATUSES)})
    return plans.assign(_rank=rank).sort_values(["_rank", "due_date", "member_name"]).drop(columns="_rank")


def submissions_table(submissions: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The 'plans due or late' table: display columns plus the hidden member link."""
    rows = [
        [
            s.member_name,
            s.action_plan,
            day_text(s.due_date),
            day_text(s.submitted_on) if day_text(s.submitted_on) != MISSING else "not yet",
            s.status,
            s.why,
            member_href(s.member_code, filters),
        ]
        for s in submissions.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*SUBMISSION_TABLE_COLUMNS, "_member"])


def submissions_table_export(ctx: AppContext, filters: Filters, _pathname: str = "/cycle") -> pd.DataFrame:
    """The 'plans due or late' table as shown."""
    return tables.visible_columns(submissions_table(submissions_frame(ctx, filters), filters))


def render_cycle(ctx: AppContext, filters: Filters) -> Page:
    """The cycle page on the URL's as-of date (or today)."""
    today = ctx.today()
    shown, as_of, problem = _day(ctx, filters)
    is_replay = as_of != today
    every = plans_frame(ctx, shown.with_view(schedule=None))
    plans = every[every["schedule"] == "behind"] if shown.view_value("schedule") in SCHEDULE_VIEWS else every
    submissions = submissions_frame(ctx, shown)
    hrefs = [member_href(code, filters) for code in plans["member_code"]]
    # The timeline lists plans by member name; the table below lists the most behind first.
    by_name = plans.assign(href=hrefs, expected_share=plans["elapsed_share"]).sort_values(
        ["member_name", "action_plan"]
    )
    timeline = cycle_timeline(by_name.drop(columns="href"), as_of=as_of, hrefs=list(by_name["href"]))

    notice = dbc.Alert(problem, color="warning", className="cdi-asof-problem") if problem else None
    behind = int((every["schedule"] == "behind").sum()) if not every.empty else 0
    past_midterm = int((every["midterm"] <= as_of).sum()) if not every.empty else 0
    here = link("/cycle", shown)
    summary = tables.summary_row(
        [
            (
                len(every),
                f"plans in implementation on {format_day(as_of)}",
                "cycle-count-running",
                f"{here}#cycle-plans-list",
            ),
            (
                behind,
                "behind schedule (reported trails expected by > 25 points)",
                "cycle-count-behind",
                link("/cycle", shown, view={"schedule": "behind"}) + "#cycle-plans-list",
            ),
            (past_midterm, "at or past mid-term", "cycle-count-midterm", link("/irm", shown) + "#irm-midterm-list"),
            (
                len(submissions),
                "plans due, overdue, late or contrary to process",
                "cycle-count-submissions",
                f"{here}#cycle-submissions-list",
            ),
        ]
    )
    if plans.empty:
        plans_grid = empty_state(
            f"No action plan was delivered and in implementation on {format_day(as_of)} for these filters.",
            "Pick another date, or clear the member, region or cycle filters.",
        )
    else:
        plans_grid = tables.data_grid(
            plans_table(plans, filters),
            grid_id="cycle-plans-table",
            links={"Member": "_member"},
            status=("Schedule",),
            widths={"Member": 190, "Position": 140, "Mid-term": 120, "End": 120, "Last report": 120},
        )
    if submissions.empty:
        submissions_grid = empty_state(
            f"No action plan was due, overdue, late or contrary to process on {format_day(as_of)}.",
            "Plans delivered on time do not appear here.",
        )
    else:
        submissions_grid = tables.data_grid(
            submissions_table(submissions, filters),
            grid_id="cycle-submissions-table",
            links={"Member": "_member"},
            status=("Status",),
            wide=("Reason",),
            widths={"Member": 190},
        )
    content = cycle.layout(
        as_of=as_of,
        today=today,
        is_replay=is_replay,
        notice=notice,
        summary=summary,
        timeline=timeline,
        plans_table=plans_grid,
        plan_count=len(plans),
        submissions_table=submissions_grid,
        submission_count=len(submissions),
    )
    return Page(content, trail=[("Overview", link("/", filters)), ("Cycle", None)], title="Cycle")


def as_of_search(picked: str | None, search: str | None, today: dt.date) -> str | Any:
    """The URL query string with the picked date as `as_of` (none for today), or no_update if unchanged."""
    filters, _ = parse_filters(search)
    try:
        day = dt.date.fromisoformat(picked[:10]) if picked else None
    except ValueError:
        return no_update
    new = filters.replace(as_of=None if day is None or day >= today else day)
    query = new.to_query()
    return query if query != (search or "") else no_update


def register(app: Dash, app_ctx: AppContext) -> None:
    """Wire the as-of picker and its reset button to the URL."""

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(cycle.CYCLE_AS_OF, "date"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def _pick(picked, search):
        return as_of_search(picked, search, app_ctx.today())

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(cycle.CYCLE_AS_OF_RESET, "n_clicks"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def _reset(clicks, search):
        if not clicks:
            return no_update
        return as_of_search(None, search, app_ctx.today())
