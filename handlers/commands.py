"""The /coach slash command: ack at once, then route to the subcommand's handler."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.ui import help as help_ui
from handlers.toolkit import CommandContext, closest_word, parse_command

logger = logging.getLogger(__name__)

SubcommandHandler = Callable[[CommandContext], None]


def dispatch(ctx: CommandContext, routes: Mapping[str, SubcommandHandler]) -> None:
    name = ctx.command.name
    if name in ("", "help"):
        ctx.reply(help_ui.help_message())
    elif name in routes:
        routes[name](ctx)
    else:
        known = sorted({*routes, "help"})
        ctx.reply(help_ui.unknown_command_message(name, closest_word(name, known)))


def register(app: App, rt: Runtime, routes: Mapping[str, SubcommandHandler]) -> None:
    @app.command("/coach")
    def coach(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        ctx = CommandContext(command=parse_command(body), rt=rt, client=client, respond=respond)
        dispatch(ctx, routes)
