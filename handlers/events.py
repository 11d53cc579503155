"""Events API: each delivery handled once, whatever Slack retries; people who leave
the company (deactivated in Slack) and come back; a workspace that removes the app
(nothing more is sent to it) and comes back (the first person to use the app again
resumes it: see bot/services/workspaces.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.runtime import Runtime
from bot.services import leavers, receipts, workspaces
from bot.services import members as members_service
from handlers.toolkit import payload_shape_problem

logger = logging.getLogger(__name__)


class MalformedPayloads(Middleware):
    """A signed request whose payload is not shaped like Slack's (a view without a type,
    an empty actions list, an event that is no object…) gets a 400 and goes no further:
    Bolt's own helpers would fail on it with a 500 before any listener could answer.
    Slack never sends these; a forger with the signing secret might."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        problem = payload_shape_problem(req.body)
        if problem is not None:
            logger.warning("malformed payload refused: %s", problem)
            return BoltResponse(status=400, body="")
        return next()


def register(app: App, rt: Runtime) -> None:
    app.use(MalformedPayloads())

    @app.middleware
    def skip_redelivered_events(
        body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        if body.get("type") == "event_callback" and body.get("event_id"):
            try:
                with rt.db.transaction(durable=False) as tx:
                    first_time = receipts.record_event(
                        tx, body.get("api_app_id", ""), body["event_id"], rt.now()
                    )
            except SQLAlchemyError:
                # Fail open, as the replay guard does: the listener answers (or fails) itself.
                logger.warning("could not record event %s", body["event_id"], exc_info=True)
                first_time = True
            if not first_time:
                return BoltResponse(status=200, body="")
        return next()

    @app.event("app_uninstalled")
    def app_uninstalled(body: dict[str, Any]) -> None:
        team_id = str(body.get("team_id") or "")
        if team_id:
            with rt.db.transaction() as tx:
                workspaces.record_uninstall(tx, team_id, "app_uninstalled", rt.now())

    @app.event("tokens_revoked")
    def tokens_revoked(event: dict[str, Any], body: dict[str, Any]) -> None:
        """Only the bot's own token matters: revoked user tokens change nothing."""
        team_id = str(body.get("team_id") or "")
        bot_tokens = (event.get("tokens") or {}).get("bot") or []
        if team_id and bot_tokens:
            with rt.db.transaction() as tx:
                workspaces.record_uninstall(tx, team_id, "tokens_revoked", rt.now())

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


def sender_team(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    return str(body.get("team_id") or "")


def note_workspace_in_use(tx: Connection, body: Any, now: datetime) -> None:
    """A person's request from a workspace marked uninstalled: the app is back. Runs on
    the replay guard's connection (bot/replay.py), before the ack."""
    if not isinstance(body, dict) or payload_shape_problem(body) is not None:
        return
    team_id = sender_team(body)
    if team_id and _is_a_persons_request(body):
        workspaces.note_in_use(tx, team_id, now)


def _is_a_persons_request(body: dict[str, Any]) -> bool:
    """A command, an interaction, or the App Home opened: never the uninstall events
    themselves, nor other events (which Slack may still be retrying)."""
    if body.get("type") != "event_callback":
        return bool(body.get("command") or body.get("type"))
    return (body.get("event") or {}).get("type") == "app_home_opened"
