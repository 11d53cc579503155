"""The /coach slash command: ack at once, then route to the subcommand's handler.

Help and an unknown word are answered in the ack itself (Slack shows a command's ack
body to the person who typed it): no Web API call, nothing left to do after the ack."""

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


def immediate_answer(name: str, routes: Mapping[str, SubcommandHandler]) -> dict[str, Any] | None:
    """The answer that needs nothing but the word typed: help, or the closest usage for
    a word that is no subcommand. None for a subcommand, which answers after the ack."""
    if name in ("", "help"):
        return help_ui.help_message()
    if name not in routes:
        known = sorted({*routes, "help"})
        return help_ui.unknown_command_message(name, closest_word(name, known))
    return None


def register(app: App, rt: Runtime, routes: Mapping[str, SubcommandHandler]) -> None:
    @app.command("/coach")
    def coach(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        try:
            command = parse_command(body)
            answer = immediate_answer(command.name, routes)
        except Exception:
            ack()  # acked, the failure gets handlers/errors.py's apology, never a 500
            raise
        if answer is not None:
            ack(response_type="ephemeral", **answer)
            return
        ack()
        routes[command.name](CommandContext(command=command, rt=rt, client=client, respond=respond))
