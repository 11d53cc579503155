"""The WSGI application: Slack's endpoint plus a health check."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.db import Database

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class CoachbotWSGI:
    def __init__(self, app: App, db: Database) -> None:
        self.slack = SlackRequestHandler(app, path=SLACK_EVENTS_PATH)
        self.db = db

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            return self.health(start_response)
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
