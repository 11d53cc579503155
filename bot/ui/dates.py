"""Every date and time a person reads, in one place; each name says what it prints.

Instants are shown on the reader's wall clock (their Slack timezone); an unknown
or empty timezone reads as UTC rather than failing a message.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def zone(tz: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, KeyError, ValueError):
        return ZoneInfo("UTC")


def local_date(instant: datetime, tz: str | None) -> date:
    return instant.astimezone(zone(tz)).date()


def day_and_month(day: date) -> str:
    """`3 Mar`."""
    return f"{day.day} {day:%b}"


def short_date(day: date) -> str:
    """`Tue 3 Mar`."""
    return f"{day:%a} {day_and_month(day)}"


def short_date_with_year(day: date) -> str:
    """`Tue 3 Mar 2026`."""
    return f"{short_date(day)} {day:%Y}"


def clock_time(at: time | datetime) -> str:
    """`15:00`."""
    return f"{at:%H:%M}"


def local_date_with_year(instant: datetime, tz: str | None) -> str:
    """`Tue 3 Mar 2026` on the reader's calendar."""
    return short_date_with_year(local_date(instant, tz))


def local_date_time(instant: datetime, tz: str | None) -> str:
    """`Tue 3 Mar, 15:00` on the reader's wall clock."""
    local = instant.astimezone(zone(tz))
    return f"{short_date(local.date())}, {clock_time(local)}"


def local_date_time_with_zone(instant: datetime, tz: str | None) -> str:
    """`Tue 3 Mar, 15:00 (Europe/Paris)`."""
    return f"{local_date_time(instant, tz)} ({tz or 'UTC'})"


def week_of(day: date) -> str:
    """`the week of 2 Mar 2026` (the Monday): the finest time a digest shows."""
    monday = date.fromordinal(day.toordinal() - day.weekday())
    return f"the week of {day_and_month(monday)} {monday:%Y}"


def each_readers_date(instant: datetime) -> str:
    """A date Slack shows on each reader's own calendar (`date_short_pretty`: `Mar 3rd`,
    `yesterday`), `03 Mar 2026` (UTC) where Slack can't: for a message many people read."""
    return f"<!date^{int(instant.timestamp())}^{{date_short_pretty}}|{instant:%d %b %Y}>"
