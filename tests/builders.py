"""Small builders of exact test data through the ORM (so expected values are known by hand)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from dashboard.domain.policy_areas import POLICY_AREAS
from data_access import search
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
        session.flush()
        search.rebuild(session.connection())  # as every writer of commitments does
        bump_data_version(session)


def report(as_of: dt.date, source: str, completion: str, **extra: Any) -> dict[str, Any]:
    """A progress report definition for build()."""
    return {"as_of": as_of, "source": source, "completion": completion, **extra}


# What changed between SINCE and UNTIL (build_change_history).
SINCE = dt.date(2026, 4, 1)
UNTIL = dt.date(2026, 6, 30)
START, END = dt.date(2024, 9, 1), dt.date(2027, 8, 31)  # a three-year plan: 53% of it gone on SINCE, 61% on UNTIL
EARLY = report(dt.date(2026, 3, 1), "government", "Substantial")  # known before SINCE: on track on both days


def _commitment(ogp_id: str, **extra) -> dict:
    return {"ogp_id": ogp_id, "title": f"Commitment {ogp_id}", **extra}


def build_change_history(engine: Engine) -> None:
    """Two members whose changes between SINCE and UNTIL are known by hand (tests/unit/test_changes.py says which)."""
    overdue_milestone = [("Publish the register", dt.date(2026, 2, 15), None)]  # 45 days late on SINCE, 135 on UNTIL
    build(
        engine,
        [
            {
                "code": "AAA",
                "name": "Aland",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_AAA01",
                        "submission_year": 2024,
                        "submitted_on": dt.date(2024, 8, 20),
                        "start": START,
                        "end": END,
                        "commitments": [
                            # at risk (milestone 45 days late) -> delayed (135 days late)
                            _commitment("AA0001", milestones=overdue_milestone, reports=[EARLY]),
                            # Complete reported on 10 May, known from its date
                            _commitment(
                                "AA0002", reports=[EARLY, report(dt.date(2026, 5, 10), "civil_society", "Complete")]
                            ),
                            # Complete dated 20 March, but entered only on 15 June (set below)
                            _commitment(
                                "AA0003", reports=[EARLY, report(dt.date(2026, 3, 20), "government", "Complete")]
                            ),
                            # a new report and an IRM rating, but no change of status
                            _commitment(
                                "AA0004",
                                reports=[
                                    EARLY,
                                    report(dt.date(2026, 6, 1), "government", "Substantial"),
                                    report(dt.date(2026, 5, 1), "irm_midterm", "Substantial"),
                                ],
                            ),
                            # no report where one was due -> on track with its first report
                            _commitment("AA0005", reports=[report(dt.date(2026, 5, 1), "support_unit", "Substantial")]),
                        ],
                    }
                ],
            },
            {
                "code": "BBB",
                "name": "Bolandia",
                "region": "Americas",
                "plans": [
                    {
                        "ogp_id": "AP_BBB01",
                        "submission_year": 2024,
                        "submitted_on": dt.date(2024, 8, 30),
                        "start": START,
                        "end": END,
                        "commitments": [_commitment("BB0002", milestones=overdue_milestone, reports=[EARLY])],
                    },
                    {
                        # delivered on 15 May, before its 31 August deadline: its commitment was not in view on SINCE
                        "ogp_id": "AP_BBB02",
                        "submission_year": 2026,
                        "submitted_on": dt.date(2026, 5, 15),
                        "start": dt.date(2026, 9, 1),
                        "end": dt.date(2028, 8, 31),
                        "commitments": [_commitment("BB0001")],
                    },
                ],
            },
        ],
    )
    with Session(engine) as session, session.begin():
        backdated = select(Commitment.id).where(Commitment.ogp_id == "AA0003").scalar_subquery()
        session.execute(
            update(ProgressReport)
            .where(ProgressReport.commitment_id == backdated, ProgressReport.completion == "Complete")
            .values(known_from=dt.date(2026, 6, 15))
        )


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
