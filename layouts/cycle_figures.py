"""Figures of the cycle and IRM pages: plan timeline and mid-term -> end-of-term completion matrix."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.rules import format_day
from layouts.figures import base_layout, empty_figure, figure

SCHEDULE_COLORS: dict[str, str] = {
    "on schedule": "#0072B2",
    "behind": "#D55E00",
    "no evidence": "#CC79A7",
    "no commitments": "#999999",
}
SCHEDULE_PATTERNS: dict[str, str] = {"on schedule": "", "behind": "/", "no evidence": "x", "no commitments": "."}
# The pattern's marks are drawn in this colour on a solid fill of the schedule's colour (the pattern's bgcolor):
# without an explicit bgcolor a Plotly pattern is painted on a transparent fill and the bar vanishes.
PATTERN_INK = "#FFFFFF"
SCHEDULE_LABELS: dict[str, str] = {
    "on schedule": "On schedule",
    "behind": "Behind (progress trails time by more than a quarter)",
    "no evidence": "No evidence (no commitment has a progress report of a level)",
    "no commitments": "No commitments recorded",
}
TODAY_COLOR = "#222222"
MIDTERM_COLOR = "#CC79A7"
ROW_HEIGHT = 24
MS_PER_DAY = 86_400_000
# Geometry shared by the timeline and its axis header (they must line up to the pixel): fixed side margins sized
# from the longest plan label (left) and the longest status text (right column), at about 7 px a character.
CHAR_PX = 7.2
STATUS_HEADING = "Month · done vs expected"
AXIS_HEIGHT = 46
TIMELINE_PAD = 6


def plan_label(member_name: str, action_plan: str) -> str:
    """The y-axis label of a plan: member name and OGP plan id."""
    return f"{member_name} · {action_plan}"


def schedule_marker(schedule: str) -> dict:
    """Bar marker of a schedule: a solid fill in its colour, plus white hatching or dots when it has a pattern."""
    color = SCHEDULE_COLORS[schedule]
    marker: dict = {"color": color, "line": {"width": 0}}
    shape = SCHEDULE_PATTERNS[schedule]
    if shape:
        marker["pattern"] = {
            "shape": shape,
            "fillmode": "replace",
            "bgcolor": color,
            "fgcolor": PATTERN_INK,
            "fgopacity": 0.9,
            "size": 7,
            "solidity": 0.35,
        }
    return marker


def cycle_timeline(plans: pd.DataFrame, *, as_of: dt.date, hrefs: list[str] | None = None) -> go.Figure:
    """One horizontal bar per plan from start to end, a line on `as_of` and a diamond at mid-term.

    plans: data_access.progress_queries.cycle_plans rows; hrefs: drilldown link per row (customdata[0]).
    Bars are coloured (and patterned) by schedule. Each plan's status ('Month 14 of 24 · 35% done, 58% expected')
    is written in a column in the right margin, outside the plot area, so it never overlaps a bar's mid-term
    diamond or the as-of line. The date axis is not drawn here but by `timeline_axis`, a separate strip the page
    keeps stuck above the scrolling timeline; both use the same fixed x range and side margins.
    """
    if plans.empty:
        return empty_figure(f"No action plan was in implementation on {format_day(as_of)}.")
    data = plans.reset_index(drop=True).copy()
    data["label"] = [plan_label(m, p) for m, p in zip(data["member_name"], data["action_plan"], strict=True)]
    data["href"] = hrefs if hrefs is not None else [None] * len(data)
    data["text"] = [_bar_text(row) for row in data.itertuples(index=False)]
    order = list(reversed(data["label"]))  # first plan at the top
    traces: list[dict] = []
    for schedule in SCHEDULE_COLORS:
        part = data[data["schedule"] == schedule]
        if part.empty:
            continue
        starts = [d.isoformat() for d in part["start_date"]]
        lengths = [((e - s).days + 1) * MS_PER_DAY for s, e in zip(part["start_date"], part["end_date"], strict=True)]
        traces.append(
            {
                "type": "bar",
                "y": part["label"].tolist(),
                "x": lengths,
                "base": starts,
                "orientation": "h",
                "name": SCHEDULE_LABELS[schedule],
                "marker": schedule_marker(schedule),
                "textposition": "none",
                "customdata": list(zip(part["href"], part["position"], part["text"], strict=True)),
                "hovertemplate": (
                    f"%{{y}}<br>{SCHEDULE_LABELS[schedule]}<br>%{{customdata[2]}}"
                    "<br>Click to open the member<extra></extra>"
                ),
            }
        )
    traces.append(
        {
            "type": "scatter",
            "y": data["label"].tolist(),
            "x": [d.isoformat() for d in data["midterm"]],
            "mode": "markers",
            "name": "Mid-term",
            "marker": {
                "symbol": "diamond",
                "size": 11,
                "color": MIDTERM_COLOR,
                "line": {"color": "white", "width": 1},
            },
            "customdata": list(zip(data["href"], [format_day(d) for d in data["midterm"]], strict=True)),
            "hovertemplate": "%{y}<br>Mid-term: %{customdata[1]}<extra></extra>",
        }
    )
    # A dashed line on the date shown, drawn as a trace so it has a legend entry.
    traces.append(
        {
            "type": "scatter",
            "x": [as_of.isoformat(), as_of.isoformat()],
            "y": [order[-1], order[0]],
            "mode": "lines",
            "name": f"As of {format_day(as_of)}",
            "line": {"color": TODAY_COLOR, "width": 2, "dash": "dash"},
            "hoverinfo": "skip",
        }
    )
    # The status column: one annotation per plan, left-aligned just right of the plot area.
    status_column = [
        {
            "x": 1,
            "xref": "paper",
            "xanchor": "left",
            "xshift": 10,
            "y": label,
            "yref": "y",
            "text": text,
            "showarrow": False,
            "align": "left",
            "font": {"size": 12, "color": "#333333"},
        }
        for label, text in zip(data["label"], data["text"], strict=True)
    ]
    layout = {
        "barmode": "overlay",
        "bargap": 0.25,
        "annotations": status_column,
        "yaxis": {
            "categoryorder": "array",
            "categoryarray": order,
            "range": [-0.6, len(order) - 0.4],
            "title": None,
            "automargin": True,
            "tickfont": {"size": 12},
            "fixedrange": True,
        },
        "xaxis": {
            "type": "date",
            "range": _date_range(data, as_of),
            "showticklabels": False,
            "ticks": "",
            "showgrid": True,
            "gridcolor": "#e5e5e5",
            "title": None,
            "fixedrange": True,
        },
        # The page shows the legend above the chart (it stays visible while the chart scrolls).
        "showlegend": False,
        "margin": {
            "l": _text_px(data["label"]),
            "r": _text_px([*data["text"], STATUS_HEADING]),
            "t": TIMELINE_PAD,
            "b": TIMELINE_PAD,
        },
    }
    return figure(traces, layout, height=2 * TIMELINE_PAD + ROW_HEIGHT * len(data))


def timeline_axis(timeline: go.Figure, *, as_of: dt.date) -> go.Figure | None:
    """The date axis of `timeline` as a strip of its own (same x range and side margins), or None if it is empty.

    A dcc.Graph is one SVG, so its own axis cannot stay in view while a tall timeline scrolls; the page puts this
    strip above the timeline in the same scrolling box with `position: sticky` (see .cdi-timeline-axis in app.css).
    """
    x_range = timeline.layout.xaxis.range
    if not x_range:
        return None
    margin = timeline.layout.margin
    fig = go.Figure()
    # A marker on the date shown, above the dashed line of the timeline.
    fig.add_scatter(
        x=[as_of.isoformat()],
        y=[0],
        mode="markers",
        marker={"symbol": "triangle-down", "size": 10, "color": TODAY_COLOR},
        hovertemplate=f"As of {format_day(as_of)}<extra></extra>",
        showlegend=False,
    )
    # Column headings on the strip's lower line, under the level of the date labels (which may overhang the ends).
    for text, x, anchor, shift in (("Action plan", 0, "right", -8), (STATUS_HEADING, 1, "left", 10)):
        fig.add_annotation(
            x=x,
            xref="paper",
            xanchor=anchor,
            xshift=shift,
            y=0,
            yref="paper",
            yanchor="bottom",
            text=f"<b>{text}</b>",
            showarrow=False,
            font={"size": 12, "color": "#333333"},
        )
    fig.update_xaxes(
        type="date",
        range=list(x_range),
        side="top",
        showgrid=False,
        ticks="outside",
        ticklen=4,
        showline=True,
        linecolor="#bbbbbb",
        tickfont={"size": 12},
        title=None,
        fixedrange=True,
    )
    fig.update_yaxes(visible=False, range=[-1, 1], fixedrange=True)
    fig = base_layout(fig, height=AXIS_HEIGHT)
    fig.update_layout(showlegend=False, margin={"l": margin.l, "r": margin.r, "t": AXIS_HEIGHT - 20, "b": 0})
    return fig


def _date_range(data: pd.DataFrame, as_of: dt.date) -> list[str]:
    """The x range of the timeline: every bar, diamond and the as-of line, with a little room either side."""
    first = min(min(data["start_date"]), as_of)
    last = max(max(data["end_date"]), as_of)
    pad = dt.timedelta(days=max(20, (last - first).days // 40))
    return [(first - pad).isoformat(), (last + pad).isoformat()]


def _text_px(texts) -> int:
    """A side margin wide enough for the longest of `texts` at the 12 px tick/annotation font."""
    longest = max((len(t) for t in texts), default=0)
    return int(16 + CHAR_PX * longest)


def _bar_text(row) -> str:
    """'Month 14 of 24 · 35% done, 58% expected'; no progress figure without commitments or without evidence."""
    if row.progress_share is None or pd.isna(row.progress_share):
        if row.schedule == "no evidence":
            return f"Month {row.month} of {row.total_months} · no evidence, {row.expected_share:.0%} expected"
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
