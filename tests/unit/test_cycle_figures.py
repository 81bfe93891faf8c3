"""The cycle timeline's figure: every bar drawn on a solid fill, status labels clear of the markers, a sticky axis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from layouts.cycle import schedule_legend, timeline_box
from layouts.cycle_figures import SCHEDULE_COLORS, cycle_timeline, timeline_axis

D = dt.date
AS_OF = D(2025, 3, 15)
CSS = Path(__file__).resolve().parents[2] / "assets" / "app.css"


def _plan(member, plan, start, end, schedule, progress, expected, month):
    return {
        "member_name": member,
        "member_code": member[:3].upper(),
        "action_plan": plan,
        "start_date": start,
        "end_date": end,
        "midterm": start + (end - start) / 2,
        "schedule": schedule,
        "position": f"Month {month} of 24",
        "month": month,
        "total_months": 24,
        "progress_share": progress,
        "expected_share": expected,
    }


@pytest.fixture
def plans() -> pd.DataFrame:
    """One plan of each schedule; the behind one's mid-term diamond sits right next to the as-of line."""
    return pd.DataFrame(
        [
            _plan("Albania", "AP_ALB02", D(2024, 9, 1), D(2026, 8, 31), "on schedule", 0.6, 0.27, 7),
            _plan("Brazil", "AP_BRA01", D(2023, 4, 1), D(2025, 3, 31), "behind", 0.17, 0.98, 24),
            _plan("Chile", "AP_CHL01", D(2024, 9, 1), D(2026, 8, 31), "no commitments", None, 0.27, 7),
        ]
    )


def _solid(color: str) -> bool:
    """A colour that paints something: not empty, not 'transparent', not fully see-through rgba."""
    if not color or color == "transparent":
        return False
    if color.startswith("rgba"):
        return float(color.rsplit(",", 1)[1].rstrip(") ")) > 0
    return True


def _bars(fig) -> dict[str, object]:
    return {trace.name.split(" ")[0].lower(): trace for trace in fig.data if trace.type == "bar"}


def test_cycf001_behind_and_no_commitment_bars_are_solid_with_a_contrasting_pattern(plans):
    fig = cycle_timeline(plans, as_of=AS_OF)
    bars = _bars(fig)

    behind = bars["behind"]
    pattern = behind.marker.pattern
    assert behind.marker.color == SCHEDULE_COLORS["behind"] == "#D55E00"
    # The hatching is drawn on a solid orange fill (bgcolor), not on the transparent default of a Plotly pattern.
    assert pattern.shape == "/"
    assert pattern.bgcolor == "#D55E00" and _solid(pattern.bgcolor)
    assert _solid(pattern.fgcolor) and pattern.fgcolor.lower() != pattern.bgcolor.lower()
    assert pattern.fillmode == "replace" and pattern.fgopacity > 0.5

    dots = bars["no"].marker.pattern
    assert dots.shape == "." and dots.bgcolor == SCHEDULE_COLORS["no commitments"]
    assert _solid(dots.fgcolor) and dots.fgcolor.lower() != dots.bgcolor.lower()

    on_schedule = bars["on"]
    assert on_schedule.marker.color == SCHEDULE_COLORS["on schedule"]
    assert not on_schedule.marker.pattern.shape  # plain solid blue


def test_cycf002_status_labels_live_right_of_the_plot_area_never_on_the_markers(plans):
    fig = cycle_timeline(plans, as_of=AS_OF)

    # No trace draws text inside the plot area, where the bars, diamonds and the as-of line are.
    for trace in fig.data:
        if trace.type == "bar":
            assert trace.textposition == "none" and not trace.text
        else:
            assert "text" not in (trace.mode or "")
    # The labels are annotations anchored by their left edge at or beyond the plot area's right edge (paper x 1)...
    labels = {a.y: a.text for a in fig.layout.annotations}
    assert labels == {
        "Albania · AP_ALB02": "Month 7 of 24 · 60% done, 27% expected",
        "Brazil · AP_BRA01": "Month 24 of 24 · 17% done, 98% expected",
        "Chile · AP_CHL01": "Month 7 of 24",
    }
    for annotation in fig.layout.annotations:
        assert (annotation.xref, annotation.xanchor, annotation.yref) == ("paper", "left", "y")
        assert annotation.x >= 1 and annotation.xshift >= 0 and not annotation.showarrow
    # ...and every bar, diamond and the as-of line fall inside the fixed x range, so inside the plot area.
    low, high = (D.fromisoformat(day) for day in fig.layout.xaxis.range)
    assert low < min(plans["start_date"]) and max(plans["end_date"]) < high and low < AS_OF < high
    # The right margin holds the longest label (about 7 px a character at 12 px).
    assert fig.layout.margin.r >= 7 * max(len(text) for text in labels.values())


def test_cycf003_axis_strip_lines_up_with_the_timeline(plans):
    fig = cycle_timeline(plans, as_of=AS_OF)
    axis = timeline_axis(fig, as_of=AS_OF)

    assert fig.layout.xaxis.showticklabels is False  # the dates are on the strip
    assert axis.layout.xaxis.side == "top" and axis.layout.xaxis.showticklabels is not False
    assert list(axis.layout.xaxis.range) == list(fig.layout.xaxis.range)
    assert (axis.layout.margin.l, axis.layout.margin.r) == (fig.layout.margin.l, fig.layout.margin.r)
    # Zoom would move one part without the other.
    assert fig.layout.xaxis.fixedrange and axis.layout.xaxis.fixedrange
    # The page stacks both in the scrolling box, the strip first and sticky.
    box = timeline_box(fig, AS_OF)
    strip, chart = box.children
    assert strip.className == "cdi-timeline-axis"
    assert strip.children.figure.layout.xaxis.side == "top"
    assert chart.className == "drill-chart"
    css = CSS.read_text()
    rule = css[css.index(".cdi-timeline-axis {") :].split("}", 1)[0]
    assert "position: sticky" in rule and "top: 0" in rule


def test_cycf004_no_plans_no_axis_strip():
    empty = cycle_timeline(pd.DataFrame(), as_of=AS_OF)

    assert timeline_axis(empty, as_of=AS_OF) is None
    assert timeline_box(empty, AS_OF).children.className == "drill-chart"


def test_cycf005_legend_swatches_show_the_bars_patterns():
    legend = schedule_legend(AS_OF)
    swatches = [item.children[0] for item in legend.children[1:4]]

    for swatch in swatches:
        # Only the colour inline: the 'background' shorthand would wipe the class's hatching or dots.
        assert set(swatch.style) == {"backgroundColor"}
    css = CSS.read_text()
    behind = css[css.index(".cdi-swatch-behind {") :].split("}", 1)[0]
    assert "#d55e00" in behind.lower() and "repeating-linear-gradient" in behind
    dots = css[css.index(".cdi-swatch-no-commitments {") :].split("}", 1)[0]
    assert "radial-gradient" in dots


def test_fig050_every_chart_has_a_text_alternative_that_says_what_it_shows():
    import numpy as np
    import plotly.graph_objects as go

    from layouts.components import chart_card, graph
    from layouts.figures import describe, empty_figure

    bars = go.Figure(
        go.Bar(x=np.array([3, 12, 7]), y=["Albania", "Mexico", "Kenya"], orientation="h", name="Commitments")
    )
    said = describe(bars, title="Members with the most commitments")
    assert said == (
        "Bar chart: Members with the most commitments. 1 series: Commitments. 3 rows: Albania, Mexico, Kenya. "
        "Largest: Mexico (12)."
    )
    heat = go.Figure(go.Heatmap(z=[[1, 2]], x=["Europe", "Americas"], y=["Open Data"]), layout={"title": "Areas"})
    assert describe(heat) == "Heat map: Areas. 1 rows (Open Data) by 2 columns (Europe, Americas)."
    assert describe(empty_figure("No commitments match these filters.")) == (
        "Chart with nothing to show: No commitments match these filters."
    )
    many = go.Figure(go.Scatter(x=list(range(2011, 2027)), y=list(range(16)), name="Share"))
    assert "16 points: 2011, 2012, 2013, 2014, 2015, 2016 and 10 more." in describe(many)
    # A chart card reads its summary first (hidden from sight, not from screen readers).
    card = chart_card("Members", graph("g", bars))
    summary = card.children[1].children[0]
    assert summary.className == "visually-hidden chart-summary" and summary.children.startswith("Bar chart: Members")
