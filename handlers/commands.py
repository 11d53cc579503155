"""The /coach slash command: ack at once, then route to the subcommand's handler."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.ui import help as help_ui

logger = logging.getLogger(__name__)

NOT_AVAILABLE_YET = help_ui.unavailable_subcommands()


@dataclass(frozen=True)
class SlashCommand:
    """A parsed `/coach` invocation: `name` is the subcommand, `args` the rest."""

    team_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    response_url: str
    name: str
    args: str

    @property
    def words(self) -> list[str]:
        return self.args.split()


@dataclass
class CommandContext:
    command: SlashCommand
    rt: Runtime
    client: WebClient
    respond: Respond

    def reply(self, message: Mapping[str, Any] | str) -> None:
        """An ephemeral answer to the person who typed the command."""
        if isinstance(message, str):
            message = {"text": message}
        self.respond(response_type="ephemeral", replace_original=False, **message)


SubcommandHandler = Callable[[CommandContext], None]


def parse(body: Mapping[str, Any]) -> SlashCommand:
    text = (body.get("text") or "").strip()
    name, _, args = text.partition(" ")
    return SlashCommand(
        team_id=body["team_id"],
        user_id=body["user_id"],
        channel_id=body.get("channel_id", ""),
        trigger_id=body.get("trigger_id", ""),
        response_url=body.get("response_url", ""),
        name=name.lower(),
        args=args.strip(),
    )


def closest_subcommand(word: str, known: list[str]) -> str | None:
    matches = difflib.get_close_matches(word.lower(), known, n=1, cutoff=0.6)
    return matches[0] if matches else None


def dispatch(ctx: CommandContext, routes: Mapping[str, SubcommandHandler]) -> None:
    name = ctx.command.name
    if name in ("", "help"):
        ctx.reply(help_ui.help_message())
    elif name in routes:
        routes[name](ctx)
    elif name in NOT_AVAILABLE_YET:
        ctx.reply(help_ui.not_available_message(name))
    else:
        known = sorted({*routes, *NOT_AVAILABLE_YET, "help"})
        ctx.reply(help_ui.unknown_command_message(name, closest_subcommand(name, known)))


def register(app: App, rt: Runtime, routes: Mapping[str, SubcommandHandler]) -> None:
    @app.command("/coach")
    def coach(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        ctx = CommandContext(command=parse(body), rt=rt, client=client, respond=respond)
        dispatch(ctx, routes)
