"""Calendar feeds: the .ics documents (built with icalendar, times in each pod's
timezone with its VTIMEZONE so daylight-saving changes are right) and the
messages that hand a person their private link. Pure: data in, bytes or dicts out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import icalendar

from bot import ids
from bot.ui.blocks import actions, button, context, plain, section
from bot.ui.dates import zone
from models.calendar_views import CalendarEvent

CALENDAR_NAME = "Coachbot sessions"
PRODID = "-//Coachbot//Coaching sessions//EN"
REFRESH = "PT1H"
NO_PUBLIC_URL = (
    "Calendar links need the bot's public web address, which isn't set up yet. "
    "Ask your Coachbot admin to set PUBLIC_URL."
)


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def session_path(session_id: int, token: str) -> str:
    return f"/calendar/session/{session_id}/{token}.ics"


def event_uid(session_id: int) -> str:
    return f"session-{session_id}@coachbot"


# --------------------------------------------------------------------- the .ics


def ics_document(events: Iterable[CalendarEvent], now: datetime) -> bytes:
    """A VCALENDAR with one VEVENT per session and the VTIMEZONEs they use."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("refresh-interval", icalendar.vDuration.from_ical(REFRESH), {"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for event in events:
        calendar.add_component(_vevent(event, now))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _vevent(event: CalendarEvent, now: datetime) -> icalendar.Event:
    pod_zone = zone(event.pod_timezone)
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event.session_id))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", now)
    vevent.add("dtstart", event.starts_at.astimezone(pod_zone))
    vevent.add("dtend", event.ends_at.astimezone(pod_zone))
    vevent.add("summary", f"Coaching: {event.pod_name}")
    vevent.add("description", description(event))
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if event.cancelled else "OPAQUE")
    return vevent


def description(event: CalendarEvent) -> str:
    coach = event.coach_name or "the coach seat is open"
    return f"Coach: {coach}\nTheme: {event.theme}"


# --------------------------------------------------------------------- messages


def feed_message(url: str, token: str | None = None) -> dict[str, Any]:
    """`/coach calendar`: the private link, how to subscribe, and Rotate link (which
    names the token it rotates: a double click rotates once)."""
    text = f"Your private calendar feed: {url}"
    blocks = [
        section(
            "*Your private calendar feed*\n"
            "Subscribe once and your pods' sessions show up in your calendar, in each "
            f"pod's timezone, with changes and cancellations kept up to date:\n```{url}```"
        ),
        section(
            "*Google Calendar:* next to *Other calendars* press *+*, choose *From URL* "
            "and paste the link.\n"
            "*Outlook:* choose *Add calendar* → *Subscribe from web* and paste the link."
        ),
        context(
            "Keep this link to yourself: anyone who has it can see your sessions. "
            "Rotate it if it got out; the old link stops working at once."
        ),
        actions(_rotate_button(token)),
    ]
    return {"text": text, "blocks": blocks}


def _rotate_button(token: str | None = None) -> dict[str, Any]:
    rotate = button("Rotate link", ids.CALENDAR_ROTATE_ACTION, token)
    rotate["confirm"] = {
        "title": plain("Rotate your calendar link?"),
        "text": plain(
            "The old link stops working at once; calendars subscribed to it stop updating."
        ),
        "confirm": plain("Rotate"),
        "deny": plain("Keep it"),
    }
    return rotate


def rotated_message(url: str) -> dict[str, Any]:
    text = f"Done: your old calendar link no longer works. Your new link: {url}"
    blocks = [
        section(
            f"*Done: your old calendar link no longer works.*\nYour new private link:\n```{url}```"
        ),
        context(
            "Subscribe to the new link in Google Calendar (Other calendars → From URL) or "
            "Outlook (Add calendar → Subscribe from web), and remove the old subscription."
        ),
    ]
    return {"text": text, "blocks": blocks}


def no_public_url_message() -> dict[str, Any]:
    return {"text": NO_PUBLIC_URL, "blocks": [section(NO_PUBLIC_URL)]}
