"""The briefing pack: the overview's numbers and charts, what changed, the worst delays and what falls due next
for one scope (a member, a region, a policy area or the whole partnership), printed to PDF.

Every figure comes from the functions the pages use (kpis.headline, periods.changes_for, the status layer), so
the pack and the dashboard never disagree. Served at /briefing.pdf?<the view's filters> and by
`python -m dashboard briefing`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from flask import Flask, Response, jsonify, request

from callbacks.kpis import STARRED_REFERENCE, headline
from callbacks.periods import changes_for
from callbacks.scope import query_scope
from callbacks.urls import current_filters, link
from dashboard.domain.changes import COMMITMENT_CHANGES, PLAN_CHANGES, describe_period
from dashboard.domain.filters import Filters
from dashboard.domain.policy_areas import POLICY_AREA_BY_SLUG, area_slugs
from dashboard.domain.roles import can_export
from dashboard.domain.rules import format_day
from dashboard.domain.scales import PROBLEM_STATUSES, PROGRESS_SOURCES
from dashboard.web.auth import current_actor
from dashboard.web.context import AppContext
from dashboard.web.limits import EXPORTS, export_allowed
from dashboard.web.pdf import PdfUnavailable, html_to_pdf
from data_access import member_queries, progress_queries, queries, statuses
from layouts import briefing as layout
from layouts.components import percent
from layouts.figures import completion_stack, cycle_trend_figure
from layouts.text import day_text

PATH = "/briefing.pdf"
MAX_LINES = 40  # per table; the pack says how many more the dashboard lists


def scope_title(ctx: AppContext, filters: Filters) -> str:
    """What the pack is about, in words: one member, region or policy area, else the whole partnership."""
    if len(filters.member) == 1:
        member = member_queries.member_by_code(ctx.engine, filters.member[0])
        return member["name"] if member else filters.member[0]
    if len(filters.region) == 1 and not filters.member:
        return filters.region[0]
    areas = filters.policy_area
    if areas and areas == area_slugs(areas[0]) and not filters.member and not filters.region:
        return POLICY_AREA_BY_SLUG[areas[0]].name  # one area, or a group with its sub-areas
    return "The whole partnership" if filters.replace(view=()).is_empty else "Selected members and commitments"


def _source(status: dict[str, Any]) -> str:
    if status["is_sample"]:
        return "Sample data: generated for demonstration, not real OGP figures"
    imported = (status.get("last_import") or status.get("updated_at") or "")[:10]
    return "Open Government Partnership / IRM commitments data" + (f", imported {imported}" if imported else "")


def _more(shown: int, total: int, where: str) -> str:
    return f"The first {shown:,} of {total:,}; the rest are on the dashboard ({where})." if total > shown else ""


def content(ctx: AppContext, filters: Filters, *, paper: str = "a4", base_url: str = "") -> layout.Briefing:
    """Everything the pack shows for the filters (the period of 'what changed': their since/until, default 90
    days)."""
    numbers = headline(ctx, filters)
    counts, day = numbers.counts, numbers.day
    scope = query_scope(ctx, filters)
    status = queries.data_status(ctx.engine)
    rated = counts["star_rated"]
    kpis = [
        ("Members", f"{counts['members']:,}", "with commitments in view"),
        ("Active action plans", f"{numbers.running:,}", f"delivered and in implementation on {format_day(day)}"),
        ("Commitments", f"{counts['commitments']:,}", f"in {counts['action_plans']:,} action plans"),
        (
            "High completion",
            percent(counts["high_completion"], counts["assessed"]),
            f"{counts['high_completion']:,} of {counts['assessed']:,} assessed: Substantial or Complete",
        ),
        (
            "Starred",
            percent(counts["starred"], rated) if rated else "—",
            f"{counts['starred']:,} of {rated:,} star-rated; OGP reference {STARRED_REFERENCE}%"
            if rated
            else "Stars were not awarded in this period",
        ),
        (
            "Plans late or contrary",
            f"{numbers.late:,}",
            f"{numbers.late - numbers.contrary:,} late or overdue, {numbers.contrary:,} contrary to process",
        ),
    ]
    if len(filters.member) == 1:
        by = queries.completion_counts(ctx.engine, by="action_plan", **scope)
        first = ("Completion by action plan (latest IRM rating)", completion_stack(by, group="action_plan"))
    else:
        by = queries.completion_counts(ctx.engine, by="region", **scope)
        first = ("Completion by region (latest IRM rating)", completion_stack(by, group="region"))
    charts = [
        first,
        (
            "Completion and ambition across action-plan cycles",
            cycle_trend_figure(queries.cycle_trend(ctx.engine, **scope)),
        ),
    ]
    view = link("/changes", filters.with_view(since=filters.view_value("since"), until=filters.view_value("until")))
    return layout.Briefing(
        title=scope_title(ctx, filters),
        scope=filters.describe(),
        source=_source(status),
        sample=bool(status["is_sample"]),
        data_as_of=numbers.as_of,
        status_day=day,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        link=base_url + link("/", filters),
        kpis=kpis,
        charts=charts,
        tables=[*_changes(ctx, filters, base_url + view), _delays(ctx, filters, day), _due(ctx, filters, day)],
        paper=paper,
    )


def _changes(ctx: AppContext, filters: Filters, where: str) -> list[layout.Table]:
    period, found = changes_for(ctx, filters)
    span = describe_period(period.since, period.until)
    counts = found.counts()
    summary = ", ".join(f"{counts[k]:,} {k}" for k in COMMITMENT_CHANGES if counts[k]) or "none"
    plans = ", ".join(f"{counts['plan ' + k]:,} {k}" for k in PLAN_CHANGES if counts["plan " + k]) or "none"
    commitments = found.commitments.head(MAX_LINES)
    reports = pd.concat([found.irm_ratings, found.reports]).head(MAX_LINES)
    return [
        layout.Table(
            f"What changed {span}: commitments",
            ["Change", "Commitment", "Member", "Then", "Now", "Why now"],
            [
                [c.change, f"{c.ogp_id} {c.title}", c.member_name, c.before, c.after, c.reason]
                for c in commitments.itertuples(index=False)
            ],
            note=f"Commitments: {summary}. Action plans: {plans}. New progress reports: {counts['reports']:,}; "
            f"IRM ratings added: {counts['IRM ratings']:,}. " + _more(len(commitments), len(found.commitments), where),
            empty=f"No commitment changed status {span}.",
        ),
        layout.Table(
            f"What changed {span}: action plans",
            ["Change", "Action plan", "Member", "Then", "Now", "Why now"],
            [[p.change, p.action_plan, p.member_name, p.before, p.after, p.reason] for p in found.plans.itertuples()],
            empty=f"No action plan was delivered or became overdue or contrary to process {span}.",
        ),
        layout.Table(
            f"New progress reports and IRM ratings {span}",
            ["Known from", "Commitment", "Member", "Source", "Dated", "Completion"],
            [
                [
                    day_text(r.known_from),
                    r.ogp_id,
                    r.member_name,
                    PROGRESS_SOURCES.get(r.source, r.source),
                    day_text(r.as_of),
                    r.completion,
                ]
                for r in reports.itertuples(index=False)
            ],
            note=_more(len(reports), len(found.reports) + len(found.irm_ratings), where),
            empty=f"No progress report or IRM rating became known {span}.",
        ),
    ]


def _delays(ctx: AppContext, filters: Filters, day: dt.date) -> layout.Table:
    scope = {**query_scope(ctx, filters), "delay_status": None}
    rows = statuses.commitment_rows(ctx.engine, **scope, day=day, statuses=PROBLEM_STATUSES, limit=MAX_LINES // 2)
    counts = statuses.status_counts(ctx.engine, **scope, day=day)
    total = int(counts.loc[counts["delay_status"].isin(PROBLEM_STATUSES), "commitments"].sum())
    return layout.Table(
        f"Worst delays on {format_day(day)}",
        ["Commitment", "Member", "Status", "Months", "Why"],
        [
            [f"{r.ogp_id} {r.title}", r.member_name, r.delay_status, f"{float(r.severity):.1f}", r.delay_reason]
            for r in rows.itertuples(index=False)
        ],
        note=_more(len(rows), total, "/delays"),
        empty="No commitment is delayed, at risk or without evidence.",
    )


def _due(ctx: AppContext, filters: Filters, day: dt.date) -> layout.Table:
    deadlines, total = progress_queries.upcoming_deadlines(ctx.engine, **query_scope(ctx, filters), day=day)
    shown = deadlines.head(MAX_LINES // 2)
    return layout.Table(
        f"Due in the next {progress_queries.DEADLINE_DAYS} days",
        ["Date", "What", "Member", "Item", "Title"],
        [[day_text(d.due_date), d.kind, d.member_name, d.item, d.title] for d in shown.itertuples(index=False)],
        note=_more(len(shown), total, "/delays"),
        empty=f"Nothing falls due in the next {progress_queries.DEADLINE_DAYS} days.",
    )


def briefing_pdf(ctx: AppContext, filters: Filters, *, paper: str = "a4", base_url: str = "") -> bytes:
    """The pack as PDF bytes (PdfUnavailable when Chromium cannot print it)."""
    document = layout.document(content(ctx, filters, paper=paper, base_url=base_url))
    return html_to_pdf(document, chromium=ctx.settings.chromium)


def briefing_href(filters: Filters) -> str:
    """The download link of a view's pack: its filters and period (A4; add &paper=letter for US Letter)."""
    return PATH + filters.to_query()


def file_name(title: str, day: dt.date) -> str:
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in title.lower()).split()) or "briefing"
    return f"ogp-briefing-{slug}-{day.isoformat()}.pdf"


def register_route(server: Flask, app_ctx: AppContext) -> None:
    """GET /briefing.pdf?<filters>[&paper=letter]: the pack of a view, for whoever may export its tables."""

    @server.get(PATH)
    def _briefing():
        if not can_export(current_actor(), public_read=app_ctx.settings.public_read):
            return jsonify(error="Sign in to download briefings."), 403
        if app_ctx.limiter is not None and not export_allowed(app_ctx.limiter):
            return jsonify(error=f"Too many downloads (at most {EXPORTS.replace(' per ', ' a ')})."), 429
        args = request.args.to_dict(flat=False)
        paper = (args.pop("paper", ["a4"])[0] or "a4").lower()
        if paper not in layout.PAPERS:
            return jsonify(error=f"Unknown paper '{paper[:20]}' (use a4 or letter)."), 400
        filters, problems = current_filters(app_ctx, urlencode(args, doseq=True))
        if problems:
            return jsonify(error="The link's filters are not valid: " + " ".join(problems)), 400
        try:
            pdf = briefing_pdf(app_ctx, filters, paper=paper, base_url=request.host_url.rstrip("/"))
        except PdfUnavailable as exc:
            return jsonify(error=str(exc)), 503
        name = file_name(scope_title(app_ctx, filters), app_ctx.today())
        return Response(
            pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )
