"""`/coach prompts [SCENARIO | PILLAR | primers | first session | add]`, the
contribution modal, and the admins' Approve / Decline buttons."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import directory
from bot.content import closest_scenarios, find_scenario, get_content
from bot.runtime import Runtime
from bot.services import prompts_library
from bot.ui import prompts as prompts_ui
from handlers.commands import CommandContext
from handlers.errors import SORRY
from handlers.welcome import answer, team_of
from models.content import PILLARS, Pillar, phrase_key
from models.content_forms import parse_tactic

log = logging.getLogger(__name__)

PRIMER_WORDS = frozenset({"primers", "primer", "coachingprimers", "tips"})
FIRST_SESSION_WORDS = frozenset(
    {"firstsession", "first", "script", "firstsessionscript", "sessionscript"}
)
ADD_WORD = "add"


def open_modal(ctx: CommandContext, view: dict[str, Any]) -> None:
    try:
        ctx.client.views_open(trigger_id=ctx.command.trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"))
        ctx.reply("Slack didn't let me open the form in time. Please run the command again.")


def prompts_command(ctx: CommandContext) -> None:
    rt, command = ctx.rt, ctx.command
    content = get_content()
    words = command.words
    if words and words[0].lower() == ADD_WORD:
        # Open the modal first: the trigger_id lives three seconds.
        typed = command.args[len(words[0]) :].strip()
        open_modal(ctx, prompts_ui.tactic_modal(content, typed))
        return
    key = phrase_key(command.args)
    if not key:
        ctx.reply(prompts_ui.scenario_list_message(content))
    elif key in PILLARS:
        with rt.db.transaction() as session:
            community = prompts_library.approved(session, command.team_id, pillar=key)
        ctx.reply(prompts_ui.pillar_message(content, Pillar(key), community))
    elif key in PRIMER_WORDS:
        ctx.reply(prompts_ui.primers_message(content.primers))
    elif key in FIRST_SESSION_WORDS:
        ctx.reply(prompts_ui.first_session_message(content.first_session))
    else:
        scenario = find_scenario(content, command.args)
        if scenario is None:
            closest = closest_scenarios(content, command.args)
            ctx.reply(prompts_ui.no_match_message(content, command.args, closest))
            return
        with rt.db.transaction() as session:
            community = prompts_library.approved(
                session, command.team_id, scenario_key=scenario.key
            )
        ctx.reply(prompts_ui.scenario_message(content, scenario, community))


COMMANDS = {"prompts": prompts_command}


def _selected(values: dict[str, Any], block_id: str) -> Any:
    field = (values.get(block_id) or {}).get(block_id) or {}
    if "selected_option" in field:
        return (field.get("selected_option") or {}).get("value")
    return field.get("value")


def register(app: App, rt: Runtime) -> None:
    @app.view(prompts_ui.TACTIC_CALLBACK)
    def contribute(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        values = body["view"]["state"]["values"]
        content = get_content()
        form, errors = parse_tactic(
            {name: _selected(values, name) for name in ("kind", "text", "tag")},
            tuple(s.key for s in content.scenarios),
        )
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        team_id, user_id = team_of(body), body["user"]["id"]
        try:
            with rt.db.transaction() as session:
                tactic = prompts_library.contribute(
                    session,
                    team_id=team_id,
                    user_id=user_id,
                    form=form,
                    configured_admins=rt.settings.admin_user_ids,
                    now=rt.now(),
                )
        except Exception:
            log.exception("could not store a contribution")
            ack(response_action="errors", errors={"text": SORRY})
            return
        ack()
        try:
            client.chat_postMessage(channel=user_id, **prompts_ui.tactic_thanks_message(tactic))
        except SlackApiError as error:
            log.warning("could not thank %s: %s", user_id, error.response.get("error"))

    def review(approve: bool, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        team_id, user_id = team_of(body), body["user"]["id"]
        if not directory.is_program_admin(rt, team_id, user_id):
            answer(respond, client, user_id, prompts_ui.not_admin_review_message())
            return
        raw = ((body.get("actions") or [{}])[0]).get("value") or ""
        try:
            tactic_id = int(raw)
            with rt.db.transaction() as session:
                result = prompts_library.review(
                    session,
                    team_id=team_id,
                    tactic_id=tactic_id,
                    reviewer_id=user_id,
                    approve=approve,
                    now=rt.now(),
                )
        except (ValueError, prompts_library.ReviewProblem) as problem:
            text = str(problem) if isinstance(problem, prompts_library.ReviewProblem) else ""
            answer(
                respond,
                client,
                user_id,
                prompts_ui.review_gone_message(
                    text or "That button is out of date, so nothing changed."
                ),
            )
            return
        outcome = prompts_ui.review_outcome_message(result.tactic, already=not result.decided_now)
        answer(respond, client, user_id, outcome, replace=body.get("message") is not None)

    @app.action(prompts_ui.TACTIC_APPROVE_ACTION)
    def approve(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        review(True, body, respond, client)

    @app.action(prompts_ui.TACTIC_DECLINE_ACTION)
    def decline(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        review(False, body, respond, client)
