"""Downloads of every table as CSV or XLSX with the filters in the URL: one callback for all tables."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Mapping, Sequence

from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, no_update

from callbacks.pages import TableSource
from callbacks.urls import current_filters
from dashboard.domain.filters import Filters
from dashboard.domain.roles import can_export
from dashboard.web.auth import current_actor
from dashboard.web.context import AppContext
from dashboard.web.exporting import to_csv_bytes, to_xlsx_bytes
from dashboard.web.limits import EXPORTS, export_allowed
from data_access import queries
from layouts.glossary import definition

log = logging.getLogger(__name__)
# A download builds a whole table (XLSX: seconds at scale 10): one at a time per worker process, and a request
# that finds one being built is answered at once ("try again") rather than holding a server thread while it
# waits, so a burst of downloads cannot starve the pages (12 parallel XLSX exports slowed a cached page to 8 s).
_BUILDING = threading.BoundedSemaphore(1)
BUSY = "Another download is being prepared on the server; try again in a moment."


def build_download(
    app_ctx: AppContext,
    tables: Mapping[str, TableSource],
    table: str,
    fmt: str,
    pathname: str,
    search: str | None,
) -> dict | None:
    """The dcc.Download payload for one of `tables` in a format, or None for an unknown table or format."""
    if table not in tables or fmt not in {"csv", "xlsx"}:
        return None
    filters, _ = current_filters(app_ctx, search)
    frame = tables[table](app_ctx, filters, pathname or "/")
    stamp = app_ctx.today().isoformat()
    name = f"ogp-{table}-{stamp}.{fmt}"
    about = export_context(app_ctx, table, filters, pathname, search, rows=len(frame), columns=list(frame.columns))
    if fmt == "csv":
        return dcc.send_bytes(to_csv_bytes(frame, about), name)
    return dcc.send_bytes(to_xlsx_bytes(frame, table, about), name)


def export_context(
    app_ctx: AppContext,
    table: str,
    filters: Filters,
    pathname: str | None,
    search: str | None,
    *,
    rows: int,
    columns: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """What a downloaded table is: its view, filters, data source and dates, then what each of its columns means
    (the workbook's About sheet, the CSV's comment lines)."""
    status = queries.data_status(app_ctx.engine)
    if status["is_sample"]:
        source = "Sample data: generated for demonstration, not real OGP figures"
    else:
        imported = (status.get("last_import") or status.get("updated_at") or "")[:10]
        source = "Open Government Partnership / IRM commitments data" + (f", imported {imported}" if imported else "")
    described = filters.describe()
    return [
        ("Table", table),
        ("View", f"{pathname or '/'}{search or ''}"),
        ("Filters", "; ".join(f"{label}: {values}" for label, values in described) or "none"),
        ("Source", source),
        ("Statuses as of", (filters.as_of or app_ctx.today()).isoformat()),
        ("Exported", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Rows", str(rows)),
        ("Data version", str(status["data_version"])),
        *((f"Column '{c}'", definition(table, str(c)) or "") for c in columns),
    ]


def register(app: Dash, app_ctx: AppContext, tables: Mapping[str, TableSource]) -> None:
    """Wire the download callback shared by every table (`tables`: name -> rows, from the page registry)."""

    @app.callback(
        Output({"type": "export-download", "table": MATCH}, "data"),
        Output({"type": "export-note", "table": MATCH}, "children"),
        Input({"type": "export-button", "table": MATCH, "format": ALL}, "n_clicks"),
        State("url", "pathname"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _download(clicks, pathname, search):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or []):
            return no_update, no_update
        if not can_export(current_actor(), public_read=app_ctx.settings.public_read):
            return no_update, no_update  # checked here too, not only by the sign-in gate in front of every callback
        if app_ctx.limiter is not None and not export_allowed(app_ctx.limiter):
            return no_update, f"Too many downloads (at most {EXPORTS.replace(' per ', ' a ')}); try again shortly."
        if not _BUILDING.acquire(blocking=False):
            return no_update, BUSY
        try:
            payload = build_download(
                app_ctx, tables, str(trigger.get("table")), str(trigger.get("format")), pathname, search
            )
        finally:
            _BUILDING.release()
        return (payload, "") if payload is not None else (no_update, no_update)
