"""Lenient parsing of the dates written in OGP's commitments sheet, keeping the raw text."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Bound = Literal["start", "end"]

# Years outside this range are slips (e.g. Excel's '7/15/1905'): reported, never guessed.
MIN_YEAR = 2000
MAX_YEAR = 2100
# Excel serial day 0 (the 1900 leap-year bug makes 1899-12-30 the working epoch).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials of 2000-01-01 .. 2100-12-31: a bare number in this range is an Excel date.
EXCEL_SERIALS = range(36526, 73415 + 1)

MONTHS: dict[str, int] = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
ROMAN_QUARTERS: dict[str, int] = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
EMPTY_CODES = frozenset({"", "NA", "N/A"})

_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
_QUARTER_FIRST = re.compile(r"^(?:quarter|q)\s*([1-4])\s*(?:of\s+)?(\d{4})$", re.IGNORECASE)
_QUARTER_ROMAN = re.compile(r"^(i|ii|iii|iv|[1-4])\s+quarter\s+(?:of\s+)?(\d{4})$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")


@dataclass(frozen=True)
class ParsedDate:
    """A date read from the sheet: the value (None when unreadable or absent), the raw text, any problem."""

    value: dt.date | None
    raw: str
    problem: str | None = None


def parse_ogp_date(raw: str | dt.date | dt.datetime | None, *, bound: Bound, day_first: bool = False) -> ParsedDate:
    """Read one Start/End Date cell; periods (month, quarter, year) resolve to their first or last day by bound.

    Numeric dates are month first (the sheet's default) unless the first number exceeds 12 or `day_first`
    says the row's other date is written day first (e.g. Start '1/7/2014' beside End '31/12/2016').
    """
    if raw is None:
        return ParsedDate(None, "")
    if isinstance(raw, dt.datetime):
        return _checked(raw.date(), raw.date().isoformat())
    if isinstance(raw, dt.date):
        return _checked(raw, raw.isoformat())
    text = str(raw)
    cleaned = " ".join(text.split())
    if cleaned.upper() in EMPTY_CODES:
        return ParsedDate(None, text)
    try:
        value = _parse(cleaned, bound, day_first)
    except ValueError as exc:
        return ParsedDate(None, text, f"{text!r} is not a valid date ({exc})")
    if value is None:
        return ParsedDate(None, text, f"{text!r} is not a date")
    return _checked(value, text)


def _checked(value: dt.date, raw: str) -> ParsedDate:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return ParsedDate(None, raw, f"{raw!r} has an implausible year {value.year} (expected {MIN_YEAR}-{MAX_YEAR})")
    return ParsedDate(value, raw)


def is_day_first(raw: object) -> bool:
    """True when a numeric date can only be day first (its first number is above 12, e.g. '31/12/2014')."""
    match = _NUMERIC.match(" ".join(str(raw).split())) if isinstance(raw, str) else None
    return match is not None and int(match.group(1)) > 12


def _parse(text: str, bound: Bound, day_first: bool) -> dt.date | None:
    if match := _NUMERIC.match(text):
        first, second, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
        # US order (month first) is the sheet's default; a first number above 12 can only be a day.
        if first > 12 or day_first:
            return dt.date(year, second, first)
        return dt.date(year, first, second)
    if match := _ISO.match(text):
        return dt.date(*(int(g) for g in match.groups()))
    if match := _MONTH_YEAR.match(text):
        month = MONTHS.get(match.group(1).lower())
        if month is None:
            return None
        return _period(int(match.group(2)), month, month, bound)
    if (match := _QUARTER_FIRST.match(text)) or (match := _QUARTER_ROMAN.match(text)):
        token = match.group(1).lower()
        quarter = ROMAN_QUARTERS[token] if token in ROMAN_QUARTERS else int(token)
        return _period(int(match.group(2)), 3 * quarter - 2, 3 * quarter, bound)
    if match := _YEAR.match(text):
        return _period(int(match.group(1)), 1, 12, bound)
    if (match := _SERIAL.match(text)) and int(match.group(1)) in EXCEL_SERIALS:
        return EXCEL_EPOCH + dt.timedelta(days=int(match.group(1)))
    return None


def _period(year: int, first_month: int, last_month: int, bound: Bound) -> dt.date:
    if bound == "start":
        return dt.date(year, first_month, 1)
    return dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
