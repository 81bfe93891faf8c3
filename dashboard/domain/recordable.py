"""What users may record from the dashboard and imports: the recordable IRM ratings and the text limits."""

from __future__ import annotations

from dashboard.domain.rules import OGP_FOUNDED
from dashboard.domain.scales import DIOG, EARLY_RESULTS, Scale

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


# The two scales a progress report's result may be on. Both have "Outstanding", so the form sends
# "<scale>:<value>" and the scale is stored with the value.
RESULT_SCALES: dict[str, tuple[str, Scale]] = {
    "early_results": ("Early results", EARLY_RESULTS),
    "diog": ("Did it open government", DIOG),
}


def parse_result(raw: str) -> tuple[str, str | None] | None:
    """(value, scale) of a result: "<scale>:<value>" from the form, or a bare value (imports, the API) whose
    scale is the one that has it, None when both do; None when it is on neither scale."""
    name, sep, value = raw.partition(":")
    if sep and name in RESULT_SCALES:
        return (value, name) if value in RESULT_SCALES[name][1].values else None
    owners = [name for name, (_label, scale) in RESULT_SCALES.items() if raw in scale.values]
    if not owners:
        return None
    return raw, owners[0] if len(owners) == 1 else None


def result_words(value: str | None, scale: str | None) -> str | None:
    """A result as people read it: "Did it open government: Outstanding" when the scale is known."""
    if not value:
        return None
    return f"{RESULT_SCALES[scale][0]}: {value}" if scale in RESULT_SCALES else value
