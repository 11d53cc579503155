"""`/coach admin`: the program settings modal, for program admins only."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.runtime import Runtime
from bot.services import program
from bot.services.refusals import Refusal
from bot.ui import admin as admin_ui
from bot.ui.help import FORM_NOT_OPENED
from handlers.toolkit import (
    CommandContext,
    is_program_admin,
    open_modal,
    read_form,
    sender_of,
    submit,
)
from models.settings_forms import parse_program_settings

logger = logging.getLogger(__name__)


def admin_command(ctx: CommandContext) -> None:
    rt, command = ctx.rt, ctx.command
    if command.args:
        ctx.refuse(
            Refusal(
                f"`/coach admin` takes nothing after it (you typed “{command.args}”).",
                usage="admin",
            )
        )
        return
    if not is_program_admin(rt, command.sender):
        ctx.reply(admin_ui.not_admin_message())
        return
    with rt.db.transaction() as tx:
        settings = program.get_settings(tx, command.team_id)
        texts = program.texts(settings)
        view = admin_ui.settings_modal(
            settings.prep_lead_hours, texts.values_text, texts.ground_rules_text
        )
    if open_modal(ctx.client, command.trigger_id, view) is None:
        ctx.reply(FORM_NOT_OPENED)


COMMANDS = {"admin": admin_command}


def register(app: App, rt: Runtime) -> None:
    @app.view(ids.PROGRAM_SETTINGS_CALLBACK)
    def save(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form, errors = parse_program_settings(read_form(body["view"]))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        sender = sender_of(body)
        is_admin = is_program_admin(rt, sender, fresh=False)

        def save_settings() -> dict[str, Any]:
            with rt.db.transaction() as tx:
                saved = program.update_settings(
                    tx, sender.team_id, form, rt.now(), is_admin=is_admin
                )
                return admin_ui.saved_message(
                    saved.prep_lead_hours,
                    values_custom=saved.values_text is not None,
                    rules_custom=saved.ground_rules_text is not None,
                )

        saved, message = submit(ack, save_settings, error_field="prep_lead_hours")
        if not saved or message is None:
            return
        try:
            client.chat_postMessage(channel=sender.user_id, **message)
        except SlackApiError as error:
            reason = error.response.get("error")
            logger.warning("could not confirm settings to %s: %s", sender.user_id, reason)
