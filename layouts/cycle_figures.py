"""Figures of the cycle and IRM pages: plan timeline and mid-term -> end-of-term completion matrix."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.rules import format_day
from layouts.figures import base_layout, empty_figure

SCHEDULE_COLORS: dict[str, str] = {
    "on schedule": "#0072B2",
    "behind": "#D55E00",
    "no commitments": "#999999",
}
SCHEDULE_PATTERNS: dict[str, str] = {"on schedule": "", "behind": "/", "no commitments": "."}
SCHEDULE_LABELS: dict[str, str] = {
    "on schedule": "On schedule",
    "behind": "Behind (progress trails time by more than a quarter)",
    "no commitments": "No commitments recorded",
}
TODAY_COLOR = "#222222"
MIDTERM_COLOR = "#CC79A7"
ROW_HEIGHT = 24
MS_PER_DAY = 86_400_000


def plan_label(member_name: str, action_plan: str) -> str:
    """The y-axis label of a plan: member name and OGP plan id."""
    return f"{member_name} · {action_plan}"


def cycle_timeline(plans: pd.DataFrame, *, as_of: dt.date, hrefs: list[str] | None = None) -> go.Figure:
    """One horizontal bar per plan from start to end, a line on `as_of` and a diamond at mid-term.

    plans: data_access.progress_queries.cycle_plans rows; hrefs: drilldown link per row (customdata[0]).
    Bars are coloured (and patterned) by schedule and labelled with the month and progress vs expected.
    """
    if plans.empty:
        return empty_figure(f"No action plan was in implementation on {format_day(as_of)}.")
    data = plans.reset_index(drop=True).copy()
    data["label"] = [plan_label(m, p) for m, p in zip(data["member_name"], data["action_plan"], strict=True)]
    data["href"] = hrefs if hrefs is not None else [None] * len(data)
    data["text"] = [_bar_text(row) for row in data.itertuples(index=False)]
    order = list(reversed(data["label"]))  # first plan at the top
    fig = go.Figure()
    for schedule, color in SCHEDULE_COLORS.items():
        part = data[data["schedule"] == schedule]
        if part.empty:
            continue
        starts = [d.isoformat() for d in part["start_date"]]
        lengths = [((e - s).days + 1) * MS_PER_DAY for s, e in zip(part["start_date"], part["end_date"], strict=True)]
        fig.add_bar(
            y=part["label"],
            x=lengths,
            base=starts,
            orientation="h",
            name=SCHEDULE_LABELS[schedule],
            marker={"color": color, "pattern": {"shape": SCHEDULE_PATTERNS[schedule], "fgcolor": "white"}},
            text=part["text"],
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "white", "size": 12},
            customdata=list(zip(part["href"], part["position"], part["text"], strict=True)),
            hovertemplate="%{y}<br>%{customdata[1]}<br>%{customdata[2]}<br>Click to open the member<extra></extra>",
        )
    fig.add_scatter(
        y=data["label"],
        x=[d.isoformat() for d in data["midterm"]],
        mode="markers",
        name="Mid-term",
        marker={"symbol": "diamond", "size": 11, "color": MIDTERM_COLOR, "line": {"color": "white", "width": 1}},
        customdata=list(zip(data["href"], [format_day(d) for d in data["midterm"]], strict=True)),
        hovertemplate="%{y}<br>Mid-term: %{customdata[1]}<extra></extra>",
    )
    # A dashed line on the date shown, drawn as a trace so it has a legend entry.
    fig.add_scatter(
        x=[as_of.isoformat(), as_of.isoformat()],
        y=[order[-1], order[0]],
        mode="lines",
        name=f"As of {format_day(as_of)}",
        line={"color": TODAY_COLOR, "width": 2, "dash": "dash"},
        hoverinfo="skip",
    )
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=order,
        range=[-0.6, len(order) - 0.4],
        title=None,
        automargin=True,
        tickfont={"size": 12},
    )
    fig.update_xaxes(type="date", side="top", showgrid=True, gridcolor="#e5e5e5", title=None)
    fig = base_layout(fig, height=60 + ROW_HEIGHT * len(data))
    # The page shows the legend above the chart (it stays visible while the chart scrolls).
    fig.update_layout(showlegend=False, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def _bar_text(row) -> str:
    """'Month 14 of 24 · 35% done, 58% expected' (no progress figure for plans without commitments)."""
    if row.progress_share is None or pd.isna(row.progress_share):
        return f"Month {row.month} of {row.total_months}"
    return f"Month {row.month} of {row.total_months} · {row.progress_share:.0%} done, {row.expected_share:.0%} expected"


def completion_change_heatmap(matrix: pd.DataFrame, hrefs: pd.DataFrame) -> go.Figure:
    """Counts of commitments per mid-term (rows) and end-of-term (columns) completion, with the count in each cell.

    matrix: counts indexed by mid-term level with end-of-term levels as columns (already ordered);
    hrefs: same shape, the drilldown link of each cell (None where there is no list to open).
    """
    if matrix.empty or int(matrix.to_numpy().sum()) == 0:
        return empty_figure("No commitment has an IRM completion rating under these filters.")
    z = matrix.to_numpy()
    text = [[f"{int(v):,}" if v else "" for v in row] for row in z]
    links = [[href if isinstance(href, str) else "" for href in row] for row in hrefs.to_numpy()]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=list(matrix.index),
            text=text,
            texttemplate="%{text}",
            textfont={"size": 13},
            colorscale="Blues",
            colorbar={"title": {"text": "Commitments"}, "thickness": 14},
            customdata=links,
            hovertemplate="Mid-term: %{y}<br>End of term: %{x}<br>%{z} commitments<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_xaxes(title="End-of-term completion (IRM)", side="bottom", tickangle=0)
    fig.update_yaxes(title="Mid-term completion (IRM)", autorange="reversed", automargin=True)
    return base_layout(fig, height=max(360, 120 + 44 * len(matrix.index)))
