"""A member's calendar feed as plain facts: what bot.services.calendar returns and
bot.ui.calendar turns into iCalendar. Free of SQLAlchemy so the ui may import it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CalendarEvent:
    """One pod session in one member's calendar."""

    session_id: int
    sequence: int
    pod_name: str
    pod_timezone: str
    starts_at: datetime
    ends_at: datetime
    coach_name: str | None
    theme: str
    cancelled: bool
    """Cancelled for everyone, or skipped by this member."""
