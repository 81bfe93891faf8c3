"""What changed between two days: the status transitions support staff and the Steering Committee act on.

A commitment's or plan's status on each day comes from the status layer (dashboard.domain.status) applied to
what was known that day; this module only names the transition between the two, one line per commitment or
plan: the most telling change, in the order of COMMITMENT_CHANGES / PLAN_CHANGES. Transitions nobody acts on
(a plan's commitments closing a year after it ended, "not assessable" coming and going) are not changes here.
"""

from __future__ import annotations

import datetime as dt

from dashboard.domain.rules import format_day

# Worst first: the order of the /changes lists and their counts.
COMMITMENT_CHANGES: tuple[str, ...] = (
    "newly delayed",
    "newly at risk",
    "newly without evidence",
    "recovered",
    "completed",
)
COMMITMENT_CHANGE_MEANING: dict[str, str] = {
    "newly delayed": "delayed now, not delayed then",
    "newly at risk": "at risk now, neither delayed nor at risk then",
    "newly without evidence": "a progress report was due and none came",
    "recovered": "back on track after being delayed, at risk or without evidence",
    "completed": "evidence of completion arrived",
}
PLAN_CHANGES: tuple[str, ...] = ("contrary to process", "overdue", "submitted late", "submitted")
PLAN_CHANGE_MEANING: dict[str, str] = {
    "contrary to process": "acting contrary to process now, and was not then",
    "overdue": "passed its 31 August deadline without being delivered",
    "submitted late": "delivered after its deadline",
    "submitted": "delivered on time",
}
BEHIND = ("delayed", "at risk")


def commitment_change(before: str | None, after: str | None) -> str | None:
    """The change of a commitment whose delay status went from `before` to `after`, or None.

    None for `before` when the commitment was not in view then (its plan was delivered later: the plan's
    submission is the change) and for `after` when it is no longer in the data.
    """
    if before is None or after is None or before == after:
        return None
    if after == "complete":
        return "completed"
    if after == "delayed":
        return "newly delayed"
    if after == "at risk" and before not in BEHIND:
        return "newly at risk"
    if after == "no evidence":
        return "newly without evidence"
    if after == "on track" and (before in BEHIND or before == "no evidence"):
        return "recovered"
    return None


def plan_change(before: tuple[str, bool], after: tuple[str, bool]) -> str | None:
    """The change of a plan from (verdict, delivered) `before` to `after`, or None.

    verdict: status.plan_verdict's status (contrary to process wins over the submission status).
    """
    (was, was_delivered), (now, delivered) = before, after
    if now == "contrary to process" and was != "contrary to process":
        return "contrary to process"
    if delivered and not was_delivered:
        return "submitted late" if now == "late" else "submitted"
    if now == "overdue" and was != "overdue":
        return "overdue"
    return None


def describe_period(since: dt.date, until: dt.date) -> str:
    """'from 1 Sep 2026 to 1 Dec 2026': the words every /changes view and export heads with."""
    return f"from {format_day(since)} to {format_day(until)}"
