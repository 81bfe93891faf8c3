"""Delays page: commitments behind schedule with the reason in words, late plans and deadlines ahead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pandas as pd
from dash import html

from callbacks.pages import Page
from callbacks.urls import commitment_href, link, member_href
from dashboard.domain.filters import Filters
from dashboard.domain.rules import format_day
from dashboard.domain.scales import LATE_SUBMISSIONS, PROGRESS_SOURCES
from dashboard.web.context import AppContext
from data_access import progress_queries
from layouts import delays
from layouts.components import empty_state
from layouts.tables import data_grid, visible_columns
from layouts.text import day_text

COMMITMENT_COLUMNS = ["Commitment", "Title", "Member", "Status", "Why", "Severity (months)", "Latest progress", "Ends"]
PLAN_COLUMNS = ["Member", "Action plan", "Due", "Delivered", "Status", "Why"]
DEADLINE_COLUMNS = ["Date", "Days left", "What", "Member", "Item", "Title"]


@dataclass(frozen=True)
class DelayView:
    """Everything the delays page shows, computed once per render."""

    commitments: pd.DataFrame  # delay rows with the statuses shown (DELAY_ROW_COLUMNS)
    counts: dict[str, int]  # commitments per delay status in scope, before the status filter
    plans: pd.DataFrame  # late plans (SUBMISSION_COLUMNS)
    deadlines: pd.DataFrame  # DEADLINE_COLUMNS
    statuses: tuple[str, ...]  # the delay statuses listed


def delay_view(ctx: AppContext, filters: Filters, *, today: dt.date | None = None) -> DelayView:
    """Delay rows, late plans and the 90-day deadlines for the filters (scope: plans running or ended < 12 months)."""
    today = today or ctx.today()
    kwargs = filters.query_kwargs()
    rows, milestones = progress_queries.delay_rows(ctx.engine, today=today, **kwargs)
    statuses = filters.delay_status or progress_queries.DELAY_SHOWN_BY_DEFAULT
    counts = rows["delay_status"].value_counts().to_dict() if not rows.empty else {}
    submissions = progress_queries.plan_submissions(ctx.engine, as_of=today, **kwargs)
    deadlines = progress_queries.upcoming_deadlines(rows, milestones, submissions, today=today)
    return DelayView(
        commitments=rows[rows["delay_status"].isin(statuses)].reset_index(drop=True),
        counts={str(k): int(v) for k, v in counts.items()},
        plans=submissions[submissions["submission_status"].isin(LATE_SUBMISSIONS)].reset_index(drop=True),
        deadlines=deadlines,
        statuses=tuple(statuses),
    )


def _progress(row) -> str:
    if row.progress_as_of is None or pd.isna(row.progress_as_of):
        return f"{row.progress_completion} (IRM)" if isinstance(row.progress_completion, str) else "no report"
    source = PROGRESS_SOURCES.get(row.progress_source, row.progress_source)
    return f"{row.progress_completion}, {source}, {format_day(row.progress_as_of)}"


def _columns(frame: pd.DataFrame, *names: str) -> list[list]:
    """Columns of a frame as plain Python lists (iterating rows of string columns one by one is slow)."""
    return [frame[name].tolist() for name in names]


def commitments_table(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The commitments table: display columns plus hidden commitment and member links."""
    if frame.empty:
        return pd.DataFrame(columns=[*COMMITMENT_COLUMNS, "_commitment", "_member"])
    ogp_ids, codes, sources, as_ofs, completions, ends = _columns(
        frame, "ogp_id", "member_code", "progress_source", "progress_as_of", "progress_completion", "end_date"
    )
    members = {code: member_href(code, filters) for code in set(codes)}
    reports = [
        SimpleNamespace(progress_source=source, progress_as_of=as_of, progress_completion=completion)
        for source, as_of, completion in zip(sources, as_ofs, completions, strict=True)
    ]
    return pd.DataFrame(
        {
            "Commitment": ogp_ids,
            "Title": frame["title"].tolist(),
            "Member": frame["member_name"].tolist(),
            "Status": frame["delay_status"].tolist(),
            "Why": frame["delay_reason"].tolist(),
            "Severity (months)": [round(float(s), 1) for s in frame["severity"].tolist()],
            "Latest progress": [_progress(r) for r in reports],
            "Ends": [day_text(end) for end in ends],
            "_commitment": [commitment_href(ogp_id, filters) for ogp_id in ogp_ids],
            "_member": [members[code] for code in codes],
        },
        columns=[*COMMITMENT_COLUMNS, "_commitment", "_member"],
    )


def plans_table(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The late-plans table: display columns plus the hidden member link."""
    rows = [
        [
            p.member_name,
            p.action_plan,
            day_text(p.due_date),
            day_text(p.submitted_on) if p.submitted_on is not None else "not yet",
            p.submission_status,
            p.submission_reason,
            member_href(p.member_code, filters),
        ]
        for p in frame.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*PLAN_COLUMNS, "_member"])


def deadlines_table(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The deadlines table: display columns plus hidden item and member links."""
    rows = [
        [
            day_text(d.due_date),
            int(d.days_left),
            d.kind,
            d.member_name,
            d.item,
            d.title,
            member_href(d.member_code, filters) if d.kind == "Action plan due" else commitment_href(d.item, filters),
            member_href(d.member_code, filters),
        ]
        for d in frame.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*DEADLINE_COLUMNS, "_item", "_member"])


def commitments_export(ctx: AppContext, filters: Filters, _pathname: str = "/delays") -> pd.DataFrame:
    """The commitments table as shown."""
    return visible_columns(commitments_table(delay_view(ctx, filters).commitments, filters))


def plans_export(ctx: AppContext, filters: Filters, _pathname: str = "/delays") -> pd.DataFrame:
    """The late-plans table as shown."""
    return visible_columns(plans_table(delay_view(ctx, filters).plans, filters))


def deadlines_export(ctx: AppContext, filters: Filters, _pathname: str = "/delays") -> pd.DataFrame:
    """The deadlines table as shown."""
    return visible_columns(deadlines_table(delay_view(ctx, filters).deadlines, filters))


def render_delays(ctx: AppContext, filters: Filters) -> Page:
    """The delays page for the filters in the URL."""
    today = ctx.today()
    view = delay_view(ctx, filters, today=today)
    shown = " and ".join(view.statuses)
    scope_note = (
        f"Commitments {shown}, of action plans in implementation on {format_day(today)} or ended in the last "
        "12 months. Severity = months behind schedule, overdue or past the end date, whichever is largest. "
        "Use the Delay status filter to list other statuses."
    )
    if view.commitments.empty:
        commitments_grid = empty_state(
            f"No commitment is {shown} under these filters.",
            "Only plans running today or ended in the last 12 months count. Widen the filters to see more.",
        )
    else:
        commitments_grid = data_grid(
            commitments_table(view.commitments, filters),
            grid_id="delays-commitments-table",
            links={"Commitment": "_commitment", "Member": "_member"},
            status=("Status",),
            wide=("Title", "Why"),
            numeric=("Severity (months)",),
            widths={"Member": 150, "Latest progress": 190, "Ends": 120},
        )
    if view.plans.empty:
        plans_grid = empty_state("No action plan is overdue, late or contrary to process under these filters.")
    else:
        plans_grid = data_grid(
            plans_table(view.plans, filters),
            grid_id="delays-plans-table",
            links={"Member": "_member"},
            status=("Status",),
            wide=("Why",),
            widths={"Member": 190},
        )
    if view.deadlines.empty:
        deadlines_grid = empty_state(
            f"Nothing falls due between {format_day(today)} and "
            f"{format_day(today + dt.timedelta(days=progress_queries.DEADLINE_DAYS))} under these filters."
        )
    else:
        deadlines_grid = data_grid(
            deadlines_table(view.deadlines, filters),
            grid_id="delays-deadlines-table",
            links={"Item": "_item", "Member": "_member"},
            wide=("Title",),
            numeric=("Days left",),
            widths={"Member": 190},
        )
    content = delays.layout(
        hint=delays.follow_hint(filters.member),
        summary=delays.summary(view.counts, len(view.plans), len(view.deadlines)),
        scope_note=scope_note,
        commitments_table=commitments_grid,
        plans_table=plans_grid,
        deadlines_table=deadlines_grid,
        deadline_days=progress_queries.DEADLINE_DAYS,
    )
    return Page(
        html.Div(content, className="cdi-delays"),
        trail=[("Overview", link("/", filters)), ("Delays", None)],
        title="Delays",
    )
