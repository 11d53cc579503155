"""Setting a pod up with what only Slack knows: the members' profiles, the pod's
group DM, a channel the bot can post in. Also joining and leaving a pod that
talks in a group DM (which Slack cannot grow: the pod moves to a new one).

Slack is reached only through the `SlackDirectory` port (bot.directory has the
implementation over the Web API). Database work runs in short transactions
from `Transactions`, never while Slack is being asked; the messages a change
causes are the caller's `then(tx, facts)`, run inside the saving transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.services import leavers, pods
from bot.services import members as members_service
from bot.services.members import SlackProfile
from bot.services.refusals import FormProblems, Refusal
from models.forms import PodForm, parse_pod_form
from models.pod_views import PodFormValues, PodInfo, PodJoined, PodSaved

Transactions = Callable[[], AbstractContextManager[Session]]


class ChannelRefused(Refusal):
    """The bot cannot post in the picked channel; `code` is Slack's error."""

    def __init__(self, code: str | None) -> None:
        if code in ("not_in_channel", "channel_not_found"):
            message = (
                "I can't post in that channel yet. Add me with `/invite @Coachbot` in it, "
                "then save again — or leave Channel empty for a group DM."
            )
        elif code == "is_archived":
            message = (
                "That channel is archived. Pick another one, or leave Channel empty for a group DM."
            )
        else:
            message = (
                f"I couldn't post in that channel ({code}). Pick another one, "
                "or leave Channel empty for a group DM."
            )
        super().__init__(message, field="channel")
        self.code = code


class GroupDmRefused(Refusal):
    def __init__(self, code: str | None) -> None:
        super().__init__(
            f"I couldn't start a group DM with these people ({code}). Pick a channel instead.",
            field="channel",
        )
        self.code = code


class MembersRefused(Refusal):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="members")


class SlackDirectory(Protocol):
    """What pod set-up asks Slack."""

    def fetch_profiles(self, user_ids: Sequence[str]) -> list[SlackProfile]:
        """users.info of each (those Slack does not know are left out)."""
        ...

    def open_group_dm(self, user_ids: Sequence[str]) -> str:
        """The group DM's channel id; GroupDmRefused when Slack says no."""
        ...

    def post_intro(self, channel_id: str, pod_name: str) -> None:
        """Says hello in the pod's channel; ChannelRefused when the bot can't post."""
        ...


@dataclass(frozen=True)
class PodRequest:
    """A pod form that passed every check the database can make."""

    team_id: str
    user_id: str
    user_is_admin: bool
    pod_id: int | None
    form: PodForm


# --------------------------------------------------------------------------- the form


def check_form(
    tx: Session,
    *,
    team_id: str,
    user_id: str,
    user_is_admin: bool,
    pod_id: int | None,
    fields: dict[str, Any],
) -> PodRequest:
    """Everything that can be checked before the ack (no Slack call): the form's
    fields, a name already taken, a group DM too small for the pod, whether the
    pod being edited still exists and the person may edit it. FormProblems with
    every problem at once."""
    fields = dict(fields)
    if "timezone" not in fields:
        # Submitted before the creator's timezone came back from Slack.
        submitter = members_service.find(tx, team_id, user_id)
        fields["timezone"] = submitter.tz if submitter is not None else "UTC"
    form, errors = parse_pod_form(fields)
    problems: dict[str, str] = {}
    if pod_id is not None:
        try:
            pods.check_can_edit(pods.require_pod(tx, team_id, pod_id), user_id, user_is_admin)
        except Refusal as refusal:
            problems["name"] = refusal.message
    name = form.name if form is not None else str(fields.get("name") or "")
    if "name" not in errors and pods.name_taken(tx, team_id, name, pod_id):
        problems.setdefault("name", pods.NameTaken(name).message)
    members = list(dict.fromkeys(fields.get("members") or []))
    if "members" not in errors and not fields.get("channel"):
        too_big = pods.group_dm_problem(len(members))
        if too_big:
            problems["channel"] = too_big
    problems = {**problems, **errors}
    if problems or form is None:
        raise FormProblems(problems)
    return PodRequest(team_id, user_id, user_is_admin, pod_id, form)


# --------------------------------------------------------------------------- after the ack


def set_up_pod(
    transaction: Transactions,
    directory: SlackDirectory,
    request: PodRequest,
    now: datetime,
    then: Callable[[Session, PodSaved], None],
) -> PodSaved:
    """Checks the members with Slack, finds the pod's conversation (the picked
    channel, introduced; the group DM it had; or a new group DM), then saves.
    A Refusal names the form field it is about."""
    check_members(transaction, directory, request.team_id, request.form.members, now)
    channel_id, is_group_dm = _conversation(transaction, directory, request)
    return _save(transaction, request, channel_id, is_group_dm, now, then)


def check_members(
    transaction: Transactions,
    directory: SlackDirectory,
    team_id: str,
    user_ids: Sequence[str],
    now: datetime,
) -> None:
    """Stale or unknown profiles are read from Slack; strangers and bots refused."""
    with transaction() as tx:
        known = members_service.find_many(tx, team_id, list(user_ids))
        stale = [uid for uid in user_ids if members_service.needs_refresh(known.get(uid), now)]
    profiles = directory.fetch_profiles(stale) if stale else []
    with transaction() as tx:
        for profile in profiles:
            leavers.apply_profile(tx, team_id, profile, now)
        found = members_service.find_many(tx, team_id, list(user_ids))
        problem = pods.member_problem(found, tuple(user_ids))
    if problem:
        raise MembersRefused(problem)


def _conversation(
    transaction: Transactions, directory: SlackDirectory, request: PodRequest
) -> tuple[str, bool]:
    """(channel id, is group DM)."""
    form = request.form
    with transaction() as tx:
        pod = (
            pods.get_pod(tx, request.team_id, request.pod_id)
            if request.pod_id is not None
            else None
        )
        current_channel = pod.channel_id if pod is not None else None
        same_group_dm = (
            pod is not None
            and pod.is_group_dm
            and bool(pod.channel_id)
            and set(pods.active_user_ids(pod)) == set(form.members)
        )
    if form.channel is not None:
        if form.channel != current_channel:
            directory.post_intro(form.channel, form.name)
        return form.channel, False
    if same_group_dm and current_channel:
        return current_channel, True
    return directory.open_group_dm(list(form.members)), True


def _save(
    transaction: Transactions,
    request: PodRequest,
    channel_id: str,
    is_group_dm: bool,
    now: datetime,
    then: Callable[[Session, PodSaved], None],
) -> PodSaved:
    form = request.form
    try:
        with transaction() as tx:
            if request.pod_id is None:
                saved = pods.create_pod(
                    tx,
                    team_id=request.team_id,
                    creator_id=request.user_id,
                    form=form,
                    channel_id=channel_id,
                    is_group_dm=is_group_dm,
                    now=now,
                )
            else:
                saved = pods.update_pod(
                    tx,
                    team_id=request.team_id,
                    pod_id=request.pod_id,
                    editor_id=request.user_id,
                    editor_is_admin=request.user_is_admin,
                    form=form,
                    channel_id=channel_id,
                    is_group_dm=is_group_dm,
                    now=now,
                )
            then(tx, saved)
    except IntegrityError:
        with transaction() as tx:  # lost a race for the name?
            if not pods.name_taken(tx, request.team_id, form.name, request.pod_id):
                raise
        raise pods.NameTaken(form.name) from None
    return saved


# --------------------------------------------------------------------------- join / leave


def join(
    transaction: Transactions,
    directory: SlackDirectory,
    *,
    team_id: str,
    user_id: str,
    pod_ref: str | int,
    now: datetime,
    then: Callable[[Session, PodJoined], None],
) -> PodJoined:
    """Joins by name (a command) or id (a button). A pod in a group DM moves to a
    group DM that includes the newcomer."""
    with transaction() as tx:
        pod = pods.require(tx, team_id, pod_ref)
        current = pods.check_join(pod, user_id)
        pod_id, group_dm = pod.id, pod.is_group_dm and bool(pod.channel_id)
    new_dm = _regroup(directory, [*current, user_id]) if group_dm else None
    try:
        with transaction() as tx:
            pod = pods.require(tx, team_id, pod_id)
            joined = pods.join_pod(tx, pod=pod, user_id=user_id, now=now, new_group_dm=new_dm)
            then(tx, joined)
    except IntegrityError:
        # Another copy of this join (a double click) got in first: say so.
        with transaction() as tx:
            pods.check_join(pods.require(tx, team_id, pod_id), user_id)
        raise
    return joined


def leave(
    transaction: Transactions,
    directory: SlackDirectory,
    *,
    team_id: str,
    user_id: str,
    name: str,
    now: datetime,
) -> PodInfo:
    with transaction() as tx:
        pod = pods.require_by_name(tx, team_id, name)
        staying = pods.check_leave(pod, user_id)
        pod_id, group_dm = pod.id, pod.is_group_dm and bool(pod.channel_id)
    new_dm = _regroup(directory, list(staying)) if group_dm and len(staying) >= 2 else None
    with transaction() as tx:
        pod = pods.require(tx, team_id, pod_id)
        return pods.leave_pod(tx, pod=pod, user_id=user_id, now=now, new_group_dm=new_dm)


def _regroup(directory: SlackDirectory, user_ids: list[str]) -> str | None:
    """A group DM with the pod's new set of people; None keeps the old one."""
    try:
        return directory.open_group_dm(user_ids)
    except GroupDmRefused:
        return None


def form_values(form: PodForm) -> PodFormValues:
    """The form as submitted, to show it again."""
    return PodFormValues(
        name=form.name,
        focus_kind=form.focus_kind,
        focus_text=form.focus_text,
        members=form.members,
        cadence=form.cadence,
        weekday=form.weekday,
        time=form.time,
        timezone=form.timezone,
        channel=form.channel,
        celebrate=form.celebrate,
    )
