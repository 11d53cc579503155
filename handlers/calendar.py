"""`/coach calendar`: the person's private calendar feed link, with Rotate link; and
the prep DM's "Add to calendar" button (it opens its URL; Slack still wants an ack)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.runtime import Runtime
from bot.services import calendar
from bot.services.refusals import Refusal
from bot.ui import calendar as calendar_ui
from handlers.toolkit import CommandContext, answerer, pressed_value, sender_of


def show_calendar(ctx: CommandContext) -> None:
    if ctx.command.args:
        ctx.refuse(Refusal("`/coach calendar` takes no arguments."))
        return
    rt, sender = ctx.rt, ctx.command.sender
    base = rt.settings.PUBLIC_URL
    if not base:
        ctx.reply(calendar_ui.no_public_url_message())
        return
    with rt.db.transaction() as tx:
        token = calendar.feed_token(tx, sender.team_id, sender.user_id, rt.now())
    ctx.reply(calendar_ui.feed_message(base + calendar_ui.feed_path(token), token))


COMMANDS = {"calendar": show_calendar}


def register(app: App, rt: Runtime) -> None:
    @app.action(ids.CALENDAR_ROTATE_ACTION)
    def rotate(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond)
        base = rt.settings.PUBLIC_URL
        if not base:
            answer(calendar_ui.no_public_url_message())
            return
        sender = sender_of(body)
        with rt.db.transaction() as tx:
            token = calendar.rotate_feed(
                tx, sender.team_id, sender.user_id, rt.now(), rotating=pressed_value(body)
            )
        answer(calendar_ui.rotated_message(base + calendar_ui.feed_path(token)))

    @app.action(ids.CALENDAR_ADD_SESSION_ACTION)
    def add_to_calendar(ack: Ack) -> None:
        ack()
