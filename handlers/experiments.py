"""Experiments: `/coach experiments`, the Tried it / Not yet / Drop buttons
wherever they appear (nudge DM, end-of-session DM, the list, App Home), and the
optional outcome note."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services import experiments
from bot.services.checkins import Refusal
from bot.ui import experiments as ui
from bot.ui.checkin import read_metadata
from handlers.commands import CommandContext
from handlers.home import publish_home
from handlers.interactions import (
    answerer,
    first_action,
    int_value,
    open_modal,
    pressed_id,
    team_of,
    user_of,
    view_fields,
)

logger = logging.getLogger(__name__)

CHOICE_BY_ACTION = {
    ui.TRIED_ACTION: experiments.TRIED,
    ui.NOT_YET_ACTION: experiments.NOT_YET,
    ui.DROP_ACTION: experiments.DROP,
}


def list_for(rt: Runtime, team_id: str, user_id: str, notice: str | None = None) -> dict:
    with rt.db.transaction() as session:
        shown, total = experiments.open_for_user(session, team_id, user_id)
    return ui.list_message(shown, total, notice)


def experiments_command(ctx: CommandContext) -> None:
    cmd = ctx.command
    if cmd.args:
        ctx.reply("`/coach experiments` takes no arguments: it lists your open experiments.")
        return
    ctx.reply(list_for(ctx.rt, cmd.team_id, cmd.user_id))


COMMANDS = {"experiments": experiments_command}


def _show_resolution(
    rt: Runtime,
    body: dict[str, Any],
    respond: Respond,
    resolution: experiments.Resolution,
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
                first_action(body).get("block_id"),
                ui.resolution_blocks(resolution),
            )
            if blocks is not None:
                respond(replace_original=True, text=message.get("text") or " ", blocks=blocks)
                return True
        if container.get("is_ephemeral"):
            listing = list_for(
                rt, team_of(body), user_of(body), notice=ui.resolution_text(resolution)
            )
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
        action = first_action(body)
        choice = CHOICE_BY_ACTION[action.get("action_id", "")]
        answer = answerer(body, client, respond, "Experiment")
        experiment_id = int_value(action.get("value"))
        team_id, user_id = team_of(body), user_of(body)
        if experiment_id is None:
            answer("That button is out of date. `/coach experiments` lists yours.")
            return
        try:
            with rt.db.transaction() as session:
                resolution = experiments.resolve(
                    session, team_id, user_id, experiment_id, choice, rt.now()
                )
        except Refusal as refusal:
            answer(str(refusal))
            return
        in_home = (body.get("container") or {}).get("type") == "view"
        if not in_home:
            _show_resolution(rt, body, respond, resolution)
        publish_home(rt, client, team_id, user_id)

    for action_id in CHOICE_BY_ACTION:
        app.action(action_id)(pressed)

    @app.action(ui.ADD_NOTE_ACTION)
    def add_note(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, "Experiment")
        experiment_id = pressed_id(body, answer, "`/coach experiments` lists yours.")
        if experiment_id is None:
            return
        try:
            with rt.db.transaction() as session:
                experiment = experiments.note_target(
                    session, team_of(body), user_of(body), experiment_id
                )
        except Refusal as refusal:
            answer(str(refusal))
            return
        if open_modal(client, body.get("trigger_id"), ui.note_modal(experiment)) is None:
            answer("Slack didn't let me open the note in time. Please press the button again.")

    @app.view(ui.NOTE_CALLBACK)
    def note_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_of(body), user_of(body)
        view = body.get("view") or {}
        experiment_id = int_value(read_metadata(view).get("e"))
        if experiment_id is None:
            ack(response_action="errors", errors={"note": "This form is out of date."})
            return
        try:
            with rt.db.transaction() as session:
                outcome = experiments.save_note(
                    session, team_id, user_id, experiment_id, view_fields(view), rt.now()
                )
        except Refusal as refusal:
            ack(response_action="errors", errors={"note": f"{refusal} Nothing was saved."})
            return
        if outcome.errors:
            ack(response_action="errors", errors=outcome.errors)
            return
        ack()
        publish_home(rt, client, team_id, user_id)
