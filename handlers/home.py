"""App Home: published when a person opens it (and, by the other surfaces, after
each of their actions), and Withdraw on a shared learning waiting for the digest.
Check in, Reflect and Kudos are listened for by their own surfaces."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.runtime import Runtime
from bot.services import digest
from bot.services.refusals import Refusal
from bot.ui import digest as digest_ui
from handlers.toolkit import (
    answerer,
    pressed_id,
    publish_home,
    refresh_profile_quietly,
    refuse,
    sender_of,
)


def register(app: App, rt: Runtime) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        sender = sender_of(body)
        if not sender.user_id:
            return
        refresh_profile_quietly(rt, sender)
        publish_home(rt, client, sender)

    @app.action(ids.LEARNING_WITHDRAW_ACTION)
    def withdraw_learning(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        sender = sender_of(body)
        answer = answerer(body, client, None, "Withdraw")
        reflection_id = pressed_id(body, answer, "Open the Home tab again to see what is waiting.")
        if reflection_id is None:
            return
        try:
            with rt.db.transaction() as tx:
                digest.withdraw(tx, sender.team_id, sender.user_id, reflection_id, rt.now())
        except Refusal as refusal:
            refuse(answer, refusal)
        else:
            answer(digest_ui.withdrawn_message())
        publish_home(rt, client, sender)
