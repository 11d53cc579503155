"""Events API: each delivery handled once, whatever Slack retries; people who leave
the company (deactivated in Slack) and come back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.runtime import Runtime
from bot.services import leavers, receipts
from bot.services import members as members_service


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

    @app.event("user_change")
    def user_changed(event: dict[str, Any], body: dict[str, Any]) -> None:
        """The event carries the whole user object: no users.info needed. Only people
        the bot has met are recorded."""
        user = event.get("user") or {}
        team_id = body.get("team_id") or user.get("team_id")
        if not user.get("id") or not team_id:
            return
        profile = members_service.SlackProfile.from_users_info(user)
        with rt.db.transaction() as tx:
            if members_service.find(tx, team_id, profile.user_id) is not None:
                leavers.apply_profile(tx, team_id, profile, rt.now())
