"""Lenient parsing of the Start/End Date cells of OGP's sheet."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access.dates import is_day_first, parse_ogp_date

D = dt.date


@pytest.mark.parametrize(
    ("raw", "bound", "expected"),
    [
        ("1/1/2024", "start", D(2024, 1, 1)),
        ("12/31/2020", "end", D(2020, 12, 31)),
        ("08/01/2022", "start", D(2022, 8, 1)),  # US order is the sheet's default
        ("12/31/15", "end", D(2015, 12, 31)),
        ("10/1/18", "start", D(2018, 10, 1)),
        ("31/12/2014", "end", D(2014, 12, 31)),  # first number > 12: day first
        ("30/6/2015", "end", D(2015, 6, 30)),
        ("July 2014", "start", D(2014, 7, 1)),
        ("July 2014", "end", D(2014, 7, 31)),
        ("February 2015", "end", D(2015, 2, 28)),
        ("Quarter 1 2014", "start", D(2014, 1, 1)),
        ("Quarter 1 2014", "end", D(2014, 3, 31)),
        ("Quarter 4 2016", "end", D(2016, 12, 31)),
        ("I quarter of 2021", "start", D(2021, 1, 1)),
        ("III quarter of 2022", "end", D(2022, 9, 30)),
        ("IV quarter of 2021", "start", D(2021, 10, 1)),
        ("IV quarter of 2021", "end", D(2021, 12, 31)),
        ("2014", "start", D(2014, 1, 1)),
        ("2014", "end", D(2014, 12, 31)),
        ("43525", "start", D(2019, 3, 1)),  # Excel serial
        ("2021-03-04", "start", D(2021, 3, 4)),
    ],
)
def test_dates001_formats(raw: str, bound: str, expected: dt.date) -> None:
    parsed = parse_ogp_date(raw, bound=bound)
    assert parsed.value == expected
    assert parsed.raw == raw
    assert parsed.problem is None


@pytest.mark.parametrize(
    "value", [dt.datetime(2019, 3, 1, 0, 0), dt.date(2019, 3, 1), pd.Timestamp("2019-03-01").to_pydatetime()]
)
def test_dates002_datetime_objects_from_xlsx(value) -> None:
    parsed = parse_ogp_date(value, bound="end")
    assert parsed.value == dt.date(2019, 3, 1)
    assert parsed.raw == "2019-03-01"
    assert parsed.problem is None


@pytest.mark.parametrize("raw", ["NA", "", None, "  "])
def test_dates003_missing_is_none_without_problem(raw) -> None:
    parsed = parse_ogp_date(raw, bound="start")
    assert parsed.value is None
    assert parsed.problem is None
    assert parsed.raw == (raw or "")


@pytest.mark.parametrize("raw", ["Ongoing", "Permanent activity", "In progress", "Underway"])
def test_dates004_free_text_is_reported(raw: str) -> None:
    parsed = parse_ogp_date(raw, bound="end")
    assert parsed.value is None
    assert parsed.raw == raw
    assert "not a date" in parsed.problem


@pytest.mark.parametrize("raw", ["7/15/1905", "7/19/1905", "1/1/1999", "2101", "5/5/2150"])
def test_dates005_implausible_years_are_reported_not_guessed(raw: str) -> None:
    parsed = parse_ogp_date(raw, bound="start")
    assert parsed.value is None
    assert parsed.raw == raw
    assert "implausible year" in parsed.problem


@pytest.mark.parametrize("raw", ["13/13/2015", "2/30/2020", "Smarch 2014", "99999"])
def test_dates006_impossible_dates_are_reported(raw: str) -> None:
    parsed = parse_ogp_date(raw, bound="start")
    assert parsed.value is None
    assert parsed.problem


def test_dates007_raw_text_kept_exactly() -> None:
    parsed = parse_ogp_date(" July  2014 ", bound="end")
    assert parsed.value == dt.date(2014, 7, 31)
    assert parsed.raw == " July  2014 "


def test_dates008_every_date_of_the_real_sheet_is_read_or_reported(real_sheet) -> None:
    frame = pd.read_csv(real_sheet, dtype=str, keep_default_na=False)
    for column, bound in (("Start Date", "start"), ("End Date", "end")):
        for raw in frame[column]:
            parsed = parse_ogp_date(raw, bound=bound)
            assert parsed.raw == raw
            assert (parsed.value is None) == (raw == "NA" or parsed.problem is not None)
            if parsed.value is not None:
                assert 2000 <= parsed.value.year <= 2100


def test_dates009_day_first_hint_from_the_other_date_of_the_row() -> None:
    assert parse_ogp_date("1/7/2014", bound="start").value == dt.date(2014, 1, 7)
    assert parse_ogp_date("1/7/2014", bound="start", day_first=True).value == dt.date(2014, 7, 1)
    # A first number above 12 is day first whatever the hint.
    assert parse_ogp_date("31/12/2016", bound="end", day_first=False).value == dt.date(2016, 12, 31)
    assert is_day_first("31/12/2016") and is_day_first("30/6/2015")
    assert not is_day_first("12/31/2016") and not is_day_first("July 2014") and not is_day_first(None)
