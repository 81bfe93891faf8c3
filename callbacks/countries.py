"""Countries pages: every member on a map and in a table, and one member's own page."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

import dash_bootstrap_components as dbc
import pandas as pd

from callbacks.kpis import completion_cards
from callbacks.pages import Page
from callbacks.urls import link, member_href
from dashboard.domain.filters import Filters, shown
from dashboard.domain.policy_areas import POLICY_AREAS, area_slugs
from dashboard.domain.rules import contrary_to_process_reasons
from dashboard.domain.scales import ATTENTION_SUBMISSIONS
from dashboard.domain.status import commitment_delays, plan_statuses
from dashboard.web.context import AppContext
from data_access import member_queries, queries
from layouts import countries as layout
from layouts.components import kpi_card, pill_picker
from layouts.figures import completion_stack

MEMBER_CODE_PATH = re.compile(r"^[A-Za-z]{2,6}$")
PROBLEM_STATUSES = ("delayed", "at risk")


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
            "starred", "Starred (% of commitments)", "starred_share", True, "Share of commitments the IRM starred."
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


def today_for(ctx: AppContext, filters: Filters) -> dt.date:
    """The day statuses are judged on: the filters' as-of date when set, else today."""
    return filters.as_of or ctx.today()


def ogp_member_url(name: str) -> str:
    """OGP's page of a member: the name as a slug ('Buenos Aires, Argentina' -> .../buenos-aires-argentina/)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.sub(r"[^a-z0-9 -]", " ", text).split())
    return f"{layout.OGP_MEMBERS_URL}{slug}/"


def current_delays(ctx: AppContext, filters: Filters, today: dt.date) -> pd.DataFrame:
    """Delay status of every commitment of plans in implementation on `today`, with its member and plan.

    Columns: queries.COMMITMENT_COLUMNS plus dashboard.domain.status.DELAY_COLUMNS.
    """
    kwargs = filters.query_kwargs()
    running = queries.action_plans(ctx.engine, running_on=today, **kwargs)
    columns = [*queries.COMMITMENT_COLUMNS, "delay_status", "delay_reason", "severity"]
    if running.empty:
        return pd.DataFrame(columns=columns)
    plans = list(running["action_plan"])
    commitments = queries.commitments(ctx.engine, plan=plans, **kwargs)
    if commitments.empty:
        return pd.DataFrame(columns=columns)
    progress = queries.latest_progress(ctx.engine, on=today, plan=plans, **kwargs)
    milestones = queries.milestones(ctx.engine, plan=plans, undone_due_by=today, **kwargs)
    delays = commitment_delays(commitments, progress, milestones, today)
    return commitments.merge(delays[["commitment_id", "delay_status", "delay_reason", "severity"]], on="commitment_id")


def current_delay_counts(ctx: AppContext, filters: Filters, today: dt.date) -> pd.DataFrame:
    """Delay status of every commitment of plans in implementation on `today`: columns member_code, delay_status.

    The statuses of current_delays without fetching each commitment's texts (the members table only counts them).
    """
    kwargs = filters.query_kwargs()
    running = queries.action_plans(ctx.engine, running_on=today, **kwargs)
    if running.empty:
        return pd.DataFrame(columns=["member_code", "delay_status"])
    plans = list(running["action_plan"])
    needed = ["commitment_id", "member_code", "start_date", "end_date", "completion"]
    commitments = queries.commitments(ctx.engine, plan=plans, columns=needed, **kwargs)
    if commitments.empty:
        return pd.DataFrame(columns=["member_code", "delay_status"])
    progress = queries.latest_progress(ctx.engine, on=today, plan=plans, **kwargs)
    milestones = queries.milestones(ctx.engine, plan=plans, undone_due_by=today, **kwargs)
    delays = commitment_delays(commitments, progress, milestones, today)
    return pd.DataFrame({"member_code": commitments["member_code"], "delay_status": delays["delay_status"]})


def member_table(ctx: AppContext, filters: Filters) -> pd.DataFrame:
    """One row per member matching the member filters, with every measure; columns code, name, TABLE_COLUMNS."""
    kwargs = filters.query_kwargs()
    today = today_for(ctx, filters)
    table = member_queries.members(ctx.engine, **kwargs)
    summary = queries.member_summary(ctx.engine, **kwargs).drop(
        columns=["name", "region", "member_type", "status", "action_plans"]
    )
    plans = queries.action_plans(ctx.engine, **kwargs)
    running = queries.action_plans(ctx.engine, running_on=today, **kwargs)
    delays = current_delay_counts(ctx, filters, today)
    table = table.merge(summary, on="code", how="left")
    table["action_plans"] = table["code"].map(plans["member_code"].value_counts())
    table["active_plans"] = table["code"].map(running["member_code"].value_counts())
    for status, column in (("delayed", "delayed"), ("at risk", "at_risk")):
        table[column] = table["code"].map(delays.loc[delays["delay_status"] == status, "member_code"].value_counts())
    counts = ["action_plans", "active_plans", "commitments", "assessed", "high_completion", "starred", "delayed"]
    for column in [*counts, "at_risk"]:
        table[column] = table[column].fillna(0).astype(int)
    table["high_completion_share"] = _share(table["high_completion"], table["assessed"])
    table["starred_share"] = _share(table["starred"], table["commitments"])
    return table[["code", "name", *[c[0] for c in TABLE_COLUMNS if c[0] != "code"], "high_completion", "starred"]]


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole in percent, rounded to one decimal; missing where whole is zero."""
    whole = whole.astype(float)
    return (part.astype(float) / whole.where(whole > 0) * 100).round(1)


def countries_export(ctx: AppContext, filters: Filters, _pathname: str) -> pd.DataFrame:
    """The members table as shown (member name first, then TABLE_COLUMNS with their headers)."""
    table = member_table(ctx, filters)
    headers = {"name": "Member", **{column: header for column, header, _ in TABLE_COLUMNS}}
    return table[list(headers)].rename(columns=headers)


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
    kwargs = scoped.query_kwargs()
    today = today_for(ctx, filters)
    plans = queries.action_plans(ctx.engine, **kwargs)
    plan_counts = queries.completion_counts(ctx.engine, by="action_plan", **kwargs)
    counts = queries.overview_counts(ctx.engine, **kwargs)
    delays = member_delays(ctx, scoped, today)
    late = late_plans(plans, today)

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
    )
    content = layout.member_layout(
        header=header,
        kpis=member_kpis(scoped, counts, plans, delays, today),
        plans_figure=layout.plan_timeline_figure(plan_rows(plans, plan_counts, plan_links), today=today),
        completion_figure=completion_stack(plan_counts, group="action_plan", href=plan_links),
        areas_figure=member_areas_figure(ctx, scoped),
        delays=layout.delays_table(delays, today=today),
        late_plans=layout.late_plans_table(late),
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


def member_kpis(
    scoped: Filters, counts: dict[str, int], plans: pd.DataFrame, delays: pd.DataFrame, today: dt.date
) -> list:
    """The member's KPI cards: plans, commitments, high completion, starred and current delays."""
    as_of = today.isoformat()
    delayed = int((delays["delay_status"] == "delayed").sum()) if not delays.empty else 0
    return [
        kpi_card(
            title="Action plans",
            value=f"{len(plans):,}",
            detail=f"{counts['commitments']:,} commitments",
            href=link("/commitments", scoped),
            as_of=as_of,
            card_id="member-kpi-plans",
        ),
        *completion_cards(counts, scoped, as_of=as_of, id_prefix="member"),
        kpi_card(
            title="Delayed now",
            value=f"{delayed:,}",
            detail=f"{len(delays):,} delayed or at risk in current plans",
            href=link("/delays", scoped, delay_status=("delayed", "at risk")),
            as_of=as_of,
            card_id="member-kpi-delayed",
        ),
    ]


def member_delays(ctx: AppContext, scoped: Filters, today: dt.date) -> pd.DataFrame:
    """Delayed and at-risk commitments of the member's current plans, worst first, each with its link."""
    delays = current_delays(ctx, scoped, today)
    delays = delays[delays["delay_status"].isin(PROBLEM_STATUSES)]
    delays = delays.sort_values(["severity", "ogp_id"], ascending=[False, True])
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
    delays = member_delays(ctx, member_filters(filters, code), today_for(ctx, filters))
    return delays[list(headers)].rename(columns=headers)


def late_plans(plans: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Plans due, overdue, late or contrary to process (any trigger), most serious first.

    Columns: action_plan, due_date, status, reason.
    """
    columns = ["action_plan", "due_date", "status", "reason"]
    if plans.empty:
        return pd.DataFrame(columns=columns)
    statuses = plan_statuses(plans, today).set_index("plan_id")
    rows = []
    ordered = plans.sort_values("number").reset_index(drop=True)
    for index, plan in ordered.iterrows():
        due = statuses.loc[plan["plan_id"], "due_date"] if plan["plan_id"] in statuses.index else None
        if plan["plan_id"] in statuses.index:
            status = statuses.loc[plan["plan_id"]]
            if status["submission_status"] in ATTENTION_SUBMISSIONS:
                rows.append((plan["action_plan"], due, status["submission_status"], status["submission_reason"]))
        following = ordered.iloc[index + 1] if index + 1 < len(ordered) else None
        reasons = contrary_to_process_reasons(
            previous_plan_end=plan["end_date"] if pd.notna(plan["end_date"]) else None,
            next_plan_submitted_on=_delivered_on(following),
            co_creation_met=None if pd.isna(plan["co_creation_met"]) else bool(plan["co_creation_met"]),
            any_progress_assessed=None,
            today=today,
        )
        rows.extend((plan["action_plan"], due, "contrary to process", reason) for reason in reasons)
    late = pd.DataFrame(rows, columns=columns).drop_duplicates()
    rank = {status: i for i, status in enumerate(ATTENTION_SUBMISSIONS)}
    order = late["status"].map(rank)
    return late.assign(_rank=order).sort_values(["_rank", "action_plan"]).drop(columns="_rank").reset_index(drop=True)


def _delivered_on(plan: pd.Series | None) -> dt.date | None:
    """When the next plan was delivered: its recorded date, else (a plan with commitments was delivered) its
    start date; None when there is no next plan or it has not arrived."""
    if plan is None:
        return None
    if plan["submitted_on"] is not None and not pd.isna(plan["submitted_on"]):
        return plan["submitted_on"]
    if plan["commitments"] and plan["start_date"] is not None and not pd.isna(plan["start_date"]):
        return plan["start_date"]
    return None


def member_areas_figure(ctx: AppContext, scoped: Filters):
    """Commitments of the member per policy-area group, each bar linking to those commitments."""
    areas = member_queries.policy_area_counts(ctx.engine, groups=True, **scoped.query_kwargs())
    names = {a.slug: a.name for a in POLICY_AREAS}
    hrefs = {slug: link("/commitments", scoped, policy_area=area_slugs(slug)) for slug in areas["policy_area"]}
    return layout.area_bar_figure(areas, names=names, hrefs=hrefs)
