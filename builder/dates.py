"""Reading dates from front matter and showing them the German way."""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from functools import lru_cache

from babel.dates import format_datetime

_DATE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_date(value: object, tz: tzinfo) -> datetime:
    """An aware datetime from a YAML date/datetime or an ISO 8601 (or Jekyll) string.

    Without an offset the site's time zone applies. Raises ValueError when the
    value is no date or an impossible one.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    if not isinstance(value, str):
        raise ValueError(f"got {value!r}")
    match = _DATE_RE.match(value.strip())
    if not match:
        raise ValueError(f'got "{value}"')
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    parsed = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                      int(second or 0), int((fraction or "0").ljust(6, "0")))
    if offset is None:
        return parsed.replace(tzinfo=tz)
    if offset == "Z":
        offset = "+00:00"
    elif ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    return datetime.fromisoformat(parsed.isoformat() + offset)


def has_time(value: datetime) -> bool:
    """Whether a datetime carries a time of day worth showing."""
    return (value.hour, value.minute, value.second) != (0, 0, 0)


@lru_cache(maxsize=8192)
def german_datetime(value: datetime, locale: str = "de_DE") -> str:
    """"26. Januar 2022, 19:50 Uhr" (or just the day at midnight)."""
    if not has_time(value):
        return german_day(value, locale)
    return format_datetime(value, "d. MMMM y, HH:mm 'Uhr'", tzinfo=value.tzinfo, locale=locale)


@lru_cache(maxsize=8192)
def german_day(value: datetime, locale: str = "de_DE") -> str:
    """"26. Januar 2022"."""
    return format_datetime(value, "d. MMMM y", tzinfo=value.tzinfo, locale=locale)


def iso(value: datetime) -> str:
    """ISO 8601 with offset, seconds precision: "2022-01-26T19:50:00+01:00"."""
    return value.replace(microsecond=0).isoformat()
