"""Colour-blind-safe colours (Okabe-Ito) and labels for every scale the dashboard shows."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

NOT_ASSESSED = "Not yet assessed"

# Ordered warm -> cool so the order reads without colour too; every chart also labels each value.
COMPLETION_COLORS: dict[str, str] = {
    "Not Started": "#D55E00",
    "Limited": "#E69F00",
    "Substantial": "#56B4E9",
    "Complete": "#0072B2",
    "No Evidence": "#999999",
    "Withdrawn": "#CC79A7",
    "Unclear": "#F0E442",
    NOT_ASSESSED: "#DDDDDD",
}
COMPLETION_ORDER: tuple[str, ...] = tuple(COMPLETION_COLORS)

DELAY_COLORS: dict[str, str] = {
    "delayed": "#D55E00",
    "at risk": "#E69F00",
    "on track": "#0072B2",
    "complete": "#009E73",
    "not assessable": "#999999",
    "no evidence": "#CC79A7",
    "closed": "#6C757D",
}
# An icon beside each status so meaning never rests on colour alone.
DELAY_ICONS: dict[str, str] = {
    "delayed": "bi-exclamation-octagon-fill",
    "at risk": "bi-exclamation-triangle-fill",
    "on track": "bi-arrow-right-circle-fill",
    "complete": "bi-check-circle-fill",
    "not assessable": "bi-question-circle",
    "no evidence": "bi-question-diamond-fill",
    "closed": "bi-archive",
}

SOURCE_COLORS: dict[str, str] = {
    "government": "#0072B2",
    "civil_society": "#E69F00",
    "support_unit": "#009E73",
    "irm_midterm": "#CC79A7",
    "irm_end_of_term": "#882255",
    "irm_results": "#332288",
}
SOURCE_SYMBOLS: dict[str, str] = {
    "government": "circle",
    "civil_society": "square",
    "support_unit": "diamond",
    "irm_midterm": "triangle-up",
    "irm_end_of_term": "star",
    "irm_results": "star-square",
}

FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def _register_template() -> None:
    """A small plotly template for every figure: a fraction of the default's size in each response."""
    axis = {"gridcolor": "#e6e9ec", "linecolor": "#c8ced3", "zeroline": False, "automargin": True}
    pio.templates["ogp"] = go.layout.Template(
        layout={
            "font": {"family": FONT_FAMILY, "size": 13, "color": "#1d2b3a"},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "colorway": ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999"],
            "xaxis": axis,
            "yaxis": axis,
            "hoverlabel": {"font": {"size": 13}},
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0, "traceorder": "normal"},
            "colorscale": {"sequential": "Blues", "sequentialminus": "Blues"},
        }
    )
    pio.templates.default = "ogp"


_register_template()
