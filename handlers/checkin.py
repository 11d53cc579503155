"""Check-in: `/coach checkin`, the "Set my intent" button, the pod picker, the
scenario prompts, the submission; and "We met" on the prep message.

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

from bot.runtime import Runtime
from bot.services import checkins, themes
from bot.services.checkins import CheckInDraft, Refusal
from bot.ui import checkin as ui
from handlers.commands import CommandContext
from handlers.home import publish_home
from handlers.interactions import (
    Answer,
    answerer,
    first_action,
    int_value,
    open_modal,
    pressed_id,
    refresh_profile_quietly,
    team_of,
    update_modal,
    user_of,
    view_fields,
)

logger = logging.getLogger(__name__)

WE_MET_ACTION = "session_we_met"


# --------------------------------------------------------------------- building the form


def _content() -> Any:
    try:
        from bot.content import get_content

        return get_content()
    except Exception:  # the form works without prompts
        logger.warning("content unavailable for the check-in prompts", exc_info=True)
        return None


def checkin_view(draft: CheckInDraft, scenario_key: str | None = None) -> dict[str, Any]:
    content = _content()
    scenarios = list(content.scenarios) if content is not None else []
    key = scenario_key if scenario_key is not None else draft.scenario_key
    scenario = next((s for s in scenarios if s.key == key), None)
    theme = themes.theme_title(draft.target.theme_key) if draft.target.theme_key else None
    return ui.checkin_modal(draft, scenarios=scenarios, scenario=scenario, theme_title=theme)


def _draft(rt: Runtime, team_id: str, user_id: str, session_id: int) -> CheckInDraft:
    with rt.db.transaction() as session:
        return checkins.draft_for(session, team_id, user_id, session_id, rt.now())


def open_checkin(
    rt: Runtime,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str | None,
    session_id: int | None,
    answer: Answer,
) -> None:
    """Open the check-in for a session (the button's), or for my next session
    (a pod picker first when I am in several pods)."""
    draft: CheckInDraft | None = None
    choices: list[checkins.SessionInfo] = []
    tz = "UTC"
    try:
        with rt.db.transaction() as session:
            if session_id is None:
                choices = checkins.checkin_choices(session, team_id, user_id, rt.now())
                member = checkins.find_member(session, team_id, user_id)
                tz = member.tz if member is not None else "UTC"
                if len(choices) == 1:
                    session_id = choices[0].session_id
            if session_id is not None:
                draft = checkins.draft_for(session, team_id, user_id, session_id, rt.now())
    except Refusal as refusal:
        answer(str(refusal))
        return
    view = checkin_view(draft) if draft is not None else ui.picker_modal(choices, tz)
    opened = open_modal(client, trigger_id, view)
    if opened is None:
        answer("Slack didn't let me open the check-in in time. Please try again.")
        return
    refresh_profile_quietly(rt, team_id, user_id)
    if draft is not None:
        _follow_timezone_change(rt, client, opened, draft, team_id, user_id)


def _follow_timezone_change(
    rt: Runtime,
    client: WebClient,
    opened: dict[str, Any],
    draft: CheckInDraft,
    team_id: str,
    user_id: str,
) -> None:
    """When the profile refresh found another timezone, redraw the form so its
    times and default due date are in the person's own timezone."""
    try:
        fresh = _draft(rt, team_id, user_id, draft.target.session_id)
    except Refusal:
        return
    if fresh.member_tz != draft.member_tz:
        update_modal(client, opened, checkin_view(fresh))


def _typed_draft(draft: CheckInDraft, view: dict[str, Any]) -> CheckInDraft:
    """The draft with what the person has typed so far, so a redraw keeps it."""
    fields = view_fields(view)
    changes: dict[str, Any] = {}
    for name in ("intent", "exploration", "experiment"):
        if isinstance(fields.get(name), str):
            changes[name] = fields[name]
    if fields.get("due_date"):
        with contextlib.suppress(ValueError):
            changes["due_date"] = date.fromisoformat(str(fields["due_date"]))
    if "share" in fields and isinstance(fields["share"], list):
        changes["share"] = bool(fields["share"])
    return replace(draft, **changes)


# --------------------------------------------------------------------- listeners


def checkin_command(ctx: CommandContext) -> None:
    cmd = ctx.command
    if cmd.args:
        ctx.reply("`/coach checkin` takes no arguments: it opens the form for your next session.")
        return
    open_checkin(
        ctx.rt,
        ctx.client,
        team_id=cmd.team_id,
        user_id=cmd.user_id,
        trigger_id=cmd.trigger_id,
        session_id=None,
        answer=lambda text: ctx.reply(text),
    )


COMMANDS = {"checkin": checkin_command}


def register(app: App, rt: Runtime) -> None:
    @app.action(ui.OPEN_ACTION)
    def set_my_intent(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, "Check in")
        session_id = pressed_id(body, answer, "`/coach checkin` opens your check-in.")
        if session_id is None:
            return
        open_checkin(
            rt,
            client,
            team_id=team_of(body),
            user_id=user_of(body),
            trigger_id=body.get("trigger_id"),
            session_id=session_id,
            answer=answer,
        )

    @app.action(ui.PICK_ACTION)
    def picked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = body.get("view") or {}
        chosen = (first_action(body).get("selected_option") or {}).get("value")
        session_id = int_value(chosen)
        if session_id is None:
            return
        try:
            draft = _draft(rt, team_of(body), user_of(body), session_id)
        except Refusal as refusal:
            update_modal(client, view, ui.info_modal("Check in", str(refusal)))
            return
        update_modal(client, view, checkin_view(draft))

    @app.action(ui.SCENARIO_ACTION)
    def scenario_chosen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = body.get("view") or {}
        session_id = int_value(ui.read_metadata(view).get("s"))
        key = (first_action(body).get("selected_option") or {}).get("value")
        if session_id is None:
            return
        try:
            draft = _draft(rt, team_of(body), user_of(body), session_id)
        except Refusal as refusal:
            update_modal(client, view, ui.info_modal("Check in", str(refusal)))
            return
        update_modal(client, view, checkin_view(_typed_draft(draft, view), scenario_key=key))

    @app.view(ui.CALLBACK)
    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_of(body), user_of(body)
        view = body.get("view") or {}
        session_id = int_value(ui.read_metadata(view).get("s"))
        if session_id is None:
            ack(
                response_action="errors",
                errors={
                    "intent": "This form is out of date. Close it and run `/coach checkin` again."
                },
            )
            return
        fields = view_fields(view)
        try:
            outcome = _submit(rt, team_id, user_id, session_id, fields)
        except Refusal as refusal:
            ack(
                response_action="errors",
                errors={"intent": f"{refusal} Nothing was saved."},
            )
            return
        if outcome.errors:
            ack(response_action="errors", errors=outcome.errors)
            return
        ack()
        publish_home(rt, client, team_id, user_id)

    @app.action(WE_MET_ACTION)
    def we_met(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        answer = answerer(body, client, respond, "We met")
        session_id = pressed_id(body, answer)
        if session_id is None:
            return
        try:
            with rt.db.transaction() as session:
                result = checkins.mark_we_met(
                    session, team_of(body), user_of(body), session_id, rt.now()
                )
        except Refusal as refusal:
            answer(str(refusal))
            return
        answer(result)


def _submit(
    rt: Runtime, team_id: str, user_id: str, session_id: int, fields: dict[str, Any]
) -> checkins.CheckInOutcome:
    """One transaction; a unique-constraint race (two submits at once) is
    retried once and then finds the first one's row to edit."""
    for attempt in range(2):
        try:
            with rt.db.transaction() as session:
                return checkins.submit_checkin(
                    session, team_id, user_id, session_id, fields, rt.now()
                )
        except IntegrityError:
            if attempt == 1:
                raise
            logger.info("check-in race for %s in session %s; retrying", user_id, session_id)
    raise AssertionError("unreachable")  # pragma: no cover
