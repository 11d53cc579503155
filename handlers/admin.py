"""`/coach admin`: the program settings modal and its buttons (digest preview and
post now, the quarterly review, the rituals), for program admins only; and the
showcase's "Sign me up" button."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import directory, ids
from bot.notify import digest as digest_notify
from bot.notify import rituals as rituals_notify
from bot.notify.review import post_review
from bot.runtime import Runtime
from bot.services import program, receipts, rituals
from bot.services.refusals import Refusal
from bot.ui import admin as admin_ui
from bot.ui import answers
from bot.ui import rituals as rituals_ui
from bot.ui.help import FORM_NOT_OPENED
from handlers.toolkit import (
    CommandContext,
    Sender,
    answerer,
    dm_quietly,
    is_program_admin,
    open_modal,
    pressed_value,
    push_modal,
    read_form,
    refusal_message,
    refuse,
    sender_of,
    submit,
    update_modal,
)
from models.settings_forms import parse_program_settings, parse_rituals

logger = logging.getLogger(__name__)

PREVIEW_TITLE = "Digest preview"
POST_NOW_TITLE = "Post digest now"
REVIEW_TITLE = "Quarterly review"


def _admin_timezone(rt: Runtime, sender: Sender) -> str | None:
    member = directory.refresh_member(rt, sender.team_id, sender.user_id)
    return member.tz if member is not None else None


def admin_command(ctx: CommandContext) -> None:
    rt, command = ctx.rt, ctx.command
    if command.args:
        ctx.refuse(
            Refusal(
                f"`/coach admin` takes nothing after it (you typed “{command.args}”).",
                usage="admin",
            )
        )
        return
    sender = command.sender
    if not is_program_admin(rt, sender):
        ctx.reply(admin_ui.not_admin_message())
        return
    with rt.db.transaction() as tx:
        saved = program.is_saved(tx, sender.team_id)
    timezone = None if saved else _admin_timezone(rt, sender)
    with rt.db.transaction() as tx:
        view = admin_ui.settings_modal(program.current_values(tx, sender.team_id, timezone))
    if open_modal(ctx.client, command.trigger_id, view) is None:
        ctx.reply(FORM_NOT_OPENED)


COMMANDS = {"admin": admin_command}


def _answer_on_top(
    rt: Runtime,
    client: WebClient,
    body: Mapping[str, Any],
    title: str,
    work: Callable[[Sender], Mapping[str, Any] | str],
) -> None:
    """For the settings modal's buttons, after the ack: a "working" modal pushed at
    once (the trigger lasts 3 s), then the admin check and the work, whose answer
    replaces it."""
    pushed = push_modal(client, body, answers.working_modal(title))
    sender = sender_of(body)
    try:
        if not is_program_admin(rt, sender):
            message: Mapping[str, Any] | str = admin_ui.not_admin_answer()
        else:
            message = work(sender)
    except Refusal as refusal:
        message = refusal_message(refusal)
    except Exception:
        logger.exception("%s failed", title)
        message = answers.SORRY
    if pushed is None:
        logger.warning("could not show %s to %s", title, sender.user_id)
        return
    update_modal(client, pushed, answers.info_modal(title, message))


def register(app: App, rt: Runtime) -> None:
    @app.view(ids.PROGRAM_SETTINGS_CALLBACK)
    def save(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form, errors = parse_program_settings(read_form(body["view"]))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        sender = sender_of(body)
        is_admin = is_program_admin(rt, sender, fresh=False)
        view_id = body["view"].get("id")

        def save_settings() -> dict[str, Any] | None:
            with rt.db.transaction() as tx:
                saved = program.update_settings(
                    tx, sender.team_id, form, rt.now(), is_admin=is_admin
                )
                if not receipts.first_confirmation(tx, view_id, sender.team_id, rt.now()):
                    return None  # the same form submitted twice: one confirmation
                return admin_ui.saved_message(
                    program.current_values(tx, sender.team_id, None),
                    values_custom=saved.values_text is not None,
                    rules_custom=saved.ground_rules_text is not None,
                )

        saved, message = submit(ack, save_settings, error_field="prep_lead_hours")
        if saved and message is not None:
            dm_quietly(client, sender.user_id, message)

    @app.action(ids.DIGEST_PREVIEW_ACTION)
    def preview(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def show(sender: Sender) -> Mapping[str, Any]:
            with rt.db.transaction() as tx:
                return digest_notify.preview_message(tx, sender.team_id, rt.now())

        _answer_on_top(rt, client, body, PREVIEW_TITLE, show)

    @app.action(ids.DIGEST_POST_NOW_ACTION)
    def post_now(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def post(sender: Sender) -> Mapping[str, Any]:
            with rt.db.transaction() as tx:
                return digest_notify.post_now(tx, sender.team_id, rt.now()).message

        _answer_on_top(rt, client, body, POST_NOW_TITLE, post)

    @app.action(ids.REVIEW_POST_ACTION)
    def review(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _answer_on_top(
            rt, client, body, REVIEW_TITLE, lambda sender: post_review(rt, client, sender.team_id)
        )

    @app.action(ids.RITUALS_OPEN_ACTION)
    def open_rituals(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        sender = sender_of(body)
        if not is_program_admin(rt, sender):
            push_modal(client, body, answers.info_modal("Rituals", admin_ui.not_admin_answer()))
            return
        with rt.db.transaction() as tx:
            current = rituals.current(tx, sender.team_id)
        view = rituals_ui.rituals_modal(
            current.showcase, current.office_hours, current.timezone, current.channel_id
        )
        push_modal(client, body, view)

    @app.view(ids.RITUALS_CALLBACK)
    def save_rituals(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form, errors = parse_rituals(read_form(body["view"]))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        sender = sender_of(body)
        is_admin = is_program_admin(rt, sender, fresh=False)

        view_id = body["view"].get("id")

        def store() -> dict[str, Any] | None:
            with rt.db.transaction() as tx:
                saved = rituals.save(tx, sender.team_id, form, rt.now(), is_admin=is_admin)
                if not receipts.first_confirmation(tx, view_id, sender.team_id, rt.now()):
                    return None  # the same form submitted twice: one confirmation
            return rituals_ui.saved_message(
                saved.showcase, saved.office_hours, saved.timezone, saved.channel_id
            )

        stored, message = submit(ack, store, error_field="showcase_on")
        if stored and message is not None:
            dm_quietly(client, sender.user_id, message)

    @app.action(ids.SHOWCASE_SIGN_UP_ACTION)
    def sign_up(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, title="Showcase")
        sender = sender_of(body)
        try:
            day = rituals.showcase_date(pressed_value(body))
        except Refusal as refusal:
            refuse(answer, refusal)
            return
        with rt.db.transaction() as tx:
            first = rituals_notify.sign_up(
                tx, sender.team_id, sender.user_id, day, rt.settings.admin_user_ids, rt.now()
            )
        answer(rituals_ui.signed_up_answer(day, again=not first))
