"""Countries pages: every member on a map and in a table, and one member's own page."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from callbacks import periods
from callbacks.briefing import briefing_href
from callbacks.kpis import completion_cards, data_as_of
from callbacks.pages import Page
from callbacks.scope import query_scope, status_day
from callbacks.urls import link, member_href
from dashboard.domain.filters import Filters, shown
from dashboard.domain.policy_areas import POLICY_AREAS, area_slugs
from dashboard.domain.rules import format_day
from dashboard.domain.scales import ATTENTION_SUBMISSIONS, PROBLEM_STATUSES, UNKNOWN_NOT_IN_DATA
from dashboard.web.context import AppContext
from data_access import member_queries, queries, statuses
from layouts import countries as layout
from layouts.components import follow_bar, kpi_card, list_anchor, pill_picker
from layouts.figures import completion_stack
from layouts.text import day_text, percent_of

MEMBER_CODE_PATH = re.compile(r"^[A-Za-z]{2,6}$")


@dataclass(frozen=True)
class Measure:
    """A measure the map can show: its table column, label and whether it is a share (0-100)."""

    key: str
    label: str
    column: str
    percent: bool
    note: str


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("commitments", "Commitments", "commitments", False, "Commitments matching the filters."),
        Measure(
            "high_completion",
            "High completion (% of assessed)",
            "high_completion_share",
            True,
            "Share of IRM-assessed commitments rated Substantial or Complete.",
        ),
        Measure(
            "starred",
            "Starred (% of star-rated)",
            "starred_share",
            True,
            "Share of the commitments the IRM star-rated that earned a star (stars ended with the 2017-19 plans).",
        ),
        Measure(
            "active_plans",
            "Action plans in implementation",
            "active_plans",
            False,
            "Action plans whose implementation period includes today.",
        ),
        Measure(
            "delayed",
            "Delayed commitments (current plans)",
            "delayed",
            False,
            "Commitments of plans in implementation that are delayed (progress reported vs. time gone).",
        ),
    )
}
DEFAULT_MEASURE = "commitments"

# (column, header, kind) of the members table after the member's name; the export uses the same.
TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("code", "Code", "text"),
    ("region", "Region", "text"),
    ("member_type", "Type", "text"),
    ("status", "Status", "text"),
    ("action_plans", "Action plans", "count"),
    ("active_plans", "Plans running", "count"),
    ("commitments", "Commitments", "count"),
    ("assessed", "Assessed", "count"),
    ("high_completion_share", "High completion %", "percent"),
    ("starred_share", "Starred %", "percent"),
    ("delayed", "Delayed now", "count"),
    ("at_risk", "At risk now", "count"),
)


def parse_measure(value: str | None) -> tuple[Measure, str | None]:
    """The measure named in the URL (default: commitments) and a message when the name is unknown."""
    if not value:
        return MEASURES[DEFAULT_MEASURE], None
    key = value.strip().lower()
    if key in MEASURES:
        return MEASURES[key], None
    choices = ", ".join(MEASURES)
    return MEASURES[DEFAULT_MEASURE], (
        f"Unknown measure '{shown(value)}' (expected one of: {choices}); showing commitments instead."
    )


def ogp_member_url(name: str) -> str:
    """OGP's page of a member: the name as a slug ('Buenos Aires, Argentina' -> .../buenos-aires-argentina/)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.sub(r"[^a-z0-9 -]", " ", text).split())
    return f"{layout.OGP_MEMBERS_URL}{slug}/"


def member_table(ctx: AppContext, filters: Filters) -> pd.DataFrame:
    """One row per member matching the member filters, with every measure; columns code, name, TABLE_COLUMNS."""
    kwargs = query_scope(ctx, filters)
    day = status_day(ctx, filters)
    table = member_queries.members(ctx.engine, **kwargs)
    summary = queries.member_summary(ctx.engine, **kwargs).drop(
        columns=["name", "region", "member_type", "status", "action_plans"]
    )
    plans = statuses.plan_rows(ctx.engine, **kwargs, day=day)
    running = plans[plans["phase"] == "implementing"]
    delays = statuses.status_counts(ctx.engine, by="member_code", **kwargs, day=day)
    table = table.merge(summary, on="code", how="left")
    table["action_plans"] = table["code"].map(plans["member_code"].value_counts())
    table["active_plans"] = table["code"].map(running["member_code"].value_counts())
    for status, column in (("delayed", "delayed"), ("at risk", "at_risk")):
        per_member = delays[delays["delay_status"] == status].set_index("member_code")["commitments"]
        table[column] = table["code"].map(per_member)
    counts = ["action_plans", "active_plans", "commitments", "assessed", "high_completion", "starred", "delayed"]
    for column in [*counts, "at_risk"]:
        table[column] = table[column].fillna(0).astype(int)
    # The members in view are those with commitments in view (the overview's "Members" counts the same).
    table = table[table["commitments"] > 0].reset_index(drop=True)
    table["high_completion_share"] = percent_of(table["high_completion"], table["assessed"])
    table["starred_share"] = percent_of(table["starred"], table["star_rated"].fillna(0))
    return table[["code", "name", *[c[0] for c in TABLE_COLUMNS if c[0] != "code"], "high_completion", "starred"]]


def countries_export(ctx: AppContext, filters: Filters, _pathname: str) -> pd.DataFrame:
    """The members table as shown (member name first, then TABLE_COLUMNS with their headers)."""
    table = member_table(ctx, filters)
    headers = {"name": "Member", **{column: header for column, header, _ in TABLE_COLUMNS}}
    shares = [column for column, _, kind in TABLE_COLUMNS if kind == "percent"]
    return table.assign(**{c: table[c].round(1) for c in shares})[list(headers)].rename(columns=headers)


def render_countries(ctx: AppContext, filters: Filters, measure: str | None = None) -> Page:
    """The members map coloured by the measure in the URL, and the table of every member."""
    chosen, problem = parse_measure(measure if measure is not None else filters.view_value("measure"))
    table = member_table(ctx, filters)
    hrefs = [member_href(code, filters) for code in table["code"]]
    picker = pill_picker(
        layout.COUNTRIES_MEASURES,
        "Colour the map by:",
        chosen.key,
        [(m.key, m.label, link("/countries", filters, view={"measure": m.key})) for m in MEASURES.values()],
    )
    alert = dbc.Alert(problem, color="warning", className="measure-problem") if problem else None
    if table.empty:
        content = layout.member_message(
            "Countries",
            "No OGP member matches these filters.",
            "Clear the member, region or member-type filters to see every member.",
        )
        content = list_anchor(layout.COUNTRIES_LIST, 0, content)
        return Page(content, trail=[("Overview", link("/", filters)), ("Countries", None)], title="Countries")
    figure = layout.world_map_figure(
        table, column=chosen.column, label=chosen.label, percent=chosen.percent, hrefs=hrefs
    )
    local_count = int((table["member_type"] == "Legacy Local").sum())
    content = layout.countries_layout(
        picker=picker,
        alert=alert,
        map_figure=figure,
        measure_note=chosen.note,
        grid=layout.members_grid(table, hrefs, TABLE_COLUMNS),
        local_count=local_count,
        member_count=len(table),
    )
    return Page(content, trail=[("Overview", link("/", filters)), ("Countries", None)], title="Countries")


def parse_member_code(raw: str) -> tuple[str | None, str | None]:
    """The upper-cased member code from a path segment, or a message when it cannot be a code."""
    text = unquote(raw or "")
    if MEMBER_CODE_PATH.match(text):
        return text.upper(), None
    return None, f"'{shown(text)}' is not a member code (expected 2 to 6 letters, such as ALB or ARBA)."


def member_filters(filters: Filters, code: str) -> Filters:
    """The filters of one member's page: that member, whatever member, region or type was chosen before."""
    return filters.replace(member=(code,), region=(), member_type=())


def render_member(ctx: AppContext, filters: Filters, code: str) -> Page:
    """One member: header, plans over time, completion by plan and policy area, delays and late plans."""
    countries_crumbs = [("Overview", link("/", filters)), ("Countries", link("/countries", filters))]
    parsed, problem = parse_member_code(code)
    member = member_queries.member_by_code(ctx.engine, parsed) if parsed else None
    if member is None:
        message = problem or f"No OGP member has the code '{parsed}'."
        content = layout.member_message(
            "Member not found", message, "Open the countries page and pick a member from the map or the table."
        )
        return Page(content, trail=[*countries_crumbs, ("Member not found", None)], title="Member not found")

    scoped = member_filters(filters, member["code"])
    kwargs = query_scope(ctx, scoped)
    today = status_day(ctx, filters)
    plans = statuses.plan_rows(ctx.engine, **kwargs, day=today)
    plan_counts = queries.completion_counts(ctx.engine, by="action_plan", **kwargs)
    counts = queries.overview_counts(ctx.engine, **kwargs)
    delays = member_delays(ctx, scoped, today)
    attention = plan_attention(plans)

    plan_links = {
        row.action_plan: link("/commitments", scoped, cycle=(int(row.submission_year),))
        if pd.notna(row.submission_year)
        else link("/commitments", scoped)
        for row in plans.itertuples(index=False)
    }
    header = layout.member_header(
        member,
        ogp_url=ogp_member_url(member["name"]),
        internal_links=[
            ("Its commitments", link("/commitments", scoped)),
            ("Its delays", link("/delays", scoped)),
        ],
        briefing=briefing_href(scoped),
    )
    # The member and its two newest plans (a finished plan has nothing left to tell).
    newest_plans = plans.sort_values("submission_year", ascending=False)["action_plan"].head(2).tolist()
    follow = follow_bar([("member", member["code"]), *(("action_plan", p) for p in newest_plans)])
    content = layout.member_layout(
        header=html.Div([header, follow]),
        kpis=member_kpis(ctx, scoped, counts, plans, today),
        changes=periods.panel(ctx, scoped),
        plans_figure=layout.plan_timeline_figure(plan_rows(plans, plan_counts, plan_links), today=today),
        plan_count=len(plans),
        completion_figure=completion_stack(plan_counts, group="action_plan", href=plan_links),
        areas_figure=member_areas_figure(ctx, scoped),
        delays=layout.delays_table(delays, today=today),
        late_plans=layout.late_plans_table(attention),
        today=today,
    )
    return Page(content, trail=[*countries_crumbs, (member["name"], None)], title=member["name"])


def plan_rows(plans: pd.DataFrame, plan_counts: pd.DataFrame, links: dict[str, str]) -> pd.DataFrame:
    """Plans with their assessed and high-completion counts and link (input of plan_timeline_figure)."""
    data = plans[["action_plan", "submission_year", "start_date", "end_date", "commitments"]].copy()
    if plan_counts.empty:
        data["assessed"] = 0
        data["high_completion"] = 0
    else:
        rated = plan_counts.dropna(subset=["completion"])
        data["assessed"] = data["action_plan"].map(rated.groupby("action_plan")["commitments"].sum())
        high = rated[rated["completion"].isin(["Substantial", "Complete"])]
        data["high_completion"] = data["action_plan"].map(high.groupby("action_plan")["commitments"].sum())
    data[["assessed", "high_completion"]] = data[["assessed", "high_completion"]].fillna(0).astype(int)
    data["href"] = data["action_plan"].map(links)
    return data


def member_kpis(ctx: AppContext, scoped: Filters, counts: dict[str, int], plans: pd.DataFrame, day: dt.date) -> list:
    """The member's KPI cards: plans, high completion, starred, delayed commitments and late plans.

    Each counts exactly the rows of the list it links to.
    """
    as_of = data_as_of(queries.data_status(ctx.engine))
    # Its link sets the delay status, so the count ignores a delay-status filter as the linked list does.
    by_status = statuses.status_counts(ctx.engine, **{**query_scope(ctx, scoped), "delay_status": None}, day=day)
    delayed = int(by_status.loc[by_status["delay_status"] == "delayed", "commitments"].sum())
    late = int(plans["late_or_contrary"].astype(bool).sum())
    return [
        kpi_card(
            title="Action plans",
            value=f"{len(plans):,}",
            count=len(plans),
            detail=f"{counts['commitments']:,} commitments",
            href=link(f"/countries/{scoped.member[0]}", scoped) + "#member-plans",
            as_of=as_of,
            card_id="member-kpi-plans",
        ),
        *completion_cards(counts, scoped, as_of=as_of, id_prefix="member"),
        kpi_card(
            title="Delayed now",
            value=f"{delayed:,}",
            count=delayed,
            detail=f"commitments delayed on {format_day(day)}",
            href=link("/delays", scoped, delay_status=("delayed",)) + "#delays-commitments",
            as_of=as_of,
            card_id="member-kpi-delayed",
        ),
        kpi_card(
            title="Plans late or contrary",
            value=f"{late:,}",
            count=late,
            detail="due in the last two years (31 Aug / 1 Jan rule, new plan within 12 months)",
            href=link("/delays", scoped) + "#late-plans",
            as_of=as_of,
            card_id="member-kpi-late-plans",
        ),
    ]


def member_delays(ctx: AppContext, scoped: Filters, day: dt.date) -> pd.DataFrame:
    """The member's commitments that are delayed, at risk or without evidence on `day`, worst first, with links."""
    scope = {**query_scope(ctx, scoped), "delay_status": None}
    shown_statuses = [s for s in PROBLEM_STATUSES if not scoped.delay_status or s in scoped.delay_status]
    delays = statuses.commitment_rows(ctx.engine, **scope, day=day, statuses=shown_statuses)
    columns = ["ogp_id", "title", "action_plan", "delay_status", "delay_reason", "severity"]
    out = delays[columns].reset_index(drop=True)
    out["href"] = [f"/commitments/{ogp_id}" for ogp_id in out["ogp_id"]]
    return out


def member_delays_export(ctx: AppContext, filters: Filters, pathname: str) -> pd.DataFrame:
    """The delays table of the member page at `pathname`."""
    headers = {
        "ogp_id": "Commitment",
        "title": "Title",
        "action_plan": "Action plan",
        "delay_status": "Status",
        "delay_reason": "Why",
        "severity": "Months behind",
    }
    code, _ = parse_member_code(pathname.rstrip("/").rsplit("/", 1)[-1])
    if code is None or member_queries.member_by_code(ctx.engine, code) is None:
        return pd.DataFrame(columns=list(headers.values()))
    delays = member_delays(ctx, member_filters(filters, code), status_day(ctx, filters))
    return delays[list(headers)].rename(columns=headers)


def member_plans_export(ctx: AppContext, filters: Filters, pathname: str) -> pd.DataFrame:
    """The late action plans and process table of the member page at `pathname`."""
    headers = {"action_plan": "Action plan", "due_date": "Due", "status": "Status", "reason": "Why"}
    code, _ = parse_member_code(pathname.rstrip("/").rsplit("/", 1)[-1])
    if code is None or member_queries.member_by_code(ctx.engine, code) is None:
        return pd.DataFrame(columns=list(headers.values()))
    scoped = member_filters(filters, code)
    plans = statuses.plan_rows(ctx.engine, **query_scope(ctx, scoped), day=status_day(ctx, filters))
    late = plan_attention(plans)
    return late.assign(due_date=[day_text(d) for d in late["due_date"]])[list(headers)].rename(columns=headers)


def plan_attention(plans: pd.DataFrame) -> pd.DataFrame:
    """The member's plans that are due, overdue, late or contrary to process, or whose process the data cannot
    show ("unknown (not in the data)"), worst first; columns action_plan, due_date, status, reason."""
    columns = ["action_plan", "due_date", "status", "reason"]
    rows = []
    for plan in plans.itertuples(index=False):
        if plan.submission_status in ATTENTION_SUBMISSIONS:
            rows.append((plan.action_plan, plan.due_date, plan.submission_status, plan.submission_reason))
        if plan.process_status != "in process":
            rows.append((plan.action_plan, plan.due_date, plan.process_status, plan.process_reason))
    late = pd.DataFrame(rows, columns=columns)
    rank = {status: i for i, status in enumerate((*ATTENTION_SUBMISSIONS, UNKNOWN_NOT_IN_DATA))}
    order = late["status"].map(rank)
    return late.assign(_rank=order).sort_values(["_rank", "action_plan"]).drop(columns="_rank").reset_index(drop=True)


def member_areas_figure(ctx: AppContext, scoped: Filters):
    """Commitments of the member per policy-area group, each bar linking to those commitments."""
    areas = member_queries.policy_area_counts(ctx.engine, groups=True, **scoped.query_kwargs())
    names = {a.slug: a.name for a in POLICY_AREAS}
    hrefs = {slug: link("/commitments", scoped, policy_area=area_slugs(slug)) for slug in areas["policy_area"]}
    return layout.area_bar_figure(areas, names=names, hrefs=hrefs)
