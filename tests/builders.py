"""Small builders of exact test data through the ORM (so expected values are known by hand)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import Engine, select

from dashboard.domain.policy_areas import POLICY_AREAS
from data_access.db import bump_data_version, session_scope
from data_access.models import ActionPlan, Commitment, Member, Milestone, PolicyArea, ProgressReport

_ids = itertools.count(1)


def build(engine: Engine, members: list[dict[str, Any]]) -> None:
    """Write members with nested plans, commitments, milestones and reports in one transaction.

    members: [{code, name, region, member_type?, plans: [{ogp_id, submission_year, start, end, submitted_on?,
    commitments: [{ogp_id, title, completion?, starred?, start?, end?, areas?, milestones?, reports?, **ratings}]}]}]
    """
    with session_scope(engine) as session:
        areas = {a.slug: a for a in session.scalars(select(PolicyArea))}
        for definition in POLICY_AREAS:
            if definition.slug not in areas:
                area = PolicyArea(
                    slug=definition.slug, name=definition.name, parent=definition.parent, is_group=definition.is_group
                )
                session.add(area)
                areas[definition.slug] = area
        for m in members:
            member = Member(
                code=m["code"],
                name=m["name"],
                region=m["region"],
                member_type=m.get("member_type", "National"),
                status=m.get("status", "Active"),
            )
            session.add(member)
            for number, p in enumerate(m.get("plans", []), start=1):
                plan = ActionPlan(
                    ogp_id=p["ogp_id"],
                    member=member,
                    number=p.get("number", number),
                    submission_year=p["submission_year"],
                    submitted_on=p.get("submitted_on"),
                    start_date=p["start"],
                    end_date=p["end"],
                    end_year=p["end"].year,
                    duration_years=p.get("duration_years", 2),
                )
                session.add(plan)
                for c in p.get("commitments", []):
                    extra = {
                        k: v
                        for k, v in c.items()
                        if k not in {"areas", "milestones", "reports", "start", "end", "starred"}
                    }
                    commitment = Commitment(
                        action_plan=plan,
                        start_date=c.get("start", p["start"]),
                        end_date=c.get("end", p["end"]),
                        starred=c.get("starred", False),
                        policy_areas=[areas[s] for s in c.get("areas", [])],
                        sheet_extra={},
                        **extra,
                    )
                    session.add(commitment)
                    for title, due, done in c.get("milestones", []):
                        session.add(Milestone(commitment=commitment, title=title, due_date=due, done_date=done))
                    for report in c.get("reports", []):
                        session.add(ProgressReport(commitment=commitment, recorded_by="test", **report))
        bump_data_version(session)


def report(as_of: dt.date, source: str, completion: str, **extra: Any) -> dict[str, Any]:
    """A progress report definition for build()."""
    return {"as_of": as_of, "source": source, "completion": completion, **extra}


ROUTER_OUTPUTS = (
    ("page-content", "children"),
    ("breadcrumbs", "children"),
    ("filter-alerts", "children"),
    ("data-badge", "children"),
    ("page-title", "data"),
)


def page_request(pathname: str, search: str = "") -> dict[str, Any]:
    """The body the browser posts to /_dash-update-component to have the router render a URL."""
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in ROUTER_OUTPUTS) + "..",
        "outputs": [{"id": i, "property": p} for i, p in ROUTER_OUTPUTS],
        "inputs": [
            {"id": "url", "property": "pathname", "value": pathname},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.pathname"],
    }
