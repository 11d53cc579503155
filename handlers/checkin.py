"""Check-in: `/coach checkin`, the "Set my intent" button, the App Home's "Check
in", the pod picker, the scenario prompts, the submission; and "We met" on the
prep message.

Every modal opens right after ack, from what the database already knows; the
slow part (refreshing the person's profile from users.info) comes after.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError

from bot import ids
from bot.notify import prep_updates as prep_notify
from bot.runtime import Runtime
from bot.services import checkins, sessions
from bot.services.refusals import Refusal
from bot.ui import answers
from bot.ui import checkin as ui
from handlers.toolkit import (
    Answer,
    CommandContext,
    ModalMetadata,
    Sender,
    answerer,
    as_int,
    open_modal,
    pressed_id,
    pressed_value,
    publish_home,
    read_form,
    refresh_profile_quietly,
    refusal_message,
    refuse,
    sender_of,
    submit,
    update_modal,
)
from models.session_views import CheckInDraft

logger = logging.getLogger(__name__)

TITLE = "Check in"
OUT_OF_DATE = "This form is out of date. Close it and run `/coach checkin` again."


class CheckInMetadata(ModalMetadata):
    session_id: int


def checkin_view(draft: CheckInDraft, scenario_key: str | None = None) -> dict[str, Any]:
    metadata = CheckInMetadata(session_id=draft.target.session_id).dumps()
    return ui.checkin_modal(
        draft, metadata, scenarios=checkins.scenarios(), scenario_key=scenario_key
    )


def _draft(rt: Runtime, sender: Sender, session_id: int) -> CheckInDraft:
    with rt.db.transaction() as tx:
        return checkins.draft_for(tx, sender.team_id, sender.user_id, session_id, rt.now())


def open_checkin(
    rt: Runtime,
    client: WebClient,
    sender: Sender,
    trigger_id: str | None,
    session_id: int | None,
    answer: Answer,
) -> None:
    """Open the check-in for a session (the button's), or for my next session
    (a pod picker first when I am in several pods)."""
    try:
        with rt.db.transaction() as tx:
            found = checkins.open_for(tx, sender.team_id, sender.user_id, session_id, rt.now())
    except Refusal as refusal:
        refuse(answer, refusal)
        return
    if isinstance(found, CheckInDraft):
        draft: CheckInDraft | None = found
        view = checkin_view(found)
    else:
        draft = None
        view = ui.picker_modal(found.sessions, found.tz)
    opened = open_modal(client, trigger_id, view)
    if opened is None:
        answer("Slack didn't let me open the check-in in time. Please try again.")
        return
    if not found.profile_stale:
        return
    fresh_tz = refresh_profile_quietly(rt, sender)
    if draft is not None and fresh_tz is not None and fresh_tz != draft.member_tz:
        _follow_timezone_change(rt, client, opened, draft, sender)


def _follow_timezone_change(
    rt: Runtime, client: WebClient, opened: dict[str, Any], draft: CheckInDraft, sender: Sender
) -> None:
    """When the profile refresh found another timezone, redraw the form so its
    times and default due date are in the person's own timezone."""
    try:
        fresh = _draft(rt, sender, draft.target.session_id)
    except Refusal:
        return
    if fresh.member_tz != draft.member_tz:
        update_modal(client, opened, checkin_view(fresh))


def _typed_draft(draft: CheckInDraft, view: dict[str, Any]) -> CheckInDraft:
    """The draft with what the person has typed so far, so a redraw keeps it."""
    fields = read_form(view)
    changes: dict[str, Any] = {}
    for name in ("intent", "exploration", "experiment"):
        if isinstance(fields.get(name), str):
            changes[name] = fields[name]
    if fields.get("due_date"):
        with contextlib.suppress(ValueError):
            changes["due_date"] = date.fromisoformat(str(fields["due_date"]))
    for name in ("share", "sensitive"):
        if isinstance(fields.get(name), list):
            changes[name] = bool(fields[name])
    return replace(draft, **changes)


def _redraw(
    rt: Runtime,
    client: WebClient,
    body: dict[str, Any],
    session_id: int,
    *,
    keep_typed: bool,
    scenario_key: str | None = None,
) -> None:
    """Show the check-in of `session_id` in the open modal (the picker's choice,
    or the same form with another scenario's prompts and what was typed kept)."""
    view = body.get("view") or {}
    try:
        draft = _draft(rt, sender_of(body), session_id)
    except Refusal as refusal:
        update_modal(client, view, answers.info_modal(TITLE, refusal_message(refusal)))
        return
    if keep_typed:
        draft = _typed_draft(draft, view)
    update_modal(client, view, checkin_view(draft, scenario_key=scenario_key))


def _save(rt: Runtime, sender: Sender, session_id: int, fields: dict[str, Any]) -> None:
    """One transaction; a unique-constraint race (two submits at once) is
    retried once and then finds the first one's row to edit."""
    for attempt in range(2):
        try:
            with rt.db.transaction() as tx:
                now = rt.now()
                saved = checkins.submit_checkin(
                    tx, sender.team_id, sender.user_id, session_id, fields, now
                )
                prep_notify.enqueue_updates(tx, saved.prep_refresh, now)
                return
        except IntegrityError:
            if attempt == 1:
                raise
            logger.info("check-in race for %s in session %s; retrying", sender.user_id, session_id)


# --------------------------------------------------------------------- listeners


def checkin_command(ctx: CommandContext) -> None:
    cmd = ctx.command
    if cmd.args:
        ctx.reply("`/coach checkin` takes no arguments: it opens the form for your next session.")
        return
    open_checkin(ctx.rt, ctx.client, cmd.sender, cmd.trigger_id, None, ctx.reply)


COMMANDS = {"checkin": checkin_command}


def register(app: App, rt: Runtime) -> None:
    @app.action(ids.CHECKIN_OPEN_ACTION)
    def set_my_intent(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, TITLE)
        session_id = pressed_id(body, answer, "`/coach checkin` opens your check-in.")
        if session_id is None:
            return
        open_checkin(rt, client, sender_of(body), body.get("trigger_id"), session_id, answer)

    @app.action(ids.HOME_CHECKIN_ACTION)
    def home_checkin(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        answer = answerer(body, client, None, TITLE)
        open_checkin(rt, client, sender_of(body), body.get("trigger_id"), None, answer)

    @app.action(ids.CHECKIN_PICK_ACTION)
    def picked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        session_id = as_int(pressed_value(body))
        if session_id is not None:
            _redraw(rt, client, body, session_id, keep_typed=False)

    @app.action(ids.CHECKIN_SCENARIO_ACTION)
    def scenario_chosen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        metadata = CheckInMetadata.of(body.get("view") or {})
        if metadata is not None:
            _redraw(
                rt,
                client,
                body,
                metadata.session_id,
                keep_typed=True,
                scenario_key=pressed_value(body),
            )

    @app.view(ids.CHECKIN_CALLBACK)
    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        sender = sender_of(body)
        view = body.get("view") or {}
        metadata = CheckInMetadata.of(view)
        if metadata is None:
            ack(response_action="errors", errors={"intent": OUT_OF_DATE})
            return
        fields = read_form(view)
        saved, _ = submit(
            ack, lambda: _save(rt, sender, metadata.session_id, fields), error_field="intent"
        )
        if saved:
            publish_home(rt, client, sender)

    @app.action(ids.WE_MET_ACTION)
    def we_met(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, "We met")
        session_id = pressed_id(body, answer)
        if session_id is None:
            return
        sender = sender_of(body)
        try:
            with rt.db.transaction() as tx:
                met = sessions.mark_we_met(tx, sender.team_id, sender.user_id, session_id, rt.now())
        except Refusal as refusal:
            refuse(answer, refusal)
            return
        answer(ui.we_met_text(met.pod_name, met.already))
