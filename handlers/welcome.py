"""`/coach welcome` and the "I agree to the ground rules" button."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import directory
from bot.runtime import Runtime
from bot.services import welcome
from bot.ui import welcome as welcome_ui
from handlers.commands import CommandContext

log = logging.getLogger(__name__)


def answer(
    respond: Respond | None,
    client: WebClient,
    user_id: str,
    message: Mapping[str, Any],
    *,
    replace: bool = False,
) -> None:
    """Answer whoever pressed a button: through the response_url when there is one
    (replacing the message, or ephemerally), else by DM."""
    if respond is not None and respond.response_url:
        if replace:
            respond(replace_original=True, **message)
        else:
            respond(response_type="ephemeral", replace_original=False, **message)
        return
    client.chat_postMessage(channel=user_id, **message)


def team_of(body: Mapping[str, Any]) -> str:
    team = body.get("team") or {}
    return team.get("id") or (body.get("user") or {}).get("team_id") or ""


def show_welcome(ctx: CommandContext) -> None:
    rt, command = ctx.rt, ctx.command
    directory.refresh_member(rt, command.team_id, command.user_id)
    with rt.db.transaction() as session:
        message = welcome.welcome_for(session, command.team_id, command.user_id, rt.now())
    ctx.reply(message)


COMMANDS = {"welcome": show_welcome}


def register(app: App, rt: Runtime) -> None:
    @app.action(welcome_ui.GROUND_RULES_AGREE_ACTION)
    def agree(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        team_id, user_id = team_of(body), body["user"]["id"]
        directory.refresh_member(rt, team_id, user_id)
        with rt.db.transaction() as session:
            consent = welcome.agree(session, team_id, user_id, rt.now())
            packet = (
                welcome.welcome_for(session, team_id, user_id, rt.now(), just_agreed=True)
                if consent.first_time
                else None
            )
        if not consent.first_time:
            answer(
                respond,
                client,
                user_id,
                welcome_ui.already_agreed_message(consent.agreed_at, consent.tz),
            )
            return
        message = body.get("message") or {}
        container = body.get("container") or {}
        updated = welcome_ui.with_consent_recorded(
            message.get("blocks") or [], consent.agreed_at, consent.tz, consent.confirmation
        )
        if updated is not None:
            answer(
                respond,
                client,
                user_id,
                {"text": message.get("text") or "", "blocks": updated},
                replace=True,
            )
        elif container.get("is_ephemeral") and packet is not None:
            # The packet shown by /coach welcome: show it again, agreed.
            answer(respond, client, user_id, packet, replace=True)
        else:
            answer(
                respond,
                client,
                user_id,
                welcome_ui.agreed_message(consent.agreed_at, consent.tz, consent.confirmation),
            )
