"""Component ids, prefixed by the page that owns them; pattern ids come from builder functions."""

from __future__ import annotations

URL = "url"
PAGE = "page-content"
MAIN = "main"  # the one <main> landmark, target of the skip link
NAVBAR_TOGGLER = "navbar-toggler"  # the menu button of narrow screens
NAVBAR_COLLAPSE = "navbar-collapse"
SEARCH = "navbar-search"  # the navbar's search box: Enter opens /commitments?q=... with the filters kept
COPY_LINK = "copy-link"  # assets/app.js copies the address when it is clicked
COPY_LINK_SAID = "copy-link-said"
BREADCRUMBS = "breadcrumbs"
DATA_BADGE = "data-badge"
FILTER_ALERTS = "filter-alerts"
DB_ERROR = "db-error"
SCROLL_ANCHOR = "scroll-anchor"
PAGE_TITLE = "page-title"  # dcc.Store: the browser-tab title of the page shown
TITLE_SINK = "page-title-sink"  # dcc.Store the clientside title callback writes (it must output somewhere)

FILTER_MEMBER = "filter-member"
FILTER_REGION = "filter-region"
FILTER_MEMBER_TYPE = "filter-member-type"
FILTER_CYCLE = "filter-cycle"
FILTER_POLICY_AREA = "filter-policy-area"
FILTER_COMPLETION = "filter-completion"
FILTER_STARRED = "filter-starred"
FILTER_DELAY_STATUS = "filter-delay-status"
FILTER_CLEAR = "filter-clear"
FILTER_BAR = "filter-bar"
FILTER_TOGGLE = "filter-toggle"  # narrow screens: shows and hides the filter fields
FILTER_FIELDS = "filter-fields"
FILTER_SUMMARY = "filter-summary"  # how many filters are set, on the toggle
FILTER_CHIPS = "filter-chips"  # narrow screens: each value set, as a chip that removes it

OVERVIEW_REGION_CHART = "overview-region-chart"
OVERVIEW_TREND_CHART = "overview-trend-chart"


def export_button(table: str, fmt: str) -> dict[str, str]:
    """Pattern id of a table's CSV/XLSX download button."""
    return {"type": "export-button", "table": table, "format": fmt}


def export_download(table: str) -> dict[str, str]:
    """Pattern id of a table's dcc.Download."""
    return {"type": "export-download", "table": table}


def export_note(table: str) -> dict[str, str]:
    """Pattern id of the short message beside a table's download buttons (e.g. too many downloads)."""
    return {"type": "export-note", "table": table}


def drill_chart(name: str) -> dict[str, str]:
    """Pattern id of a chart whose clicks drill down to the list behind a bar, cell or country."""
    return {"type": "drill-chart", "name": name}


# Follow and be told (layouts/inbox.py, callbacks/inbox.py).
INBOX_COUNT = "inbox-count"  # the navbar's count of unread events (signed in)
FOLLOW = "follow-button"  # pattern id {"type": FOLLOW, "kind": ..., "ref": ...}: see layouts.components
