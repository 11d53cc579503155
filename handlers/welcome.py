"""`/coach welcome` and the "I agree to the ground rules" button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import directory, ids
from bot.runtime import Runtime
from bot.services import welcome
from bot.ui import welcome as welcome_ui
from handlers.toolkit import CommandContext, answerer, sender_of


def show_welcome(ctx: CommandContext) -> None:
    rt, sender = ctx.rt, ctx.command.sender
    directory.refresh_member(rt, sender.team_id, sender.user_id)  # their timezone, for dates
    with rt.db.transaction() as tx:
        packet = welcome.packet(tx, sender.team_id, sender.user_id, rt.now())
    ctx.reply(welcome_ui.welcome_packet(packet))


COMMANDS = {"welcome": show_welcome}


def register(app: App, rt: Runtime) -> None:
    @app.action(ids.GROUND_RULES_AGREE_ACTION)
    def agree(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        sender = sender_of(body)
        answer = answerer(body, client, respond)
        directory.refresh_member(rt, sender.team_id, sender.user_id)
        with rt.db.transaction() as tx:
            consent = welcome.agree(tx, sender.team_id, sender.user_id, rt.now())
            packet = (
                welcome.packet(tx, sender.team_id, sender.user_id, rt.now())
                if consent.first_time
                else None
            )
        if packet is None:
            answer(welcome_ui.already_agreed_message(consent.agreed_at, consent.tz))
            return
        message = body.get("message") or {}
        updated = welcome_ui.with_consent_recorded(
            message.get("blocks") or [], consent.agreed_at, consent.tz, consent.confirmation
        )
        if updated is not None and body.get("response_url"):
            respond(replace_original=True, text=message.get("text") or "", blocks=updated)
        elif (body.get("container") or {}).get("is_ephemeral") and body.get("response_url"):
            # The packet shown by /coach welcome: show it again, agreed.
            respond(replace_original=True, **welcome_ui.welcome_packet(packet, just_agreed=True))
        else:
            answer(welcome_ui.agreed_message(consent.agreed_at, consent.tz, consent.confirmation))
