"""/coach skip, /coach pause until YYYY-MM-DD, /coach resume, /coach next, and
/coach pod cancel NAME [YYYY-MM-DD] (program admins)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_bolt import App

from bot import directory
from bot.runtime import Runtime
from bot.services import availability, pods
from bot.services import members as members_service
from bot.ui import availability as ui
from bot.ui import help as help_ui
from bot.ui.pods import unknown_pod_problem
from handlers.commands import CommandContext

DATE_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
LOOKS_LIKE_DATE = re.compile(r"^\d[\d\-/.]*\d$")


def parse_date(word: str) -> date | None:
    """A YYYY-MM-DD date, or None when the word is not one."""
    if not DATE_SHAPE.match(word):
        return None
    year, month, day = (int(part) for part in word.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _tz(rt: Runtime, team_id: str, user_id: str) -> str:
    """Refreshes the person's profile (timezone) from Slack when it is stale."""
    member = directory.refresh_member(rt, team_id, user_id)
    return member.tz if member is not None else "UTC"


def _me(session: Any, ctx: CommandContext) -> Any:
    cmd = ctx.command
    return members_service.get_or_create(session, cmd.team_id, cmd.user_id, ctx.rt.now())


def _no_arguments(ctx: CommandContext, subcommand: str) -> bool:
    if ctx.command.args:
        ctx.reply(
            help_ui.usage_message(subcommand, f"`/coach {subcommand}` takes nothing after it.")
        )
        return False
    return True


# --------------------------------------------------------------------------- skip


def handle_skip(ctx: CommandContext) -> None:
    if not _no_arguments(ctx, "skip"):
        return
    cmd = ctx.command
    tz = _tz(ctx.rt, cmd.team_id, cmd.user_id)
    try:
        with ctx.rt.db.transaction() as session:
            info = availability.skip_next(session, _me(session, ctx), ctx.rt.now())
    except availability.NoUpcomingSession:
        ctx.reply(ui.no_upcoming_message())
    except availability.AlreadySkipping as error:
        ctx.reply(ui.already_skipping_message(error.info, tz))
    except availability.PausedThen as error:
        ctx.reply(ui.paused_then_message(error.info, tz, error.until))
    else:
        ctx.reply(ui.skipped_message(info, tz, cmd.user_id))


# --------------------------------------------------------------------------- pause / resume


def handle_pause(ctx: CommandContext) -> None:
    words = ctx.command.words
    if words and words[0].lower() == "until":
        words = words[1:]
    if len(words) != 1:
        ctx.reply(
            ui.pause_usage_message("Tell me until when, like `/coach pause until 2026-04-30`.")
        )
        return
    until = parse_date(words[0])
    if until is None:
        ctx.reply(ui.pause_usage_message(ui.bad_date_problem(words[0])))
        return
    cmd = ctx.command
    _tz(ctx.rt, cmd.team_id, cmd.user_id)
    try:
        with ctx.rt.db.transaction() as session:
            result = availability.pause_until(session, _me(session, ctx), until, ctx.rt.now())
    except availability.PauseNotInFuture as error:
        ctx.reply(ui.pause_usage_message(ui.pause_not_in_future_problem(error.day, error.today)))
    except availability.PauseTooFar as error:
        ctx.reply(ui.pause_usage_message(ui.pause_too_far_problem(error.day, error.latest)))
    else:
        ctx.reply(ui.paused_message(result))


def handle_resume(ctx: CommandContext) -> None:
    if not _no_arguments(ctx, "resume"):
        return
    cmd = ctx.command
    _tz(ctx.rt, cmd.team_id, cmd.user_id)
    try:
        with ctx.rt.db.transaction() as session:
            availability.resume(session, _me(session, ctx), ctx.rt.now())
    except availability.NotPaused:
        ctx.reply(ui.not_paused_message())
    else:
        ctx.reply(ui.resumed_message())


# --------------------------------------------------------------------------- next


def handle_next(ctx: CommandContext) -> None:
    if not _no_arguments(ctx, "next"):
        return
    cmd = ctx.command
    _tz(ctx.rt, cmd.team_id, cmd.user_id)
    with ctx.rt.db.transaction() as session:
        mine = availability.my_next(session, _me(session, ctx), ctx.rt.now())
    ctx.reply(ui.my_next_message(mine))


# --------------------------------------------------------------------------- cancel


def pod_cancel(ctx: CommandContext, rest: str) -> None:
    """`/coach pod cancel NAME [YYYY-MM-DD]`, routed here by handlers.pods."""
    words = rest.split()
    on: date | None = None
    if words and LOOKS_LIKE_DATE.match(words[-1]):
        on = parse_date(words[-1])
        if on is None:
            ctx.reply(ui.cancel_usage_message(ui.bad_date_problem(words[-1])))
            return
        words = words[:-1]
    name = " ".join(words).strip("\"'“”‘’").strip()
    if not name:
        ctx.reply(ui.cancel_usage_message("Name the pod whose session to cancel."))
        return
    cmd = ctx.command
    if not directory.is_program_admin(ctx.rt, cmd.team_id, cmd.user_id):
        ctx.reply(ui.cancel_not_admin_message())
        return
    tz = _tz(ctx.rt, cmd.team_id, cmd.user_id)
    reason = "Cancelled by a program admin."
    try:
        with ctx.rt.db.transaction() as session:
            pod = pods.require_by_name(session, cmd.team_id, name)
            result = availability.cancel_pod_session(session, pod, on, ctx.rt.now(), reason)
    except pods.UnknownPod as error:
        ctx.reply(ui.cancel_usage_message(unknown_pod_problem(error.name, error.suggestions)))
    except availability.NoSessionToCancel as error:
        ctx.reply(ui.no_session_to_cancel_message(error.pod_name, error.on, error.upcoming, tz))
    else:
        ctx.reply(ui.cancelled_message(result, tz))


COMMANDS = {
    "skip": handle_skip,
    "pause": handle_pause,
    "resume": handle_resume,
    "next": handle_next,
}


def register(app: App, rt: Runtime) -> None:
    """No listeners besides the commands."""
