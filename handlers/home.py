"""App Home: published when a person opens it (and, by the other surfaces, after
each of their actions); its Kudos button. Check in and Reflect are listened
for by their own surfaces."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.runtime import Runtime
from bot.ui import home as ui
from handlers.toolkit import open_modal, publish_home, refresh_profile_quietly, sender_of


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

    @app.action(ids.HOME_KUDOS_ACTION)
    def home_kudos(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_modal(client, body.get("trigger_id"), ui.kudos_modal())
