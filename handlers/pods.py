"""/coach pod …: create, edit, list, join, leave (and cancel, in handlers.availability);
the pod modal's submission and the Join button.

Thin: parse, ask Slack what only Slack knows (profiles, a group DM), call the
pods service in one transaction, answer with the ui builders.
"""

from __future__ import annotations

import difflib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError

from bot import directory
from bot.runtime import Runtime
from bot.services import members as members_service
from bot.services import pods
from bot.ui import help as help_ui
from bot.ui import pods as ui
from handlers import availability as availability_handlers
from handlers.commands import CommandContext
from models import Member
from models.forms import PodForm, normalize_pod_name, parse_pod_form

logger = logging.getLogger(__name__)

PROFILE_FETCH_THREADS = 6


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
        close = difflib.get_close_matches(verb, list(VERBS), n=1, cutoff=0.6)
        hint = f" Did you mean `/coach pod {close[0]}`?" if close else ""
        ctx.reply(help_ui.usage_message("pod", f"Unknown pod command `{verb}`.{hint}"))
        return
    handler(ctx, rest)


def _pod_name(ctx: CommandContext, rest: str, verb: str) -> str | None:
    name = rest.strip().strip("\"'“”‘’").strip()
    if not name:
        ctx.reply(help_ui.usage_message("pod", f"Name the pod: `/coach pod {verb} NAME`."))
        return None
    return name


def unknown_pod_message(error: pods.UnknownPod) -> dict[str, Any]:
    return help_ui.usage_message("pod", ui.unknown_pod_problem(error.name, error.suggestions))


def problem_message(error: pods.PodProblem) -> dict[str, Any]:
    if isinstance(error, pods.UnknownPod):
        return unknown_pod_message(error)
    if isinstance(error, pods.AlreadyMember):
        return ui.already_member_message(error.pod_name)
    if isinstance(error, pods.NotMember):
        return ui.not_member_message(error.pod_name)
    if isinstance(error, pods.PodFull):
        return ui.pod_full_message(error.pod_name, error.limit)
    if isinstance(error, pods.GroupDmFull):
        return ui.group_dm_full_message(error.pod_name, error.limit)
    if isinstance(error, pods.NotAllowedToEdit):
        return ui.not_allowed_to_edit_message(error.pod_name)
    if isinstance(error, pods.NameTaken):
        return {"text": ui.name_taken_text(error.name)}
    raise error  # pragma: no cover - every problem has its message


# --------------------------------------------------------------------------- create / edit


def _create(ctx: CommandContext, rest: str) -> None:
    cmd = ctx.command
    if rest:
        ctx.reply(help_ui.usage_message("pod", "`/coach pod create` takes no name: the form asks."))
        return
    with ctx.rt.db.transaction() as session:
        known = members_service.find(session, cmd.team_id, cmd.user_id)
        tz = known.tz if known is not None and known.profile_refreshed_at else None
    metadata = ui.PodFormMetadata(origin_channel=cmd.channel_id)
    opened = _open_modal(
        ctx, ui.pod_modal(ui.PodFormValues(timezone=tz), metadata, timezone_pending=tz is None)
    )
    if opened is None or tz is not None:
        return
    # Slow work only after the modal is up: the creator's timezone from users.info.
    member = directory.refresh_member(ctx.rt, cmd.team_id, cmd.user_id)
    values = ui.PodFormValues(timezone=member.tz if member is not None else None)
    try:
        ctx.client.views_update(
            view_id=opened["id"], hash=opened.get("hash"), view=ui.pod_modal(values, metadata)
        )
    except SlackApiError as error:
        logger.info("could not add the timezone to the pod form: %s", error.response.get("error"))


def _edit(ctx: CommandContext, rest: str) -> None:
    cmd = ctx.command
    name = _pod_name(ctx, rest, "edit")
    if name is None:
        return
    try:
        with ctx.rt.db.transaction() as session:
            pod = pods.require_by_name(session, cmd.team_id, name)
            is_member = pods.is_pod_member(pod, cmd.user_id)
            values = pods.defaults_for_edit(pod)
            pod_id, pod_name = pod.id, pod.name
    except pods.UnknownPod as error:
        ctx.reply(unknown_pod_message(error))
        return
    if not is_member and not directory.is_program_admin(ctx.rt, cmd.team_id, cmd.user_id):
        ctx.reply(ui.not_allowed_to_edit_message(pod_name))
        return
    metadata = ui.PodFormMetadata(pod_id=pod_id, origin_channel=cmd.channel_id)
    _open_modal(ctx, ui.pod_modal(values, metadata))


def _open_modal(ctx: CommandContext, view: dict[str, Any]) -> dict[str, Any] | None:
    try:
        response = ctx.client.views_open(trigger_id=ctx.command.trigger_id, view=view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        ctx.reply("Slack didn't let me open the form in time. Please run the command again.")
        return None
    return response["view"]


def read_pod_state(values: dict[str, Any]) -> dict[str, Any]:
    """{field: value} from a pod modal's state.values (block_id = field name)."""

    def element(block_id: str) -> dict[str, Any]:
        actions = values.get(block_id) or {}
        return next(iter(actions.values()), {}) if isinstance(actions, dict) else {}

    def selected(block_id: str) -> str | None:
        chosen = element(block_id).get("selected_option") or {}
        return chosen.get("value")

    fields: dict[str, Any] = {
        "name": element("name").get("value"),
        "focus_kind": selected("focus_kind"),
        "focus_text": element("focus_text").get("value"),
        "members": element("members").get("selected_users") or [],
        "cadence": selected("cadence"),
        "weekday": selected("weekday"),
        "time": element("time").get("selected_time"),
        "channel": element("channel").get("selected_conversation"),
    }
    if "timezone" in values:
        fields["timezone"] = element("timezone").get("value") or ""
    return fields


def known_members(rt: Runtime, team_id: str, user_ids: list[str]) -> dict[str, Member]:
    """Member rows for these users, stale profiles fetched from users.info in
    parallel (a 12-person pod costs one round trip, not twelve)."""
    now = rt.now()
    with rt.db.transaction() as session:
        known = members_service.find_many(session, team_id, user_ids)
    stale = [uid for uid in user_ids if members_service.needs_refresh(known.get(uid), now)]
    if not stale:
        return known
    threads = min(PROFILE_FETCH_THREADS, len(stale))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="users-info") as pool:
        profiles = list(pool.map(lambda uid: directory.fetch_profile(rt, uid), stale))
    with rt.db.transaction() as session:
        for profile in profiles:
            if profile is not None:
                members_service.upsert_profile(session, team_id, profile, now)
        found = members_service.find_many(session, team_id, user_ids)
    return {uid: found[uid] for uid in user_ids if uid in found}


def _submitted(ack: Ack, body: dict[str, Any], client: WebClient, rt: Runtime) -> None:
    user_id = body["user"]["id"]
    team_id = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
    view = body["view"]
    metadata = ui.PodFormMetadata.loads(view.get("private_metadata"))
    fields = read_pod_state(view.get("state", {}).get("values", {}))
    if "timezone" not in fields:  # submitted before the timezone lookup came back
        with rt.db.transaction() as session:
            submitter = members_service.find(session, team_id, user_id)
            fields["timezone"] = submitter.tz if submitter is not None else "UTC"

    form, errors = parse_pod_form(fields)
    errors = {**_more_problems(rt, team_id, fields, errors, metadata.pod_id), **errors}
    if errors or form is None:
        ack(response_action="errors", errors=errors)
        return

    try:
        channel_id, is_group_dm = _pod_conversation(rt, client, team_id, form, metadata)
    except _ChannelProblem as problem:
        ack(response_action="errors", errors={"channel": str(problem)})
        return

    now = rt.now()
    try:
        with rt.db.transaction() as session:
            if metadata.pod_id is None:
                saved = pods.create_pod(
                    session,
                    team_id=team_id,
                    creator_id=user_id,
                    form=form,
                    channel_id=channel_id,
                    is_group_dm=is_group_dm,
                    now=now,
                )
            else:
                saved = pods.update_pod(
                    session,
                    team_id=team_id,
                    pod_id=metadata.pod_id,
                    editor_id=user_id,
                    editor_is_admin=_is_admin_cached(rt, session, team_id, user_id),
                    form=form,
                    channel_id=channel_id,
                    is_group_dm=is_group_dm,
                    now=now,
                )
            submitter = members_service.find(session, team_id, user_id)
            viewer_tz = submitter.tz if submitter is not None else "UTC"
    except pods.NameTaken:
        ack(response_action="errors", errors={"name": ui.name_taken_text(form.name)})
        return
    except IntegrityError:
        with rt.db.transaction() as session:  # lost a race for the name?
            if not pods.name_taken(session, team_id, form.name, metadata.pod_id):
                raise
        ack(response_action="errors", errors={"name": ui.name_taken_text(form.name)})
        return
    except pods.NotAllowedToEdit as error:
        ack(response_action="errors", errors={"name": _not_allowed_text(error.pod_name)})
        return
    except pods.UnknownPod:
        ack(response_action="errors", errors={"name": "This pod no longer exists."})
        return

    ack()
    message = ui.pod_saved_message(
        saved.pod, viewer_tz, created=metadata.pod_id is None, rescheduled=saved.rescheduled
    )
    tell_submitter(client, user_id, metadata.origin_channel, message)


class _ChannelProblem(Exception):
    pass


def _not_allowed_text(pod_name: str) -> str:
    return f"Only members of {pod_name} and program admins can edit it."


def _is_admin_cached(rt: Runtime, session: Any, team_id: str, user_id: str) -> bool:
    """Program admin from what we stored (the edit command refreshed it)."""
    if user_id in rt.settings.admin_user_ids:
        return True
    member = members_service.find(session, team_id, user_id)
    return members_service.is_program_admin(member, rt.settings.admin_user_ids)


def _more_problems(
    rt: Runtime,
    team_id: str,
    fields: dict[str, Any],
    errors: dict[str, str],
    pod_id: int | None,
) -> dict[str, str]:
    """What the form model cannot see: a taken name, bots or strangers among the
    members (users.info), a group DM too big. Checked for every field that is
    otherwise fine, so all problems show at once."""
    problems: dict[str, str] = {}
    name = normalize_pod_name(fields.get("name") or "")
    if "name" not in errors:
        with rt.db.transaction() as session:
            if pods.name_taken(session, team_id, name, pod_id):
                problems["name"] = ui.name_taken_text(name)
    if "members" not in errors:
        user_ids = list(dict.fromkeys(fields.get("members") or []))
        problem = pods.member_problem(known_members(rt, team_id, user_ids), tuple(user_ids))
        if problem:
            problems["members"] = problem
        elif not fields.get("channel"):
            problem = pods.group_dm_problem(len(user_ids))
            if problem:
                problems["channel"] = problem
    return problems


def _pod_conversation(
    rt: Runtime,
    client: WebClient,
    team_id: str,
    form: PodForm,
    metadata: ui.PodFormMetadata,
) -> tuple[str | None, bool]:
    """(channel id, is group DM): the picked channel, the pod's group DM when its
    people did not change, or a new group DM with the members."""
    if form.channel is not None:
        if _channel_is_new(rt, team_id, metadata, form.channel):
            introduce_pod_channel(client, form.channel, form.name)
        return form.channel, False
    if metadata.pod_id is not None:
        with rt.db.transaction() as session:
            pod = pods.get_pod(session, team_id, metadata.pod_id)
            if (
                pod is not None
                and pod.is_group_dm
                and pod.channel_id
                and set(pods.active_user_ids(pod)) == set(form.members)
            ):
                return pod.channel_id, True
    return open_group_dm(client, list(form.members)), True


def _channel_is_new(rt: Runtime, team_id: str, metadata: ui.PodFormMetadata, channel: str) -> bool:
    if metadata.pod_id is None:
        return True
    with rt.db.transaction() as session:
        pod = pods.get_pod(session, team_id, metadata.pod_id)
        return pod is None or pod.channel_id != channel


def introduce_pod_channel(client: WebClient, channel_id: str, pod_name: str) -> None:
    """Say hello in the pod's new channel, which also proves the bot can post there
    before anything is saved."""
    text, blocks = ui.pod_channel_intro(pod_name)
    try:
        client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
    except SlackApiError as error:
        code = error.response.get("error")
        logger.info("cannot post in the pod channel %s: %s", channel_id, code)
        raise _ChannelProblem(ui.channel_problem_text(code)) from error


def open_group_dm(client: WebClient, user_ids: list[str]) -> str:
    try:
        response = client.conversations_open(users=",".join(user_ids))
    except SlackApiError as error:
        code = error.response.get("error")
        logger.warning("conversations.open for a pod failed: %s", code)
        raise _ChannelProblem(
            f"I couldn't start a group DM with these people ({code}). Pick a channel instead."
        ) from error
    return response["channel"]["id"]


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
    with ctx.rt.db.transaction() as session:
        listing = pods.list_pods(session, cmd.team_id, viewer, cmd.user_id, ctx.rt.now())
    ctx.reply(ui.pod_list_message(listing))


# --------------------------------------------------------------------------- join / leave


def join(rt: Runtime, client: WebClient, team_id: str, user_id: str, pod_ref: str | int) -> dict:
    """Joins by name (command) or id (button); returns the answer for the person."""
    member = directory.refresh_member(rt, team_id, user_id)
    tz = member.tz if member is not None else "UTC"
    try:
        with rt.db.transaction() as session:
            pod = _lookup(session, team_id, pod_ref)
            current = pods.check_join(pod, user_id)
            pod_id, group_dm = pod.id, pod.is_group_dm and bool(pod.channel_id)
        new_dm = _regroup(client, [*current, user_id]) if group_dm else None
        with rt.db.transaction() as session:
            pod = _lookup(session, team_id, pod_id)
            info = pods.join_pod(
                session, pod=pod, user_id=user_id, now=rt.now(), new_group_dm=new_dm
            )
    except pods.PodProblem as error:
        return problem_message(error)
    return ui.joined_message(info, tz)


def leave(rt: Runtime, client: WebClient, team_id: str, user_id: str, name: str) -> dict:
    try:
        with rt.db.transaction() as session:
            pod = _lookup(session, team_id, name)
            staying = pods.check_leave(pod, user_id)
            pod_id, group_dm = pod.id, pod.is_group_dm and bool(pod.channel_id)
        new_dm = _regroup(client, list(staying)) if group_dm and len(staying) >= 2 else None
        with rt.db.transaction() as session:
            pod = _lookup(session, team_id, pod_id)
            info = pods.leave_pod(
                session, pod=pod, user_id=user_id, now=rt.now(), new_group_dm=new_dm
            )
    except pods.PodProblem as error:
        return problem_message(error)
    return ui.left_message(info)


def _lookup(session: Any, team_id: str, pod_ref: str | int) -> Any:
    if isinstance(pod_ref, int):
        pod = pods.get_pod(session, team_id, pod_ref)
        if pod is None:
            raise pods.UnknownPod("", [])
        return pod
    return pods.require_by_name(session, team_id, pod_ref)


def _regroup(client: WebClient, user_ids: list[str]) -> str | None:
    """A group DM with the pod's new set of people; None keeps the old one."""
    try:
        return open_group_dm(client, user_ids)
    except _ChannelProblem:
        return None


def _join(ctx: CommandContext, rest: str) -> None:
    name = _pod_name(ctx, rest, "join")
    if name is not None:
        cmd = ctx.command
        ctx.reply(join(ctx.rt, ctx.client, cmd.team_id, cmd.user_id, name))


def _leave(ctx: CommandContext, rest: str) -> None:
    name = _pod_name(ctx, rest, "leave")
    if name is not None:
        cmd = ctx.command
        ctx.reply(leave(ctx.rt, ctx.client, cmd.team_id, cmd.user_id, name))


VERBS = {
    "create": _create,
    "edit": _edit,
    "list": _list,
    "join": _join,
    "leave": _leave,
    "cancel": availability_handlers.pod_cancel,
}

COMMANDS = {"pod": handle_pod}


# --------------------------------------------------------------------------- listeners


def register(app: App, rt: Runtime) -> None:
    @app.view(ui.POD_FORM_CALLBACK)
    def pod_form_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        _submitted(ack, body, client, rt)

    @app.action(ui.POD_JOIN_ACTION)
    def pod_join_pressed(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        team_id = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
        value = (body.get("actions") or [{}])[0].get("value") or ""
        if not value.isdigit():
            respond(
                text="That button is out of date. `/coach pod list` shows the pods now.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        message = join(rt, client, team_id, user_id, int(value))
        respond(response_type="ephemeral", replace_original=False, **message)
