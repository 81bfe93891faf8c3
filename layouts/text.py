"""How values read on screen and in exports: dates, shares and missing values (one spelling everywhere)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from dashboard.domain.rules import format_day

MISSING = "—"


def day_text(value: Any) -> str:
    """A date as '12 Oct 2023', or a dash when there is none (None, NaN, NaT)."""
    if value is None or value is pd.NaT or not isinstance(value, dt.date):
        return MISSING
    return format_day(value.date() if isinstance(value, dt.datetime) else value)


def share_text(value: Any) -> str:
    """A share (0-1) as a whole percentage, or a dash when there is none."""
    return MISSING if value is None or pd.isna(value) else f"{value:.0%}"


def percent_of(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole in percent, unrounded (each view rounds once, from the integers); missing where whole is 0."""
    whole = whole.astype(float)
    return part.astype(float) / whole.where(whole > 0) * 100


def note_text(note: tuple[str, str, Any] | None) -> str:
    """A delay note with who wrote it and when ('Waiting for the budget law (maria, 3 Oct 2026)'), or a dash."""
    if not note:
        return MISSING
    text, by, at = note
    return f"{text} ({by}, {day_text(at)})"
