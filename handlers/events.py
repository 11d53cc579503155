"""Events API: each delivery handled once, whatever Slack retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.runtime import Runtime
from bot.services import receipts


def register(app: App, rt: Runtime) -> None:
    @app.middleware
    def skip_redelivered_events(
        body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        if body.get("type") == "event_callback" and body.get("event_id"):
            with rt.db.transaction() as tx:
                first_time = receipts.record_event(
                    tx, body.get("api_app_id", ""), body["event_id"], rt.now()
                )
            if not first_time:
                return BoltResponse(status=200, body="")
        return next()
