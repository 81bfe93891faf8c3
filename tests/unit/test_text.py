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


def test_txt003_commitment_dates_say_what_ogp_codes_mean():
    from layouts.commitments import _date_text

    assert _date_text(None, "NA") == ["Not applicable, or left blank (NA in OGP's sheet)"]
    assert _date_text(None, "Ongoing")[0] == "Not readable as a date"
    assert "Ongoing" in _date_text(None, "Ongoing")[1].children
    assert _date_text(None, None) == ["Not given"]
    assert _date_text(dt.date(2024, 1, 1), "2024-01-01") == ["1 Jan 2024"]
    assert _date_text(dt.date(2024, 1, 1), "1/1/2024")[0] == "1 Jan 2024"


def test_txt050_badge_words_read_at_four_and_a_half_to_one_on_every_colour():
    """WCAG 1.4.3 on every badge colour of the palettes (contrast computed here from the WCAG definition)."""
    from layouts.components import readable_on
    from layouts.countries import PLAN_STATUS_STYLE
    from layouts.tables import SUBMISSION_STYLES
    from layouts.theme import DELAY_COLORS

    def luminance(colour: str) -> float:
        rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    named = {"white": "#ffffff"}
    backgrounds = {*DELAY_COLORS.values(), *(c for c, _ in PLAN_STATUS_STYLE.values())}
    backgrounds |= {c for c, _ in SUBMISSION_STYLES.values()} | {"#ffffff", "#000000", "#777777", "#767676"}
    for background in backgrounds:
        text = named.get(readable_on(background), readable_on(background))
        high, low = sorted([luminance(background), luminance(text)], reverse=True)
        assert (high + 0.05) / (low + 0.05) >= 4.5, (background, text)
