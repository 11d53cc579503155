"""`/coach stats`: learning velocity for me, my pods and (program admins) the program."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime
from bot.services import velocity
from bot.services.refusals import Refusal
from bot.ui import stats as stats_ui
from handlers.toolkit import CommandContext, is_program_admin


def show_stats(ctx: CommandContext) -> None:
    if ctx.command.args:
        ctx.refuse(Refusal("`/coach stats` takes no arguments.", usage="stats"))
        return
    rt, sender = ctx.rt, ctx.command.sender
    admin = is_program_admin(rt, sender)
    with rt.db.transaction() as tx:
        view = velocity.stats_for(
            tx, sender.team_id, sender.user_id, rt.now(), include_program=admin
        )
    ctx.reply(stats_ui.stats_message(view))


COMMANDS = {"stats": show_stats}


def register(app: App, rt: Runtime) -> None:
    """`/coach stats` has no buttons or forms of its own."""
