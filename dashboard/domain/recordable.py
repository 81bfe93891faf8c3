"""What users may record from the dashboard and imports: the recordable IRM ratings and the text limits."""

from __future__ import annotations

from dashboard.domain.rules import OGP_FOUNDED

MAX_NOTE = 2000  # characters of a progress note or delay note
MAX_URL = 500  # characters of an evidence link
EARLIEST = OGP_FOUNDED  # no report can be older
# Ratings an IRM researcher may record from the commitment page: every indicator of the IRM's current method
# (design: verifiability, relevance to each OGP value, potential for results; implementation: completion at
# mid-term and end of term; results: early results and "did it open government"). The others are of earlier
# methods (specificity, potential impact, the starred formulas) or derived (change in completion).
RECORDABLE_RATINGS = (
    "completion_midterm",
    "completion_end_of_term",
    "early_results",
    "diog_overall",
    "potential_for_results",
    "verifiable",
    "ogp_value_access_to_information",
    "ogp_value_civic_participation",
    "ogp_value_public_accountability",
    "ogp_value_technology",
)
