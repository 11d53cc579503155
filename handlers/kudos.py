"""/coach kudos @someone [@more] TEXT, the value buttons when the text names no
value, and the App Home's Kudos button with its modal."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import directory, ids
from bot.notify import kudos as kudos_notify
from bot.runtime import Runtime
from bot.services import kudos
from bot.services.refusals import FormProblems, Refusal
from bot.ui import kudos as kudos_ui
from handlers.toolkit import (
    Answer,
    CommandContext,
    ModalMetadata,
    Sender,
    answerer,
    as_message,
    open_modal,
    pressed_value,
    read_form,
    refresh_profile_quietly,
    refuse,
    sender_of,
    submit,
)
from models.community_views import KudosDraft, KudosGiven
from models.kudos_forms import parse_kudos_form

logger = logging.getLogger(__name__)


class KudosModalMetadata(ModalMetadata):
    """The kudos' batch key, fixed when the modal opens: submitting the same modal
    twice gives the kudos once."""

    batch_key: str


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


def _give_from_modal(rt: Runtime, sender: Sender, view: dict[str, Any]) -> KudosGiven:
    metadata = KudosModalMetadata.of(view)
    if metadata is None:
        raise Refusal("This form is out of date. Press Kudos on your Home tab again.")
    form, problems = parse_kudos_form(read_form(view))
    if form is None:
        raise FormProblems(problems)
    request = kudos.KudosRequest(
        user_ids=form.recipients,
        value=form.value,
        text=form.text,
        is_private=form.private,
        batch_key=metadata.batch_key,
    )
    now = rt.now()
    with rt.db.transaction() as tx:
        given = kudos.give(tx, sender.team_id, sender.user_id, request, now, picked_in_slack=True)
        kudos_notify.enqueue_received(tx, given, now)
    return given


def _after_modal_kudos(rt: Runtime, client: WebClient, sender: Sender, given: KudosGiven) -> None:
    """After the ack: the giver's confirmation, and the profiles of recipients the
    bot had not met (their names for the digest)."""
    try:
        client.chat_postMessage(channel=sender.user_id, **kudos_ui.sent_message(given))
    except SlackApiError as error:
        logger.warning("kudos confirmation failed: %s", error.response.get("error"))
    try:
        directory.refresh_members(rt, sender.team_id, list(given.receiver_user_ids))
    except Exception:
        logger.warning("profile refresh of kudos recipients failed", exc_info=True)
    refresh_profile_quietly(rt, sender)


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

    @app.action(ids.HOME_KUDOS_ACTION)
    def home_kudos(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        sender = sender_of(body)
        with rt.db.transaction() as tx:
            values = kudos.program_values(tx, sender.team_id)
        metadata = KudosModalMetadata(batch_key=uuid.uuid4().hex).dumps()
        if open_modal(client, body.get("trigger_id"), kudos_ui.kudos_modal(values, metadata)):
            return
        answerer(body, client, None, "Kudos")(
            "Slack didn't let me open the kudos form in time. Please press Kudos again."
        )

    @app.view(ids.KUDOS_CALLBACK)
    def kudos_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        sender = sender_of(body)
        view = body.get("view") or {}
        saved, given = submit(
            ack, lambda: _give_from_modal(rt, sender, view), error_field=kudos.RECIPIENTS
        )
        if saved and given is not None:
            _after_modal_kudos(rt, client, sender, given)
