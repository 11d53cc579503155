"""Reflection: the end-of-session "Reflect" button, the App Home's "Reflect",
`/coach reflect`, the "Save as insight" message shortcut (a standalone insight
prefilled with the message's text) and the modal's submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.runtime import Runtime
from bot.services import reflections
from bot.services.refusals import Refusal
from bot.ui import reflection as ui
from bot.ui.blocks import truncate
from handlers.toolkit import (
    Answer,
    CommandContext,
    ModalMetadata,
    Sender,
    answerer,
    open_modal,
    pressed_id,
    publish_home,
    read_form,
    refresh_profile_quietly,
    refuse,
    sender_of,
    submit,
)
from models.session_forms import INSIGHT_MAX


class ReflectionMetadata(ModalMetadata):
    session_id: int | None = None
    source: str = reflections.SOURCE_COMMAND


def open_reflection(
    rt: Runtime,
    client: WebClient,
    sender: Sender,
    trigger_id: str | None,
    answer: Answer,
    *,
    session_id: int | None = None,
    latest: bool = False,
    source: str = reflections.SOURCE_COMMAND,
    prefill_insight: str = "",
) -> None:
    try:
        with rt.db.transaction() as tx:
            draft = reflections.draft_for(
                tx,
                sender.team_id,
                sender.user_id,
                rt.now(),
                session_id=session_id,
                latest=latest,
                source=source,
                prefill_insight=prefill_insight,
            )
    except Refusal as refusal:
        refuse(answer, refusal)
        return
    target = draft.target.session_id if draft.target is not None else None
    metadata = ReflectionMetadata(session_id=target, source=draft.source).dumps()
    if open_modal(client, trigger_id, ui.reflection_modal(draft, metadata)) is None:
        answer("Slack didn't let me open the reflection in time. Please try again.")
        return
    refresh_profile_quietly(rt, sender)


def message_text(body: dict[str, Any]) -> str:
    """The text of the message a shortcut was used on, cut to fit an insight."""
    message = body.get("message") or {}
    text = message.get("text") if isinstance(message, dict) else ""
    return truncate(str(text or "").strip(), INSIGHT_MAX)


def reflect_command(ctx: CommandContext) -> None:
    cmd = ctx.command
    if cmd.args:
        ctx.reply("`/coach reflect` takes no arguments: it opens the form for your latest session.")
        return
    open_reflection(ctx.rt, ctx.client, cmd.sender, cmd.trigger_id, ctx.reply, latest=True)


COMMANDS = {"reflect": reflect_command}


def register(app: App, rt: Runtime) -> None:
    @app.action(ids.REFLECT_OPEN_ACTION)
    def reflect_button(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, "Reflect")
        session_id = pressed_id(body, answer, "`/coach reflect` opens your reflection.")
        if session_id is None:
            return
        open_reflection(
            rt,
            client,
            sender_of(body),
            body.get("trigger_id"),
            answer,
            session_id=session_id,
            source=reflections.SOURCE_BUTTON,
        )

    @app.action(ids.HOME_REFLECT_ACTION)
    def home_reflect(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_reflection(
            rt,
            client,
            sender_of(body),
            body.get("trigger_id"),
            answerer(body, client, None, "Reflect"),
            latest=True,
            source=reflections.SOURCE_HOME,
        )

    @app.shortcut(ids.SAVE_AS_INSIGHT_CALLBACK)
    def save_as_insight(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        open_reflection(
            rt,
            client,
            sender_of(body),
            body.get("trigger_id"),
            answerer(body, client, respond, "Save as insight"),
            source=reflections.SOURCE_SHORTCUT,
            prefill_insight=message_text(body),
        )

    @app.view(ids.REFLECTION_CALLBACK)
    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        sender = sender_of(body)
        view = body.get("view") or {}
        metadata = ReflectionMetadata.of(view) or ReflectionMetadata()
        fields = read_form(view)

        def save() -> None:
            with rt.db.transaction() as tx:
                reflections.submit_reflection(
                    tx,
                    sender.team_id,
                    sender.user_id,
                    metadata.session_id,
                    metadata.source,
                    fields,
                    rt.now(),
                )

        saved, _ = submit(ack, save, error_field="insight")
        if saved:
            publish_home(rt, client, sender)
