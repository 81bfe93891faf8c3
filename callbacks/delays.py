"""Delays page: commitments behind schedule with the reason in words, late plans and deadlines ahead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pandas as pd
from dash import html

from callbacks.pages import Page
from callbacks.scope import query_scope, status_day
from callbacks.urls import commitment_href, link, member_href
from dashboard.domain.filters import Filters
from dashboard.domain.rules import format_day
from dashboard.domain.scales import PROBLEM_STATUSES, PROGRESS_SOURCES
from dashboard.domain.status import plan_verdict
from dashboard.web.context import AppContext
from data_access import progress_queries, recording, statuses
from layouts import delays
from layouts.components import empty_state
from layouts.tables import data_grid, summary_row, visible_columns
from layouts.text import MISSING, day_text, note_text

COMMITMENT_COLUMNS = [
    "Commitment",
    "Title",
    "Member",
    "Status",
    "Why",
    "Latest note",
    "Severity (months)",
    "Evidence",
    "Ends",
]
PLAN_COLUMNS = ["Member", "Action plan", "Due", "Delivered", "Status", "Why"]
DEADLINE_COLUMNS = ["Date", "Days left", "What", "Member", "Item", "Title"]


@dataclass(frozen=True)
class DelayView:
    """Everything the delays page shows, read from the stored statuses once per render."""

    day: dt.date  # the day statuses are judged on
    commitments: pd.DataFrame  # the first rows of the commitments list (statuses.COMMITMENT_ROW_COLUMNS)
    commitment_total: int  # rows of the whole commitments list
    counts: dict[str, int]  # commitments per delay status under the other filters
    plans: pd.DataFrame  # late plans (statuses.PLAN_ROW_COLUMNS)
    deadlines: pd.DataFrame  # the first deadlines (progress_queries.DEADLINE_COLUMNS)
    deadline_total: int
    statuses: tuple[str, ...]  # the delay statuses listed
    notes: dict[int, tuple[str, str, dt.datetime]]  # the newest delay note of each commitment listed


def delay_view(ctx: AppContext, filters: Filters) -> DelayView:
    """Delayed, at-risk and no-evidence commitments (or the statuses in the URL), late plans and the deadlines
    of the next 90 days, for the filters."""
    scope = query_scope(ctx, filters)
    day = status_day(ctx, filters)
    listed = tuple(filters.delay_status or PROBLEM_STATUSES)
    others = {**scope, "delay_status": None}
    by_status = statuses.status_counts(ctx.engine, **others, day=day)
    counts = dict(zip(by_status["delay_status"], by_status["commitments"].astype(int), strict=True))
    rows = statuses.commitment_rows(ctx.engine, **others, day=day, statuses=listed, limit=progress_queries.MAX_ROWS)
    deadlines, deadline_total = progress_queries.upcoming_deadlines(ctx.engine, **scope, day=day)
    return DelayView(
        day=day,
        commitments=rows,
        commitment_total=sum(counts.get(status, 0) for status in listed),
        counts=counts,
        plans=statuses.plan_rows(ctx.engine, **scope, day=day, late_or_contrary=True),
        deadlines=deadlines,
        deadline_total=deadline_total,
        statuses=listed,
        notes=recording.latest_delay_notes(ctx.engine, rows["commitment_id"].tolist()),
    )


STATUS_WORDS = {"no evidence": "without evidence where a report was due"}


def status_words(statuses: tuple[str, ...]) -> str:
    """'delayed, at risk or without evidence where a report was due': the statuses listed, as a phrase."""
    words = [STATUS_WORDS.get(status, status) for status in statuses]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _evidence(row) -> str:
    """The evidence a status rests on: the report's level, source and date, or the IRM rating, or none."""
    if not isinstance(row.progress_completion, str):
        return "no evidence"
    if row.progress_source is None or row.progress_source != row.progress_source:
        return f"{row.progress_completion} (IRM rating)"
    source = PROGRESS_SOURCES.get(row.progress_source, row.progress_source)
    return f"{row.progress_completion}, {source}, {day_text(row.progress_as_of)}"


def _columns(frame: pd.DataFrame, *names: str) -> list[list]:
    """Columns of a frame as plain Python lists (iterating rows of string columns one by one is slow)."""
    return [frame[name].tolist() for name in names]


def commitments_table(
    frame: pd.DataFrame, filters: Filters, notes: dict[int, tuple[str, str, dt.datetime]] | None = None
) -> pd.DataFrame:
    """The commitments table: display columns plus hidden commitment and member links; `notes`: the newest
    delay note of each commitment (recording.latest_delay_notes)."""
    if frame.empty:
        return pd.DataFrame(columns=[*COMMITMENT_COLUMNS, "_commitment", "_member"])
    ogp_ids, codes, sources, as_ofs, completions, ends = _columns(
        frame, "ogp_id", "member_code", "evidence_source", "evidence_as_of", "evidence_completion", "end_date"
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
            "Latest note": [note_text((notes or {}).get(int(cid))) for cid in frame["commitment_id"].tolist()],
            "Severity (months)": [round(float(s), 1) for s in frame["severity"].tolist()],
            "Evidence": [_evidence(r) for r in reports],
            "Ends": [day_text(end) for end in ends],
            "_commitment": [commitment_href(ogp_id, filters) for ogp_id in ogp_ids],
            "_member": [members[code] for code in codes],
        },
        columns=[*COMMITMENT_COLUMNS, "_commitment", "_member"],
    )


def plans_table(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The late-plans table: display columns plus the hidden member link."""
    rows = []
    for p in frame.itertuples(index=False):
        status, why = plan_verdict(p.submission_status, p.submission_reason, p.process_status, p.process_reason)
        delivered = day_text(p.submitted_on) if day_text(p.submitted_on) != MISSING else None
        delivered = delivered or ("date not recorded" if p.delivered else "not yet")
        rows.append(
            [
                p.member_name,
                p.action_plan,
                day_text(p.due_date),
                delivered,
                status,
                why,
                member_href(p.member_code, filters),
            ]
        )
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
    view = delay_view(ctx, filters)
    return visible_columns(commitments_table(view.commitments, filters, view.notes))


def plans_export(ctx: AppContext, filters: Filters, _pathname: str = "/delays") -> pd.DataFrame:
    """The late-plans table as shown."""
    return visible_columns(plans_table(delay_view(ctx, filters).plans, filters))


def deadlines_export(ctx: AppContext, filters: Filters, _pathname: str = "/delays") -> pd.DataFrame:
    """The deadlines table as shown."""
    return visible_columns(deadlines_table(delay_view(ctx, filters).deadlines, filters))


def render_delays(ctx: AppContext, filters: Filters) -> Page:
    """The delays page for the filters in the URL."""
    view = delay_view(ctx, filters)
    day = view.day
    shown = status_words(view.statuses)
    scope_note = (
        f"Commitments {shown} on {format_day(day)}. Commitments of plans that ended more than 12 months ago are "
        "closed and not listed. Severity = months since the date the reason names (the end date, a milestone's "
        "due date, the date a report was due, or the date the reported level was expected). Use the Delay "
        "status filter to list other statuses."
    )
    if view.commitments.empty:
        commitments_grid = empty_state(
            f"No commitment is {shown} under these filters.",
            "Widen the filters, or pick other statuses in the Delay status filter.",
        )
    else:
        commitments_grid = data_grid(
            commitments_table(view.commitments, filters, view.notes),
            grid_id="delays-commitments-table",
            links={"Commitment": "_commitment", "Member": "_member"},
            status=("Status",),
            wide=("Title", "Why", "Latest note"),
            numeric=("Severity (months)",),
            widths={"Member": 150, "Evidence": 190, "Ends": 120},
            total=view.commitment_total,
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
            f"Nothing falls due between {format_day(day)} and "
            f"{format_day(day + dt.timedelta(days=progress_queries.DEADLINE_DAYS))} under these filters."
        )
    else:
        deadlines_grid = data_grid(
            deadlines_table(view.deadlines, filters),
            grid_id="delays-deadlines-table",
            links={"Item": "_item", "Member": "_member"},
            wide=("Title",),
            numeric=("Days left",),
            widths={"Member": 190},
            total=view.deadline_total,
        )
    tiles = [
        (
            view.counts.get(status, 0),
            f"commitments {STATUS_WORDS.get(status, status)}",
            f"delays-count-{status.replace(' ', '-')}",
            link("/delays", filters, delay_status=(status,)) + "#delays-commitments",
        )
        for status in PROBLEM_STATUSES
    ]
    tiles.append(
        (len(view.plans), "action plans overdue, late or contrary to process", "delays-count-plans", "#late-plans")
    )
    tiles.append((view.deadline_total, "deadlines in the next 90 days", "delays-count-deadlines", "#delays-deadlines"))
    content = delays.layout(
        hint=delays.follow_hint(filters.member),
        summary=summary_row([(c, label, tile, _here(filters, href)) for c, label, tile, href in tiles]),
        scope_note=scope_note,
        commitments_table=commitments_grid,
        commitment_count=view.commitment_total,
        plans_table=plans_grid,
        plan_count=len(view.plans),
        deadlines_table=deadlines_grid,
        deadline_count=view.deadline_total,
        deadline_days=progress_queries.DEADLINE_DAYS,
    )
    return Page(
        html.Div(content, className="cdi-delays"),
        trail=[("Overview", link("/", filters)), ("Delays", None)],
        title="Delays",
    )


def _here(filters: Filters, href: str) -> str:
    """A fragment on this page becomes a full link that keeps the filters (the tile still names its list)."""
    return link("/delays", filters) + href if href.startswith("#") else href
