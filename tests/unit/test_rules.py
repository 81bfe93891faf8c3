"""Tests of OGP's rules: scale orderings, stars (checked against OGP's sheet), cycle, lateness, delay."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard.domain import rules
from dashboard.domain.scales import DELAY_STATUSES, MISSING_CODES, SCALES

D = dt.date

# Written out by hand from OGP-DOMAIN.md (lowest first), not read from scales.py.
EXPECTED_ORDER: dict[str, tuple[str, ...]] = {
    "binary": ("0", "1"),
    "specificity": ("None", "Low", "Medium", "High"),
    "verifiable": ("No", "Yes"),
    "potential_impact": ("None", "Minor", "Moderate", "Transformative"),
    "potential_for_results": ("Modest", "Substantial"),
    "completion": ("No Evidence", "Not Started", "Limited", "Substantial", "Complete"),
    "change_in_completion": ("Decrease", "No Change", "Increase"),
    "diog": ("Worsens", "Did Not Change", "Marginal", "Major", "Outstanding"),
    "early_results": ("No notable results", "Moderate", "Significant", "Outstanding"),
}
UNORDERED = [
    ("completion", "Withdrawn"),
    ("completion", "Unclear"),
    ("potential_for_results", "Unclear"),
    ("diog", "No early results to report yet"),
]


# --- Scales -------------------------------------------------------------------------------------


def test_rul001_every_scale_has_an_expected_order() -> None:
    assert set(SCALES) == set(EXPECTED_ORDER)


@pytest.mark.parametrize("key", sorted(EXPECTED_ORDER))
def test_rul002_scale_orders_every_pair(key: str) -> None:
    scale, order = SCALES[key], EXPECTED_ORDER[key]
    for position, value in enumerate(order):
        assert scale.rank(value) == position
        assert scale.is_rating(value)
        assert rules.compare(scale, value, value) == 0
    for low, high in itertools.combinations(order, 2):
        assert rules.compare(scale, low, high) == -1
        assert rules.compare(scale, high, low) == 1
        assert rules.at_least(scale, high, low)
        assert not rules.at_least(scale, low, high)


@pytest.mark.parametrize("key", sorted(EXPECTED_ORDER))
@pytest.mark.parametrize("code", ["ND", "NR", "NA"])
def test_rul003_missing_codes_are_not_ratings(key: str, code: str) -> None:
    scale = SCALES[key]
    lowest = EXPECTED_ORDER[key][0]
    assert scale.rank(code) is None
    assert not scale.is_rating(code)
    assert scale.is_valid(code)
    assert code not in scale.values
    assert rules.is_missing_code(code)
    assert not rules.at_least(scale, code, lowest)
    with pytest.raises(ValueError):
        rules.compare(scale, code, lowest)
    with pytest.raises(ValueError):
        rules.compare(scale, lowest, code)


def test_rul004_missing_codes_are_distinct() -> None:
    assert len({"ND", "NR", "NA"} & set(MISSING_CODES)) == 3
    assert len({MISSING_CODES[c] for c in ("ND", "NR", "NA")}) == 3
    assert not rules.is_missing_code("None")  # "None" is a Specificity/Potential Impact rating
    assert not rules.is_missing_code("0")
    assert rules.latest_completion("NR", "ND") is None


@pytest.mark.parametrize(("key", "value"), UNORDERED)
def test_rul005_unordered_values_are_ratings_without_rank(key: str, value: str) -> None:
    scale = SCALES[key]
    assert scale.is_rating(value)
    assert scale.rank(value) is None
    with pytest.raises(ValueError):
        rules.compare(scale, value, EXPECTED_ORDER[key][-1])


def test_rul006_aliases_compare_as_their_value() -> None:
    assert rules.compare(SCALES["diog"], "Worsened", "Worsens") == 0
    assert rules.compare(SCALES["diog"], "Worsened", "Marginal") == -1
    assert rules.compare(SCALES["verifiable"], "1", "No") == 1


def test_rul007_at_least_rejects_unordered_threshold() -> None:
    with pytest.raises(ValueError):
        rules.at_least(SCALES["completion"], "Complete", "Withdrawn")


# --- Completion ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "high"),
    [
        ("Complete", True),
        ("Substantial", True),
        ("Limited", False),
        ("Not Started", False),
        ("No Evidence", False),
        ("Withdrawn", False),
        ("Unclear", False),
        ("ND", False),
        ("NR", False),
        ("NA", False),
        ("", False),
        (None, False),
    ],
)
def test_rul010_is_high_completion(completion: str | None, high: bool) -> None:
    assert rules.is_high_completion(completion) is high


@pytest.mark.parametrize(
    ("midterm", "end_of_term", "latest"),
    [
        ("Limited", "Complete", "Complete"),
        ("Complete", "Limited", "Limited"),  # the later rating wins even when lower
        ("Substantial", "NR", "Substantial"),
        ("Substantial", "ND", "Substantial"),
        ("Limited", "NA", "Limited"),
        ("Limited", None, "Limited"),
        ("ND", "Not Started", "Not Started"),
        ("NR", "NA", None),
        (None, None, None),
        ("Limited", "Withdrawn", "Withdrawn"),
    ],
)
def test_rul011_latest_completion(midterm: str | None, end_of_term: str | None, latest: str | None) -> None:
    assert rules.latest_completion(midterm, end_of_term) == latest


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (-0.2, "Not Started"),
        (0.0, "Not Started"),
        (0.33, "Not Started"),
        (1 / 3, "Limited"),
        (0.5, "Limited"),
        (0.66, "Limited"),
        (2 / 3, "Substantial"),
        (0.99, "Substantial"),
        (1.0, "Complete"),
        (1.4, "Complete"),
    ],
)
def test_rul012_expected_completion(elapsed: float, expected: str) -> None:
    assert rules.expected_completion(elapsed) == expected


SAME_TIME = D(2026, 3, 1)


@pytest.mark.parametrize(
    ("a", "b", "disagree"),
    [
        ("Limited", "Complete", True),
        ("Complete", "Not Started", True),
        ("Complete", "Substantial", False),
        ("Limited", "Substantial", False),
        ("Not Started", "Limited", False),
        ("Limited", "Limited", False),
        # "No Evidence" is the absence of evidence, not the lowest level: nothing to disagree with.
        ("No Evidence", "Limited", False),
        ("No Evidence", "Complete", False),
        ("Complete", "ND", False),
        ("NR", "Not Started", False),
        ("Complete", "Withdrawn", False),
        ("Complete", "Unclear", False),
        ("Complete", None, False),
    ],
)
def test_rul013_sources_disagree(a: str | None, b: str | None, disagree: bool) -> None:
    assert rules.sources_disagree(a, SAME_TIME, b, SAME_TIME) is disagree


@pytest.mark.parametrize(
    ("days_apart", "disagree"), [(0, True), (119, True), (120, True), (121, False), (-121, False), (900, False)]
)
def test_rul014_reports_disagree_only_when_they_describe_about_the_same_time(days_apart: int, disagree: bool) -> None:
    later = SAME_TIME + dt.timedelta(days=days_apart)
    assert rules.sources_disagree("Complete", SAME_TIME, "Limited", later) is disagree
    assert rules.levels_apart("Complete", SAME_TIME, "Limited", later) == (2 if disagree else None)
    assert rules.sources_disagree("Complete", None, "Limited", SAME_TIME) is False


# --- Stars --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "relevant"),
    [
        (("1", "0", "0", "0"), True),
        (("0", "1", "0", "0"), True),
        (("0", "0", "1", "0"), True),
        (("0", "0", "0", "1"), False),  # technology alone does not count
        (("0", "1", "0", "1"), True),
        (("0", "0", "0", "0"), False),
        (("ND", "ND", "ND", "ND"), False),
        (("NR", "NR", "1", "NR"), True),
        (("NA", "0", "0", "1"), False),
    ],
)
def test_rul020_is_relevant(values: tuple[str, str, str, str], relevant: bool) -> None:
    assert rules.is_relevant(*values) is relevant


@pytest.mark.parametrize(
    ("specificity", "verifiable", "specific"),
    [
        ("High", None, True),
        ("Medium", None, True),
        ("Low", None, False),
        ("None", None, False),
        ("ND", None, False),
        ("NR", None, False),
        ("ND", "Yes", True),  # 2017- plans: rated on Verifiable only
        ("ND", "1", True),  # the sheet's 0/1 slip for "Yes"
        ("ND", "No", False),
        ("NR", "NR", False),
        ("Low", "Yes", False),  # a specificity rating, when present, decides
    ],
)
def test_rul021_is_specific(specificity: str, verifiable: str | None, specific: bool) -> None:
    assert rules.is_specific(specificity, verifiable) is specific


STAR_BASE = {
    "specificity": "High",
    "ati": "1",
    "cp": "0",
    "pa": "0",
    "tech": "0",
    "potential_impact": "Transformative",
    "completion": "Complete",
}


@pytest.mark.parametrize(
    ("change", "pre_2015", "current"),
    [
        ({}, True, True),
        ({"potential_impact": "Moderate"}, True, False),
        ({"potential_impact": "Minor"}, False, False),
        ({"potential_impact": "None"}, False, False),
        ({"potential_impact": "ND"}, False, False),
        ({"completion": "Substantial", "specificity": "Medium"}, True, True),
        ({"completion": "Limited"}, False, False),
        ({"completion": "Withdrawn"}, False, False),
        ({"completion": "NR"}, False, False),
        ({"specificity": "Low"}, False, False),
        ({"specificity": "ND"}, False, False),
        ({"ati": "0", "tech": "1"}, False, False),
        ({"ati": "0", "pa": "1", "tech": "1"}, True, True),
        ({"ati": "0"}, False, False),
    ],
)
def test_rul022_is_starred_both_formulas(change: dict[str, str], pre_2015: bool, current: bool) -> None:
    args = STAR_BASE | change
    assert rules.is_starred(*args.values(), formula="pre_2015") is pre_2015
    assert rules.is_starred(*args.values(), formula="current") is current


def test_rul023_is_starred_with_verifiable_and_unknown_formula() -> None:
    args = STAR_BASE | {"specificity": "ND"}
    assert not rules.is_starred(*args.values(), formula="current")
    assert rules.is_starred(*args.values(), formula="current", verifiable="Yes")
    with pytest.raises(ValueError):
        rules.is_starred(*STAR_BASE.values(), formula="2015")  # type: ignore[arg-type]


# OGP's three star columns and, found by checking the sheet, the formula and completion each uses.
SHEET_STARS = {
    "Starred (2015 Only)": ("pre_2015", "Completion (Progress Report)"),
    "Starred (Current Formula) Progress Report": ("current", "Completion (Progress Report)"),
    "Starred (Current Formula) End of Term": ("current", "Completion (End Of Term)"),
}
OTHER_FORMULA = {"pre_2015": "current", "current": "pre_2015"}
VALUE_COLUMNS = [
    "OGP Value Access To Information",
    "OGP Value Civic Participation",
    "OGP Value Public Accountability",
    "OGP Value Technology",
]
SCALE_OF = {
    "Specificity": "specificity",
    "Potential Impact": "potential_impact",
    "Completion (Progress Report)": "completion",
    "Completion (End Of Term)": "completion",
} | dict.fromkeys(VALUE_COLUMNS, "binary")


def _sheet(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _star(row: pd.Series, formula: str, completion_column: str, *, verifiable: bool) -> bool:
    return rules.is_starred(
        row["Specificity"],
        *(row[c] for c in VALUE_COLUMNS),
        row["Potential Impact"],
        row[completion_column],
        formula=formula,  # type: ignore[arg-type]
        verifiable=row["Verifiable"] if verifiable else None,
    )


@pytest.mark.parametrize(
    ("column", "rated_rows", "other_formula_disagrees"),
    [
        ("Starred (2015 Only)", 149, 32),
        ("Starred (Current Formula) Progress Report", 149, 32),
        ("Starred (Current Formula) End of Term", 101, 31),
    ],
)
def test_rul024_star_formulas_match_ogp_sheet(
    real_sheet: Path, column: str, rated_rows: int, other_formula_disagrees: int
) -> None:
    """Our formulas reproduce OGP's star columns on every row whose inputs are all ratings.

    Where the sheet disagrees with OGP-DOMAIN.md (the data wins):
    - 'Starred (2015 Only)' is NOT the from-2015 "Transformative only" formula. It is the older
      formula (Moderate or Transformative) applied to the mid-term (Progress Report) completion, for
      plans submitted 2011-2017 alike: 149/149 rated rows agree with "pre_2015", while "current"
      misses 32 of its stars.
    - Both 'Current Formula' columns are Transformative-only: 149/149 (Progress Report completion)
      and 101/101 (End of Term completion) agree; "pre_2015" would add 32 and 31 false stars.
    - So the formula is chosen by column, not by the plan's submission year.
    The sheet holds no commitment tagged with technology alone, so that part of relevance is not
    exercised here (the unit tests above cover it).
    """
    formula, completion_column = SHEET_STARS[column]
    sheet = _sheet(real_sheet)
    inputs = ["Specificity", *VALUE_COLUMNS, "Potential Impact", completion_column]
    rated = sheet[
        sheet[column].isin(["0", "1"])
        & sheet.apply(lambda row: all(SCALES[SCALE_OF[c]].is_rating(row[c]) for c in inputs), axis=1)
    ]
    assert len(rated) == rated_rows
    ours = rated.apply(_star, axis=1, args=(formula, completion_column), verifiable=False)
    ogp = rated[column] == "1"
    assert (ours == ogp).all(), rated.loc[ours != ogp, ["Commitment Unique Identifier", column]]
    assert ogp.sum() > 0 and (~ogp).sum() > 0
    other = rated.apply(_star, axis=1, args=(OTHER_FORMULA[formula], completion_column), verifiable=False)
    assert (other != ogp).sum() == other_formula_disagrees


@pytest.mark.parametrize(
    ("column", "rows", "verifiable_rows", "stars_needing_verifiable"),
    [
        ("Starred (2015 Only)", 156, 1, 0),
        ("Starred (Current Formula) Progress Report", 156, 1, 0),
        ("Starred (Current Formula) End of Term", 118, 17, 1),
    ],
)
def test_rul025_star_formulas_match_every_scored_row(
    real_sheet: Path, column: str, rows: int, verifiable_rows: int, stars_needing_verifiable: int
) -> None:
    """Every row OGP scored 0/1 agrees, including rows with a missing input (ND/NR never make a star).

    Data over domain page: 17 end-of-term stars of 2017-18 plans are scored although Specificity is ND;
    OGP then takes 'Verifiable' = Yes as "specific" (one of them, Transformative and Substantial, is
    starred). Without that fallback that star would be missed.
    """
    formula, completion_column = SHEET_STARS[column]
    sheet = _sheet(real_sheet)
    scored = sheet[sheet[column].isin(["0", "1"])]
    assert len(scored) == rows
    ours = scored.apply(_star, axis=1, args=(formula, completion_column), verifiable=True)
    ogp = scored[column] == "1"
    assert (ours == ogp).all(), scored.loc[ours != ogp, ["Commitment Unique Identifier", column]]
    on_verifiable = scored[(scored["Specificity"] == "ND") & (scored["Verifiable"] == "Yes")]
    assert len(on_verifiable) == verifiable_rows
    without_fallback = on_verifiable.apply(_star, axis=1, args=(formula, completion_column), verifiable=False)
    assert (without_fallback != (on_verifiable[column] == "1")).sum() == stars_needing_verifiable


# --- Plan calendar and cycle position -----------------------------------------------------------


@pytest.mark.parametrize(
    ("submission_year", "end_year", "calendar"),
    [
        (2022, 2024, (D(2022, 9, 1), D(2024, 8, 31), D(2022, 8, 31))),
        (2023, 2027, (D(2023, 9, 1), D(2027, 8, 31), D(2023, 8, 31))),
        (2016, None, (D(2016, 7, 1), D(2018, 6, 30), D(2016, 6, 30))),
        (2012, 2014, (D(2012, 7, 1), D(2014, 6, 30), D(2012, 6, 30))),
        (2018, 2015, (D(2018, 7, 1), D(2020, 6, 30), D(2018, 6, 30))),  # end before start: two years
        (2017, 2017, (D(2017, 7, 1), D(2017, 12, 31), D(2017, 6, 30))),  # one-year plan: ends 31 Dec
        (2012, 2012, (D(2012, 7, 1), D(2012, 12, 31), D(2012, 6, 30))),
        (2022, 2022, (D(2022, 9, 1), D(2022, 12, 31), D(2022, 8, 31))),
    ],
)
def test_rul030_plan_calendar(submission_year: int, end_year: int | None, calendar: tuple[dt.date, ...]) -> None:
    assert rules.plan_calendar(submission_year, end_year) == calendar


def test_rul031_plan_calendar_ends_after_start_for_every_real_plan(real_sheet: Path) -> None:
    plans = _sheet(real_sheet)[["Action Plan ID", "Year Of Submission", "Action Plan End Year"]].drop_duplicates()
    same_year = 0
    for _, plan in plans.iterrows():
        submission, end_year = int(plan["Year Of Submission"]), int(plan["Action Plan End Year"])
        start, end, due = rules.plan_calendar(submission, end_year)
        assert due < start < end, plan["Action Plan ID"]
        assert end.year == end_year, plan["Action Plan ID"]
        same_year += submission == end_year
    assert same_year >= 2  # Lithuania 2012 and the 2017 OGP Local pioneers (Madrid, Scotland)


def test_rul032_cycle_position_mid_plan() -> None:
    # 1 Sep 2022 -> 15 Oct 2023 is 365 + 44 = 409 days of 730.
    pos = rules.cycle_position(D(2022, 9, 1), D(2024, 8, 31), D(2023, 10, 15))
    assert (pos.month, pos.total_months, pos.phase) == (14, 24, "implementing")
    assert pos.label == "Month 14 of 24"
    assert pos.midterm == D(2023, 9, 1)
    assert pos.elapsed_share == pytest.approx(409 / 730)


@pytest.mark.parametrize(
    ("start", "end", "total"),
    [
        (D(2022, 9, 1), D(2024, 8, 31), 24),
        (D(2016, 7, 1), D(2018, 6, 30), 24),
        (D(2024, 1, 1), D(2025, 12, 31), 24),
        (D(2023, 9, 1), D(2027, 8, 31), 48),
        (D(2021, 1, 1), D(2021, 12, 31), 12),
        (D(2017, 7, 1), D(2017, 12, 31), 6),
    ],
)
def test_rul033_total_months_from_dates(start: dt.date, end: dt.date, total: int) -> None:
    assert rules.cycle_position(start, end, start).total_months == total


def test_rul034_cycle_position_boundaries() -> None:
    start, end = D(2024, 1, 1), D(2025, 12, 31)
    first = rules.cycle_position(start, end, start)
    assert (first.month, first.elapsed_share, first.phase, first.label) == (1, 0.0, "implementing", "Month 1 of 24")
    assert rules.cycle_position(start, end, D(2024, 1, 31)).month == 1
    assert rules.cycle_position(start, end, D(2024, 2, 1)).month == 2
    last = rules.cycle_position(start, end, end)
    assert (last.month, last.elapsed_share, last.phase) == (24, 1.0, "implementing")
    # 2024 is a leap year: 730 days, halfway is day 365 = 31 Dec 2024.
    assert first.midterm == D(2024, 12, 31)


def test_rul035_cycle_position_outside_the_plan() -> None:
    start, end = D(2024, 9, 1), D(2026, 8, 31)
    before = rules.cycle_position(start, end, D(2024, 3, 1))
    assert (before.month, before.elapsed_share, before.phase) == (1, 0.0, "not started")
    assert before.label == "Starts 1 Sep 2024, runs 24 months"
    after = rules.cycle_position(start, end, D(2027, 5, 1))
    assert (after.month, after.elapsed_share, after.phase) == (24, 1.0, "ended")
    assert after.label == "Ended 31 Aug 2026, after 24 months"
    with pytest.raises(ValueError):
        rules.cycle_position(end, start, start)


# --- Plan lateness ------------------------------------------------------------------------------

DUE = D(2023, 8, 31)


@pytest.mark.parametrize(
    ("submitted_on", "today", "status", "days"),
    [
        (D(2023, 8, 20), D(2023, 9, 5), "on time", -11),
        (D(2023, 8, 31), D(2023, 9, 5), "on time", 0),
        (D(2023, 9, 1), D(2023, 9, 5), "late", 1),
        (D(2023, 10, 12), D(2024, 3, 1), "late", 42),
        (D(2023, 12, 31), D(2024, 3, 1), "late", 122),
        (D(2024, 1, 1), D(2024, 3, 1), "contrary to process", 123),
        (None, D(2023, 8, 19), "due", -12),
        (None, D(2023, 8, 31), "due", 0),
        (None, D(2023, 9, 1), "overdue", 1),
        (None, D(2023, 12, 31), "overdue", 122),
        (None, D(2024, 1, 1), "contrary to process", 123),
    ],
)
def test_rul040_plan_submission_status(submitted_on: dt.date | None, today: dt.date, status: str, days: int) -> None:
    result = rules.plan_submission_status(DUE, submitted_on, today)
    assert (result.status, result.days_after_due) == (status, days)


def test_rul041_submission_reasons_in_words() -> None:
    late = rules.plan_submission_status(DUE, D(2023, 10, 12), D(2024, 2, 1))
    assert late.reason == (
        "Delivered 12 Oct 2023, 42 days after the 31 Aug 2023 deadline; keeps its end date, "
        "so implementation is shorter"
    )
    missing = rules.plan_submission_status(DUE, None, D(2024, 1, 1))
    assert missing.reason == "Not delivered by 1 Jan 2024: moves to the other cohort and is acting contrary to process"
    assert rules.plan_submission_status(DUE, None, D(2023, 8, 19)).reason == "Due 31 Aug 2023, in 12 days"
    assert "today" in rules.plan_submission_status(DUE, None, DUE).reason
    overdue = rules.plan_submission_status(DUE, None, D(2023, 9, 10)).reason
    assert "10 days after the 31 Aug 2023 deadline" in overdue and "1 Jan 2024" in overdue


def test_rul042_old_era_due_date_uses_the_following_new_year() -> None:
    due = D(2019, 6, 30)
    assert rules.plan_submission_status(due, D(2019, 12, 31), D(2020, 2, 1)).status == "late"
    assert rules.plan_submission_status(due, None, D(2020, 1, 1)).status == "contrary to process"


# --- Acting contrary to process -----------------------------------------------------------------


END = D(2022, 8, 31)  # the plan's end: a new plan is due by 31 Aug 2023


def _process(next_plan: rules.NextPlan, **overrides: object) -> rules.ProcessStatus:
    facts = {
        "plan_end": END,
        "next_plan": next_plan,
        "co_creation_met": True,
        "any_progress_assessed": True,
        "today": D(2023, 8, 31),
    } | overrides
    return rules.process_status(**facts)  # type: ignore[arg-type]


ARRIVED = rules.NextPlan(label="AP_ALB06", submitted_on=D(2023, 8, 31), delivered=True)
ARRIVED_LATE = rules.NextPlan(label="AP_ALB06", submitted_on=D(2023, 9, 1), delivered=True)
NOT_DELIVERED = rules.NextPlan(label="AP_ALB06", submitted_on=None, delivered=False)
NO_DATE = rules.NextPlan(label="AP_ALB06", submitted_on=None, delivered=True)
LAST_IN_FILE = rules.NextPlan(missing="no later plan of this member is in the data")
GAP = rules.NextPlan(missing="plan number 6 of this member is not in the data")


def test_rul050_a_new_plan_within_12_months_is_checked_only_where_the_data_shows_it() -> None:
    assert _process(ARRIVED, today=D(2030, 1, 1)).status == "in process"
    late = _process(ARRIVED_LATE, today=D(2030, 1, 1))
    assert late.status == "contrary to process"
    assert "AP_ALB06 was delivered 1 Sep 2023" in late.reasons[0] and "31 Aug 2023" in late.reasons[0]
    # A later plan recorded as not delivered proves it once the deadline has passed, not before.
    assert _process(NOT_DELIVERED).status == "in process"
    missing = _process(NOT_DELIVERED, today=D(2023, 9, 1))
    assert missing.status == "contrary to process" and "has not been delivered" in missing.reasons[0]


@pytest.mark.parametrize("next_plan", [LAST_IN_FILE, GAP, NO_DATE], ids=["last plan", "gap", "no delivery date"])
def test_rul051_what_the_data_cannot_show_is_unknown_never_contrary(next_plan: rules.NextPlan) -> None:
    assert _process(next_plan).status == "in process"  # the deadline has not passed: nothing to tell
    after = _process(next_plan, today=D(2023, 9, 1))
    assert after.status == "unknown (not in the data)"
    assert "cannot be told" in after.reasons[0] and "31 Aug 2023" in after.reasons[0]
    if next_plan.missing:
        assert after.reasons[0].lower().startswith(next_plan.missing)


def test_rul052_twelve_months_after_leap_day() -> None:
    leap = {"plan_end": D(2024, 2, 29)}
    assert _process(NOT_DELIVERED, today=D(2025, 2, 28), **leap).status == "in process"
    assert _process(NOT_DELIVERED, today=D(2025, 3, 1), **leap).status == "contrary to process"
    assert rules.new_plan_deadline(D(2024, 2, 29)) == D(2025, 2, 28)


def test_rul053_co_creation_and_progress_triggers_are_proof() -> None:
    failed = _process(ARRIVED, co_creation_met=False)
    assert (failed.status, failed.reasons) == (
        "contrary to process",
        ("Did not meet the co-creation minimum requirements",),
    )
    assert _process(ARRIVED, any_progress_assessed=False).reasons == ("The IRM assessed no progress on any commitment",)
    both = _process(LAST_IN_FILE, co_creation_met=False, any_progress_assessed=False, today=D(2024, 1, 1))
    # Proven triggers win over what cannot be told.
    assert both.status == "contrary to process" and len(both.reasons) == 2


def test_rul054_unknown_facts_trigger_nothing() -> None:
    quiet = _process(ARRIVED, plan_end=None, co_creation_met=None, any_progress_assessed=None, today=D(2030, 1, 1))
    assert (quiet.status, quiet.reasons) == ("in process", ())


@pytest.mark.parametrize(("cycles", "review"), [(0, False), (1, False), (2, True), (3, True)])
def test_rul055_procedural_review_after_two_cycles(cycles: int, review: bool) -> None:
    assert rules.needs_procedural_review(cycles) is review


# --- Commitment delay ---------------------------------------------------------------------------

YEAR_START, YEAR_END = D(2026, 1, 1), D(2026, 12, 31)  # 364 days from start to end


def _delay(completion: str | None, today: dt.date, milestones: list | None = None, **kw: object) -> rules.DelayStatus:
    args = {"start": YEAR_START, "end": YEAR_END} | kw
    return rules.delay_status(completion=completion, milestones=milestones or [], today=today, **args)  # type: ignore[arg-type]


def test_rul060_complete_and_not_assessable() -> None:
    assert _delay("Complete", D(2027, 6, 1)).status == "complete"
    assert _delay("Withdrawn", D(2026, 6, 1)).status == "not assessable"
    assert _delay("Limited", D(2026, 6, 1), start=None).status == "not assessable"
    assert _delay("Limited", D(2026, 6, 1), end=None).status == "not assessable"
    assert _delay("Limited", D(2026, 6, 1), end=D(2025, 12, 31)).status == "not assessable"


def test_rul061_not_started_yet_is_on_track() -> None:
    result = _delay(None, D(2026, 6, 1), start=D(2027, 3, 1), end=D(2028, 8, 31))
    assert (result.status, result.reason, result.severity) == ("on track", "Starts 1 Mar 2027", 0)


def test_rul062_past_end_and_not_complete_is_delayed() -> None:
    result = _delay("Substantial", D(2027, 4, 20))
    assert result.status == "delayed"
    assert "Ended 31 Dec 2026 (3 months ago)" in result.reason and "Substantial" in result.reason


def test_rul063_milestone_overdue_by_more_than_90_days() -> None:
    milestone = ("Draft law submitted", D(2026, 3, 15), None)
    # Substantial keeps progress ahead of time, so only the milestone speaks.
    result = rules.delay_status(
        start=D(2025, 9, 1),
        end=D(2027, 8, 31),
        completion="Substantial",
        milestones=[milestone],
        today=D(2026, 7, 20),
    )
    assert result.status == "delayed"
    assert result.reason == "Milestone 'Draft law submitted' was due 15 Mar 2026 and is 4 months overdue"
    assert result.severity == pytest.approx(127 / (365.25 / 12), abs=0.01)
    # 15 Mar + 90 days = 13 Jun: at risk up to then, delayed the day after.
    assert _delay("Substantial", D(2026, 6, 13), [milestone]).status == "at risk"
    assert _delay("Substantial", D(2026, 6, 14), [milestone]).status == "delayed"
    assert _delay("Substantial", D(2026, 3, 16), [milestone]).reason.endswith("is 1 day overdue")
    assert _delay("Substantial", D(2026, 3, 15), [milestone]).status == "on track"


def test_rul064_done_or_undated_milestones_do_not_count() -> None:
    done = ("Portal launched", D(2026, 2, 1), D(2026, 5, 1))
    undated = ("Consultation", None, None)
    assert _delay("Substantial", D(2026, 6, 1), [done, undated]).status == "on track"


def test_rul065_milestones_as_objects_and_the_oldest_is_named() -> None:
    milestones = [
        SimpleNamespace(title="Second", due_date=D(2026, 4, 1), done_date=None),
        SimpleNamespace(title="First", due_date=D(2026, 2, 1), done_date=None),
    ]
    result = _delay("Substantial", D(2026, 6, 1), milestones)
    assert result.status == "delayed"  # 1 Feb -> 1 Jun is 120 days
    assert "'First'" in result.reason and "4 months overdue" in result.reason


@pytest.mark.parametrize(
    ("today", "status"),
    [
        # Limited = 1/3 done; at risk once time gone > 1/3 + 0.25, delayed once > 1/3 + 0.5.
        (D(2026, 8, 1), "on track"),  # day 212 of 364: 0.5824, behind 0.249
        (D(2026, 8, 2), "at risk"),  # day 213: 0.5852, behind 0.252
        (D(2026, 10, 31), "at risk"),  # day 303: 0.8324, behind 0.499
        (D(2026, 11, 1), "delayed"),  # day 304: 0.8352, behind 0.502
    ],
)
def test_rul066_progress_behind_time(today: dt.date, status: str) -> None:
    assert _delay("Limited", today).status == status


@pytest.mark.parametrize(
    ("completion", "today", "status"),
    [
        # A first report is due six months in (1 Jul 2026): without evidence, nothing is told before.
        (None, D(2026, 2, 1), "not assessable"),
        (None, D(2026, 7, 1), "not assessable"),
        (None, D(2026, 7, 2), "no evidence"),
        ("NR", D(2026, 7, 2), "no evidence"),
        ("ND", D(2026, 9, 3), "no evidence"),
        ("Unclear", D(2026, 9, 3), "no evidence"),
        ("No Evidence", D(2026, 9, 3), "no evidence"),
        # Not Started is evidence: nothing done while time passes.
        ("Not Started", D(2026, 4, 3), "at risk"),
        ("Not Started", D(2026, 7, 3), "delayed"),
    ],
)
def test_rul067_no_evidence_is_its_own_status_not_delay(completion: str | None, today: dt.date, status: str) -> None:
    assert _delay(completion, today).status == status


def test_rul067b_no_evidence_reason_and_severity_count_from_the_due_report() -> None:
    result = _delay(None, D(2026, 9, 3))
    assert result.reason == "No progress report since it started on 1 Jan 2026 (one was due by 1 Jul 2026)"
    assert result.severity == pytest.approx(64 / (365.25 / 12), abs=0.01)  # 1 Jul -> 3 Sep
    early = _delay(None, D(2026, 3, 1))
    assert early.reason == "Started 1 Jan 2026; no progress report is due before 1 Jul 2026" and early.severity == 0
    # An overdue milestone still warns while no report is due yet.
    warned = _delay(None, D(2026, 3, 1), [("Draft", D(2026, 2, 1), None)])
    assert warned.status == "at risk" and "'Draft'" in warned.reason


def test_rul067c_ended_without_evidence_and_closed_plans() -> None:
    ended = _delay(None, D(2027, 3, 31))
    assert ended.status == "no evidence" and ended.reason == "Ended 31 Dec 2026 (3 months ago) with no progress report"
    closed = _delay("Limited", D(2028, 1, 1), last_report_on=D(2026, 6, 1))
    assert closed.status == "closed" and closed.severity == 0
    assert closed.reason == "Plan ended 31 Dec 2026; final completion Limited on 1 Jun 2026"
    assert _delay(None, D(2028, 1, 1)).reason == "Plan ended 31 Dec 2026; no completion was reported"
    # 12 months after the plan's end (not the commitment's) it is still current; the day after it is closed.
    assert _delay("Limited", D(2027, 12, 31)).status == "delayed"
    assert _delay("Complete", D(2028, 1, 1)).status == "closed"
    assert _delay("Limited", D(2028, 1, 1), plan_end=D(2027, 8, 31)).status == "delayed"


def test_rul068_reason_names_reported_and_expected() -> None:
    result = _delay("Limited", D(2026, 8, 2), last_report_on=D(2026, 5, 3))
    assert result.reason == "Reported Limited on 3 May 2026; 59% of the time has passed (expected Limited)"
    # Months since the day Limited (a third of the 364 days) was expected: day 121.3 -> day 213.
    assert result.severity == pytest.approx((213 - 364 / 3) / (365.25 / 12), abs=0.01)


@pytest.mark.parametrize(
    "case",
    [
        {"completion": "Substantial", "today": D(2027, 4, 20)},  # ended 110 days ago
        {"completion": None, "today": D(2027, 2, 1)},  # ended, no evidence
        {"completion": None, "today": D(2026, 11, 1)},  # no evidence since 1 Jul
        {"completion": "Substantial", "today": D(2026, 9, 1), "milestones": [("m", D(2026, 2, 1), None)]},
        {"completion": "Not Started", "today": D(2026, 12, 30)},
        {"completion": "Limited", "today": D(2026, 11, 1)},
    ],
)
def test_rul068b_severity_never_exceeds_the_time_since_its_date(case: dict) -> None:
    result = _delay(case["completion"], case["today"], case.get("milestones"))
    assert result.status in ("delayed", "at risk", "no evidence")
    months_since_start = (case["today"] - YEAR_START).days / (365.25 / 12)
    assert 0 < result.severity <= months_since_start
    if "Ended" in result.reason:
        assert result.severity == pytest.approx((case["today"] - YEAR_END).days / (365.25 / 12), abs=0.01)


def test_rul069_severity_sorts_worse_first_and_statuses_are_known() -> None:
    cases = [
        _delay("Substantial", D(2026, 6, 1), [("m", D(2026, 5, 1), None)]),
        _delay("Substantial", D(2026, 9, 1), [("m", D(2026, 2, 1), None)]),
        _delay("Limited", D(2026, 4, 1)),
        _delay("Not Started", D(2026, 12, 1)),
    ]
    assert all(c.status in DELAY_STATUSES for c in cases)
    severities = [c.severity for c in cases]
    assert severities[1] > severities[0]  # 7 months overdue beats 1 month
    assert severities[3] > severities[2]  # 11 months behind beats none
    assert severities[2] == 0
