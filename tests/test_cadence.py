"""Cadence: sessions on the pod's weekday and wall-clock time, across DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.cadence import (
    Cadence,
    first_session_start,
    following_day,
    next_session_start,
    wall_clock_instant,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def weekly(weekday=1, at=time(15, 0), tz="Europe/London", interval=1) -> Cadence:
    return Cadence(interval_weeks=interval, weekday=weekday, local_time=at, timezone=tz)


def test_first_session_is_the_next_matching_weekday_and_time():
    # Monday 2 March 2026, 09:00 UTC; Tuesdays 15:00 London (GMT).
    assert first_session_start(weekly(), utc(2026, 3, 2, 9)) == utc(2026, 3, 3, 15)


def test_first_session_today_only_with_enough_notice():
    tuesday_morning = utc(2026, 3, 3, 9)
    assert first_session_start(weekly(), tuesday_morning) == utc(2026, 3, 3, 15)
    half_an_hour_before = utc(2026, 3, 3, 14, 30)
    assert first_session_start(weekly(), half_an_hour_before) == utc(2026, 3, 10, 15)
    exactly_at = utc(2026, 3, 3, 15)
    assert first_session_start(weekly(), exactly_at, timedelta(0)) == utc(2026, 3, 10, 15)


def test_fifteen_hundred_stays_fifteen_hundred_across_spring_and_autumn():
    cadence = weekly(weekday=1)
    start = utc(2026, 3, 24, 15)  # GMT
    following = next_session_start(cadence, start, start)
    assert following == utc(2026, 3, 31, 14)  # BST: 15:00 local is 14:00 UTC
    assert following.astimezone(LONDON).time() == time(15, 0)
    autumn = next_session_start(cadence, utc(2026, 10, 20, 14), utc(2026, 10, 20, 14))
    assert autumn == utc(2026, 10, 27, 15)
    assert autumn.astimezone(LONDON).time() == time(15, 0)


def test_interval_weeks_keeps_its_phase():
    cadence = weekly(interval=3)
    start = utc(2026, 3, 3, 15)
    assert next_session_start(cadence, start, start) == utc(2026, 3, 24, 15)


def test_an_idle_pod_skips_whole_intervals_and_keeps_its_phase():
    cadence = weekly(interval=2)
    previous = utc(2026, 1, 6, 15)
    now = utc(2026, 3, 2, 9)
    start = next_session_start(cadence, previous, now)
    assert start > now
    assert (start.date() - previous.date()).days % 14 == 0
    assert start == utc(2026, 3, 3, 15)


def test_nonexistent_local_time_moves_forward_by_the_gap():
    # New York springs forward on Sunday 8 March 2026: 02:30 does not exist.
    instant = wall_clock_instant(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert instant == utc(2026, 3, 8, 7, 30)
    assert instant.astimezone(NEW_YORK).time() == time(3, 30)


def test_ambiguous_local_time_is_the_first_occurrence():
    # New York falls back on Sunday 1 November 2026: 01:30 happens twice.
    instant = wall_clock_instant(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert instant == utc(2026, 11, 1, 5, 30)  # EDT, the first one


def test_a_changed_weekday_keeps_one_session_per_interval():
    thursday = weekly(weekday=3)
    assert following_day(thursday, date(2026, 3, 3)) == date(2026, 3, 12)
    monday = weekly(weekday=0)
    assert following_day(monday, date(2026, 3, 3)) == date(2026, 3, 9)
    # Sunday → Monday would meet two days running: it waits a week more.
    assert following_day(monday, date(2026, 3, 8)) == date(2026, 3, 16)


def test_invalid_cadences_are_refused():
    with pytest.raises(ValueError):
        weekly(interval=5)
    with pytest.raises(ValueError):
        weekly(weekday=7)
    with pytest.raises(Exception):  # noqa: B017 - zoneinfo's own error types
        weekly(tz="Mars/Olympus")


# None of these zones changes its clocks around midnight, so a session never
# changes date; a time inside a spring-forward gap moves by the one-hour gap.
ZONES = ["Europe/London", "America/New_York", "Europe/Paris", "Australia/Sydney", "Asia/Kolkata"]


def exists_on(day: date, at: time, zone: ZoneInfo) -> bool:
    local = datetime.combine(day, at, zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


@settings(max_examples=150, deadline=None)
@given(
    interval=st.integers(1, 4),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    tz=st.sampled_from(ZONES),
    now=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
)
def test_property_sessions_fall_on_the_weekday_and_wall_time(
    interval, weekday, hour, minute, tz, now
):
    at = time(hour, minute)
    cadence = weekly(weekday, at, tz, interval)
    zone = ZoneInfo(tz)
    now = now.replace(tzinfo=UTC)
    start = first_session_start(cadence, now)
    assert start > now
    for _ in range(8):
        local = start.astimezone(zone)
        assert local.weekday() == weekday
        expected = at if exists_on(local.date(), at, zone) else time(hour + 1, minute)
        assert local.time() == expected
        following = next_session_start(cadence, start, start)
        assert (following.astimezone(zone).date() - local.date()).days == 7 * interval
        start = following
