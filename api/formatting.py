"""Dates, times and numbers as each language writes them, in the election's time zone.

Georgian writes dates as `2025 წლის 4 ოქტომბერი` and decimals with a comma (`0,5`); times
are shown in local time (Asia/Tbilisi by default, `VAA_TIMEZONE`), never in UTC, because
a party's deadline or a meeting's day is read by people in Georgia. Stored datetimes
without a zone are UTC (the database keeps UTC).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

# Babel's Georgian long date is "4 ოქტომბერი, 2025"; Georgian prose writes the year first.
_DATE_PATTERNS = {"ka": "y 'წლის' d MMMM"}


def long_date(value: dt.date, language: str) -> str:
    """A calendar date in words: `2025 წლის 4 ოქტომბერი`, `October 4, 2025`."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, _DATE_PATTERNS.get(language, "long"), locale=language)


def local_time(value: dt.datetime, zone: str) -> dt.datetime:
    """A stored moment (naive means UTC) in the given time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(ZoneInfo(zone))


def date_time(value: dt.datetime, language: str, zone: str) -> str:
    """A moment as a local date and time: `2026 წლის 3 დეკემბერი, 16:56`."""
    local = local_time(value, zone)
    clock = format_time(local, "HH:mm", locale=language)
    return f"{long_date(local.date(), language)}, {clock}"


def decimal(value: float, language: str, *, digits: int = 1, signed: bool = False) -> str:
    """A number with the language's decimal sign: `0,5` in Georgian; `+0,5` / `−0,5` signed."""
    fraction = "0" * digits
    pattern = f"#,##0.{fraction}" if digits else "#,##0"
    if signed:
        pattern = f"+{pattern};−{pattern}"
    return format_decimal(value, format=pattern, locale=language)
