"""The WSGI application: Slack's endpoint, the private calendar feeds and a health check."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.db import Database
from bot.logs import install_request_ids, new_request_id, request_id_var
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
REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.:/-]")

log = logging.getLogger("coachbot.http")


class CoachbotWSGI:
    def __init__(self, app: App, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.slack = SlackRequestHandler(app, path=SLACK_EVENTS_PATH)
        self.db = db
        self.clock = clock
        install_request_ids()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Serves one request under its request id (an incoming X-Request-Id, or a new
        one, echoed back) and logs one line for it once it is answered."""
        request_id = new_request_id(environ.get("HTTP_X_REQUEST_ID"))
        token = request_id_var.set(request_id)
        started = time.monotonic()
        answered: list[str] = []
        kind: dict[str, str] = {}

        def start_with_id(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            answered.append(status)
            return start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)], *rest)

        try:
            kind = _slack_kind(environ)
            return self.route(environ, start_with_id)
        finally:
            _log_request(environ, answered, started, kind)
            request_id_var.reset(token)

    def route(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or ""
        method = environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method == "GET":
            return self.health(start_response)
        if path.startswith(CALENDAR_PREFIX) and method in ("GET", "HEAD"):
            body = self.calendar(path)
            return _respond_calendar(start_response, body, head=method == "HEAD")
        try:
            return self.slack(environ, start_response)
        except Exception:
            # Bolt itself fails on some malformed (yet signed) payloads, e.g. an event
            # that is not an object: a plain 400, never a 500 with a traceback.
            log.exception("could not handle a request to %s", path)
            start_response("400 Bad Request", [("Content-Length", "0")])
            return [b""]

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


def _log_request(
    environ: dict[str, Any], answered: list[str], started: float, kind: dict[str, str]
) -> None:
    method = _safe(environ.get("REQUEST_METHOD") or "-")
    path = _safe(environ.get("PATH_INFO") or "/")
    if path.startswith(CALENDAR_PREFIX):
        path = CALENDAR_PREFIX + "*"  # the rest is a member's private feed token
    status = int(answered[-1].split(" ", 1)[0]) if answered else 500
    duration_ms = round((time.monotonic() - started) * 1000)
    described = " ".join(kind.values())
    # A load balancer's probe every few seconds would drown the rest at INFO.
    quiet = path == HEALTH_PATH and status == 200
    log.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s %dms%s",
        method,
        path,
        status,
        duration_ms,
        f" {described}" if described else "",
        extra={
            "http_method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            **kind,
        },
    )


def _slack_kind(environ: dict[str, Any]) -> dict[str, str]:
    """What a Slack request is, by name only: the command (not its text), the action
    ids, the view's callback id, the event type. Reads the body and puts it back for
    Bolt. Never anything a person typed, a token, a signature or a response URL."""
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != SLACK_EVENTS_PATH:
        return {}
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return {}
    stream = environ.get("wsgi.input")
    if stream is None or length <= 0:
        return {}
    raw = stream.read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        return _describe(raw.decode("utf-8"))
    except (ValueError, TypeError, AttributeError):
        return {"slack_kind": "unreadable"}


def _describe(body: str) -> dict[str, str]:
    if body.lstrip().startswith("{"):
        payload = json.loads(body)
    else:
        form = parse_qs(body)
        if "command" in form:
            return {"slack_kind": "command", "slack_name": _safe(form["command"][0])}
        if "payload" not in form:
            return {"slack_kind": "unknown"}
        payload = json.loads(form["payload"][0])
    kind = str(payload.get("type") or "unknown")
    if kind == "event_callback":
        return {
            "slack_kind": "event",
            "slack_name": _safe(str((payload.get("event") or {}).get("type"))),
        }
    if kind == "block_actions":
        names = ",".join(str(a.get("action_id")) for a in payload.get("actions") or [])
        return {"slack_kind": kind, "slack_name": _safe(names)}
    if kind in ("view_submission", "view_closed"):
        return {
            "slack_kind": kind,
            "slack_name": _safe(str((payload.get("view") or {}).get("callback_id"))),
        }
    if kind in ("shortcut", "message_action"):
        return {"slack_kind": kind, "slack_name": _safe(str(payload.get("callback_id")))}
    return {"slack_kind": _safe(kind)}


def _safe(name: str) -> str:
    """An id as sent, cut short and stripped of anything that could forge a log line."""
    return _SAFE_NAME.sub("?", name[:100])


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
