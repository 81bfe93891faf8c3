"""What each column of a downloaded table means (the XLSX About sheet and the CSV's comment lines list them).

One definition per column header; a header whose meaning depends on the table has an entry per table name in
BY_TABLE. tests/callbacks/test_exports.py checks every column of every export has one.
"""

from __future__ import annotations

from dashboard.domain.scales import COMPLETION

_LEVEL = "commitments whose latest IRM completion rating is {}"
_SHARE = "{} as a percentage of {} (blank where none)"

COLUMNS: dict[str, str] = {
    "Action plan": "OGP's action-plan id (AP_ + member code + plan number)",
    "Action plans": "action plans of the member in the data",
    "Ambition rated": "commitments the IRM rated for potential impact (to 2019) or potential for results (2020-)",
    "Assessed": "commitments with an IRM completion rating",
    "At risk now": "commitments 'at risk' on the status date (status layer)",
    "Change": "the kind of change between the two dates (see the /changes page for each kind's meaning)",
    "Civil society says": "completion level of civil society's latest report, and its date",
    "Code": "member code (ISO 3166 alpha-3 for countries, OGP's code for local members)",
    "Commitment": "OGP's commitment id",
    "Commitments": "number of commitments",
    "Commitments reported": "commitments with at least one progress report dated on or before the status date",
    "Completion": "completion level (IRM scale: Not Started, Limited, Substantial, Complete; or Withdrawn, Unclear, "
    "No Evidence; ND/NR/NA are missing-value codes)",
    "Cycle": "action-plan cycle: the year the plan was due",
    "Date": "the date the item falls due",
    "Dated": "the date the report describes",
    "Days left": "days from the status date to the due date",
    "Days since": "days from the latest report to the status date",
    "Delay status": "the commitment's delay status on the status date (status layer: delayed, at risk, no "
    "evidence, on track, not assessable, complete, closed)",
    "Delayed now": "commitments 'delayed' on the status date",
    "Delivered": "the date the action plan was delivered (blank or 'not yet' when it was not)",
    "Due": "the date the action plan was due (31 August, or 30 June before 2022)",
    "End": "the end of the implementation period",
    "End date": "the commitment's end date",
    "Ends": "the commitment's end date",
    "Evidence": "what the delay status rests on: the latest report's level, source and date, or the IRM rating",
    "Expected": "the completion level expected for the share of time gone",
    "Government says": "completion level of the government's latest self-report, and its date",
    "High ambition": "commitments of Transformative potential impact or Substantial potential for results",
    "High ambition (% of rated)": _SHARE.format("High ambition", "Ambition rated"),
    "High completion": "commitments rated Substantial or Complete by the IRM",
    "High completion %": _SHARE.format("High completion", "Assessed"),
    "High completion (% of assessed)": _SHARE.format("High completion", "Assessed"),
    "IRM completion": "the IRM's latest completion rating (end of term, else mid-term)",
    "IRM rating": "the IRM's latest completion rating",
    "Item": "the commitment id, or the action-plan id for a plan",
    "Known from": "the day the report became known: its own date for published reports, the day it was "
    "recorded or imported here otherwise",
    "Last report": "the date of the latest progress report",
    "Latest progress": "the level, source and date of the latest progress report",
    "Levels apart": "how many completion levels separate the two sources",
    "Member": "OGP member (country or local government)",
    "Mid-term": "the IRM's mid-term completion rating",
    "Mid-term \\ End of term": "mid-term rating (rows) against end-of-term rating (columns)",
    "Months behind": "months the commitment is behind, from the date its reason names",
    "Not yet assessed": "commitments without an IRM completion rating yet",
    "Now": "the status on the second date",
    "OGP id": "OGP's commitment id",
    "Plans running": "action plans in implementation on the status date",
    "Policy area": "OGP policy area",
    "Position": "where the plan stands in its cycle (month N of M)",
    "Potential for results": "IRM rating of potential for results (2020-): Unclear, Modest, Substantial",
    "Potential impact": "IRM rating of potential impact (to 2019): None, Minor, Moderate, Transformative",
    "Progress date": "the date of the latest progress report",
    "Progress source": "who made the latest progress report",
    "Reason": "why it has this status, in words",
    "Recorded by": "who recorded or imported the report",
    "Region": "OGP region",
    "Report": "which IRM report",
    "Reported": "commitments with a progress report dated on or before the status date",
    "Result": "early results (2020-) or 'Did it open government?' (to 2019) where the IRM rated it",
    "Schedule": "whether reported progress keeps up with time (on schedule, behind, no evidence)",
    "Severity (months)": "months since the date the reason names (end date, milestone due date, report due date)",
    "Source": "who made the report (government, civil society, OGP Support Unit, IRM)",
    "Star-rated": "commitments the IRM rated for a star (to the 2017-19 plans)",
    "Starred": "starred commitments (specific, relevant, transformative and substantially complete)",
    "Starred %": _SHARE.format("Starred", "Star-rated"),
    "Starred (% of star-rated)": _SHARE.format("Starred", "Star-rated"),
    "Status": "the status on the status date",
    "Substantial or Complete": "commitments rated Substantial or Complete",
    "Then": "the status on the first date",
    "Title": "the commitment's title",
    "Type": "member type: National, Legacy Local or Other",
    "What": "what falls due: an action plan, a milestone or a commitment's end",
    "Why": "the reason for the status, in words",
    "Why (delay status)": "the reason for the delay status, in words",
    "Why now": "the reason for the status on the second date",
    "ND": "ratings coded ND: no data (the indicator did not exist in that era's IRM method)",
    "NR": "ratings coded NR: not yet reviewed (the IRM report is pending)",
    "NA": "ratings coded NA: not applicable, or left blank",
    **{level: _LEVEL.format(level) for level in COMPLETION.values},
    "No Evidence": "commitments whose latest report found no evidence of progress",
    "No report yet": "commitments on which this source has not reported",
    "#": "the milestone's place in the commitment's list",
    "Milestone": "the milestone, as the action plan words it",
    "Done": "the date the milestone was done (a dash while it is not)",
    "State": "done, done late, overdue or upcoming on the status date",
    "Note": "what the report says",
    "When": "when the change was saved (UTC)",
    "Who": "who saved it",
    "Field": "what was changed",
    "Old": "the value before",
    "New": "the value after",
    "Latest note": "the newest delay note on the commitment: why it is late, in the words of who follows it",
}

BY_TABLE: dict[tuple[str, str], str] = {
    ("overview-regions", "Source"): "who reported (government, civil society, OGP Support Unit, IRM): each row "
    "counts the level of that source's latest report",
    ("changes-plans", "Then"): "the plan's status on the first date (submission or process status)",
    ("changes-plans", "Now"): "the plan's status on the second date",
    ("changes-commitments", "Then"): "the delay status on the first date, with what was known then",
    ("changes-commitments", "Now"): "the delay status on the second date",
    ("commitment-progress", "Date"): "the date the report describes",
    ("commitment-progress", "Evidence"): "the address of the evidence the report gives",
    ("commitment-milestones", "Due"): "the milestone's due date",
    ("member-plans", "Status"): "the plan's submission or process status",
    ("commitment-history", "What"): "what was saved: a progress report, a rating or a delay note",
}


def definition(table: str, column: str) -> str | None:
    """What a column of a table means, or None when nobody wrote it down."""
    return BY_TABLE.get((table, column)) or COLUMNS.get(column)
