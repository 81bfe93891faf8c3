"""The catalogue of OGP's commitments sheet: its 171 columns in order, and which model field each one fills."""

from __future__ import annotations

import re

from dashboard.domain.policy_areas import POLICY_AREA_COLUMNS
from dashboard.domain.scales import INDICATORS

# The columns of OGP's commitments sheet, in OGP's order.
OGP_COLUMNS: tuple[str, ...] = (
    "Commitment Unique Identifier",
    "Country/Locality",
    "Action Plan Number",
    "Commitment Number",
    "Code",
    "Region",
    "National Or Local",
    "Commitment Dummy",
    "Year Of Submission",
    "Action Plan End Year",
    "Action Plan Duration (Years)",
    "Theme",
    "Commitment Title",
    "Short Title",
    "Full Text",
    "Start Date",
    "End Date",
    "Lead Institution",
    "Supporting Institution(s)",
    # the 86 policy-area tag columns, in the sheet's order
    *POLICY_AREA_COLUMNS,
    "Report Publication Year (Progress Report)",
    "Compound",
    "Cluster",
    "Specificity",
    "_Specificity",
    "Verifiable",
    "OGP Value Access To Information",
    "OGP Value Civic Participation",
    "OGP Value Public Accountability",
    "OGP Value Technology",
    "_Relevant",
    "Potential Impact",
    "_Potential Impact",
    "Completion (Progress Report)",
    "_CompletionProgress",
    "Starred (2015 Only)",
    "Starred (Current Formula) Progress Report",
    "Potential for Results",
    "_Potential for Results",
    "Cluster (AP Review)",
    "Cluster Commitment ID(s)",
    "Report Publication Year (End Of Term)",
    "Completion (End Of Term)",
    "_CompletionEndTerm",
    "Change In Completion",
    "_ChangeCompletion",
    "Early Results",
    "_Early Results",
    "Did It Open Government (Overall)",
    "_OpenGovernment",
    "Did It Open Government (Access To Information)",
    "_DIOGATI",
    "Did It Open Government (Civic Participation)",
    "_DIOGCP",
    "Did It Open Government: Public Accountability",
    "_DIOGPA",
    "Starred (Current Formula) End of Term",
    "Carried Forward",
    "Most Recently Assessed",
    "Star - Most Recently Assessed",
    "IRM Assessed",
    "Updated? (Website)",
    "Active Commitment",
    "Max star",
    "Ambition Assessed",
    "Comp Assessed",
    "DIOG Assessed",
    "Midterm Only",
    "Max Completion",
    "Raw Completion",
    "High Completion",
    "High Ambition",
    "High DIOG",
    "Ambitious and complete, or DIOG",
    "Ambitious but not complete",
    "Complete but not ambitious",
    "Not complete or ambitious",
    "Not reviewed",
    "CHECKSUM",
    "IRM-Based Score",
    "Binding constraint",
    "URL",
    "Latest IRM Report",
    "Subnational in NAPs",
    "Action Plan ID",
    "id",
)

COMMITMENT_ID = "Commitment Unique Identifier"
PLAN_ID = "Action Plan ID"
START_DATE = "Start Date"
END_DATE = "End Date"

# Sheet column -> Member attribute.
MEMBER_COLUMNS: dict[str, str] = {
    "Code": "code",
    "Country/Locality": "name",
    "National Or Local": "member_type",
    "Region": "region",
}
# Sheet column -> ActionPlan attribute (integers).
PLAN_COLUMNS: dict[str, str] = {
    "Action Plan Number": "number",
    "Year Of Submission": "submission_year",
    "Action Plan End Year": "end_year",
    "Action Plan Duration (Years)": "duration_years",
}
# Free-text sheet column -> Commitment attribute; 'NA' (or blank) is stored as None and exported as 'NA'.
TEXT_COLUMNS: dict[str, str] = {
    "Commitment Number": "number",
    "Short Title": "short_title",
    "Full Text": "full_text",
    "Theme": "theme",
    "Lead Institution": "lead_institution",
    "Supporting Institution(s)": "supporting_institutions",
    "URL": "url",
}
TITLE = "Commitment Title"
# Report years, stored verbatim (a year, or ND / NR / NA).
REPORT_YEAR_COLUMNS: dict[str, str] = {
    "Report Publication Year (Progress Report)": "midterm_report_year",
    "Report Publication Year (End Of Term)": "end_of_term_report_year",
}
RATING_COLUMNS: dict[str, str] = {i.column: i.attr for i in INDICATORS}

REQUIRED_COLUMNS: tuple[str, ...] = tuple(
    c
    for c in OGP_COLUMNS
    if c in {COMMITMENT_ID, PLAN_ID, TITLE, START_DATE, END_DATE}
    or c in MEMBER_COLUMNS
    or c in PLAN_COLUMNS
    or c in TEXT_COLUMNS
    or c in REPORT_YEAR_COLUMNS
    or c in RATING_COLUMNS
    or c in POLICY_AREA_COLUMNS
)
# Columns that map to a model field; every other column is kept verbatim in Commitment.sheet_extra.
MAPPED_COLUMNS = frozenset(REQUIRED_COLUMNS)

# An OGP commitment id: the member's prefix, then digits (AL0002, BUE0001).
ID_PATTERN = re.compile(r"^([A-Z]+)\d+$")
# A report publication year.
YEAR_PATTERN = re.compile(r"^\d{4}$")
