"""Dates, times and decimals as Georgian (and English) readers write them."""

import datetime as dt

from api.formatting import date_time, decimal, long_date
from api.i18n import environment


def test_georgian_dates_put_the_year_first_with_month_names() -> None:
    assert long_date(dt.date(2025, 10, 4), "ka") == "2025 წლის 4 ოქტომბერი"
    assert long_date(dt.date(2025, 10, 4), "en") == "October 4, 2025"


def test_times_are_shown_in_tbilisi_time_not_utc() -> None:
    # 20:30 UTC on 31 December is already 00:30 on 1 January in Tbilisi (UTC+4).
    stored = dt.datetime(2025, 12, 31, 20, 30)
    assert date_time(stored, "ka", "Asia/Tbilisi") == "2026 წლის 1 იანვარი, 00:30"
    assert date_time(stored, "en", "Asia/Tbilisi") == "January 1, 2026, 00:30"
    assert date_time(stored.replace(tzinfo=dt.UTC), "en", "UTC") == "December 31, 2025, 20:30"


def test_decimals_use_the_languages_sign() -> None:
    assert decimal(0.5, "ka", signed=True) == "+0,5"
    assert decimal(-0.5, "ka", signed=True) == "−0,5"
    assert decimal(62.5, "ka") == "62,5"
    assert decimal(0.5, "en", signed=True) == "+0.5"
    assert decimal(3, "en", digits=0) == "3"


def test_templates_format_dates_in_the_page_language() -> None:
    source = "{{ day|long_date }} · {{ moment|local_datetime }}"
    values = {"day": dt.date(2025, 10, 4), "moment": dt.datetime(2025, 10, 4, 8, 0)}
    ka = environment("ka").from_string(source).render(lang="ka", **values)
    assert ka == "2025 წლის 4 ოქტომბერი · 2025 წლის 4 ოქტომბერი, 12:00"
    en = environment("en").from_string(source).render(lang="en", **values)
    assert en == "October 4, 2025 · October 4, 2025, 12:00"
