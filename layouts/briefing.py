"""The briefing pack as one printable HTML document (dashboard.web.pdf prints it to PDF with Chromium).

Plain HTML with every value escaped; charts are the dashboard's own figures drawn by the plotly.js bundled
with plotly (inlined: nothing is fetched), so they print as vector graphics with real text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

import plotly.graph_objects as go
import plotly.offline

PAPERS = {"a4": "A4", "letter": "Letter"}
CHART_WIDTH = 680  # px: the printable width of A4 and Letter at 96 px per inch, less the margins
CHART_HEIGHT = 300


@dataclass(frozen=True)
class Table:
    """A titled table of the pack: header and rows of text, and what it lists."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    note: str = ""
    empty: str = "Nothing to list."


@dataclass(frozen=True)
class Briefing:
    """Everything a briefing pack shows, as text and figures."""

    title: str  # "Mexico", "Europe", "Open parliaments", "The whole partnership"
    scope: Sequence[tuple[str, str]]  # the filters in words (label, values)
    source: str
    sample: bool
    data_as_of: str
    status_day: dt.date
    generated: str
    link: str  # the view on the dashboard
    kpis: Sequence[tuple[str, str, str]]  # (title, value, what it counts)
    charts: Sequence[tuple[str, go.Figure]]
    tables: Sequence[Table] = field(default_factory=tuple)
    paper: str = "a4"


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    return plotly.offline.get_plotlyjs()


def _chart(title: str, figure: go.Figure, index: int) -> str:
    fig = go.Figure(figure)
    fig.update_layout(width=CHART_WIDTH, height=CHART_HEIGHT, title=None, margin={"t": 20, "b": 40, "l": 10, "r": 10})
    body = fig.to_html(
        include_plotlyjs=False,
        full_html=False,
        config={"staticPlot": True, "displayModeBar": False},
        div_id=f"chart-{index}",
    )
    return f'<section class="chart"><h2>{escape(title)}</h2>{body}</section>'


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    rows = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in table.rows)
    body = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>" if table.rows else ""
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    empty = f'<p class="empty">{escape(table.empty)}</p>' if not table.rows else ""
    return f'<section class="table"><h2>{escape(table.title)}</h2>{note}{body}{empty}</section>'


STYLE = """
@page {
  size: %(paper)s; margin: 18mm 14mm 16mm 14mm;
  @top-right { content: %(mark)s; color: #9a3412; font: bold 9pt sans-serif; }
  @bottom-left { content: %(footer)s; color: #555; font: 7.5pt sans-serif; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); color: #555; font: 7.5pt sans-serif; }
}
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt; color: #1b1b1b; margin: 0; }
h1 { font-size: 20pt; margin: 0 0 4mm 0; }
h2 { font-size: 12pt; margin: 6mm 0 2mm 0; border-bottom: 1px solid #999; padding-bottom: 1mm; }
.cover { border-left: 4px solid #0b5394; padding-left: 4mm; margin-bottom: 4mm; }
.cover dl { display: grid; grid-template-columns: 34mm 1fr; gap: 1mm 3mm; margin: 0; }
.cover dt { font-weight: bold; }
.cover dd { margin: 0; }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 3mm; margin: 3mm 0; }
.kpi { border: 1px solid #bbb; border-radius: 2mm; padding: 2mm 3mm; break-inside: avoid; }
.kpi .value { font-size: 16pt; font-weight: bold; }
.kpi .title { text-transform: uppercase; font-size: 8pt; font-weight: bold; color: #444; }
.kpi .detail { font-size: 8pt; color: #333; }
.chart, .kpis, .cover { break-inside: avoid; }
table { width: 100%%; border-collapse: collapse; font-size: 8.5pt; }
th, td { border-bottom: 1px solid #ddd; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.note, .empty { color: #444; font-size: 8.5pt; margin: 0 0 2mm 0; }
"""

SAMPLE_MARK = "Sample data: generated, not real OGP figures"


def _css_string(text: str) -> str:
    """A CSS string literal of plain text (quotes, backslashes and anything that could close the rule escaped)."""
    return '"' + "".join(ch if ch.isalnum() or ch in " .,:;-()/'" else f"\\{ord(ch):x} " for ch in text) + '"'


def document(briefing: Briefing) -> str:
    """The briefing as a complete HTML document: cover (scope, source, dates), KPIs, charts, then the tables."""
    paper = PAPERS.get(briefing.paper, "A4")
    scope = "; ".join(f"{label}: {values}" for label, values in briefing.scope) or "every member, cycle and policy area"
    cover = "".join(
        f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
        for label, value in (
            ("Scope", scope),
            ("Data source", briefing.source),
            ("Data as of", briefing.data_as_of),
            ("Statuses judged on", briefing.status_day.isoformat()),
            ("Generated", briefing.generated),
            ("Dashboard view", briefing.link),
        )
    )
    kpis = "".join(
        f'<div class="kpi"><div class="title">{escape(t)}</div><div class="value">{escape(v)}</div>'
        f'<div class="detail">{escape(d)}</div></div>'
        for t, v, d in briefing.kpis
    )
    charts = "".join(_chart(title, figure, i) for i, (title, figure) in enumerate(briefing.charts))
    tables = "".join(_table(t) for t in briefing.tables)
    # On every page, in its margin (CSS page-margin boxes): the sample mark and what the pack is.
    mark = _css_string(SAMPLE_MARK if briefing.sample else "")
    footer = _css_string(f"OGP Implementation Monitor · Briefing: {briefing.title} · {briefing.source}")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Briefing: {escape(briefing.title)}</title>"
        f"<style>{STYLE % {'paper': paper, 'mark': mark, 'footer': footer}}</style>"
        f'<script type="text/javascript">{_plotly_js()}</script></head><body>'
        f'<header class="cover"><h1>Briefing: {escape(briefing.title)}</h1><dl>{cover}</dl></header>'
        f'<section class="kpis">{kpis}</section>{charts}{tables}</body></html>'
    )
