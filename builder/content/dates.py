"""Reading dates from front matter and showing them in the site's locale (German: „26. Januar 2022, 19:50 Uhr“)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from babel import Locale, localedata
from babel.dates import format_date, format_datetime

from ..util.parallel import hold_across_forks

# Babel reads its locale data under one module-level lock, taken on every lookup; the search
# stage's threads format dates while page writers are forked (see `hold_across_forks`).
if (_BABEL_LOCK := getattr(localedata, "_cache_lock", None)) is not None:
    hold_across_forks(_BABEL_LOCK)

_DATE_TEXT = re.compile(
    r"""^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})
        (?:(?:[Tt]|[ \t]+)
           (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?
           [ \t]*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?
        )?$""",
    re.VERBOSE,
)


def _shown(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def parse_date(value: object, tz: tzinfo) -> datetime:
    """A timezone-aware datetime from a YAML/TOML date or datetime, or a date string.

    Strings: ISO 8601 with 'T' or a space, with or without an offset (Z,
    +01:00, +0100), Jekyll's '2019-01-05 10:00:00 +0100', or a date alone.
    Without an offset the site's time zone applies. Raises ValueError
    ('must be an ISO 8601 date, got "gestern"') for anything else.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=tz)
        zone = shared_zone(value.tzinfo)   # YAML makes a zone object per date
        return value if zone is value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    match = _DATE_TEXT.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"must be an ISO 8601 date, got {_shown(value)}")
    g = match.groupdict()
    try:
        fraction = (g["f"] or "0")[:6].ljust(6, "0")
        clock = time(int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0), int(fraction))
        zone = _offset(g["tz"]) if g["tz"] else tz
        return datetime.combine(date(int(g["y"]), int(g["m"]), int(g["d"])), clock, zone)
    except ValueError as exc:
        raise ValueError(f"must be an ISO 8601 date, got {_shown(value)} ({exc})") from None


def _offset(text: str) -> tzinfo:
    if text in "Zz":
        return timezone.utc
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset {text} is out of range")
    delta = timedelta(hours=hours, minutes=minutes)
    return shared_zone(timezone(-delta if text[0] == "-" else delta))


_ZONES: dict[tuple[timedelta | None, str | None], tzinfo] = {}


def shared_zone(zone: tzinfo) -> tzinfo:
    """One object for every fixed offset of one name: the dates of 100,000 articles then share a
    handful of zones, and a cache that pickles them stores each zone once (a zone of its own per
    date made unpickling the load cache take twice as long)."""
    if type(zone) is not timezone:   # ZoneInfo keeps one object per key itself
        return zone
    return _ZONES.setdefault((zone.utcoffset(None), zone.tzname(None)), zone)


def has_time(value: datetime) -> bool:
    """Whether a datetime carries a time of day worth showing."""
    return (value.hour, value.minute, value.second) != (0, 0, 0)


# German dates say "Uhr" after the time, as German newspapers write them.
_GERMAN = ("d. MMMM y", "d. MMMM y, HH:mm 'Uhr'")


@lru_cache(maxsize=64)
def date_patterns(locale: str) -> tuple[str, str]:
    """The CLDR patterns of a day and of a day with its time in `locale`.

    German: "26. Januar 2022" and "26. Januar 2022, 19:50 Uhr"; otherwise the
    locale's long date and short time, joined as the locale joins them ("en":
    "January 26, 2022" and "January 26, 2022, 7:50 PM").
    """
    parsed = Locale.parse(locale)
    if parsed.language == "de":
        return _GERMAN
    day = parsed.date_formats["long"].pattern
    clock = parsed.time_formats["short"].pattern
    return day, str(parsed.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)


@lru_cache(maxsize=8192)
def datetime_text(value: datetime, locale: str = "de_DE") -> str:
    """"26. Januar 2022, 19:50 Uhr" (or just the day at midnight), in the value's own time zone."""
    if not has_time(value):
        return day_text(value, locale)
    pattern = date_patterns(locale)[1]
    if pattern is _GERMAN[1]:
        # The day as `day_text` writes it (kept by day), then the time: what Babel makes of this
        # pattern, without its 25 µs for every article page.
        return f"{_day_text(value.date(), locale)}, {value.hour:02d}:{value.minute:02d} Uhr"
    return format_datetime(value, pattern, tzinfo=value.tzinfo, locale=locale)


def day_text(value: datetime, locale: str = "de_DE") -> str:
    """"26. Januar 2022" (the day in the value's own time zone)."""
    return _day_text(value.date(), locale)


@lru_cache(maxsize=8192)
def _day_text(day: date, locale: str) -> str:
    # By day, not by datetime: a 10,000-article site lists articles on thousands of term and
    # tag pages, with more distinct times than a cache holds, but far fewer distinct days.
    return format_date(day, date_patterns(locale)[0], locale=locale)


def iso(value: datetime) -> str:
    """ISO 8601 with offset, seconds precision: "2022-01-26T19:50:00+01:00"."""
    return value.isoformat(timespec="seconds")
