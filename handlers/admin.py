"""`/coach admin`: the program settings modal, for program admins only."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import directory
from bot.runtime import Runtime
from bot.services import members as members_service
from bot.services import program
from bot.ui import admin as admin_ui
from bot.ui.help import usage_message
from handlers.commands import CommandContext
from handlers.errors import SORRY
from handlers.prompts import open_modal
from handlers.welcome import team_of
from models.content_forms import parse_program_settings

log = logging.getLogger(__name__)


def _is_admin(rt: Runtime, team_id: str, user_id: str) -> bool:
    """COACHBOT_ADMINS answers at once; otherwise Slack's admin flag (users.info,
    only when our copy of the profile is stale)."""
    if user_id in rt.settings.admin_user_ids:
        return True
    return directory.is_program_admin(rt, team_id, user_id)


def admin_command(ctx: CommandContext) -> None:
    rt, command = ctx.rt, ctx.command
    if command.args:
        ctx.reply(
            usage_message(
                "admin", f"`/coach admin` takes nothing after it (you typed “{command.args}”)."
            )
        )
        return
    if not _is_admin(rt, command.team_id, command.user_id):
        ctx.reply(admin_ui.not_admin_message())
        return
    with rt.db.transaction() as session:
        settings = program.get_settings(session, command.team_id)
        texts = program.texts(settings)
        view = admin_ui.settings_modal(
            settings.prep_lead_hours, texts.values_text, texts.ground_rules_text
        )
    open_modal(ctx, view)


COMMANDS = {"admin": admin_command}


def _value(values: dict[str, Any], block_id: str) -> Any:
    return ((values.get(block_id) or {}).get(block_id) or {}).get("value")


def register(app: App, rt: Runtime) -> None:
    @app.view(admin_ui.PROGRAM_SETTINGS_CALLBACK)
    def save(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        values = body["view"]["state"]["values"]
        form, errors = parse_program_settings(
            {
                name: _value(values, name)
                for name in ("prep_lead_hours", "values_text", "ground_rules_text")
            }
        )
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        team_id, user_id = team_of(body), body["user"]["id"]
        try:
            with rt.db.transaction() as session:
                member = members_service.find(session, team_id, user_id)
                if not (
                    user_id in rt.settings.admin_user_ids
                    or members_service.is_program_admin(member, rt.settings.admin_user_ids)
                ):
                    ack(
                        response_action="errors",
                        errors={
                            "prep_lead_hours": "Only program admins can change these settings."
                        },
                    )
                    return
                saved = program.update_settings(session, team_id, form, rt.now())
                message = admin_ui.saved_message(
                    saved.prep_lead_hours,
                    values_custom=saved.values_text is not None,
                    rules_custom=saved.ground_rules_text is not None,
                )
        except Exception:
            log.exception("could not save the program settings")
            ack(response_action="errors", errors={"prep_lead_hours": SORRY})
            return
        ack()
        try:
            client.chat_postMessage(channel=user_id, **message)
        except SlackApiError as error:
            log.warning(
                "could not confirm settings to %s: %s", user_id, error.response.get("error")
            )
