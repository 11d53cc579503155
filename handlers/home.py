"""App Home: published when a person opens it (and, by the other surfaces, after
each of their actions), Withdraw on a shared learning waiting for the digest, and
the weekly reflection reminder (set or change it in a modal, stop it with one click,
from the Home or the reminder DM). Check in, Reflect and Kudos are listened for by
their own surfaces."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.runtime import Runtime
from bot.services import digest, reflection_reminders
from bot.services.refusals import Refusal
from bot.ui import digest as digest_ui
from bot.ui import reflection_reminders as reminder_ui
from handlers.toolkit import (
    Sender,
    answerer,
    fresh_timezone,
    open_modal,
    pressed_id,
    publish_home,
    read_form,
    refresh_profile_quietly,
    refuse,
    sender_of,
    submit,
    update_modal,
)


def _reminder_modal(rt: Runtime, sender: Sender) -> dict[str, Any]:
    with rt.db.transaction() as tx:
        setting = reflection_reminders.setting(tx, sender.team_id, sender.user_id)
    return reminder_ui.reminder_modal(setting)


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

    @app.action(ids.LEARNING_WITHDRAW_ACTION)
    def withdraw_learning(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        sender = sender_of(body)
        answer = answerer(body, client, None, "Withdraw")
        reflection_id = pressed_id(body, answer, "Open the Home tab again to see what is waiting.")
        if reflection_id is None:
            return
        try:
            with rt.db.transaction() as tx:
                digest.withdraw(tx, sender.team_id, sender.user_id, reflection_id, rt.now())
        except Refusal as refusal:
            refuse(answer, refusal)
        else:
            answer(digest_ui.withdrawn_message())
        publish_home(rt, client, sender)

    @app.action(ids.REFLECTION_REMINDER_SET_ACTION)
    def set_reminder(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        sender = sender_of(body)
        view = _reminder_modal(rt, sender)
        opened = open_modal(client, body.get("trigger_id"), view)
        if opened is None:
            answerer(body, client, None, reminder_ui.TITLE)(
                "Slack didn't let me open the reminder form in time. Please try again."
            )
            return
        fresh_timezone(rt, sender)  # knows the person from users.info if it didn't yet
        fresh = _reminder_modal(rt, sender)
        if fresh != view:  # another timezone than the one shown
            update_modal(client, opened, fresh)

    @app.view(ids.REFLECTION_REMINDER_CALLBACK)
    def reminder_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        sender = sender_of(body)
        fields = read_form(body.get("view") or {})

        def save() -> None:
            with rt.db.transaction() as tx:
                reflection_reminders.set_reminder(
                    tx, sender.team_id, sender.user_id, fields, rt.now()
                )

        saved, _ = submit(ack, save, error_field="weekday")
        if saved:
            publish_home(rt, client, sender)

    @app.action(ids.REFLECTION_REMINDER_STOP_ACTION)
    def stop_reminder(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        sender = sender_of(body)
        with rt.db.transaction() as tx:
            was_on = reflection_reminders.stop_reminder(tx, sender.team_id, sender.user_id)
        answerer(body, client, respond, reminder_ui.TITLE)(reminder_ui.stopped_message(was_on))
        publish_home(rt, client, sender)
