"""Reflection: the end-of-session "Reflect" button, `/coach reflect`, the modal's
submission. (The "Save as insight" shortcut lives in handlers.shortcuts.)"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services import reflections
from bot.services.checkins import Refusal, find_member
from bot.ui import reflection as ui
from bot.ui.checkin import read_metadata
from handlers.commands import CommandContext
from handlers.home import publish_home
from handlers.interactions import (
    Answer,
    answerer,
    int_value,
    open_modal,
    pressed_id,
    refresh_profile_quietly,
    team_of,
    user_of,
    view_fields,
)

logger = logging.getLogger(__name__)


def _questions() -> list[str]:
    try:
        from bot.content import get_content, reflection_questions

        return reflection_questions(get_content())[:2]
    except Exception:
        logger.warning("content unavailable for the reflection questions", exc_info=True)
        return []


def open_reflection(
    rt: Runtime,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str | None,
    answer: Answer,
    session_id: int | None = None,
    latest: bool = False,
    source: str = reflections.SOURCE_COMMAND,
    prefill_insight: str = "",
) -> None:
    try:
        with rt.db.transaction() as session:
            draft = reflections.draft_for(
                session,
                team_id,
                user_id,
                rt.now(),
                session_id=session_id,
                latest=latest,
                source=source,
                prefill_insight=prefill_insight,
            )
            member = find_member(session, team_id, user_id)
            tz = member.tz if member is not None else "UTC"
    except Refusal as refusal:
        answer(str(refusal))
        return
    opened = open_modal(client, trigger_id, ui.reflection_modal(draft, tz, _questions()))
    if opened is None:
        answer("Slack didn't let me open the reflection in time. Please try again.")
        return
    refresh_profile_quietly(rt, team_id, user_id)


def reflect_command(ctx: CommandContext) -> None:
    cmd = ctx.command
    if cmd.args:
        ctx.reply("`/coach reflect` takes no arguments: it opens the form for your latest session.")
        return
    open_reflection(
        ctx.rt,
        ctx.client,
        team_id=cmd.team_id,
        user_id=cmd.user_id,
        trigger_id=cmd.trigger_id,
        latest=True,
        source=reflections.SOURCE_COMMAND,
        answer=lambda text: ctx.reply(text),
    )


COMMANDS = {"reflect": reflect_command}


def register(app: App, rt: Runtime) -> None:
    @app.action(ui.OPEN_ACTION)
    def reflect_button(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, "Reflect")
        session_id = pressed_id(body, answer, "`/coach reflect` opens your reflection.")
        if session_id is None:
            return
        open_reflection(
            rt,
            client,
            team_id=team_of(body),
            user_id=user_of(body),
            trigger_id=body.get("trigger_id"),
            session_id=session_id,
            source=reflections.SOURCE_BUTTON,
            answer=answer,
        )

    @app.view(ui.CALLBACK)
    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_of(body), user_of(body)
        view = body.get("view") or {}
        metadata = read_metadata(view)
        session_id = int_value(metadata.get("s"))
        source = str(metadata.get("src") or reflections.SOURCE_COMMAND)
        try:
            with rt.db.transaction() as session:
                outcome = reflections.submit_reflection(
                    session, team_id, user_id, session_id, source, view_fields(view), rt.now()
                )
        except Refusal as refusal:
            ack(response_action="errors", errors={"insight": f"{refusal} Nothing was saved."})
            return
        if outcome.errors:
            ack(response_action="errors", errors=outcome.errors)
            return
        ack()
        publish_home(rt, client, team_id, user_id)
