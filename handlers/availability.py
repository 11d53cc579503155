"""/coach skip, /coach pause until YYYY-MM-DD, /coach resume and /coach next.
(A program admin cancelling a pod's session is a `/coach pod` verb: handlers.pods.)"""

from __future__ import annotations

from slack_bolt import App
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.services import availability
from bot.services import members as members_service
from bot.services.refusals import Refusal
from bot.ui import availability as ui
from bot.ui import help as help_ui
from handlers.toolkit import CommandContext, fresh_timezone
from models import Member
from models.forms import parse_iso_date


def _me(tx: Session, ctx: CommandContext) -> Member:
    cmd = ctx.command
    return members_service.get_or_create(tx, cmd.team_id, cmd.user_id, ctx.rt.now())


def _no_arguments(ctx: CommandContext, subcommand: str) -> bool:
    if ctx.command.args:
        ctx.reply(
            help_ui.usage_message(subcommand, f"`/coach {subcommand}` takes nothing after it.")
        )
        return False
    return True


def handle_skip(ctx: CommandContext) -> None:
    if not _no_arguments(ctx, "skip"):
        return
    tz = fresh_timezone(ctx.rt, ctx.command.sender)
    try:
        with ctx.rt.db.transaction() as tx:
            info = availability.skip_next(tx, _me(tx, ctx), ctx.rt.now())
    # These two name the session on the reader's wall clock, which only ui formats.
    except availability.AlreadySkipping as refusal:
        ctx.reply(ui.already_skipping_message(refusal.info, tz))
    except availability.PausedThen as refusal:
        ctx.reply(ui.paused_then_message(refusal.info, tz, refusal.until))
    except availability.NoUpcomingSession as refusal:
        ctx.refuse(refusal)
    else:
        ctx.reply(ui.skipped_message(info, tz, ctx.command.user_id))


def handle_pause(ctx: CommandContext) -> None:
    words = ctx.command.words
    if words and words[0].lower() == "until":
        words = words[1:]
    if len(words) != 1:
        ctx.reply(
            help_ui.usage_message(
                "pause", "Tell me until when, like `/coach pause until 2026-04-30`."
            )
        )
        return
    until = parse_iso_date(words[0])
    if until is None:
        ctx.reply(help_ui.usage_message("pause", ui.bad_date_problem(words[0])))
        return
    fresh_timezone(ctx.rt, ctx.command.sender)
    try:
        with ctx.rt.db.transaction() as tx:
            result = availability.pause_until(tx, _me(tx, ctx), until, ctx.rt.now())
    except Refusal as refusal:
        ctx.refuse(refusal)
    else:
        ctx.reply(ui.paused_message(result))


def handle_resume(ctx: CommandContext) -> None:
    if not _no_arguments(ctx, "resume"):
        return
    fresh_timezone(ctx.rt, ctx.command.sender)
    try:
        with ctx.rt.db.transaction() as tx:
            availability.resume(tx, _me(tx, ctx), ctx.rt.now())
    except Refusal as refusal:
        ctx.refuse(refusal)
    else:
        ctx.reply(ui.resumed_message())


def handle_next(ctx: CommandContext) -> None:
    if not _no_arguments(ctx, "next"):
        return
    fresh_timezone(ctx.rt, ctx.command.sender)
    with ctx.rt.db.transaction() as tx:
        mine = availability.my_next(tx, _me(tx, ctx), ctx.rt.now())
    ctx.reply(ui.my_next_message(mine))


COMMANDS = {
    "skip": handle_skip,
    "pause": handle_pause,
    "resume": handle_resume,
    "next": handle_next,
}


def register(app: App, rt: Runtime) -> None:
    """No listeners besides the commands."""
