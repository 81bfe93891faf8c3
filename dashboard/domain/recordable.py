"""What users may record from the dashboard and imports: the recordable IRM ratings and the text limits."""

from __future__ import annotations

from dashboard.domain.rules import OGP_FOUNDED

MAX_NOTE = 2000  # characters of a progress note or delay note
MAX_URL = 500  # characters of an evidence link
EARLIEST = OGP_FOUNDED  # no report can be older
# Ratings an IRM researcher may record from the commitment page (completion and results).
RECORDABLE_RATINGS = (
    "completion_midterm",
    "completion_end_of_term",
    "early_results",
    "diog_overall",
    "potential_for_results",
)
