"""`/coach growth [QUARTER]`: the person's own growth summary for a quarter, as a DM
and a Markdown file. Nobody can ask for someone else's, admins included."""

from __future__ import annotations

from slack_bolt import App

from bot.notify import growth as growth_notify
from bot.runtime import Runtime
from bot.services import growth
from bot.services.refusals import Refusal
from bot.ui import growth as growth_ui
from handlers.toolkit import CommandContext, refresh_profile_quietly


def show_growth(ctx: CommandContext) -> None:
    try:
        quarter = growth.requested_quarter(ctx.command.args)
    except Refusal as refusal:
        ctx.refuse(refusal)
        return
    rt, sender = ctx.rt, ctx.command.sender
    refresh_profile_quietly(rt, sender)
    with rt.db.transaction() as tx:
        summary = growth.growth_summary(tx, sender.team_id, sender.user_id, quarter, rt.now())
    if summary.is_empty:
        ctx.reply(growth_ui.empty_answer(summary))
        return
    ctx.reply(growth_ui.delivered_answer(summary))
    if not growth_notify.deliver_summary(ctx.client, sender.user_id, summary):
        ctx.reply(growth_ui.delivery_failed_answer())


COMMANDS = {"growth": show_growth}


def register(app: App, rt: Runtime) -> None:
    """`/coach growth` has no buttons or forms of its own."""
