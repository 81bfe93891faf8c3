"""Delays page for country support staff: delayed and at-risk commitments, late plans, upcoming deadlines."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from layouts.components import delay_badge, page_header
from layouts.tables import submission_legend, table_card

DELAYS_COMMITMENTS_TABLE = "delays-commitments"
DELAYS_PLANS_TABLE = "delays-plans"
DELAYS_DEADLINES_TABLE = "delays-deadlines"

DELAY_MEANINGS: dict[str, str] = {
    "delayed": "ended and not complete, a milestone over 90 days overdue, or reported progress more than half "
    "behind time",
    "at risk": "a milestone overdue, or reported progress more than a quarter behind time",
    "no evidence": "no progress report where one was due (six months in, or since it ended): not proof of delay",
    "on track": "reported progress keeps up with time, or it has not started",
    "not assessable": "withdrawn, no usable dates, or no report due yet",
    "complete": "reported Complete",
    "closed": "its plan ended more than 12 months ago: history, with its final completion",
}


def delay_legend() -> html.Div:
    """Every delay status with its icon and what it means."""
    return html.Div(
        [html.Span("Delay status: ", className="fw-semibold me-2")]
        + [html.Span([delay_badge(s), f" {m}"], className="legend-item me-3") for s, m in DELAY_MEANINGS.items()],
        className="scale-legend small mb-2 cdi-legend",
    )


def follow_hint(members: tuple[str, ...]) -> dbc.Alert:
    """How to narrow the page to the members a person follows (the member filter, kept in the link)."""
    text = (
        f"Showing the members you chose ({', '.join(members)}). Bookmark this page to come back to them."
        if members
        else "Follow your members: pick them in the Member filter above, then bookmark the page; "
        "the link keeps your choice."
    )
    return dbc.Alert(
        [html.I(className="bi bi-bookmark-star me-2", **{"aria-hidden": "true"}), text],
        color="info",
        className="py-2 small cdi-follow-hint",
    )


def layout(
    *,
    hint: dbc.Alert,
    summary: dbc.Row,
    scope_note: str,
    commitments_table: Any,
    commitment_count: int,
    plans_table: Any,
    plan_count: int,
    deadlines_table: Any,
    deadline_count: int,
    deadline_days: int,
) -> html.Div:
    """The delays page: hint, counts, commitments behind, late plans, deadlines ahead."""
    return html.Div(
        [
            page_header(
                "Delays and deadlines",
                "Which commitments and action plans are behind, by how much and why, and what falls due next.",
            ),
            hint,
            summary,
            delay_legend(),
            table_card(
                f"Commitments to act on ({commitment_count:,}), worst first",
                commitments_table,
                table=DELAYS_COMMITMENTS_TABLE,
                explanation=scope_note,
                list_id="delays-commitments",
                count=commitment_count,
            ),
            submission_legend(),
            table_card(
                f"Action plans overdue, late or contrary to process ({plan_count:,})",
                plans_table,
                table=DELAYS_PLANS_TABLE,
                explanation="Under the 31 August / 1 January rule for due dates in the last two years, and plans "
                "whose next plan the data shows came more than 12 months after they ended.",
                list_id="late-plans",
                count=plan_count,
            ),
            table_card(
                f"Deadlines in the next {deadline_days} days ({deadline_count:,})",
                deadlines_table,
                table=DELAYS_DEADLINES_TABLE,
                list_id="delays-deadlines",
                count=deadline_count,
                explanation=(
                    "Due dates of milestones not yet done, end dates of commitments not yet complete, and due "
                    "dates of action plans not yet delivered. Soonest first."
                ),
            ),
        ]
    )
