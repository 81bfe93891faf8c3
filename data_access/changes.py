"""What changed between two days: status transitions of commitments and plans, new progress reports and IRM
ratings (the /changes page, its panels on the overview and member pages, and the briefing).

Each end is the status layer applied to what was known that day (statuses.compute with known_by): a report
entered today about last spring changes nothing "since last spring" until today. The transitions of all
commitments and plans are computed once per data stamp and pair of days (CACHE_SIZE pairs kept per process),
then any filter is a cheap query over the few rows that changed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.domain.changes import COMMITMENT_CHANGES, PLAN_CHANGES, commitment_change, plan_change
from dashboard.domain.scales import IRM_SOURCES
from dashboard.domain.status import plan_verdict
from data_access import queries, statuses
from data_access.models import ActionPlan, Commitment, Member, ProgressReport

DEFAULT_DAYS = 90  # "since" when none is given
CACHE_SIZE = 8

COMMITMENT_CHANGE_COLUMNS = [
    *queries.IDENTITY_COLUMNS,
    "change",  # dashboard.domain.changes.COMMITMENT_CHANGES
    "before",  # delay status then
    "after",  # delay status now
    "reason",  # why it has its status now
]
PLAN_CHANGE_COLUMNS = [
    "plan_id",
    "action_plan",
    "member_code",
    "member_name",
    "change",  # dashboard.domain.changes.PLAN_CHANGES
    "before",
    "after",
    "reason",
]
REPORT_COLUMNS = [
    "report_id",
    "commitment_id",
    "ogp_id",
    "title",
    "member_code",
    "member_name",
    "source",
    "as_of",
    "completion",
    "result",
    "known_from",
    "recorded_by",
]


@dataclass(frozen=True)
class Changes:
    """The changes within one scope between two days (since excluded, until included)."""

    since: dt.date
    until: dt.date
    commitments: pd.DataFrame  # COMMITMENT_CHANGE_COLUMNS, in COMMITMENT_CHANGES order, then member and id
    plans: pd.DataFrame  # PLAN_CHANGE_COLUMNS, in PLAN_CHANGES order, then member and plan
    reports: pd.DataFrame  # REPORT_COLUMNS, progress reports other than the IRM's, newest first
    irm_ratings: pd.DataFrame  # REPORT_COLUMNS, the IRM's reports, newest first

    def counts(self) -> dict[str, int]:
        """Lines per change kind ("reports" and "IRM ratings" for the two report lists), zeros included."""
        found = {
            **self.commitments["change"].value_counts().to_dict(),
            **{f"plan {k}": v for k, v in self.plans["change"].value_counts().to_dict().items()},
        }
        return {
            **{kind: int(found.get(kind, 0)) for kind in COMMITMENT_CHANGES},
            **{f"plan {kind}": int(found.get(f"plan {kind}", 0)) for kind in PLAN_CHANGES},
            "reports": len(self.reports),
            "IRM ratings": len(self.irm_ratings),
        }

    @property
    def total(self) -> int:
        return sum(self.counts().values())


def default_since(until: dt.date) -> dt.date:
    return until - dt.timedelta(days=DEFAULT_DAYS)


def changes(engine: Engine, *, since: dt.date, until: dt.date, **filters: Any) -> Changes:
    """The changes between `since` and `until` (since < until) of the commitments and plans within the filters
    (data_access.queries commitment filters; plans take the plan-level ones)."""
    if since >= until:
        raise ValueError(f"since ({since}) must be before until ({until})")
    filters = {k: v for k, v in filters.items() if v is not None}
    moved_commitments, moved_plans = _transitions(engine, since, until)
    commitments = _commitment_lines(engine, moved_commitments, filters)
    plans = _plan_lines(engine, moved_plans, filters)
    reports = _new_reports(engine, since, until, filters)
    irm = reports["source"].isin(sorted(IRM_SOURCES))
    return Changes(
        since=since,
        until=until,
        commitments=commitments,
        plans=plans,
        reports=reports[~irm].reset_index(drop=True),
        irm_ratings=reports[irm].reset_index(drop=True),
    )


# --- Transitions of everything, once per data stamp and pair of days -----------------------------------------

_CACHE: OrderedDict[tuple[Any, ...], tuple[pd.DataFrame, pd.DataFrame]] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _transitions(engine: Engine, since: dt.date, until: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(commitment transitions: commitment_id, change, before, after, reason; plan transitions: plan_id, change,
    before, after, reason) of the whole database."""
    key = (engine.url.render_as_string(), queries.data_stamp(engine), since, until)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    plans_then, commitments_then = statuses.compute(engine, since, known_by=since)
    plans_now, commitments_now = statuses.compute(engine, until, known_by=until)
    found = (_commitment_transitions(commitments_then, commitments_now), _plan_transitions(plans_then, plans_now))
    with _CACHE_LOCK:
        _CACHE[key] = found
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def _commitment_transitions(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    before = dict(zip(then["commitment_id"].tolist(), then["delay_status"].tolist(), strict=True))
    delivered_then = _delivered_commitments(then)
    rows = []
    for cid, after, reason in zip(
        *(now[c].tolist() for c in ("commitment_id", "delay_status", "delay_reason")), strict=True
    ):
        was = before.get(cid) if cid in delivered_then else None
        change = commitment_change(was, after)
        if change is not None:
            rows.append((cid, change, was, after, reason))
    return pd.DataFrame(rows, columns=["commitment_id", "change", "before", "after", "reason"])


def _delivered_commitments(then: pd.DataFrame) -> set[Any]:
    """The commitments in view on the first day (not those of plans delivered later: statuses.compute)."""
    return set(then.loc[then["in_view"].astype(bool), "commitment_id"].tolist())


def _plan_transitions(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    def verdicts(frame: pd.DataFrame) -> dict[Any, tuple[str, bool, str]]:
        found = {}
        for p in frame.itertuples(index=False):
            status, why = plan_verdict(p.submission_status, p.submission_reason, p.process_status, p.process_reason)
            found[p.plan_id] = (status, bool(p.delivered), why)
        return found

    before, after = verdicts(then), verdicts(now)
    rows = []
    for plan_id, (status, delivered, why) in after.items():
        if plan_id not in before:
            continue
        was, was_delivered, _ = before[plan_id]
        change = plan_change((was, was_delivered), (status, delivered))
        if change is not None:
            rows.append((plan_id, change, was, status, why))
    return pd.DataFrame(rows, columns=["plan_id", "change", "before", "after", "reason"])


# --- The lines of one scope --------------------------------------------------------------------------------


def _ordered(frame: pd.DataFrame, kinds: tuple[str, ...], *then: str) -> pd.DataFrame:
    if frame.empty:
        return frame.reset_index(drop=True)
    rank = frame["change"].map({kind: i for i, kind in enumerate(kinds)})
    return frame.assign(_rank=rank).sort_values(["_rank", *then], kind="stable").drop(columns="_rank")


def _commitment_lines(engine: Engine, moved: pd.DataFrame, filters: dict[str, Any]) -> pd.DataFrame:
    if moved.empty:
        return pd.DataFrame(columns=COMMITMENT_CHANGE_COLUMNS)
    stmt = queries.commitment_scope(select(*queries.COMMITMENT_IDENTITY), filters)
    stmt = stmt.where(Commitment.id.in_([int(c) for c in moved["commitment_id"]]))
    names = queries.frame(engine, stmt, queries.IDENTITY_COLUMNS)
    lines = names.merge(moved, on="commitment_id")[COMMITMENT_CHANGE_COLUMNS]
    return _ordered(lines, COMMITMENT_CHANGES, "member_name", "ogp_id").reset_index(drop=True)


def _plan_lines(engine: Engine, moved: pd.DataFrame, filters: dict[str, Any]) -> pd.DataFrame:
    if moved.empty:
        return pd.DataFrame(columns=PLAN_CHANGE_COLUMNS)
    stmt = queries.plan_scope(select(ActionPlan.id, ActionPlan.ogp_id, Member.code, Member.name), **filters)
    stmt = stmt.where(ActionPlan.id.in_([int(p) for p in moved["plan_id"]]))
    names = queries.frame(engine, stmt, PLAN_CHANGE_COLUMNS[:4])
    lines = names.merge(moved, on="plan_id")[PLAN_CHANGE_COLUMNS]
    return _ordered(lines, PLAN_CHANGES, "member_name", "action_plan").reset_index(drop=True)


def _new_reports(engine: Engine, since: dt.date, until: dt.date, filters: dict[str, Any]) -> pd.DataFrame:
    """Progress reports that became known after `since`, up to `until`, dated on or before `until`."""
    stmt = select(
        ProgressReport.id,
        Commitment.id,
        Commitment.ogp_id,
        Commitment.title,
        Member.code,
        Member.name,
        ProgressReport.source,
        ProgressReport.as_of,
        ProgressReport.completion,
        ProgressReport.result,
        ProgressReport.known_from,
        ProgressReport.recorded_by,
    )
    stmt = queries.commitment_scope(stmt, filters).join(ProgressReport, ProgressReport.commitment_id == Commitment.id)
    stmt = stmt.where(
        ProgressReport.known_from > since, ProgressReport.known_from <= until, ProgressReport.as_of <= until
    )
    stmt = stmt.order_by(ProgressReport.known_from.desc(), ProgressReport.as_of.desc(), ProgressReport.id.desc())
    return queries.frame(engine, stmt, REPORT_COLUMNS)
