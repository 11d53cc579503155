"""The WSGI application: Slack's endpoint, the private calendar feeds and a health check."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.db import Database
from bot.services import calendar
from bot.ui import calendar as calendar_ui
from models.base import utcnow

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
CALENDAR_PREFIX = "/calendar/"
FEED_PATH = re.compile(r"/calendar/(?P<token>[A-Za-z0-9_-]{1,128})\.ics")
SESSION_PATH = re.compile(
    r"/calendar/session/(?P<session_id>[0-9]{1,18})/(?P<token>[A-Za-z0-9_-]{1,128})\.ics"
)


class CoachbotWSGI:
    def __init__(self, app: App, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.slack = SlackRequestHandler(app, path=SLACK_EVENTS_PATH)
        self.db = db
        self.clock = clock

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or ""
        method = environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method == "GET":
            return self.health(start_response)
        if path.startswith(CALENDAR_PREFIX) and method in ("GET", "HEAD"):
            body = self.calendar(path)
            return _respond_calendar(start_response, body, head=method == "HEAD")
        return self.slack(environ, start_response)

    def health(self, start_response: Callable[..., Any]) -> Iterable[bytes]:
        reachable = self.db.is_reachable()
        body = json.dumps(
            {"status": "ok" if reachable else "unavailable", "database": reachable}
        ).encode()
        status = "200 OK" if reachable else "503 Service Unavailable"
        start_response(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def calendar(self, path: str) -> bytes | None:
        """The .ics a calendar path stands for: a member's whole feed, or one session of
        it; None for an unknown or rotated token, or a session not theirs."""
        now = self.clock()
        if feed := FEED_PATH.fullmatch(path):
            with self.db.transaction() as tx:
                events = calendar.feed_events(tx, feed["token"], now)
        elif one := SESSION_PATH.fullmatch(path):
            with self.db.transaction() as tx:
                events = calendar.session_event(tx, one["token"], int(one["session_id"]))
        else:
            return None
        return None if events is None else calendar_ui.ics_document(events, now)


def _respond_calendar(
    start_response: Callable[..., Any], body: bytes | None, *, head: bool
) -> Iterable[bytes]:
    """200 with the calendar, or 404 with an empty body: nothing tells a guessed token
    from a rotated one."""
    private = ("Cache-Control", "private, no-store")
    if body is None:
        start_response("404 Not Found", [("Content-Length", "0"), private])
        return [b""]
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Length", str(len(body))),
            private,
        ],
    )
    return [b"" if head else body]
