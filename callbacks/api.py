"""Read-only JSON API under /api/v1/: the dashboard's members and commitments (with their stored statuses and
latest progress) for other tools, with the dashboard's own filters and the same reading rules.

- Filters: the query parameters of the dashboard's URLs (member, region, member_type, cycle, policy_area,
  completion, starred, delay_status, as_of), and `q` (the commitments list's search); an invalid value is a
  400 naming each problem, never silently ignored.
- Pages: `page` (from 1) and `per_page` (1-100, default 50); every list says its total and links the next page.
- Caching: every answer carries an ETag (the data stamp, the reader's role and the request); a request with
  `If-None-Match` of the current one gets 304 without a body.
- CSV: `Accept: text/csv` returns the page's rows as CSV (every cell quoted, formulas defused).
- Reading: the same rule as the pages (public reading, or in private mode a signed-in session or an API token
  sent as `Authorization: Bearer <token>`: 401 otherwise; a wrong token is a 401 in either mode).
- Throttling: API_REQUESTS for all routes together, per token, session or address; 429 with Retry-After.

The OpenAPI 3.1 document is served at /api/v1/openapi.json (OPENAPI below) and validated in the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import fields
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from flask import Flask, Response, jsonify, request

from callbacks.commitment_sections import find_commitment
from callbacks.scope import query_scope, status_day
from callbacks.urls import current_filters
from dashboard.domain.filters import VIEW_PARAMS, Filters
from dashboard.domain.roles import can_read
from dashboard.domain.scales import PROGRESS_SOURCES
from dashboard.domain.search import parse_query
from dashboard.web.auth import SIGN_IN_FOR_API, current_actor
from dashboard.web.context import AppContext
from dashboard.web.exporting import to_csv_bytes
from dashboard.web.limits import API_REQUESTS, api_reader
from data_access import changes as change_data
from data_access import commitment_queries, member_queries, progress_queries, queries, statuses

PREFIX = "/api/v1"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
PAGING = ("page", "per_page")
FILTER_NAMES = frozenset(f.name for f in fields(Filters)) - {"view"}
MEMBER_FILTERS = ("member", "region", "member_type")  # the filters that apply to members
PLAN_FILTERS = ("member", "region", "member_type", "cycle", "as_of")  # ... and to action plans
REPORT_PARAMS = ("since", "until", "source")  # the progress reports' own parameters
PLAN_FIELDS = [
    "action_plan",
    "member_code",
    "member_name",
    "region",
    "number",
    "submission_year",
    "submitted_on",
    "start_date",
    "end_date",
    "commitments",
    "due_date",
    "submission_status",
    "submission_reason",
    "process_status",
    "process_reason",
    "phase",
    "schedule",
    "last_report_on",
]
COMMITMENT_FIELDS = [
    "ogp_id",
    "title",
    "member_code",
    "member_name",
    "action_plan",
    "start_date",
    "end_date",
    "completion",
    "starred",
    "potential_impact",
    "potential_for_results",
    "delay_status",
    "delay_reason",
    "progress_completion",
    "progress_source",
    "progress_as_of",
]
MEMBER_FIELDS = member_queries.MEMBER_COLUMNS
DETAIL_FIELDS = [
    "ogp_id",
    "title",
    "short_title",
    "full_text",
    "theme",
    "lead_institution",
    "supporting_institutions",
    "start_date",
    "end_date",
    "url",
    "completion",
    "starred",
    "potential_impact",
    "potential_for_results",
    "member_code",
    "member_name",
    "action_plan",
]


class BadRequest(Exception):
    """A request the API answers with 400 and these problems."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _plain(value: Any) -> Any:
    """A value as JSON holds it: dates as YYYY-MM-DD, missing values as null, numpy numbers as numbers."""
    if value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(frame: pd.DataFrame, fields: list[str]) -> list[dict[str, Any]]:
    return [
        {field: _plain(value) for field, value in zip(fields, row, strict=True)}
        for row in frame[fields].itertuples(index=False)
    ]


def _parse(
    ctx: AppContext,
    args: dict[str, list[str]],
    *,
    allowed_view: tuple[str, ...] = (),
    applies: tuple[str, ...] | None = None,
    listed: str = "commitments",
) -> tuple[int, int, Filters]:
    """(page, per_page, dashboard filters) of the query, or BadRequest naming every problem at once.

    `applies`: the only filters that apply to what is `listed` (None: all of them).
    """
    problems = []
    if applies is not None:
        problems += [
            f"'{name}' does not apply to {listed} (use {', '.join(applies[:-1])} or {applies[-1]})."
            for name in sorted(args)
            if name in FILTER_NAMES and name not in applies
        ]
    paging = {}
    for name, default, top in (("page", 1, MAX_PAGE), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        raw = (args.get(name) or [str(default)])[0]
        if not raw.isdigit() or not 1 <= int(raw) <= top:
            problems.append(f"'{name}' must be a whole number from 1 to {top:,}, not '{raw[:20]}'.")
        else:
            paging[name] = int(raw)
    rest = {k: v for k, v in args.items() if k not in PAGING}
    filters, found = current_filters(ctx, urlencode(rest, doseq=True))
    problems += found
    problems += [
        f"Unknown parameter '{name}'." for name in sorted(rest) if name in VIEW_PARAMS and name not in allowed_view
    ]
    if "q" in allowed_view and (search_problem := parse_query(filters.view_value("q"))[1]):
        problems.append(search_problem)
    if problems:
        raise BadRequest(problems)
    return paging["page"], paging["per_page"], filters


def _etag(ctx: AppContext, fmt: str) -> str:
    actor = current_actor()
    key = "|".join(
        [queries.data_stamp(ctx.engine), actor.role or "anonymous", request.full_path, fmt, ctx.today().isoformat()]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _wants_csv() -> bool:
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


def _answer(ctx: AppContext, build: Any, *, csv_rows: Any = None) -> Response:
    """The response of a GET: 304 when the client holds the current ETag, else JSON (or CSV when asked)."""
    csv_wanted = csv_rows is not None and _wants_csv()
    tag = _etag(ctx, "csv" if csv_wanted else "json")
    if request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        body = build()
        if csv_wanted:
            response = Response(to_csv_bytes(csv_rows(body)), mimetype="text/csv")
        else:
            response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"  # keep it, but ask again (304 when unchanged)
    response.headers["Vary"] = "Accept, Cookie"
    return response


def _page_links(page: int, per_page: int, total: int) -> dict[str, Any]:
    args = request.args.to_dict(flat=False)
    pages = max(1, -(-total // per_page))

    def link(number: int) -> str:
        return request.path + "?" + urlencode({**args, "page": [str(number)], "per_page": [str(per_page)]}, doseq=True)

    return {
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": pages,
        "next": link(page + 1) if page < pages else None,
        "previous": link(page - 1) if page > 1 else None,
    }


def members(ctx: AppContext, page: int, per_page: int, filters: Filters) -> dict[str, Any]:
    """Members matching the member-level filters (member, region, member_type)."""
    frame = member_queries.members(ctx.engine, **filters.query_kwargs())
    rows = _records(frame.iloc[(page - 1) * per_page : page * per_page], MEMBER_FIELDS)
    return {"data": rows, "meta": _page_links(page, per_page, len(frame))}


def action_plans(ctx: AppContext, page: int, per_page: int, filters: Filters) -> dict[str, Any]:
    """Action plans matching the plan-level filters, with their stored submission and process status on the
    status day (today, or the `as_of` replay)."""
    day = status_day(ctx, filters)
    frame = statuses.plan_rows(ctx.engine, day=day, **filters.query_kwargs())
    rows = _records(frame.iloc[(page - 1) * per_page : page * per_page], PLAN_FIELDS)
    return {"data": rows, "meta": {**_page_links(page, per_page, len(frame)), "status_day": day.isoformat()}}


def progress_reports(
    ctx: AppContext, page: int, per_page: int, filters: Filters, report: dict[str, Any]
) -> dict[str, Any]:
    """Progress reports of the commitments matching the filters, newest first, within `report`'s since, until
    and source."""
    frame, total = progress_queries.progress_reports(
        ctx.engine, offset=(page - 1) * per_page, limit=per_page, **report, **query_scope(ctx, filters)
    )
    return {"data": _records(frame, progress_queries.REPORT_COLUMNS), "meta": _page_links(page, per_page, total)}


def _days(args: dict[str, list[str]], problems: list[str]) -> dict[str, dt.date]:
    """The query's since and until that are given, as dates; a message in `problems` for each that is not one."""
    days = {}
    for name in ("since", "until"):
        raw = (args.get(name) or [""])[0]
        if raw:
            try:
                days[name] = dt.date.fromisoformat(raw)
            except ValueError:
                problems.append(f"'{name}' must be a date (YYYY-MM-DD), not '{raw[:20]}'.")
    return days


def _report_args(args: dict[str, list[str]]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The query without since/until/source, and those three checked (BadRequest naming what is wrong)."""
    rest = {k: v for k, v in args.items() if k not in REPORT_PARAMS}
    problems: list[str] = []
    chosen: dict[str, Any] = _days(args, problems)
    source = (args.get("source") or [""])[0]
    if source:
        if source in PROGRESS_SOURCES:
            chosen["source"] = source
        else:
            problems.append(f"Unknown source '{source[:30]}' (use one of: {', '.join(PROGRESS_SOURCES)}).")
    if chosen.get("since") and chosen.get("until") and chosen["since"] > chosen["until"]:
        problems.append("'since' must not be after 'until'.")
    if problems:
        raise BadRequest(problems)
    return rest, chosen


CHANGED_REPORT_FIELDS = [
    "ogp_id",
    "member_code",
    "source",
    "as_of",
    "completion",
    "result",
    "known_from",
    "recorded_by",
]
CHANGE_FIELDS = {
    "commitments": ["ogp_id", "title", "member_code", "member_name", "change", "before", "after", "reason"],
    "plans": ["action_plan", "member_code", "member_name", "change", "before", "after", "reason"],
    "reports": CHANGED_REPORT_FIELDS,
    "irm_ratings": CHANGED_REPORT_FIELDS,
}


def _period(ctx: AppContext, args: dict[str, list[str]]) -> tuple[dict[str, list[str]], dt.date, dt.date]:
    """since and until of a changes request (until defaults to today, since to DEFAULT_DAYS before it); the
    query without them. BadRequest when one is not a date, until is in the future or since is not before it."""
    rest = {k: v for k, v in args.items() if k not in ("since", "until")}
    problems: list[str] = []
    days = _days(args, problems)
    until = days.get("until", ctx.today())
    since = days.get("since", change_data.default_since(until))
    if until > ctx.today():
        problems.append(f"'until' ({until}) is in the future.")
    if since >= until:
        problems.append(f"'since' ({since}) must be before 'until' ({until}).")
    if problems:
        raise BadRequest(problems)
    return rest, since, until


def changes(ctx: AppContext, filters: Filters, since: dt.date, until: dt.date) -> dict[str, Any]:
    """What changed between two days within the filters: the /changes page's lines (one source: data_access.changes)."""
    scope = {**query_scope(ctx, filters), "as_of": None}
    found = change_data.changes(ctx.engine, since=since, until=until, **scope)
    lists = {name: _records(getattr(found, name), fields) for name, fields in CHANGE_FIELDS.items()}
    return {"data": lists, "meta": {"since": since.isoformat(), "until": until.isoformat(), "counts": found.counts()}}


def commitments(ctx: AppContext, page: int, per_page: int, filters: Filters) -> dict[str, Any]:
    """Commitments matching the filters (and `q`), with stored delay status and latest progress, paged."""
    terms, _ = parse_query(filters.view_value("q"))
    scope = {**query_scope(ctx, filters), "search": terms or None}
    total = commitment_queries.commitment_count(ctx.engine, **scope)
    frame = commitment_queries.commitment_rows(
        ctx.engine, offset=(page - 1) * per_page, limit=per_page, on=filters.as_of, **scope
    )
    frame["progress_source"] = frame["progress_source"].map(lambda s: s if s is None else str(s))
    return {
        "data": _records(frame, COMMITMENT_FIELDS),
        "meta": {**_page_links(page, per_page, total), "status_day": status_day(ctx, filters).isoformat()},
    }


def commitment(ctx: AppContext, ogp_id: str) -> dict[str, Any] | None:
    """One commitment: its fields, every progress report (oldest first), the latest by source, its status."""
    detail = find_commitment(ctx, ogp_id)
    if detail is None:
        return None
    filters = Filters(member=(detail["member_code"],))
    rows = commitment_queries.commitment_rows(ctx.engine, ids=[detail["id"]], **query_scope(ctx, filters))
    status = rows.iloc[0] if not rows.empty else None
    reports = [
        {k: _plain(v) for k, v in report.items() if k != "report_id"}
        for report in detail["progress"].to_dict("records")
    ]
    latest: dict[str, Any] = {}
    for report in reports:  # oldest first: the last one of each source stays
        latest[report["source"]] = report
    return {
        "data": {
            **{field: _plain(detail.get(field)) for field in DETAIL_FIELDS},
            "policy_areas": [slug for slug, _name, _parent in detail["policy_areas"]],
            "delay_status": None if status is None else _plain(status["delay_status"]),
            "delay_reason": None if status is None else _plain(status["delay_reason"]),
            "latest_progress_by_source": {source: latest[source] for source in PROGRESS_SOURCES if source in latest},
            "progress_reports": reports,
            "milestones": [
                {k: _plain(v) for k, v in m.items() if k != "milestone_id"}
                for m in detail["milestones"].to_dict("records")
            ],
        },
        "meta": {"status_day": ctx.today().isoformat()},
    }


def _named(name: str, view: Any) -> Any:
    view.__name__ = name
    return view


def register_route(server: Flask, ctx: AppContext) -> None:
    """The API's routes on the Flask server."""

    throttle = (
        ctx.limiter.shared_limit(API_REQUESTS, scope="api", key_func=api_reader)
        if ctx.limiter is not None
        else (lambda view: view)
    )

    def guarded(view: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            if not can_read(current_actor(), public_read=ctx.settings.public_read):
                return jsonify(error=SIGN_IN_FOR_API), 401
            try:
                return view(*args, **kwargs)
            except BadRequest as exc:
                return jsonify(error="The request's parameters are not valid.", problems=exc.problems), 400

        run.__name__ = f"api_{view.__name__}"  # before `throttle`, which names its limits after the function
        return throttle(run)

    def _openapi() -> Response:
        return jsonify(OPENAPI)

    def _members() -> Response:
        page, per_page, filters = _parse(
            ctx, request.args.to_dict(flat=False), applies=MEMBER_FILTERS, listed="members"
        )
        return _answer(
            ctx,
            lambda: members(ctx, page, per_page, filters),
            csv_rows=lambda body: pd.DataFrame(body["data"], columns=MEMBER_FIELDS),
        )

    def _commitments() -> Response:
        page, per_page, filters = _parse(ctx, request.args.to_dict(flat=False), allowed_view=("q",))
        return _answer(
            ctx,
            lambda: commitments(ctx, page, per_page, filters),
            csv_rows=lambda body: pd.DataFrame(body["data"], columns=COMMITMENT_FIELDS),
        )

    def _action_plans() -> Response:
        page, per_page, filters = _parse(
            ctx, request.args.to_dict(flat=False), applies=PLAN_FILTERS, listed="action plans"
        )
        return _answer(
            ctx,
            lambda: action_plans(ctx, page, per_page, filters),
            csv_rows=lambda body: pd.DataFrame(body["data"], columns=PLAN_FIELDS),
        )

    def _progress_reports() -> Response:
        raw = request.args.to_dict(flat=False)
        try:
            args, report, early = *_report_args(raw), []
        except BadRequest as exc:  # said together with the filters' problems
            args, report, early = {k: v for k, v in raw.items() if k not in REPORT_PARAMS}, {}, exc.problems
        try:
            page, per_page, filters = _parse(ctx, args)
        except BadRequest as exc:
            raise BadRequest(early + exc.problems) from exc
        if early:
            raise BadRequest(early)
        return _answer(
            ctx,
            lambda: progress_reports(ctx, page, per_page, filters, report),
            csv_rows=lambda body: pd.DataFrame(body["data"], columns=progress_queries.REPORT_COLUMNS),
        )

    def _changes() -> Response:
        raw = request.args.to_dict(flat=False)
        try:
            args, since, until, early = *_period(ctx, raw), []
        except BadRequest as exc:  # said together with the filters' problems
            args, since, until, early = (
                {k: v for k, v in raw.items() if k not in ("since", "until")},
                None,
                None,
                exc.problems,
            )
        early += [f"Unknown parameter '{name}' (the changes are not paged)." for name in PAGING if name in args]
        try:
            _, _, filters = _parse(ctx, {k: v for k, v in args.items() if k not in PAGING})
        except BadRequest as exc:
            raise BadRequest(early + exc.problems) from exc
        problems = early
        if problems or since is None or until is None:
            raise BadRequest(problems)
        return _answer(ctx, lambda: changes(ctx, filters, since, until))

    def _commitment(ogp_id: str) -> Any:
        found = commitment(ctx, ogp_id)
        if found is None:
            return jsonify(error=f"No commitment with id '{ogp_id[:40]}'."), 404
        return _answer(ctx, lambda: found)

    server.add_url_rule(f"{PREFIX}/openapi.json", view_func=throttle(_named("api_openapi", _openapi)), methods=["GET"])
    server.add_url_rule(f"{PREFIX}/members", view_func=guarded(_members), methods=["GET"])
    server.add_url_rule(f"{PREFIX}/action-plans", view_func=guarded(_action_plans), methods=["GET"])
    server.add_url_rule(f"{PREFIX}/commitments", view_func=guarded(_commitments), methods=["GET"])
    server.add_url_rule(f"{PREFIX}/progress-reports", view_func=guarded(_progress_reports), methods=["GET"])
    server.add_url_rule(f"{PREFIX}/changes", view_func=guarded(_changes), methods=["GET"])
    server.add_url_rule(f"{PREFIX}/commitments/<ogp_id>", view_func=guarded(_commitment), methods=["GET"])


_FILTER_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "description": text, "schema": schema}
    for name, text, schema in (
        (
            "member",
            "Member codes (e.g. ALB), repeated or comma-separated",
            {"type": "array", "items": {"type": "string"}},
        ),
        ("region", "OGP regions", {"type": "array", "items": {"type": "string"}}),
        ("member_type", "national, local or other", {"type": "array", "items": {"type": "string"}}),
        ("cycle", "Action-plan cycles (submission years)", {"type": "array", "items": {"type": "integer"}}),
        ("policy_area", "Policy-area slugs (e.g. open-data)", {"type": "array", "items": {"type": "string"}}),
        ("completion", "IRM completion levels", {"type": "array", "items": {"type": "string"}}),
        ("starred", "yes or no", {"type": "string", "enum": ["yes", "no"]}),
        ("delay_status", "Stored delay statuses (e.g. delayed)", {"type": "array", "items": {"type": "string"}}),
        ("as_of", "Replay the statuses of a past day (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    )
]
_PAGING_PARAMETERS = [
    {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {
        "name": "per_page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
    },
]
_NULLABLE_TEXT = {"type": ["string", "null"]}
_PAGE_META = {
    "type": "object",
    "required": ["page", "per_page", "total", "pages", "next", "previous"],
    "properties": {
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "pages": {"type": "integer"},
        "next": _NULLABLE_TEXT,
        "previous": _NULLABLE_TEXT,
        "status_day": {"type": "string", "format": "date"},
    },
}
_ERRORS = {
    "400": {
        "description": "Invalid parameters, each named",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "401": {
        "description": "Private mode without a session or token, or a token that is not valid",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "429": {
        "description": f"More than {API_REQUESTS} for this token, session or address; see Retry-After",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "304": {"description": "Not modified since the ETag given in If-None-Match"},
}


def _list_of(schema: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data", "meta"],
        "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
            "meta": _PAGE_META,
        },
    }


def _page_of(description: str, schema: str) -> dict[str, Any]:
    """The 200 answer of a list: a page of `schema` items as JSON, or as CSV when asked."""
    return {
        "description": description,
        "content": {"application/json": {"schema": _list_of(schema)}, "text/csv": {"schema": {"type": "string"}}},
    }


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "OGP Implementation Monitor API",
        "version": "1.0.0",
        "description": "Read-only: OGP members and commitments with their stored statuses and latest progress.",
    },
    "paths": {
        f"{PREFIX}/members": {
            "get": {
                "summary": "Members",
                "parameters": [
                    *[p for p in _FILTER_PARAMETERS if p["name"] in ("member", "region", "member_type")],
                    *_PAGING_PARAMETERS,
                ],
                "responses": {
                    "200": _page_of("A page of members", "Member"),
                    **_ERRORS,
                },
            }
        },
        f"{PREFIX}/action-plans": {
            "get": {
                "summary": "Action plans, with their submission and process status",
                "parameters": [
                    *[p for p in _FILTER_PARAMETERS if p["name"] in PLAN_FILTERS],
                    *_PAGING_PARAMETERS,
                ],
                "responses": {
                    "200": _page_of("A page of action plans", "ActionPlan"),
                    **_ERRORS,
                },
            }
        },
        f"{PREFIX}/commitments": {
            "get": {
                "summary": "Commitments, with delay status and latest progress",
                "parameters": [
                    *_FILTER_PARAMETERS,
                    {
                        "name": "q",
                        "in": "query",
                        "required": False,
                        "description": "Search words",
                        "schema": {"type": "string"},
                    },
                    *_PAGING_PARAMETERS,
                ],
                "responses": {
                    "200": _page_of("A page of commitments", "Commitment"),
                    **_ERRORS,
                },
            }
        },
        f"{PREFIX}/progress-reports": {
            "get": {
                "summary": "Progress reports, newest first",
                "parameters": [
                    *_FILTER_PARAMETERS,
                    *[
                        {"name": name, "in": "query", "required": False, "schema": {"type": "string", "format": "date"}}
                        for name in ("since", "until")
                    ],
                    {
                        "name": "source",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": list(PROGRESS_SOURCES)},
                    },
                    *_PAGING_PARAMETERS,
                ],
                "responses": {
                    "200": _page_of("A page of progress reports", "ProgressReport"),
                    **_ERRORS,
                },
            }
        },
        f"{PREFIX}/changes": {
            "get": {
                "summary": "What changed between two days (the /changes page's lines)",
                "parameters": [
                    *[p for p in _FILTER_PARAMETERS if p["name"] != "as_of"],
                    *[
                        {"name": name, "in": "query", "required": False, "schema": {"type": "string", "format": "date"}}
                        for name in ("since", "until")
                    ],
                ],
                "responses": {
                    "200": {
                        "description": "The changes, by kind",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Changes"}}},
                    },
                    **_ERRORS,
                },
            }
        },
        f"{PREFIX}/commitments/{{ogp_id}}": {
            "get": {
                "summary": "One commitment with every progress report",
                "parameters": [{"name": "ogp_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "The commitment",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommitmentDetail"}}},
                    },
                    "404": {
                        "description": "No such commitment",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                    **{k: v for k, v in _ERRORS.items() if k != "400"},
                },
            }
        },
    },
    "security": [{}, {"token": []}],  # public mode needs nothing; private mode a session cookie or a token
    "components": {
        "securitySchemes": {
            "token": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token from `python -m dashboard create-token`.",
            }
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "problems": {"type": "array", "items": {"type": "string"}}},
            },
            "Member": {
                "type": "object",
                "required": MEMBER_FIELDS,
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "region": _NULLABLE_TEXT,
                    "member_type": _NULLABLE_TEXT,
                    "status": _NULLABLE_TEXT,
                    "joined_year": {"type": ["integer", "null"]},
                },
            },
            "ActionPlan": {
                "type": "object",
                "required": PLAN_FIELDS,
                "properties": {
                    **dict.fromkeys(PLAN_FIELDS, _NULLABLE_TEXT),
                    "action_plan": {"type": "string"},
                    "member_code": {"type": "string"},
                    "number": {"type": ["integer", "null"]},
                    "submission_year": {"type": ["integer", "null"]},
                    "commitments": {"type": "integer"},
                },
            },
            "ProgressReport": {
                "type": "object",
                "required": progress_queries.REPORT_COLUMNS,
                "properties": {
                    **dict.fromkeys(progress_queries.REPORT_COLUMNS, _NULLABLE_TEXT),
                    "ogp_id": {"type": "string"},
                    "as_of": {"type": "string", "format": "date"},
                    "source": {"type": "string", "enum": list(PROGRESS_SOURCES)},
                },
            },
            "Changes": {
                "type": "object",
                "required": ["data", "meta"],
                "properties": {
                    "data": {
                        "type": "object",
                        "required": list(CHANGE_FIELDS),
                        "properties": {
                            name: {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": fields,
                                    "properties": dict.fromkeys(fields, _NULLABLE_TEXT),
                                },
                            }
                            for name, fields in CHANGE_FIELDS.items()
                        },
                    },
                    "meta": {
                        "type": "object",
                        "required": ["since", "until", "counts"],
                        "properties": {
                            "since": {"type": "string", "format": "date"},
                            "until": {"type": "string", "format": "date"},
                            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                        },
                    },
                },
            },
            "Commitment": {
                "type": "object",
                "required": COMMITMENT_FIELDS,
                "properties": {
                    **dict.fromkeys(COMMITMENT_FIELDS, _NULLABLE_TEXT),
                    "ogp_id": {"type": "string"},
                    "title": {"type": "string"},
                    "starred": {"type": ["boolean", "null"]},
                },
            },
            "CommitmentDetail": {
                "type": "object",
                "required": ["data", "meta"],
                "properties": {
                    "data": {
                        "type": "object",
                        "required": [
                            "ogp_id",
                            "title",
                            "delay_status",
                            "latest_progress_by_source",
                            "progress_reports",
                        ],
                        "properties": {
                            "ogp_id": {"type": "string"},
                            "title": {"type": "string"},
                            "delay_status": _NULLABLE_TEXT,
                            "latest_progress_by_source": {"type": "object"},
                            "progress_reports": {"type": "array", "items": {"type": "object"}},
                            "milestones": {"type": "array", "items": {"type": "object"}},
                            "policy_areas": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                    "meta": {"type": "object"},
                },
            },
        },
    },
}
