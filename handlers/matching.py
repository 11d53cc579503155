"""Matching: `/coach admin` → Propose pods (the proposed pods in a modal, a Create
button each and Create all), the same buttons on the proposals `coachbot match`
and a reshuffle DM to admins, the reshuffle offer's Announce button, and a
member's "Keep my pod as it is"."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.directory import SlackWebDirectory
from bot.notify import matching as notify
from bot.runtime import Runtime
from bot.services import members as members_service
from bot.services.matching import proposals, reshuffles
from bot.services.matching import settings as matching_settings
from bot.services.refusals import Refusal
from bot.ui import admin as admin_ui
from bot.ui import answers
from bot.ui import matching as ui
from handlers.toolkit import (
    SORRY,
    Sender,
    answerer,
    as_int,
    is_program_admin,
    pressed_id,
    pressed_value,
    push_modal,
    read_form,
    refusal_message,
    refuse,
    sender_of,
    submit,
    update_modal,
)
from models.matching_forms import parse_matching_settings
from models.matching_views import AcceptOutcome, RunView

logger = logging.getLogger(__name__)

TITLE = "Proposed pods"


def _with_note(note: str, message: Mapping[str, Any]) -> dict[str, Any]:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": note[:2900]}}]
    return {"text": note, "blocks": blocks + list(message.get("blocks") or [])[:48]}


def propose(rt: Runtime, client: WebClient, body: Mapping[str, Any]) -> None:
    """After the ack: a "working" modal at once, then the proposals in its place."""
    pushed = push_modal(client, body, answers.working_modal(TITLE, "Matching people into pods…"))
    sender = sender_of(body)
    message: Mapping[str, Any] | str
    try:
        if not is_program_admin(rt, sender):
            message = admin_ui.not_admin_answer()
        else:
            now = rt.now()
            with rt.db.transaction() as tx:
                run = proposals.propose(tx, sender.team_id, sender.user_id, now)
                notify.unplaced_dms(tx, run, now)
            message = ui.proposal_message(run)
    except Refusal as refusal:
        message = refusal_message(refusal)
    except Exception:
        logger.exception("proposing pods failed")
        message = SORRY
    if pushed is not None:
        update_modal(client, pushed, answers.info_modal(TITLE, message))


def _accept(
    rt: Runtime, client: WebClient, sender: Sender, proposal_ids: list[int]
) -> list[AcceptOutcome]:
    outcomes = []
    for proposal_id in proposal_ids:
        now = rt.now()
        try:
            outcome = proposals.accept(
                rt.db.transaction,
                SlackWebDirectory(client),
                team_id=sender.team_id,
                proposal_id=proposal_id,
                actor_id=sender.user_id,
                now=now,
                then=lambda tx, saved, now=now: notify.pod_created(tx, saved, now),
            )
        except Refusal as refusal:  # Slack refused the group DM: this pod stays pending
            message = f"A pod could not be created just now ({refusal.message}); try again."
            outcome = AcceptOutcome(proposal_id, 0, "failed", message)
        outcomes.append(outcome)
    return outcomes


def _show(
    client: WebClient, body: Mapping[str, Any], respond: Respond, note: str, run: RunView | None
) -> None:
    """The proposals again, statuses updated, where the button was (modal or message)."""
    message = _with_note(note, ui.proposal_message(run)) if run is not None else {"text": note}
    view = body.get("view")
    if view:
        update_modal(client, view, answers.info_modal(TITLE, message))
    else:
        respond(replace_original=True, **message)


def _pressed(
    rt: Runtime, client: WebClient, body: Mapping[str, Any], respond: Respond, *, every: bool
) -> None:
    sender = sender_of(body)
    answer = answerer(body, client, respond, title=TITLE)
    if not is_program_admin(rt, sender):
        answer(admin_ui.not_admin_answer())
        return
    target = pressed_id(body, answer, "Propose pods again from `/coach admin`.")
    if target is None:
        return
    try:
        if every:
            run_id = target
            with rt.db.transaction() as tx:
                pending = proposals.pending_ids(tx, sender.team_id, run_id)
        else:
            pending = [target]
            with rt.db.transaction() as tx:
                run_id = proposals.run_of(tx, sender.team_id, target)
        outcomes = _accept(rt, client, sender, pending)
        with rt.db.transaction() as tx:
            run = proposals.run_view(tx, sender.team_id, run_id)
    except Refusal as refusal:
        refuse(answer, refusal)
        return
    except SlackApiError:
        logger.warning("a pod's group DM could not be opened", exc_info=True)
        answer(
            "Slack wouldn't open a group DM for that pod just now; nothing was created. Try again."
        )
        return
    _show(client, body, respond, ui.accept_message(outcomes), run)


def register(app: App, rt: Runtime) -> None:
    @app.action(ids.MATCH_PROPOSE_ACTION)
    def propose_pressed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        propose(rt, client, body)

    @app.action(ids.MATCH_SETTINGS_OPEN_ACTION)
    def settings_pressed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        sender = sender_of(body)
        if not is_program_admin(rt, sender):
            push_modal(
                client, body, answers.info_modal("Matching settings", admin_ui.not_admin_answer())
            )
            return
        with rt.db.transaction() as tx:
            values = matching_settings.current(tx, sender.team_id)
        push_modal(client, body, ui.settings_modal(values))

    @app.view(ids.MATCH_SETTINGS_CALLBACK)
    def settings_saved(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form, errors = parse_matching_settings(read_form(body["view"]))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        sender = sender_of(body)
        is_admin = is_program_admin(rt, sender, fresh=False)

        def store() -> str:
            with rt.db.transaction() as tx:
                saved = matching_settings.save(
                    tx, sender.team_id, form, rt.now(), is_admin=is_admin
                )
            return ui.settings_saved_message(saved)

        stored, message = submit(ack, store, error_field="target_size")
        if stored and message is not None:
            try:
                client.chat_postMessage(channel=sender.user_id, text=message)
            except SlackApiError:
                logger.warning("could not confirm matching settings to %s", sender.user_id)

    @app.action(ids.MATCH_ACCEPT_ACTION)
    def accept_pressed(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        _pressed(rt, client, body, respond, every=False)

    @app.action(ids.MATCH_ACCEPT_ALL_ACTION)
    def accept_all_pressed(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        _pressed(rt, client, body, respond, every=True)

    @app.action(ids.RESHUFFLE_ANNOUNCE_ACTION)
    def announce_pressed(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        sender = sender_of(body)
        answer = answerer(body, client, respond, title="Reshuffle")
        if not is_program_admin(rt, sender):
            answer(admin_ui.not_admin_answer())
            return
        round_id = pressed_id(body, answer)
        if round_id is None:
            return
        now = rt.now()
        try:
            with rt.db.transaction() as tx:
                notice, first = reshuffles.announce(
                    tx, sender.team_id, round_id, sender.user_id, now
                )
                if first:
                    notify.reshuffle_notices(tx, notice, now)
                admin = members_service.find(tx, sender.team_id, sender.user_id)
                tz = admin.tz if admin is not None else None
        except Refusal as refusal:
            refuse(answer, refusal)
            return
        text = ui.reshuffle_announced_answer(notice, tz)
        answer(text if first else f"Already announced. {text}")

    @app.action(ids.RESHUFFLE_OPT_OUT_ACTION)
    def opt_out_pressed(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        sender = sender_of(body)
        answer = answerer(body, client, respond, title="Reshuffle")
        round_id = as_int(pressed_value(body))
        if round_id is None:
            answer("That button is out of date; nothing changes for your pod.")
            return
        try:
            with rt.db.transaction() as tx:
                when, again = reshuffles.opt_out(
                    tx, sender.team_id, round_id, sender.user_id, rt.now()
                )
                member = members_service.find(tx, sender.team_id, sender.user_id)
                tz = member.tz if member is not None else None
        except Refusal as refusal:
            refuse(answer, refusal)
            return
        answer(ui.opted_out_answer(when, tz, again))
