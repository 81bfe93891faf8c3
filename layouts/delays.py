"""Delays page for country support staff: delayed and at-risk commitments, late plans, upcoming deadlines."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from layouts.components import delay_badge, page_header
from layouts.tables import submission_legend, summary_row, table_card

DELAYS_COMMITMENTS_TABLE = "delays-commitments"
DELAYS_PLANS_TABLE = "delays-plans"
DELAYS_DEADLINES_TABLE = "delays-deadlines"

DELAY_MEANINGS: dict[str, str] = {
    "delayed": "past its end date, a milestone over 90 days overdue, or progress more than half behind time",
    "at risk": "a milestone overdue, or progress more than a quarter behind time",
    "on track": "progress keeps up with time",
    "not assessable": "withdrawn, or no usable start and end dates",
    "complete": "reported Complete",
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
    plans_table: Any,
    deadlines_table: Any,
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
                "Commitments behind schedule, worst first",
                commitments_table,
                table=DELAYS_COMMITMENTS_TABLE,
                explanation=scope_note,
            ),
            submission_legend(),
            table_card(
                "Action plans overdue, late or contrary to process",
                plans_table,
                table=DELAYS_PLANS_TABLE,
                explanation="Under the 31 August / 1 January rule, for due dates in the last two years.",
            ),
            table_card(
                f"Deadlines in the next {deadline_days} days",
                deadlines_table,
                table=DELAYS_DEADLINES_TABLE,
                explanation=(
                    "Due dates of milestones not yet done, end dates of commitments not yet complete, and due "
                    "dates of action plans not yet delivered. Soonest first."
                ),
            ),
        ]
    )


def summary(counts: dict[str, int], late_plans: int, deadlines: int) -> dbc.Row:
    """Number tiles: delayed, at risk, late plans, deadlines ahead."""
    return summary_row(
        [
            (f"{counts.get('delayed', 0):,}", "commitments delayed", "delays-count-delayed"),
            (f"{counts.get('at risk', 0):,}", "commitments at risk", "delays-count-at-risk"),
            (f"{late_plans:,}", "action plans overdue, late or contrary to process", "delays-count-plans"),
            (f"{deadlines:,}", "deadlines in the next 90 days", "delays-count-deadlines"),
        ]
    )
