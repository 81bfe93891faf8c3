"""OGP/IRM rating scales, missing-value codes and the indicators that use them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeGuard

# Missing-value codes in OGP's sheet: distinct from each other and from any rating.
MISSING_CODES: dict[str, str] = {
    "ND": "No data: the indicator did not exist in that era's IRM method",
    "NR": "Not yet reviewed: the IRM report is pending",
    "NA": "Not applicable, or left blank",
}


@dataclass(frozen=True)
class Scale:
    """An ordered rating scale (lowest first) plus valid values that sit outside the order."""

    key: str
    label: str
    ordered: tuple[str, ...]
    unordered: tuple[str, ...] = ()
    # Spellings seen in real data that mean an ordered value (kept raw, ranked as the value).
    aliases: dict[str, str] = field(default_factory=dict)

    def canonical(self, value: str) -> str:
        """The ordered/unordered value a raw spelling stands for."""
        return self.aliases.get(value, value)

    def is_valid(self, value: str) -> bool:
        """True for a rating of this scale or a missing-value code."""
        if value in MISSING_CODES:
            return True
        return self.canonical(value) in self.ordered or self.canonical(value) in self.unordered

    def is_rating(self, value: str | None) -> TypeGuard[str]:
        """True only for an actual rating (not ND/NR/NA, not empty)."""
        if not value:
            return False
        return value not in MISSING_CODES and self.is_valid(value)

    def rank(self, value: str | None) -> int | None:
        """Position in the ordered scale (0 = lowest), None when not ordered or missing."""
        if not value:
            return None
        canonical = self.canonical(value)
        return self.ordered.index(canonical) if canonical in self.ordered else None

    @property
    def values(self) -> tuple[str, ...]:
        """Every rating value of the scale (ordered first)."""
        return self.ordered + self.unordered


BINARY = Scale("binary", "Yes (1) / No (0)", ("0", "1"))
SPECIFICITY = Scale("specificity", "Specificity (IRM, to 2016)", ("None", "Low", "Medium", "High"))
# The real sheet holds one "1" in Verifiable (a 0/1 export slip); it means "Yes".
VERIFIABLE = Scale("verifiable", "Verifiable (IRM, 2017-)", ("No", "Yes"), aliases={"1": "Yes", "0": "No"})
POTENTIAL_IMPACT = Scale(
    "potential_impact", "Potential impact (IRM, to 2019)", ("None", "Minor", "Moderate", "Transformative")
)
POTENTIAL_FOR_RESULTS = Scale(
    "potential_for_results", "Potential for results (IRM, 2020-)", ("Modest", "Substantial"), ("Unclear",)
)
COMPLETION = Scale(
    "completion",
    "Completion",
    ("No Evidence", "Not Started", "Limited", "Substantial", "Complete"),
    ("Withdrawn", "Unclear"),
)
CHANGE_IN_COMPLETION = Scale("change_in_completion", "Change in completion", ("Decrease", "No Change", "Increase"))
DIOG = Scale(
    "diog",
    "Did it open government?",
    ("Worsens", "Did Not Change", "Marginal", "Major", "Outstanding"),
    ("No early results to report yet", "Not Applicable"),
    aliases={"Worsened": "Worsens"},
)
EARLY_RESULTS = Scale(
    "early_results",
    "Early results (IRM, 2020- plans)",
    ("No notable results", "Moderate", "Significant", "Outstanding"),
)

SCALES: dict[str, Scale] = {
    s.key: s
    for s in (
        BINARY,
        SPECIFICITY,
        VERIFIABLE,
        POTENTIAL_IMPACT,
        POTENTIAL_FOR_RESULTS,
        COMPLETION,
        CHANGE_IN_COMPLETION,
        DIOG,
        EARLY_RESULTS,
    )
}

HIGH_COMPLETION = frozenset({"Substantial", "Complete"})


@dataclass(frozen=True)
class Indicator:
    """One IRM rating of a commitment: model attribute, sheet column and its scale."""

    attr: str
    column: str
    scale: Scale
    label: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("specificity", "Specificity", SPECIFICITY, "Specificity"),
    Indicator("verifiable", "Verifiable", VERIFIABLE, "Verifiable"),
    Indicator("ogp_value_access_to_information", "OGP Value Access To Information", BINARY, "Access to information"),
    Indicator("ogp_value_civic_participation", "OGP Value Civic Participation", BINARY, "Civic participation"),
    Indicator("ogp_value_public_accountability", "OGP Value Public Accountability", BINARY, "Public accountability"),
    Indicator("ogp_value_technology", "OGP Value Technology", BINARY, "Technology & innovation"),
    Indicator("potential_impact", "Potential Impact", POTENTIAL_IMPACT, "Potential impact"),
    Indicator("potential_for_results", "Potential for Results", POTENTIAL_FOR_RESULTS, "Potential for results"),
    Indicator("completion_midterm", "Completion (Progress Report)", COMPLETION, "Completion (mid-term)"),
    Indicator("completion_end_of_term", "Completion (End Of Term)", COMPLETION, "Completion (end of term)"),
    Indicator("change_in_completion", "Change In Completion", CHANGE_IN_COMPLETION, "Change in completion"),
    Indicator("early_results", "Early Results", EARLY_RESULTS, "Early results"),
    Indicator("diog_overall", "Did It Open Government (Overall)", DIOG, "Did it open government (overall)"),
    Indicator(
        "diog_access_to_information",
        "Did It Open Government (Access To Information)",
        DIOG,
        "DIOG: access to information",
    ),
    Indicator(
        "diog_civic_participation", "Did It Open Government (Civic Participation)", DIOG, "DIOG: civic participation"
    ),
    Indicator(
        "diog_public_accountability",
        "Did It Open Government: Public Accountability",
        DIOG,
        "DIOG: public accountability",
    ),
    Indicator("starred_2015", "Starred (2015 Only)", BINARY, "Starred (2015 formula)"),
    Indicator("starred_midterm", "Starred (Current Formula) Progress Report", BINARY, "Starred (mid-term)"),
    Indicator("starred_end_of_term", "Starred (Current Formula) End of Term", BINARY, "Starred (end of term)"),
)
INDICATOR_BY_ATTR: dict[str, Indicator] = {i.attr: i for i in INDICATORS}

# Sources of a progress report, in the order the commitment page shows them side by side.
PROGRESS_SOURCES: dict[str, str] = {
    "government": "Government self-report",
    "civil_society": "Civil society",
    "support_unit": "OGP Support Unit",
    "irm_midterm": "IRM mid-term report",
    "irm_end_of_term": "IRM end-of-term report",
    "irm_results": "IRM Results Report",
}
IRM_SOURCES = frozenset({"irm_midterm", "irm_end_of_term", "irm_results"})
# The sources users compare side by side (the IRM's three reports count as one voice: its latest).
SOURCE_GROUPS: dict[str, str] = {
    "government": "Government",
    "civil_society": "Civil society",
    "support_unit": "OGP Support Unit",
    **dict.fromkeys(sorted(IRM_SOURCES), "IRM"),
}

REGIONS: tuple[str, ...] = ("Africa and the Middle East", "Americas", "Asia and the Pacific", "Europe")
MEMBER_TYPES: tuple[str, ...] = ("National", "Legacy Local", "Other")
# A commitment's delay status, worst first: the one order of every filter, legend, sort and count.
DELAY_STATUSES: tuple[str, ...] = (
    "delayed",
    "at risk",
    "no evidence",  # no progress report where one was due: not proof of delay, not proof of progress
    "on track",
    "not assessable",
    "complete",
    "closed",  # the plan ended more than 12 months ago: history, with its final completion
)
# The statuses that call for action, as /delays lists them by default.
PROBLEM_STATUSES: tuple[str, ...] = ("delayed", "at risk", "no evidence")
# An action plan's submission status under the 31 August / 1 January rule, worst first.
SUBMISSION_STATUSES: tuple[str, ...] = ("contrary to process", "overdue", "late", "due", "on time", "delivered")
# Whether a member kept to the process after a plan (a new plan within 12 months, co-creation, progress).
UNKNOWN_NOT_IN_DATA = "unknown (not in the data)"
PROCESS_STATUSES: tuple[str, ...] = ("contrary to process", UNKNOWN_NOT_IN_DATA, "in process")
# The plans counted as "late or contrary to process": delivered late, overdue, or not delivered by 1 January.
LATE_SUBMISSIONS: tuple[str, ...] = ("contrary to process", "overdue", "late")
# The plans support staff act on: the late ones and those due but not delivered yet (worst first).
ATTENTION_SUBMISSIONS: tuple[str, ...] = (*LATE_SUBMISSIONS, "due")
