"""/coach kudos @someone [@more] TEXT, and the value buttons when the text names
no value."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import directory, ids
from bot.notify import kudos as kudos_notify
from bot.runtime import Runtime
from bot.services import kudos
from bot.services.refusals import Refusal
from bot.ui import kudos as kudos_ui
from handlers.toolkit import (
    Answer,
    CommandContext,
    answerer,
    as_message,
    pressed_value,
    refuse,
    sender_of,
)
from models.community_views import KudosDraft


def _check_people(rt: Runtime, team_id: str, request: kudos.KudosRequest) -> None:
    """Everyone mentioned is a person Slack knows (users.info, after the ack)."""
    people = directory.refresh_members(rt, team_id, list(request.user_ids))
    if any(uid not in people for uid in request.user_ids):
        raise kudos.KudosRefused(
            "I can't find everyone you mentioned in this workspace: mention people with @.",
            usage=kudos.USAGE,
        )


def _give(rt: Runtime, team_id: str, user_id: str, request: kudos.KudosRequest, answer: Answer):
    now = rt.now()
    try:
        with rt.db.transaction() as tx:
            given = kudos.give(tx, team_id, user_id, request, now)
            kudos_notify.enqueue_received(tx, given, now)
    except Refusal as refusal:
        refuse(answer, refusal)
        return
    answer(kudos_ui.sent_message(given))


def handle_kudos(ctx: CommandContext) -> None:
    cmd = ctx.command
    try:
        with ctx.rt.db.transaction() as tx:
            values = kudos.program_values(tx, cmd.team_id)
        request = kudos.parse(cmd.args, values)
        if cmd.user_id in request.user_ids:
            raise kudos.KudosRefused(
                "Kudos are for others: you can't give yourself one.", usage=kudos.USAGE
            )
        directory.refresh_member(ctx.rt, cmd.team_id, cmd.user_id)
        _check_people(ctx.rt, cmd.team_id, request)
    except Refusal as refusal:
        ctx.refuse(refusal)
        return
    if request.value is None:
        draft = KudosDraft(
            r=request.user_ids, t=request.text, p=request.is_private, k=request.batch_key
        )
        ctx.reply(kudos_ui.value_picker(draft, values))
        return
    _give(ctx.rt, cmd.team_id, cmd.user_id, request, ctx.reply)


COMMANDS = {"kudos": handle_kudos}


def register(app: App, rt: Runtime) -> None:
    @app.action(re.compile(rf"^{re.escape(ids.KUDOS_VALUE_ACTION)}-\d+$"))
    def kudos_value(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        sender = sender_of(body)
        answer = answerer(body, client, respond)

        def replace_picker(message: Any) -> None:
            payload = as_message(message)
            try:
                respond(replace_original=True, **payload)
            except Exception:
                answer(payload)

        try:
            draft = KudosDraft.model_validate_json(pressed_value(body) or "")
        except ValidationError:
            answer("That button is out of date. Give the kudos again with `/coach kudos`.")
            return
        if not draft.k:
            answer("That button is out of date. Give the kudos again with `/coach kudos`.")
            return
        request = kudos.KudosRequest(
            user_ids=draft.r, value=draft.v, text=draft.t, is_private=draft.p, batch_key=draft.k
        )
        _give(rt, sender.team_id, sender.user_id, request, replace_picker)
