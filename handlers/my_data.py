"""`/coach my-data export | delete`: a person's own data, to take away or to delete.
Only ever the sender's own; deleting asks for confirmation in a modal first."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.notify import my_data as my_data_notify
from bot.runtime import Runtime
from bot.services import my_data, receipts
from bot.ui import help as help_ui
from bot.ui import my_data as my_data_ui
from handlers.toolkit import CommandContext, closest_word, open_modal, read_form, sender_of, submit

VERBS = ("export", "delete")


def my_data_command(ctx: CommandContext) -> None:
    verb = ctx.command.words[0].lower() if ctx.command.words else ""
    if verb == "export" and len(ctx.command.words) == 1:
        export(ctx)
    elif verb == "delete" and len(ctx.command.words) == 1:
        open_modal(ctx.client, ctx.command.trigger_id, my_data_ui.delete_modal())
    elif verb in VERBS:
        ctx.reply(help_ui.usage_message("my-data", "Your data is only ever your own."))
    else:
        ctx.reply(help_ui.unknown_verb_message("my-data", verb, closest_word(verb, VERBS)))


def export(ctx: CommandContext) -> None:
    rt, sender = ctx.rt, ctx.command.sender
    with rt.db.transaction() as tx:
        data = my_data.export_for(tx, sender.team_id, sender.user_id, rt.now())
    if data.is_empty:
        ctx.reply(my_data_ui.nothing_stored_answer())
    elif my_data_notify.deliver_export(ctx.client, sender.user_id, data):
        ctx.reply(my_data_ui.exported_answer())
    else:
        ctx.reply(my_data_ui.export_failed_answer())


COMMANDS = {"my-data": my_data_command}


def register(app: App, rt: Runtime) -> None:
    @app.view(ids.MY_DATA_DELETE_CALLBACK)
    def delete_confirmed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        sender = sender_of(body)
        confirmed = read_form(body.get("view") or {}).get(ids.MY_DATA_CONFIRM_BLOCK) or []
        if my_data_ui.CONFIRM_VALUE not in confirmed:
            ack(
                response_action="errors",
                errors={ids.MY_DATA_CONFIRM_BLOCK: my_data_ui.confirm_problem()},
            )
            return

        def save() -> None:
            with rt.db.transaction() as tx:
                now = rt.now()
                done = my_data.delete_everything(tx, sender.team_id, sender.user_id, now)
                view_id = (body.get("view") or {}).get("id")
                if receipts.first_confirmation(tx, view_id, sender.team_id, now):
                    my_data_notify.enqueue_deleted_dm(tx, sender.team_id, done, now)

        submit(ack, save, error_field=ids.MY_DATA_CONFIRM_BLOCK)
