"""Experiments: `/coach experiments`, the Tried it / Not yet / Drop buttons
wherever they appear (nudge DM, end-of-session DM, the list, App Home), and the
optional outcome note."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.runtime import Runtime
from bot.services import experiments
from bot.services.refusals import Refusal
from bot.ui import experiments as ui
from handlers.toolkit import (
    CommandContext,
    ModalMetadata,
    Sender,
    answerer,
    open_modal,
    pressed_action,
    pressed_id,
    publish_home,
    read_form,
    refuse,
    sender_of,
    submit,
)
from models.session_views import DROP, NOT_YET, TRIED, Resolution

logger = logging.getLogger(__name__)

WHERE_TO_GO = "`/coach experiments` lists yours."
CHOICE_BY_ACTION = {
    ids.EXPERIMENT_TRIED_ACTION: TRIED,
    ids.EXPERIMENT_NOT_YET_ACTION: NOT_YET,
    ids.EXPERIMENT_DROP_ACTION: DROP,
}


class ExperimentNoteMetadata(ModalMetadata):
    experiment_id: int


def list_for(rt: Runtime, sender: Sender, notice: str | None = None) -> dict[str, Any]:
    with rt.db.transaction() as tx:
        listing = experiments.open_for_user(tx, sender.team_id, sender.user_id)
    return ui.list_message(listing, notice)


def experiments_command(ctx: CommandContext) -> None:
    if ctx.command.args:
        ctx.reply("`/coach experiments` takes no arguments: it lists your open experiments.")
        return
    ctx.reply(list_for(ctx.rt, ctx.command.sender))


COMMANDS = {"experiments": experiments_command}


def _show_resolution(
    rt: Runtime, body: dict[str, Any], respond: Respond, resolution: Resolution
) -> bool:
    """Swap the pressed buttons for the answer on the message they were on.
    False when there is no message to change (App Home, or a lost response_url)."""
    if not body.get("response_url"):
        return False
    container = body.get("container") or {}
    message = body.get("message") if isinstance(body.get("message"), dict) else None
    try:
        if message is not None and not container.get("is_ephemeral"):
            blocks = ui.replace_in_message(
                message.get("blocks") or [],
                pressed_action(body).get("block_id"),
                ui.resolution_blocks(resolution),
            )
            if blocks is not None:
                respond(replace_original=True, text=message.get("text") or " ", blocks=blocks)
                return True
        if container.get("is_ephemeral"):
            listing = list_for(rt, sender_of(body), notice=ui.resolution_text(resolution))
            respond(replace_original=True, **listing)
            return True
        respond(
            text=ui.resolution_text(resolution),
            response_type="ephemeral",
            replace_original=False,
        )
        return True
    except Exception:
        logger.warning("could not show the experiment's new state", exc_info=True)
        return False


def register(app: App, rt: Runtime) -> None:
    def pressed(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        choice = CHOICE_BY_ACTION[pressed_action(body).get("action_id", "")]
        answer = answerer(body, client, respond, "Experiment")
        experiment_id = pressed_id(body, answer, WHERE_TO_GO)
        if experiment_id is None:
            return
        sender = sender_of(body)
        try:
            with rt.db.transaction() as tx:
                resolution = experiments.resolve(
                    tx, sender.team_id, sender.user_id, experiment_id, choice, rt.now()
                )
        except Refusal as refusal:
            refuse(answer, refusal)
            return
        in_home = (body.get("container") or {}).get("type") == "view"
        if not in_home:
            _show_resolution(rt, body, respond, resolution)
        publish_home(rt, client, sender)

    for action_id in CHOICE_BY_ACTION:
        app.action(action_id)(pressed)

    @app.action(ids.EXPERIMENT_ADD_NOTE_ACTION)
    def add_note(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, "Experiment")
        experiment_id = pressed_id(body, answer, WHERE_TO_GO)
        if experiment_id is None:
            return
        sender = sender_of(body)
        try:
            with rt.db.transaction() as tx:
                experiment = experiments.note_target(
                    tx, sender.team_id, sender.user_id, experiment_id
                )
        except Refusal as refusal:
            refuse(answer, refusal)
            return
        metadata = ExperimentNoteMetadata(experiment_id=experiment.id).dumps()
        if open_modal(client, body.get("trigger_id"), ui.note_modal(experiment, metadata)) is None:
            answer("Slack didn't let me open the note in time. Please press the button again.")

    @app.view(ids.EXPERIMENT_NOTE_CALLBACK)
    def note_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        sender = sender_of(body)
        view = body.get("view") or {}
        metadata = ExperimentNoteMetadata.of(view)
        if metadata is None:
            ack(response_action="errors", errors={"note": "This form is out of date."})
            return
        fields = read_form(view)

        def save() -> None:
            with rt.db.transaction() as tx:
                experiments.save_note(
                    tx, sender.team_id, sender.user_id, metadata.experiment_id, fields, rt.now()
                )

        saved, _ = submit(ack, save, error_field="note")
        if saved:
            publish_home(rt, client, sender)
