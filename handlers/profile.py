"""`/coach profile` (a person's own profile for matching) and, from `/coach admin`, the
program's levels and skills lists, importing a Slack user group, and the skills map."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.notify import profiles as profiles_notify
from bot.runtime import Runtime
from bot.services import profiles
from bot.services.refusals import Refusal
from bot.ui import admin as admin_ui
from bot.ui import answers
from bot.ui import profile as ui
from bot.ui import skills_map as skills_ui
from bot.ui.help import FORM_NOT_OPENED
from handlers.toolkit import (
    CommandContext,
    Sender,
    answerer,
    dm_quietly,
    is_program_admin,
    open_modal,
    push_modal,
    read_form,
    refresh_profile_quietly,
    refusal_message,
    sender_of,
    submit,
    submit_slowly,
    update_modal,
)
from models.profile_forms import parse_profile, parse_program_lists

logger = logging.getLogger(__name__)

LISTS_TITLE = "Levels and skills"
IMPORT_TITLE = "Import a user group"


def _profile_view(rt: Runtime, sender: Sender) -> dict[str, Any]:
    with rt.db.transaction() as tx:
        values, lists = profiles.my_profile(tx, sender.team_id, sender.user_id, rt.now())
    return ui.profile_modal(values, lists)


def profile_command(ctx: CommandContext) -> None:
    if ctx.command.args:
        ctx.refuse(
            Refusal(
                "`/coach profile` takes nothing after it "
                f"(you typed “{ctx.command.args}”): it opens your profile."
            )
        )
        return
    sender = ctx.command.sender
    if open_modal(ctx.client, ctx.command.trigger_id, _profile_view(ctx.rt, sender)) is None:
        ctx.reply(FORM_NOT_OPENED)
    # The window is in the person's own timezone: keep it fresh from users.info.
    refresh_profile_quietly(ctx.rt, sender)


COMMANDS = {"profile": profile_command}


def register(app: App, rt: Runtime) -> None:
    @app.view(ids.PROFILE_CALLBACK)
    def save_profile(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form, errors = parse_profile(read_form(body["view"]))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        sender = sender_of(body)

        def store() -> dict[str, Any]:
            with rt.db.transaction() as tx:
                saved = profiles.save_profile(tx, sender.team_id, sender.user_id, form, rt.now())
            return ui.saved_message(saved)

        stored, message = submit(ack, store, error_field="team_name")
        if stored and message is not None:
            dm_quietly(client, sender.user_id, message)
            refresh_profile_quietly(rt, sender)

    @app.action(ids.PROFILE_OPEN_ACTION)
    def open_profile(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        sender = sender_of(body)
        if open_modal(client, body.get("trigger_id"), _profile_view(rt, sender)) is None:
            answerer(body, client, respond, title=ui.TITLE)(FORM_NOT_OPENED)
        refresh_profile_quietly(rt, sender)

    # ------------------------------------------------------------------ admin: lists

    @app.action(ids.PROGRAM_LISTS_OPEN_ACTION)
    def open_lists(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        sender = sender_of(body)
        if not is_program_admin(rt, sender):
            push_modal(client, body, answers.info_modal(LISTS_TITLE, admin_ui.not_admin_answer()))
            return
        with rt.db.transaction() as tx:
            lists = profiles.program_lists(tx, sender.team_id)
        push_modal(client, body, ui.program_lists_modal(lists))

    @app.view(ids.PROGRAM_LISTS_CALLBACK)
    def save_lists(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form, errors = parse_program_lists(read_form(body["view"]))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        sender = sender_of(body)
        is_admin = is_program_admin(rt, sender, fresh=False)

        def store() -> dict[str, Any]:
            with rt.db.transaction() as tx:
                saved = profiles.save_lists(tx, sender.team_id, form, is_admin=is_admin)
            return ui.lists_saved_message(saved)

        stored, message = submit(ack, store, error_field="levels")
        if stored and message is not None:
            dm_quietly(client, sender.user_id, message)

    # ------------------------------------------------------------------ admin: skills map

    @app.action(ids.SKILLS_MAP_ACTION)
    def show_skills_map(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        pushed = push_modal(client, body, answers.working_modal(skills_ui.TITLE))
        sender = sender_of(body)
        facts = None
        try:
            if not is_program_admin(rt, sender):
                message: Mapping[str, Any] | str = admin_ui.not_admin_answer()
            else:
                facts = profiles_notify.skills_map_facts(rt, sender.team_id)
                message = skills_ui.skills_map_message(facts, chart_posted=facts.has_data)
        except Exception:
            logger.exception("skills map failed")
            message = answers.SORRY
        if pushed is not None:
            update_modal(client, pushed, answers.info_modal(skills_ui.TITLE, message))
        if facts is not None and facts.has_data:
            profiles_notify.post_skills_chart(client, facts, sender.user_id)

    # ------------------------------------------------------------------ admin: user groups

    @app.action(ids.USERGROUP_IMPORT_OPEN_ACTION)
    def open_import(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        pushed = push_modal(client, body, answers.working_modal(IMPORT_TITLE))
        sender = sender_of(body)
        try:
            if not is_program_admin(rt, sender):
                view = answers.info_modal(IMPORT_TITLE, admin_ui.not_admin_answer())
            else:
                groups = profiles_notify.usergroups(client)
                view = (
                    ui.usergroup_modal(groups)
                    if groups
                    else answers.info_modal(IMPORT_TITLE, ui.no_usergroups_answer())
                )
        except Refusal as refusal:
            view = answers.info_modal(IMPORT_TITLE, refusal_message(refusal))
        except Exception:
            logger.exception("listing user groups failed")
            view = answers.info_modal(IMPORT_TITLE, answers.SORRY)
        if pushed is not None:
            update_modal(client, pushed, view)

    @app.view(ids.USERGROUP_IMPORT_CALLBACK)
    def import_group(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        group_id = read_form(body["view"]).get("usergroup")
        if not group_id:
            ack(response_action="errors", errors={"usergroup": "Pick a user group."})
            return
        sender = sender_of(body)

        def work() -> Mapping[str, Any]:
            if not is_program_admin(rt, sender):
                return answers.info_modal(IMPORT_TITLE, admin_ui.not_admin_answer())
            name = _option_text(body["view"], str(group_id))
            outcome = profiles_notify.import_usergroup(rt, sender.team_id, str(group_id), name)
            message = ui.import_result_message(outcome.result, outcome.invited, name)
            return answers.info_modal(IMPORT_TITLE, message)

        submit_slowly(
            ack,
            client,
            body,
            working=answers.working_modal(IMPORT_TITLE, "Importing the group…"),
            work=work,
            failed=lambda problem: answers.info_modal(
                IMPORT_TITLE, answers.refusal_message(problem)
            ),
        )


def _option_text(view: Mapping[str, Any], value: str) -> str:
    """The picked group's name as the picker showed it (without the member count)."""
    for block in view.get("blocks") or []:
        for choice in (block.get("element") or {}).get("options") or []:
            if choice.get("value") == value:
                return str(choice["text"]["text"]).rsplit(" (", 1)[0]
    return value
