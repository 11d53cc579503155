"""/coach pod …: create, edit, list, join, leave, and cancel (a session, program
admins); the pod modal's submission and the Join button.

The pod form acks at once (after the checks the database can make) and asks
Slack afterwards, through bot.services.pod_setup: the person sees "working…",
then the form again with its problems or the confirmation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import directory, ids
from bot.directory import SlackWebDirectory
from bot.notify import pods as notify_pods
from bot.notify import sessions as notify_sessions
from bot.runtime import Runtime
from bot.services import availability, pod_setup, pods
from bot.services import members as members_service
from bot.services.refusals import FormProblems, Refusal
from bot.ui import answers
from bot.ui import availability as availability_ui
from bot.ui import help as help_ui
from bot.ui import pods as ui
from handlers.toolkit import (
    SORRY,
    Answer,
    CommandContext,
    ModalMetadata,
    Sender,
    answerer,
    closest_word,
    fresh_timezone,
    is_program_admin,
    open_modal,
    pressed_id,
    read_form,
    refuse,
    sender_of,
    submit_slowly,
    update_modal,
)
from models.forms import parse_iso_date, unquoted_pod_name
from models.pod_views import PodFormValues, PodSaved

logger = logging.getLogger(__name__)

LOOKS_LIKE_DATE = re.compile(r"^\d[\d\-/.]*\d$")
CANCEL_REASON = "Cancelled by a program admin."


class PodFormMetadata(ModalMetadata):
    """Which pod the form edits (none: a new one), and where the command was typed."""

    pod_id: int | None = None
    origin_channel: str = ""


# --------------------------------------------------------------------------- /coach pod


def handle_pod(ctx: CommandContext) -> None:
    verb, _, rest = ctx.command.args.partition(" ")
    verb = verb.lower()
    rest = rest.strip()
    if not verb:
        ctx.reply(help_ui.usage_message("pod", "What would you like to do with pods?"))
        return
    handler = VERBS.get(verb)
    if handler is None:
        ctx.reply(help_ui.unknown_verb_message("pod", verb, closest_word(verb, VERBS)))
        return
    handler(ctx, rest)


def _pod_name(ctx: CommandContext, rest: str, verb: str) -> str | None:
    """The name as typed: quotes and all (bot.services.pods finds it either way)."""
    if not unquoted_pod_name(rest):
        ctx.reply(help_ui.usage_message("pod", f"Name the pod: `/coach pod {verb} NAME`."))
        return None
    return rest.strip()


# --------------------------------------------------------------------------- create / edit


def _create(ctx: CommandContext, rest: str) -> None:
    cmd = ctx.command
    if rest:
        ctx.reply(help_ui.usage_message("pod", "`/coach pod create` takes no name: the form asks."))
        return
    with ctx.rt.db.transaction() as tx:
        known = members_service.find(tx, cmd.team_id, cmd.user_id)
        tz = known.tz if known is not None and known.profile_refreshed_at else None
    metadata = PodFormMetadata(origin_channel=cmd.channel_id).dumps()
    form = ui.pod_modal(
        PodFormValues(timezone=tz), private_metadata=metadata, timezone_pending=tz is None
    )
    opened = open_modal(ctx.client, cmd.trigger_id, form)
    if opened is None:
        ctx.reply(help_ui.FORM_NOT_OPENED)
        return
    if tz is not None:
        return
    # Slow work only once the modal is up: the creator's timezone from users.info.
    member = directory.refresh_member(ctx.rt, cmd.team_id, cmd.user_id)
    tz = member.tz if member is not None else None
    update_modal(
        ctx.client, opened, ui.pod_modal(PodFormValues(timezone=tz), private_metadata=metadata)
    )


def _edit(ctx: CommandContext, rest: str) -> None:
    cmd = ctx.command
    name = _pod_name(ctx, rest, "edit")
    if name is None:
        return
    try:
        with ctx.rt.db.transaction() as tx:
            pod = pods.require_by_name(tx, cmd.team_id, name)
            is_member = pods.is_pod_member(pod, cmd.user_id)
            values = pods.defaults_for_edit(pod)
            pod_id, pod_name = pod.id, pod.name
    except Refusal as refusal:
        ctx.refuse(refusal)
        return
    if not is_member and not is_program_admin(ctx.rt, cmd.sender):
        ctx.refuse(pods.NotAllowedToEdit(pod_name))
        return
    metadata = PodFormMetadata(pod_id=pod_id, origin_channel=cmd.channel_id).dumps()
    form = ui.pod_modal(values, pod_id=pod_id, private_metadata=metadata)
    if open_modal(ctx.client, cmd.trigger_id, form) is None:
        ctx.reply(help_ui.FORM_NOT_OPENED)


def _submitted(ack: Ack, body: dict[str, Any], client: WebClient, rt: Runtime) -> None:
    sender = sender_of(body)
    view = body.get("view") or {}
    metadata = PodFormMetadata.of(view) or PodFormMetadata()
    editing = metadata.pod_id is not None
    # Before the ack: only what the database can tell.
    try:
        is_admin = editing and is_program_admin(rt, sender, fresh=False)
        with rt.db.transaction() as tx:
            request = pod_setup.check_form(
                tx,
                team_id=sender.team_id,
                user_id=sender.user_id,
                user_is_admin=is_admin,
                pod_id=metadata.pod_id,
                fields=read_form(view),
            )
    except FormProblems as problems:
        ack(response_action="errors", errors=problems.errors)
        return
    except Exception:
        logger.exception("pod form check failed")
        ack(response_action="errors", errors={"name": SORRY})
        return

    saved: list[tuple[PodSaved, str]] = []

    def work() -> dict[str, Any]:
        now = rt.now()
        try:
            outcome = pod_setup.set_up_pod(
                rt.db.transaction,
                SlackWebDirectory(client),
                request,
                now,
                then=lambda tx, facts: notify_pods.pod_saved(tx, facts, now),
            )
        except Refusal as refusal:
            return ui.pod_modal(
                pod_setup.form_values(request.form),
                pod_id=metadata.pod_id,
                private_metadata=metadata.dumps(),
                problems={refusal.field or "name": refusal.message},
            )
        viewer_tz = _stored_tz(rt, sender)
        saved.append((outcome, viewer_tz))
        return ui.pod_saved_modal(
            outcome.pod, viewer_tz, created=outcome.created, rescheduled=outcome.rescheduled
        )

    title = "Edit pod" if editing else "New pod"
    submit_slowly(
        ack,
        client,
        body,
        working=ui.pod_working_modal(editing=editing),
        work=work,
        failed=lambda message: answers.info_modal(title, message),
    )
    for outcome, viewer_tz in saved:  # the confirmation stays in the conversation too
        message = ui.pod_saved_message(
            outcome.pod, viewer_tz, created=outcome.created, rescheduled=outcome.rescheduled
        )
        tell_submitter(client, sender.user_id, metadata.origin_channel, message)


def _stored_tz(rt: Runtime, sender: Sender) -> str:
    with rt.db.transaction() as tx:
        member = members_service.find(tx, sender.team_id, sender.user_id)
        return member.tz if member is not None else "UTC"


def tell_submitter(
    client: WebClient, user_id: str, channel_id: str, message: dict[str, Any]
) -> None:
    """Ephemeral where the command was typed; a DM when the bot can't post there."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, **message)
            return
        except SlackApiError as error:
            logger.info("ephemeral in %s failed (%s); DM instead", channel_id, error)
    try:
        client.chat_postMessage(channel=user_id, **message)
    except SlackApiError:
        logger.warning("could not confirm the pod to %s", user_id, exc_info=True)


# --------------------------------------------------------------------------- list


def _list(ctx: CommandContext, rest: str) -> None:
    cmd = ctx.command
    if rest:
        ctx.reply(help_ui.usage_message("pod", "`/coach pod list` takes nothing after it."))
        return
    viewer = directory.refresh_member(ctx.rt, cmd.team_id, cmd.user_id)
    with ctx.rt.db.transaction() as tx:
        listing = pods.list_pods(tx, cmd.team_id, viewer, cmd.user_id, ctx.rt.now())
    ctx.reply(ui.pod_list_message(listing))


# --------------------------------------------------------------------------- join / leave


def join(
    rt: Runtime, client: WebClient, sender: Sender, pod_ref: str | int, answer: Answer
) -> None:
    """Joins by name (command) or id (button) and tells the person."""
    tz = fresh_timezone(rt, sender)
    now = rt.now()
    try:
        joined = pod_setup.join(
            rt.db.transaction,
            SlackWebDirectory(client),
            team_id=sender.team_id,
            user_id=sender.user_id,
            pod_ref=pod_ref,
            now=now,
            then=lambda tx, facts: notify_pods.pod_joined(tx, facts, now),
        )
    except Refusal as refusal:
        refuse(answer, refusal)
        return
    answer(ui.joined_message(joined.pod, tz))


def _join(ctx: CommandContext, rest: str) -> None:
    name = _pod_name(ctx, rest, "join")
    if name is not None:
        join(ctx.rt, ctx.client, ctx.command.sender, name, ctx.reply)


def _leave(ctx: CommandContext, rest: str) -> None:
    name = _pod_name(ctx, rest, "leave")
    if name is None:
        return
    cmd = ctx.command
    try:
        info = pod_setup.leave(
            ctx.rt.db.transaction,
            SlackWebDirectory(ctx.client),
            team_id=cmd.team_id,
            user_id=cmd.user_id,
            name=name,
            now=ctx.rt.now(),
        )
    except Refusal as refusal:
        ctx.refuse(refusal)
        return
    ctx.reply(ui.left_message(info))


# --------------------------------------------------------------------------- cancel


def _cancel(ctx: CommandContext, rest: str) -> None:
    """`/coach pod cancel NAME [YYYY-MM-DD]`: one session of a pod (program admins)."""
    words = rest.split()
    on = None
    if words and LOOKS_LIKE_DATE.match(words[-1]):
        on = parse_iso_date(words[-1])
        if on is None:
            ctx.reply(help_ui.usage_message("pod", availability_ui.bad_date_problem(words[-1])))
            return
        words = words[:-1]
    name = " ".join(words)
    if not unquoted_pod_name(name):
        ctx.reply(help_ui.usage_message("pod", "Name the pod whose session to cancel."))
        return
    cmd = ctx.command
    if not is_program_admin(ctx.rt, cmd.sender):
        ctx.reply(availability_ui.cancel_not_admin_message())
        return
    tz = fresh_timezone(ctx.rt, cmd.sender)
    now = ctx.rt.now()
    try:
        with ctx.rt.db.transaction() as tx:
            pod = pods.require_by_name(tx, cmd.team_id, name)
            result = availability.cancel_pod_session(tx, pod, on, now, CANCEL_REASON)
            notify_sessions.session_cancelled(tx, result.notice, now)
    # Its dates read on the pod's calendar, which only ui formats.
    except availability.NoSessionToCancel as refusal:
        ctx.reply(
            availability_ui.no_session_to_cancel_message(
                refusal.pod_name, refusal.on, refusal.upcoming
            )
        )
    except Refusal as refusal:
        ctx.refuse(refusal)
    else:
        ctx.reply(availability_ui.cancelled_message(result, tz))


VERBS: dict[str, Callable[[CommandContext, str], None]] = {
    "create": _create,
    "edit": _edit,
    "list": _list,
    "join": _join,
    "leave": _leave,
    "cancel": _cancel,
}

COMMANDS = {"pod": handle_pod}


# --------------------------------------------------------------------------- listeners


def register(app: App, rt: Runtime) -> None:
    @app.view(ids.POD_FORM_CALLBACK)
    def pod_form_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        _submitted(ack, body, client, rt)

    @app.action(ids.POD_JOIN_ACTION)
    def pod_join_pressed(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        answer = answerer(body, client, respond)
        pod_id = pressed_id(body, answer, "`/coach pod list` shows the pods now.")
        if pod_id is not None:
            join(rt, client, sender_of(body), pod_id, answer)
