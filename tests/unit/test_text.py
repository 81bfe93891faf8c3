"""Screen text of dates and shares: one spelling of a missing value everywhere."""

import datetime as dt

import numpy as np
import pandas as pd

from layouts.text import MISSING, day_text, share_text


def test_txt001_days_read_as_ogp_writes_them_and_missing_days_as_a_dash():
    assert day_text(dt.date(2023, 10, 12)) == "12 Oct 2023"
    assert day_text(pd.Timestamp("2024-02-29 13:00")) == "29 Feb 2024"
    assert day_text(dt.datetime(2021, 1, 5, 8, 0)) == "5 Jan 2021"
    for missing in (None, pd.NaT, np.nan, float("nan"), "2023-10-12", 20231012):
        assert day_text(missing) == MISSING


def test_txt002_shares_are_whole_percentages():
    assert share_text(0.375) == "38%"
    assert share_text(1) == "100%"
    assert share_text(None) == MISSING and share_text(np.nan) == MISSING
