"""Dates of one offset share one zone object, so that caches pickle it once."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel.dates import format_datetime
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.content.dates import date_patterns, datetime_text, day_text, has_time, parse_date, shared_zone

BERLIN = ZoneInfo("Europe/Berlin")


def test_dates_of_one_offset_share_their_zone_whether_yaml_or_text_made_them() -> None:
    from_yaml = [parse_date(yaml.safe_load(f"2022-01-0{day}T10:00:00+01:00"), BERLIN) for day in (1, 2)]
    from_text = parse_date("2022-01-03 10:00:00 +0100", BERLIN)
    assert from_yaml[0].tzinfo is from_yaml[1].tzinfo is from_text.tzinfo
    assert [d.isoformat() for d in from_yaml] == ["2022-01-01T10:00:00+01:00", "2022-01-02T10:00:00+01:00"]
    # A cache of many articles stores the zone once.
    many = pickle.dumps([parse_date(yaml.safe_load(f"2022-01-01T10:{m:02d}:00+01:00"), BERLIN) for m in range(60)])
    assert many.count(b"timezone") == 1


def test_only_equal_zones_of_one_name_are_shared() -> None:
    plus_one = shared_zone(timezone(timedelta(hours=1)))
    assert shared_zone(timezone(timedelta(hours=2))) is not plus_one
    named = shared_zone(timezone(timedelta(hours=1), "CET"))
    assert named is not plus_one and named.tzname(None) == "CET"
    assert shared_zone(BERLIN) is BERLIN
    assert parse_date("2022-07-21 12:00:00", BERLIN).tzinfo is BERLIN


_ZONES = st.sampled_from([None, timezone.utc, timezone(timedelta(hours=1)), timezone(timedelta(hours=-9, minutes=-30)),
                          BERLIN, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kathmandu")])


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)), _ZONES,
       st.sampled_from(["de_DE", "de_AT", "de_CH", "de", "de_LU"]))
def test_a_german_date_with_its_time_reads_as_babel_writes_it(moment: datetime, zone: Any, locale: str) -> None:
    """German dates skip Babel for the time ("26. Jänner 2022, 07:05 Uhr" in Austria): the same text."""
    value = moment.replace(tzinfo=zone) if zone is not None else moment
    datetime_text.cache_clear()
    expected = (format_datetime(value, date_patterns(locale)[1], tzinfo=value.tzinfo, locale=locale)
                if has_time(value) else day_text(value, locale))
    assert datetime_text(value, locale) == expected
