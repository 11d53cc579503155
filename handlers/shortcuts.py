"""The "Save as insight" message shortcut: the reflection modal, prefilled with
the message's text, saved as a standalone insight (no session)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.manifest import SAVE_AS_INSIGHT_CALLBACK
from bot.runtime import Runtime
from bot.services import reflections
from bot.ui.blocks import truncate
from handlers.interactions import answerer, team_of, user_of
from handlers.reflection import open_reflection
from models.session_forms import INSIGHT_MAX


def message_text(body: dict[str, Any]) -> str:
    message = body.get("message") or {}
    text = message.get("text") if isinstance(message, dict) else ""
    return truncate(str(text or "").strip(), INSIGHT_MAX)


def register(app: App, rt: Runtime) -> None:
    @app.shortcut(SAVE_AS_INSIGHT_CALLBACK)
    def save_as_insight(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        open_reflection(
            rt,
            client,
            team_id=team_of(body),
            user_id=user_of(body),
            trigger_id=body.get("trigger_id"),
            source=reflections.SOURCE_SHORTCUT,
            prefill_insight=message_text(body),
            answer=answerer(body, client, respond, "Save as insight"),
        )
