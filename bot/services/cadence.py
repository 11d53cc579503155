"""When a pod meets: pure date arithmetic in the pod's own timezone.

Sessions repeat on a weekday and a wall-clock time in the pod's IANA zone, so
15:00 stays 15:00 when daylight saving starts or ends. Instants returned are
aware UTC datetimes, as stored.

Wall times that do not exist (the spring-forward gap) move forward by the size
of the gap (02:30 on that night becomes 03:30); wall times that happen twice
(the autumn fall-back hour) mean the first of the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIN_INTERVAL_WEEKS = 1
MAX_INTERVAL_WEEKS = 4
# A pod created at 14:30 for "Tuesdays 15:00" first meets next week, not in half an hour.
FIRST_SESSION_MIN_NOTICE = timedelta(hours=2)


@dataclass(frozen=True)
class Cadence:
    interval_weeks: int
    weekday: int  # 0 = Monday
    local_time: time
    timezone: str
    duration_minutes: int = 45

    def __post_init__(self) -> None:
        if not MIN_INTERVAL_WEEKS <= self.interval_weeks <= MAX_INTERVAL_WEEKS:
            raise ValueError(f"interval_weeks must be 1–4, not {self.interval_weeks}")
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if self.duration_minutes <= 0:
            raise ValueError("duration_minutes must be positive")
        ZoneInfo(self.timezone)  # unknown zone: fail where the cadence is built

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @classmethod
    def of(cls, pod: object) -> Cadence:
        """The cadence of a Pod row (anything with the same attributes)."""
        return cls(
            interval_weeks=pod.interval_weeks,  # type: ignore[attr-defined]
            weekday=pod.weekday,  # type: ignore[attr-defined]
            local_time=pod.local_time,  # type: ignore[attr-defined]
            timezone=pod.timezone,  # type: ignore[attr-defined]
            duration_minutes=pod.duration_minutes,  # type: ignore[attr-defined]
        )


def wall_clock_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local date.

    fold=0 is the first of two ambiguous times; for a time inside a gap it applies
    the offset from before the transition, which lands after the gap by its size.
    """
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    return local.astimezone(UTC)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def occurrence(cadence: Cadence, day: date) -> datetime:
    return wall_clock_instant(day, cadence.local_time, cadence.zone)


def first_session_start(
    cadence: Cadence, now: datetime, min_notice: timedelta = FIRST_SESSION_MIN_NOTICE
) -> datetime:
    """The first matching weekday and time strictly after now + min_notice."""
    earliest = now + min_notice
    day = local_date(earliest, cadence.zone)
    day += timedelta(days=(cadence.weekday - day.weekday()) % 7)
    while (start := occurrence(cadence, day)) <= earliest:
        day += timedelta(days=7)
    return start


def following_day(cadence: Cadence, previous_day: date) -> date:
    """The session day one interval after a previous session's local day.

    Counted in weeks from the previous session's week (Monday-based), so a pod
    that moved from Tuesdays to Thursdays keeps one session per interval; a move
    that would bring two sessions within half an interval waits one more.
    """
    monday = previous_day - timedelta(days=previous_day.weekday())
    day = monday + timedelta(weeks=cadence.interval_weeks, days=cadence.weekday)
    if (day - previous_day) * 2 < timedelta(weeks=cadence.interval_weeks):
        day += timedelta(weeks=cadence.interval_weeks)
    return day


def next_session_start(
    cadence: Cadence,
    previous_start: datetime | None,
    now: datetime,
    min_notice: timedelta = FIRST_SESSION_MIN_NOTICE,
) -> datetime:
    """The next session after the previous one, in the pod's timezone.

    Without a previous session, the first one after now. When the next
    occurrence is past or too close to give notice (the pod lay idle, the bot
    was down, the cadence was just edited), whole intervals are skipped so the
    rhythm keeps its phase.
    """
    if previous_start is None:
        return first_session_start(cadence, now, min_notice)
    day = following_day(cadence, local_date(previous_start, cadence.zone))
    start = occurrence(cadence, day)
    earliest = now + min_notice
    if start > earliest:
        return start
    step = timedelta(weeks=cadence.interval_weeks)
    skipped = max(0, (earliest - start) // step - 1)
    day += step * skipped
    while (start := occurrence(cadence, day)) <= earliest:
        day += step
    return start


def session_end(cadence: Cadence, start: datetime) -> datetime:
    return start + cadence.duration


def zone_named(name: str | None) -> ZoneInfo:
    """The zone of that name; an unknown or empty one reads as UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
