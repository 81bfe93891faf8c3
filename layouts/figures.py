"""Pure figure builders: DataFrame in, plotly Figure out. Clickable points carry their drilldown href."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from layouts.text import percent_of
from layouts.theme import COMPLETION_COLORS, COMPLETION_ORDER, NOT_ASSESSED

# Nothing leaves the server: no map shapes from a CDN, and no toolbar button that uploads a chart's data to a
# cloud service ("Share chart...", Chart Studio): published or not, the data may be private.
GRAPH_CONFIG = {
    "displaylogo": False,
    "topojsonURL": "/assets/vendor/topojson/",
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendChartToCloud", "sendDataToCloud", "editInChartStudio"],
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "plotlyServerURL": "",
}


def base_layout(fig: go.Figure, *, title: str | None = None, height: int = 360) -> go.Figure:
    """Shared look: readable fonts, white background, legend below the plot, tight margins."""
    # Fonts, background, legend placement and hover labels come from the "ogp" template (layouts.theme):
    # setting them on every figure cost more than building the figure itself.
    layout: dict = {"height": height, "margin": {"l": 10, "r": 10, "t": 50 if title else 30, "b": 10}}
    if title:
        layout["title"] = {"text": title, "x": 0, "font": {"size": 16}}
    fig.update_layout(layout)
    return fig


def figure(traces: list[dict], layout: dict | None = None, *, title: str | None = None, height: int = 360) -> go.Figure:
    """A figure built in one go from plain trace and layout dicts, with the shared look of base_layout.

    One validated construction instead of a call per trace and per axis: several times faster on every page.
    `layout` keys override the shared ones (a margin given here replaces the shared margin).
    """
    shared: dict = {"height": height, "margin": {"l": 10, "r": 10, "t": 50 if title else 30, "b": 10}}
    if title:
        shared["title"] = {"text": title, "x": 0, "font": {"size": 16}}
    return go.Figure(data=traces, layout={**shared, **(layout or {})})


def empty_figure(message: str, *, height: int = 300) -> go.Figure:
    """A blank figure that says why it is blank."""
    return go.Figure(
        layout={
            "annotations": [
                {"text": message, "showarrow": False, "font": {"size": 15, "color": "#555"}, "x": 0.5, "y": 0.5}
            ],
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        }
    )


def completion_stack(
    counts: pd.DataFrame,
    *,
    group: str,
    labels: dict[str, str] | None = None,
    href: dict[str, str] | None = None,
    title: str | None = None,
    percent: bool = True,
    order: Sequence[Any] | None = None,
    missing: str = NOT_ASSESSED,
    irm_levels: bool = True,
) -> go.Figure:
    """Horizontal stacked bars of completion levels per group (share of the group's commitments).

    counts: columns [group, 'completion', 'commitments'] (None completion = `missing`, by default not yet assessed).
    href: group value -> drilldown link; a click on a segment opens that link plus the completion filter (only
    when the levels are the IRM's, irm_levels; a source's reported level is not the completion filter).
    order: the groups from the top (default: the largest at the top).
    """
    if counts.empty:
        return empty_figure("No commitments match these filters.")
    data = counts.assign(completion=counts["completion"].fillna(NOT_ASSESSED))
    table = data.pivot_table(index=group, columns="completion", values="commitments", aggfunc="sum", fill_value=0)
    totals = table.sum(axis=1)
    order = list(reversed(order)) if order is not None else totals.sort_values().index
    names = [(labels or {}).get(g, str(g)) for g in order]
    traces = []
    for level in COMPLETION_ORDER:
        if level not in table.columns:
            continue
        values = table.loc[order, level]
        shares = values / totals.loc[order] * 100
        links = [_with_completion((href or {}).get(g), level) if irm_levels else (href or {}).get(g) for g in order]
        name = missing if level == NOT_ASSESSED else level
        traces.append(
            {
                "type": "bar",
                "y": names,
                "x": list(shares if percent else values),
                "name": name,
                "orientation": "h",
                "marker": {"color": COMPLETION_COLORS[level]},
                "customdata": list(zip(links, values.tolist(), strict=True)),
                "hovertemplate": "%{y}<br>" + name + ": %{customdata[1]} commitments (%{x:.0f}%)<extra></extra>",
            }
        )
    # No axis title: the ticks say "%" and the legend sits below the plot where a title would collide.
    layout = {
        "barmode": "stack",
        "xaxis": {"title": None, "ticksuffix": "%" if percent else "", "range": [0, 100] if percent else None},
        "yaxis": {"title": None, "automargin": True},
    }
    return figure(traces, layout, title=title, height=max(260, 60 + 28 * len(order)))


def _with_completion(link: str | None, level: str) -> str | None:
    if link is None or level == NOT_ASSESSED:
        return link
    return f"{link}{'&' if '?' in link else '?'}completion={level.replace(' ', '+')}"


def cycle_trend_figure(trend: pd.DataFrame, *, href: str = "/commitments", title: str | None = None) -> go.Figure:
    """Share with high completion, starred and ambitious per action-plan cycle (submission year).

    trend: columns cycle, commitments, assessed, high_completion, star_rated, starred, ambition_rated, ambitious.
    Each share is left blank for cycles where nothing was rated (e.g. stars after the IRM dropped them).
    """
    if trend.empty:
        return empty_figure("No action-plan cycles match these filters.")
    data = trend.copy()
    data["high_share"] = percent_of(data["high_completion"], data["assessed"])
    data["ambitious_share"] = percent_of(data["ambitious"], data["ambition_rated"])
    data["starred_share"] = percent_of(data["starred"], data["star_rated"])
    links = [f"{href}{'&' if '?' in href else '?'}cycle={int(c)}" for c in data["cycle"]]
    series = (
        ("high_share", "High completion (of assessed)", "#0072B2", "circle", "assessed"),
        ("ambitious_share", "High ambition (of rated)", "#E69F00", "square", "ambition_rated"),
        ("starred_share", "Starred (of star-rated)", "#009E73", "diamond", "star_rated"),
    )
    traces = [
        {
            "type": "scatter",
            "x": data["cycle"].tolist(),
            "y": data[column].tolist(),
            "name": name,
            "mode": "lines+markers",
            "line": {"color": color, "width": 3},
            "marker": {"symbol": symbol, "size": 10},
            "customdata": list(zip(links, data[base].tolist(), strict=True)),
            "hovertemplate": "Cycle %{x}<br>" + name + ": %{y:.0f}% of %{customdata[1]}<extra></extra>",
        }
        for column, name, color, symbol, base in series
    ]
    layout = {
        "xaxis": {"title": None, "dtick": 1},  # the card title names the axis: cycles by year of submission
        "yaxis": {"title": {"text": "Share of commitments (%)"}, "rangemode": "tozero", "ticksuffix": "%"},
    }
    return figure(traces, layout, title=title)


KIND = {"bar": "Bar chart", "scatter": "Chart", "heatmap": "Heat map", "choropleth": "Map", "pie": "Pie chart"}
MAX_NAMED = 6  # categories named in a summary before "and N more"


def _listed(values: Sequence[Any]) -> str:
    shown = [str(v) for v in values[:MAX_NAMED]]
    more = len(values) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _seq(value: Any) -> list[Any]:
    """A trace's array as a list ([] when absent): a list, tuple, numpy array, or plotly's typed array
    ({'dtype', 'bdata'}: base64 of the numbers, as plotly 6 writes numpy arrays into figure JSON)."""
    if value is None:
        return []
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value.get("dtype", "f8")).tolist()
    return list(value)


def describe(fig: Any, *, title: str | None = None) -> str:
    """A text alternative of a chart (WCAG 1.1.1): its kind, title (the figure's, else `title`), series and
    categories, and for one series of bars the largest; what it counts is in the table or list beside it."""
    data = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig or {})
    traces = [dict(t) for t in data.get("data", []) if dict(t).get("visible", True) is not False]
    layout = dict(data.get("layout", {}))
    own = layout.get("title", {})
    title_text = (own.get("text") if isinstance(own, dict) else own) or title
    annotations = [a.get("text") for a in layout.get("annotations", []) if isinstance(a, dict) and a.get("text")]
    if not traces:
        return f"Chart with nothing to show: {annotations[0]}" if annotations else "Chart with nothing to show."
    kinds = {KIND.get(t.get("type", "scatter"), "Chart") for t in traces}
    parts = [(" and ".join(sorted(kinds)) if len(kinds) < 3 else "Chart") + (f": {title_text}." if title_text else ".")]
    first = traces[0]
    if first.get("type") == "heatmap":
        rows, columns = _seq(first.get("y")), _seq(first.get("x"))
        parts.append(f"{len(rows)} rows ({_listed(rows)}) by {len(columns)} columns ({_listed(columns)}).")
        return " ".join(parts)
    if first.get("type") == "choropleth":
        places = _seq(first.get("locations"))
        parts.append(f"{len(places)} members shaded: {_listed(places)}.")
        return " ".join(parts)
    names = [t.get("name") for t in traces if t.get("name")]
    horizontal = first.get("orientation") == "h"
    categories = _seq(first.get("y" if horizontal else "x"))
    if names:
        parts.append(f"{len(traces)} series: {_listed(names)}.")
    if categories:
        noun = ("row" if horizontal else "point") + ("" if len(categories) == 1 else "s")
        parts.append(f"{len(categories)} {noun}: {_listed(categories)}.")
    values = _seq(first.get("x" if horizontal else "y"))
    if len(traces) == 1 and first.get("type") == "bar" and values and len(values) == len(categories):
        numbers = [(float(v), c) for v, c in zip(values, categories, strict=True) if isinstance(v, Number)]
        if numbers:
            top, where = max(numbers, key=lambda pair: pair[0])
            parts.append(f"Largest: {where} ({top:,.4g}).")
    return " ".join(parts)
