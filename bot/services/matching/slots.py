"""When people can meet: a week of UTC half-hours as a bit mask.

Bit i set means a one-hour meeting starting at half-hour i of the UTC week (0 is
Monday 00:00 UTC) fits inside the person's availability, in their own timezone.
A pod's common slots are the AND of its members' masks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HALF_HOURS_PER_WEEK = 7 * 48
MEETING_HALF_HOURS = 2
"""A proposed slot is one hour."""
DEFAULT_WINDOW = (time(9, 0), time(17, 0))
"""Used for someone who picked weekdays but no hours."""
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
STEP = timedelta(minutes=30)


def week_start(day: date) -> datetime:
    """Monday 00:00 UTC of the week holding `day`: the week local times are read in."""
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def availability_mask(
    weekdays: Iterable[int],
    window_start: time | None,
    window_end: time | None,
    timezone: str,
    week: datetime,
) -> int:
    """The meeting starts that fit: on each local weekday, every half-hour from the
    window's start to an hour before its end (a window ending at or before its start
    runs past midnight). No window: 09:00–17:00 local."""
    if window_start is None or window_end is None:
        window_start, window_end = DEFAULT_WINDOW
    zone = _zone(timezone)
    mask = 0
    for weekday in sorted(set(weekdays)):
        if not 0 <= weekday <= 6:
            continue
        day = (week + timedelta(days=weekday)).date()
        start = datetime.combine(day, window_start, tzinfo=zone)
        end = datetime.combine(day, window_end, tzinfo=zone)
        if end <= start:
            end += timedelta(days=1)
        start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
        # Align up to the next UTC half-hour.
        offset = (start_utc - week) % STEP
        at = start_utc if not offset else start_utc + (STEP - offset)
        while at + MEETING_HALF_HOURS * STEP <= end_utc:
            index = int((at - week) / STEP) % HALF_HOURS_PER_WEEK
            mask |= 1 << index
            at += STEP
    return mask


def common(masks: Iterable[int]) -> int:
    result = -1
    for mask in masks:
        result &= mask
        if not result:
            return 0
    return max(result, 0)


def count(mask: int) -> int:
    return mask.bit_count()


def pick(mask: int) -> int | None:
    """The slot to propose among common ones: the middle of the longest run of
    consecutive starts (the most room either side), earliest on a tie."""
    if mask <= 0:
        return None
    best_start, best_len = -1, 0
    index, run_start, run_len = 0, -1, 0
    while mask >> index:
        if (mask >> index) & 1:
            if run_len == 0:
                run_start = index
            run_len += 1
            if run_len > best_len:
                best_start, best_len = run_start, run_len
        else:
            run_len = 0
        index += 1
    return best_start + (best_len - 1) // 2


def slot_start(slot: int, week: datetime) -> datetime:
    """The UTC instant of a slot in the given week."""
    return week + slot * STEP


def local_rhythm(slot: int, timezone: str, week: datetime) -> tuple[int, time]:
    """(weekday, local time) of a slot in a timezone."""
    local = slot_start(slot, week).astimezone(_zone(timezone))
    return local.weekday(), local.time().replace(tzinfo=None)


def describe_utc(slot: int) -> str:
    """“Tuesdays 15:00–16:00 UTC”."""
    start = slot * 30
    day, minutes = divmod(start, 24 * 60)
    end = minutes + MEETING_HALF_HOURS * 30
    return (
        f"{WEEKDAY_NAMES[day]}s {minutes // 60:02d}:{minutes % 60:02d}–"
        f"{(end // 60) % 24:02d}:{end % 60:02d} UTC"
    )
