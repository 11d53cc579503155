"""`/coach prompts [SCENARIO | PILLAR | primers | first session | add]`, the
contribution modal, and the admins' Approve / Decline buttons."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.notify import prompts as prompts_notify
from bot.program_content import get_content
from bot.runtime import Runtime
from bot.services import prompts_library
from bot.ui import prompts as prompts_ui
from bot.ui.help import FORM_NOT_OPENED
from handlers.toolkit import (
    CommandContext,
    answerer,
    is_program_admin,
    open_modal,
    pressed_id,
    read_form,
    refuse,
    sender_of,
    submit,
)
from models.library_forms import parse_tactic
from models.program_content import PILLARS, Pillar, phrase_key

logger = logging.getLogger(__name__)

PRIMER_WORDS = frozenset({"primers", "primer", "coachingprimers", "tips"})
FIRST_SESSION_WORDS = frozenset(
    {"firstsession", "first", "script", "firstsessionscript", "sessionscript"}
)
ADD_WORD = "add"


def prompts_command(ctx: CommandContext) -> None:
    rt, command = ctx.rt, ctx.command
    content = get_content()
    words = command.words
    if words and words[0].lower() == ADD_WORD:
        # Open the modal first: the trigger_id lives three seconds.
        typed = command.args[len(words[0]) :].strip()
        if open_modal(ctx.client, command.trigger_id, prompts_ui.tactic_modal(content, typed)):
            return
        ctx.reply(FORM_NOT_OPENED)
        return
    key = phrase_key(command.args)
    if not key:
        ctx.reply(prompts_ui.scenario_list_message(content))
    elif key in PILLARS:
        with rt.db.transaction() as tx:
            community = prompts_library.approved(tx, command.team_id, pillar=key)
        ctx.reply(prompts_ui.pillar_message(content, Pillar(key), community))
    elif key in PRIMER_WORDS:
        ctx.reply(prompts_ui.primers_message(content.primers))
    elif key in FIRST_SESSION_WORDS:
        ctx.reply(prompts_ui.first_session_message(content.first_session))
    else:
        try:
            scenario = prompts_library.scenario_named(command.args)
        except prompts_library.UnknownScenario as refusal:
            ctx.refuse(refusal)
            return
        with rt.db.transaction() as tx:
            community = prompts_library.approved(tx, command.team_id, scenario_key=scenario.key)
        ctx.reply(prompts_ui.scenario_message(content, scenario, community))


COMMANDS = {"prompts": prompts_command}


def register(app: App, rt: Runtime) -> None:
    @app.view(ids.TACTIC_CALLBACK)
    def contribute(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        scenario_keys = tuple(s.key for s in get_content().scenarios)
        form, errors = parse_tactic(read_form(body["view"]), scenario_keys)
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        sender = sender_of(body)

        def save() -> prompts_library.Contribution:
            now = rt.now()
            with rt.db.transaction() as tx:
                contribution = prompts_library.contribute(
                    tx,
                    team_id=sender.team_id,
                    user_id=sender.user_id,
                    form=form,
                    configured_admins=rt.settings.admin_user_ids,
                    now=now,
                )
                prompts_notify.enqueue_review_requests(tx, contribution, now)
            return contribution

        saved, contribution = submit(ack, save, error_field="text")
        if not saved or contribution is None or contribution.already:
            return
        thanks = prompts_ui.tactic_thanks_message(contribution.tactic)
        try:
            client.chat_postMessage(channel=sender.user_id, **thanks)
        except SlackApiError as error:
            logger.warning("could not thank %s: %s", sender.user_id, error.response.get("error"))

    def review(approve: bool, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        sender = sender_of(body)
        answer = answerer(body, client, respond)
        if not is_program_admin(rt, sender):
            answer(prompts_ui.not_admin_review_message())
            return
        tactic_id = pressed_id(body, answer, "Nothing changed.")
        if tactic_id is None:
            return
        now = rt.now()
        try:
            with rt.db.transaction() as tx:
                result = prompts_library.review(
                    tx,
                    team_id=sender.team_id,
                    tactic_id=tactic_id,
                    reviewer_id=sender.user_id,
                    approve=approve,
                    now=now,
                )
                prompts_notify.enqueue_review_outcome(tx, result, now)
        except prompts_library.ReviewRefusal as refusal:
            refuse(answer, refusal)
            return
        outcome = prompts_ui.review_outcome_message(result.tactic, already=not result.decided_now)
        if body.get("message") is not None and body.get("response_url"):
            respond(replace_original=True, **outcome)  # the review DM itself shows the outcome
        else:
            answer(outcome)

    @app.action(ids.TACTIC_APPROVE_ACTION)
    def approve(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        review(True, body, respond, client)

    @app.action(ids.TACTIC_DECLINE_ACTION)
    def decline(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        review(False, body, respond, client)
