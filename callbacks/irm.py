"""IRM page: plans at or past mid-term, commitments without recent reports, disagreeing sources, completion change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from dash import Dash, Input, Output, State, no_update

from callbacks.pages import Page
from callbacks.scope import query_scope, status_day
from callbacks.urls import commitment_href, link, member_href
from dashboard.domain.filters import Filters, parse_filters
from dashboard.domain.rules import format_day, latest_completion
from dashboard.domain.scales import COMPLETION, MISSING_CODES, PROGRESS_SOURCES
from dashboard.web.context import AppContext
from data_access import progress_queries, statuses
from layouts import ids, irm
from layouts.components import empty_state
from layouts.cycle_figures import completion_change_heatmap
from layouts.tables import data_grid, summary_row, visible_columns
from layouts.text import day_text, share_text

DEFAULT_DAYS = 180
MIN_DAYS, MAX_DAYS = 1, 3650
BLANK = "blank"
MIDTERM_COLUMNS = ["Member", "Action plan", "Position", "Mid-term", "Ends", "Expected", "Reported", "Last report"]
NO_REPORT_COLUMNS = ["Commitment", "Title", "Member", "Action plan", "Last report", "Days since"]
DISAGREEMENT_COLUMNS = [
    "Commitment",
    "Title",
    "Member",
    "Government says",
    "Civil society says",
    "Levels apart",
    "IRM rating",
]
CHANGE_CORNER = "Mid-term \\ End of term"


def parse_days(value: Any) -> tuple[int | None, str | None]:
    """A whole number of days from 1 to 3650, or None and a message saying what is wrong."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, f"Enter a number of days from {MIN_DAYS} to {MAX_DAYS}."
    if isinstance(value, bool):
        return None, f"'{value}' is not a number of days; enter a whole number from {MIN_DAYS} to {MAX_DAYS}."
    try:
        number = float(str(value).strip())
    except ValueError:
        shown = str(value)[:20]
        return None, f"'{shown}' is not a number of days; enter a whole number from {MIN_DAYS} to {MAX_DAYS}."
    if number != number or number != int(number):
        return None, f"'{value}' is not a whole number of days; enter one from {MIN_DAYS} to {MAX_DAYS}."
    if not MIN_DAYS <= number <= MAX_DAYS:
        return None, f"{int(number)} days is out of range; enter a number from {MIN_DAYS} to {MAX_DAYS} (ten years)."
    return int(number), None


def midterm_frame(ctx_: AppContext, filters: Filters) -> pd.DataFrame:
    """Plans in implementation on the day at or past their mid-term (statuses.PLAN_ROW_COLUMNS), earliest first."""
    day = status_day(ctx_, filters)
    plans = statuses.plan_rows(ctx_.engine, **query_scope(ctx_, filters), day=day, phase="implementing")
    if plans.empty:
        return plans
    past = plans[plans["midterm"].map(lambda d: d is not None and d <= day).astype(bool)]
    return past.sort_values(["midterm", "member_name"]).reset_index(drop=True)


def midterm_table(plans: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The plans-at-mid-term table: display columns plus the hidden member link."""
    rows = [
        [
            p.member_name,
            p.action_plan,
            p.position,
            day_text(p.midterm),
            day_text(p.end_date),
            share_text(p.elapsed_share),
            share_text(p.progress_share),
            day_text(p.last_report_on),
            member_href(p.member_code, filters),
        ]
        for p in plans.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*MIDTERM_COLUMNS, "_member"])


def midterm_export(ctx_: AppContext, filters: Filters, _pathname: str = "/irm") -> pd.DataFrame:
    """The plans-at-mid-term table as shown."""
    return visible_columns(midterm_table(midterm_frame(ctx_, filters), filters))


def _last_report(row) -> str:
    if row.last_report_on is None or pd.isna(row.last_report_on):
        return "never"
    source = PROGRESS_SOURCES.get(row.last_report_source, row.last_report_source)
    return f"{format_day(row.last_report_on)}: {row.last_completion} ({source})"


def no_report_table(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The no-recent-report table: display columns plus hidden commitment and member links."""
    rows = [
        [
            r.ogp_id,
            r.title,
            r.member_name,
            r.action_plan,
            _last_report(r),
            None if r.days_since_report is None or pd.isna(r.days_since_report) else int(r.days_since_report),
            commitment_href(r.ogp_id, filters),
            member_href(r.member_code, filters),
        ]
        for r in frame.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*NO_REPORT_COLUMNS, "_commitment", "_member"])


def no_report_export(ctx_: AppContext, filters: Filters, _pathname: str = "/irm") -> pd.DataFrame:
    """The no-recent-report table as shown, for the N days in the URL."""
    days = parse_days(filters.view_value("days") or DEFAULT_DAYS)[0] or DEFAULT_DAYS
    frame, _ = no_report_frame(ctx_, filters, days)
    return visible_columns(no_report_table(frame, filters))


def no_report_frame(ctx_: AppContext, filters: Filters, days: int) -> tuple[pd.DataFrame, int]:
    """(the first rows of progress_queries.no_recent_reports for the filters, how many there are in all)."""
    day = status_day(ctx_, filters)
    return progress_queries.no_recent_reports(ctx_.engine, **query_scope(ctx_, filters), day=day, days=days)


def no_report_section(ctx_: AppContext, filters: Filters, days_value: Any) -> tuple[Any, str | None, int | None, int]:
    """(table or message, problem with the days value or None, the valid number of days or None, rows in all)."""
    days, problem = parse_days(days_value)
    if days is None:
        return empty_state(problem, "The list is shown again once the number is valid."), problem, None, 0
    frame, total = no_report_frame(ctx_, filters, days)
    if frame.empty:
        return (
            empty_state(
                f"Every commitment of the plans in implementation had a progress report in the last {days} days.",
                "Try a shorter period, or widen the filters.",
            ),
            None,
            days,
            0,
        )
    grid = data_grid(
        no_report_table(frame, filters),
        grid_id="irm-no-report-table",
        links={"Commitment": "_commitment", "Member": "_member"},
        wide=("Title",),
        numeric=("Days since",),
        widths={"Member": 170, "Last report": 260},
        total=total,
    )
    return grid, None, days, total


def disagreement_frame(ctx_: AppContext, filters: Filters) -> pd.DataFrame:
    """source_disagreements on the day (DISAGREEMENT_COLUMNS of progress_queries)."""
    day = status_day(ctx_, filters)
    return progress_queries.source_disagreements(ctx_.engine, **query_scope(ctx_, filters), day=day)


def disagreement_table(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The disagreement table, both sources side by side: display columns plus hidden links."""
    rows = [
        [
            r.ogp_id,
            r.title,
            r.member_name,
            f"{r.government_completion} ({format_day(r.government_as_of)})",
            f"{r.civil_society_completion} ({format_day(r.civil_society_as_of)})",
            int(r.levels_apart),
            r.irm_completion if isinstance(r.irm_completion, str) else "not rated yet",
            commitment_href(r.ogp_id, filters),
            member_href(r.member_code, filters),
        ]
        for r in frame.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*DISAGREEMENT_COLUMNS, "_commitment", "_member"])


def disagreement_export(ctx_: AppContext, filters: Filters, _pathname: str = "/irm") -> pd.DataFrame:
    """The disagreement table as shown."""
    return visible_columns(disagreement_table(disagreement_frame(ctx_, filters), filters))


def _category(value: str | None) -> str:
    return BLANK if value is None or pd.isna(value) or not str(value).strip() else str(value)


def completion_matrix(counts: pd.DataFrame, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, drilldown links) with mid-term levels as rows and end-of-term levels as columns, scale order.

    A cell links to /commitments filtered on the commitments' latest completion (end of term if rated,
    else mid-term); cells with neither rated have no link.
    """
    order = [*COMPLETION.values, *MISSING_CODES, BLANK]
    data = counts.assign(
        completion_midterm=counts["completion_midterm"].map(_category),
        completion_end_of_term=counts["completion_end_of_term"].map(_category),
    )
    present_rows = set(data["completion_midterm"])
    present_cols = set(data["completion_end_of_term"])

    def ordered(present: set[str]) -> list[str]:
        return [v for v in order if v in present] + sorted(present - set(order))

    rows, columns = ordered(present_rows), ordered(present_cols)
    matrix = data.pivot_table(
        index="completion_midterm",
        columns="completion_end_of_term",
        values="commitments",
        aggfunc="sum",
        fill_value=0,
    ).reindex(index=rows, columns=columns, fill_value=0)
    links = pd.DataFrame(index=rows, columns=columns, dtype=object)
    for mid in rows:
        for end in columns:
            level = latest_completion(None if mid == BLANK else mid, None if end == BLANK else end)
            has = matrix.at[mid, end] > 0
            links.at[mid, end] = link("/commitments", filters, completion=(level,)) if level and has else None
    return matrix.astype(int), links


def change_export(ctx_: AppContext, filters: Filters, _pathname: str = "/irm") -> pd.DataFrame:
    """The completion-change matrix as a table (mid-term rows, end-of-term columns)."""
    counts = progress_queries.completion_change_counts(ctx_.engine, **query_scope(ctx_, filters))
    if counts.empty:
        return pd.DataFrame(columns=[CHANGE_CORNER])
    matrix, _ = completion_matrix(counts, filters)
    return matrix.rename_axis(index=CHANGE_CORNER, columns=None).reset_index()


def render_irm(ctx_: AppContext, filters: Filters) -> Page:
    """The IRM page for the filters in the URL (no-report list for the `days` in the URL, default 180)."""
    day = status_day(ctx_, filters)
    midterm = midterm_frame(ctx_, filters)
    if midterm.empty:
        midterm_grid: Any = empty_state(
            f"No action plan in implementation on {format_day(day)} has reached its mid-term under these filters.",
            "Plans reach mid-term halfway through their implementation period; see the Cycle page for all plans.",
        )
    else:
        midterm_grid = data_grid(
            midterm_table(midterm, filters),
            grid_id="irm-midterm-table",
            links={"Member": "_member"},
            widths={"Member": 190},
        )

    section, problem, days, no_report_total = no_report_section(
        ctx_, filters, filters.view_value("days") or DEFAULT_DAYS
    )
    message = problem or f"No report since {format_day(day - dt.timedelta(days=days or DEFAULT_DAYS))} ({days} days)."
    no_report = irm.no_report_card(
        irm.days_control(days or DEFAULT_DAYS, MIN_DAYS, MAX_DAYS, message), section, count=no_report_total
    )

    disagreements = disagreement_frame(ctx_, filters)
    if disagreements.empty:
        disagreement_grid: Any = empty_state(
            "No commitment has government and civil-society reports of about the same time two or more levels apart.",
            "Only commitments with both a government and a civil-society report of a completion level, dated within "
            "120 days of each other, can disagree.",
        )
    else:
        disagreement_grid = data_grid(
            disagreement_table(disagreements, filters),
            grid_id="irm-disagreement-table",
            links={"Commitment": "_commitment", "Member": "_member"},
            wide=("Title",),
            numeric=("Levels apart",),
            widths={"Member": 170, "Government says": 200, "Civil society says": 200},
        )

    counts = progress_queries.completion_change_counts(ctx_.engine, **query_scope(ctx_, filters))
    if counts.empty:
        change_figure = completion_change_heatmap(pd.DataFrame(), pd.DataFrame())
        change_table: Any = empty_state("No commitment matches these filters.")
    else:
        matrix, links = completion_matrix(counts, filters)
        change_figure = completion_change_heatmap(matrix, links)
        shown = matrix.rename_axis(index=CHANGE_CORNER, columns=None).reset_index()
        change_table = data_grid(shown, grid_id="irm-change-table", numeric=tuple(shown.columns[1:]))
    here = link("/irm", filters, view={"days": str(days)} if days else None)
    matrix_total = int(counts["commitments"].sum()) if not counts.empty else 0
    summary = summary_row(
        [
            (len(midterm), "plans at or past mid-term", "irm-count-midterm", f"{here}#irm-midterm-list"),
            (
                no_report_total,
                f"commitments with no report in {days or DEFAULT_DAYS} days",
                "irm-count-no-report",
                f"{here}#irm-no-report-list",
            ),
            (
                len(disagreements),
                "commitments where sources disagree",
                "irm-count-disagree",
                f"{here}#irm-disagreements-list",
            ),
            (matrix_total, "commitments in the completion matrix", "irm-count-matrix", link("/commitments", filters)),
        ]
    )
    content = irm.layout(
        summary=summary,
        midterm_table=midterm_grid,
        midterm_count=len(midterm),
        no_report=no_report,
        disagreement_table=disagreement_grid,
        disagreement_count=len(disagreements),
        change_figure=change_figure,
        change_table=change_table,
    )
    return Page(content, trail=[("Overview", link("/", filters)), ("IRM", None)], title="IRM")


def days_search(value: Any, search: str | None) -> tuple[Any, str | None]:
    """(new URL query with `days`, or no_update; message for a bad value or None)."""
    days, problem = parse_days(value)
    if days is None:
        return no_update, problem
    filters, _ = parse_filters(search)
    query = filters.with_view(days=str(days)).to_query()
    return (query if query != (search or "") else no_update), None


def register(app: Dash, app_ctx: AppContext) -> None:
    """Wire the days input: a valid N goes into the URL (so the view is bookmarkable), a bad one gets a message."""

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Output(irm.IRM_DAYS_MESSAGE, "children"),
        Input(irm.IRM_DAYS_INPUT, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def _days(value, search):
        query, problem = days_search(value, search)
        return query, problem if problem else no_update
