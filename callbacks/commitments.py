"""Commitments list (server-paged, sorted grid with delay status) and the page of one commitment."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import unquote

import pandas as pd
from dash import MATCH, Dash, Input, Output, State, html

from callbacks.commitment_sections import find_commitment, live_sections
from callbacks.pages import Page
from callbacks.scope import query_scope, status_day
from callbacks.urls import commitment_href, current_filters
from dashboard.domain.filters import Filters
from dashboard.domain.recordable import result_words
from dashboard.domain.roles import Actor
from dashboard.domain.scales import PROGRESS_SOURCES
from dashboard.domain.search import MAX_QUERY_LENGTH, found_in, highlight, parse_query
from dashboard.web.auth import current_actor
from dashboard.web.context import AppContext
from data_access import commitment_queries, recording
from data_access import search as search_index
from layouts import commitments as layout
from layouts import recording as record_layout
from layouts.components import follow_bar, markdown_highlight, markdown_link
from layouts.text import MISSING, day_text

SORTABLE = commitment_queries.SORT_KEYS
MAX_ROWS_PER_REQUEST = 500
MAX_START_ROW = 10_000_000
FIELDS = [field for field, _ in layout.TABLE_COLUMNS]


def search_terms(filters: Filters) -> tuple[tuple[str, ...], str | None]:
    """The words of the page's `q` search (none without one) and a message when part of it was ignored."""
    return parse_query(filters.view_value("q"))


def _scope(ctx: AppContext, filters: Filters) -> dict[str, Any]:
    """The query filters of the list: the dashboard's filters and the `q` search together."""
    terms, _ = search_terms(filters)
    return {**query_scope(ctx, filters), "search": terms or None}


def matching_count(ctx: AppContext, filters: Filters) -> int:
    """How many commitments match the filters, delay status included."""
    return commitment_queries.commitment_count(ctx.engine, **_scope(ctx, filters))


def table_rows(
    ctx: AppContext,
    filters: Filters,
    *,
    sort: str | None = None,
    descending: bool = False,
    start: int = 0,
    end: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Rows start..end of the commitments table (plain values, fields of TABLE_COLUMNS) and the total count.

    Paging, sorting and the delay-status filter happen in SQL over the stored statuses. `sort` outside the
    whitelist falls back to member and id order.
    """
    sort = sort if sort in SORTABLE else None
    start = min(max(int(start), 0), MAX_START_ROW)
    limit = None if end is None else max(int(end) - start, 0)
    scope = _scope(ctx, filters)
    count = commitment_queries.commitment_count(ctx.engine, **scope)
    frame = commitment_queries.commitment_rows(
        ctx.engine, sort=sort, descending=descending, offset=start, limit=limit, on=filters.as_of, **scope
    )
    return [_row(r) for r in frame.itertuples()], count


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _row(r: Any) -> dict[str, Any]:
    return {
        "commitment_id": int(r.commitment_id),
        "ogp_id": r.ogp_id,
        "title": r.title,
        "member_name": r.member_name,
        "action_plan": r.action_plan,
        "end_date": _text(r.end_date),
        "progress_completion": _text(r.progress_completion),
        "progress_source": PROGRESS_SOURCES.get(r.progress_source, _text(r.progress_source)),
        "progress_as_of": _text(r.progress_as_of),
        "delay_status": _text(r.delay_status),
        "delay_reason": _text(r.delay_reason),
        "completion": _text(r.completion),
        "starred": "Yes" if r.starred else "No",
        "potential_impact": _text(r.potential_impact),
        "potential_for_results": _text(r.potential_for_results),
    }


def grid_rows(ctx: AppContext, rows: list[dict[str, Any]], filters: Filters) -> list[dict[str, Any]]:
    """Table rows plus the markdown link the id column renders; when searching, the title with the matched words
    in bold and where else they were found (a highlighted snippet)."""
    linked = [
        {**row, "ogp_link": markdown_link(row["ogp_id"], commitment_href(row["ogp_id"], filters))} for row in rows
    ]
    terms, _ = search_terms(filters)
    if not terms:
        return linked
    texts = search_index.texts_of(ctx.engine, [row["commitment_id"] for row in rows])
    for row in linked:
        text = texts.get(row["commitment_id"], {})
        row["title_match"] = markdown_highlight(highlight(row["title"], terms))
        label, pieces = found_in([(FOUND_IN[name], text.get(name)) for name in FOUND_IN], terms)
        row["found_in"] = f"*{label}:* {markdown_highlight(pieces)}" if pieces else ""
    return linked


# Where a search's words may be besides the title and id, in the order a snippet is taken from.
FOUND_IN = {
    "full_text": "Text",
    "lead_institution": "Lead institution",
    "supporting_institutions": "Supporting institutions",
    "theme": "Theme",
}


def grid_response(ctx: AppContext, request: Any, search: str | None) -> dict[str, Any]:
    """getRowsResponse for a grid's getRowsRequest: the requested slice and the total row count."""
    request = request if isinstance(request, dict) else {}
    start = _as_int(request.get("startRow"), 0)
    end = _as_int(request.get("endRow"), start + layout.PAGE_SIZE)
    start = min(max(start, 0), MAX_START_ROW)
    end = min(max(end, start), start + MAX_ROWS_PER_REQUEST)
    sort, descending = None, False
    model = request.get("sortModel")
    if isinstance(model, list) and model and isinstance(model[0], dict):
        column = model[0].get("colId")
        if isinstance(column, str) and column in SORTABLE:
            sort, descending = column, model[0].get("sort") == "desc"
    filters, _ = current_filters(ctx, search)
    rows, count = table_rows(ctx, filters, sort=sort, descending=descending, start=start, end=end)
    return {"rowData": grid_rows(ctx, rows, filters), "rowCount": count}


def _as_int(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float) and value == value:  # NaN is not equal to itself
        return int(min(max(value, -MAX_START_ROW), MAX_START_ROW))
    return default


def render_commitments(ctx: AppContext, filters: Filters) -> Page:
    """The commitments list for the filters in the URL (rows arrive page by page through the grid)."""
    count = matching_count(ctx, filters)
    view = hashlib.sha1(filters.to_query().encode()).hexdigest()[:12]
    terms, problem = search_terms(filters)
    search = layout.Search(
        text=" ".join((filters.view_value("q") or "").split())[:MAX_QUERY_LENGTH] if terms else "",
        problem=problem,
        clear_href="/commitments" + filters.with_view(q=None, sort=None, page=None).to_query(),
    )
    filtered = not filters.with_view(q=None, sort=None, page=None).is_empty
    return Page(
        layout.list_layout(count, view, filtered=filtered, search=search if terms or problem else None),
        trail=[("Overview", "/" + filters.to_query()), ("Commitments", None)],
        title="Commitments",
    )


def commitments_export(ctx: AppContext, filters: Filters, _pathname: str) -> pd.DataFrame:
    """Every row of the commitments table for the filters, with the table's columns."""
    rows, _ = table_rows(ctx, filters)
    frame = pd.DataFrame(rows, columns=["commitment_id", *FIELDS])[FIELDS]
    return frame.rename(columns=dict(layout.TABLE_COLUMNS))


def render_commitment(ctx: AppContext, filters: Filters, ogp_id: str, actor: Actor | None = None) -> Page:
    """Everything about one commitment, or a clear message when the id is unknown or malformed.

    The Record section offers only what `actor` (by default the signed-in user) may do for this member.
    """
    detail = find_commitment(ctx, ogp_id)
    query = filters.to_query()
    if detail is None:
        return Page(
            layout.not_found(unquote(ogp_id).strip()),
            trail=[("Overview", "/" + query), ("Commitments", "/commitments" + query), ("Not found", None)],
            title="Commitment not found",
        )
    actor = current_actor() if actor is None else actor
    member_href = f"/countries/{detail['member_code']}{query}"
    url = detail.get("url") or ""
    links = {
        "member": member_href,
        "policy_areas": [(name, f"/themes/{slug}{query}") for slug, name, _parent in detail["policy_areas"]],
        "ogp_page": url if url.lower().startswith(("http://", "https://")) else None,
    }
    children = html.Div(
        [
            follow_bar([("commitment", detail["ogp_id"])]),
            record_layout.version_store(detail["version"]),
            layout.detail_layout(detail, links, live_sections(ctx, filters, detail, actor)),
        ]
    )
    return Page(
        children,
        trail=[
            ("Overview", "/" + query),
            (detail["member_name"], member_href),
            (detail["action_plan"], member_href),
            (detail["ogp_id"], None),
        ],
        title=f"{detail['ogp_id']}: {detail['title'][:60]}",
    )


PROGRESS_COLUMNS = ["Date", "Source", "Completion", "Result", "Note", "Evidence", "Recorded by"]
MILESTONE_COLUMNS = ["#", "Milestone", "Due", "Done", "State"]


def _detail_at(ctx: AppContext, pathname: str) -> dict[str, Any] | None:
    return find_commitment(ctx, pathname.rstrip("/").rsplit("/", 1)[-1])


def commitment_progress_export(ctx: AppContext, filters: Filters, pathname: str) -> pd.DataFrame:
    """The progress table of the commitment page at `pathname`, newest first as shown."""
    detail = _detail_at(ctx, pathname)
    if detail is None:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    progress = detail["progress"].iloc[::-1]
    return pd.DataFrame(
        {
            "Date": [day_text(d) for d in progress["as_of"]],
            "Source": [PROGRESS_SOURCES.get(s, s) for s in progress["source"]],
            "Completion": list(progress["completion"]),
            "Result": [
                result_words(r, s) or MISSING for r, s in zip(progress["result"], progress["result_scale"], strict=True)
            ],
            "Note": [n or MISSING for n in progress["note"]],
            "Evidence": [u or MISSING for u in progress["evidence_url"]],
            "Recorded by": [r or MISSING for r in progress["recorded_by"]],
        },
        columns=PROGRESS_COLUMNS,
    )


def commitment_history_export(ctx: AppContext, filters: Filters, pathname: str) -> pd.DataFrame:
    """The change history of the commitment page at `pathname`, every change, newest first."""
    detail = _detail_at(ctx, pathname)
    if detail is None:
        return pd.DataFrame(columns=record_layout.AUDIT_HEADERS)
    return record_layout.audit_rows(recording.audit_log(ctx.engine, entity="commitment", entity_id=detail["ogp_id"]))


def commitment_milestones_export(ctx: AppContext, filters: Filters, pathname: str) -> pd.DataFrame:
    """The milestones table of the commitment page at `pathname`, with each one's state on the status day."""
    detail = _detail_at(ctx, pathname)
    if detail is None:
        return pd.DataFrame(columns=MILESTONE_COLUMNS)
    milestones, today = detail["milestones"], status_day(ctx, filters)
    return pd.DataFrame(
        {
            "#": list(range(1, len(milestones) + 1)),
            "Milestone": list(milestones["title"]),
            "Due": [day_text(d) for d in milestones["due_date"]],
            "Done": [day_text(d) for d in milestones["done_date"]],
            "State": [layout.milestone_state(r.due_date, r.done_date, today) for r in milestones.itertuples()],
        },
        columns=MILESTONE_COLUMNS,
    )


def register(app: Dash, app_ctx: AppContext) -> None:
    """Wire the grid's server-side paging and sorting."""

    @app.callback(
        Output({"type": layout.GRID_TYPE, "view": MATCH}, "getRowsResponse"),
        Input({"type": layout.GRID_TYPE, "view": MATCH}, "getRowsRequest"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _rows(request, search):
        return grid_response(app_ctx, request, search)
