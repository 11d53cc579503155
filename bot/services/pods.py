"""Pods and their membership: create, edit, list, join, leave.

Plain Python over the database (`tx`); no Slack calls. Anything that must be
asked of Slack first (profiles, a group DM for the pod) is passed in. The
messages to other people are the caller's: these return facts (bot.notify.pods).
"""

from __future__ import annotations

import difflib
from datetime import datetime

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from bot.services import members as members_service
from bot.services import sessions
from bot.services.refusals import Refusal
from models import Member, Pod, PodMembership, PodSession, SessionStatus
from models.forms import POD_MAX_MEMBERS, PodForm, normalize_pod_name, unquoted_pod_name
from models.pod_views import PodFormValues, PodInfo, PodJoined, PodListing, PodPerson, PodSaved

GROUP_DM_MAX_MEMBERS = 8
"""conversations.open takes at most 8 users: a bigger pod needs a channel."""
LIST_LIMIT = 40
"""Pods shown by /coach pod list (Slack allows 50 blocks per message)."""
SUGGESTIONS = 3


# --------------------------------------------------------------------------- refusals


class UnknownPod(Refusal):
    def __init__(self, name: str, suggestions: list[str] | tuple[str, ...] = ()) -> None:
        if not name:
            message = "That pod no longer exists."
        elif suggestions:
            message = f"There is no pod called “{name}”."
        else:
            message = f"There is no pod called “{name}”. `/coach pod list` shows them all."
        super().__init__(message, field="name", suggestions=suggestions, usage="pod")
        self.name = name


class NameTaken(Refusal):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"There is already a pod called “{name}”. Pick another name.", field="name"
        )
        self.name = name


class AlreadyMember(Refusal):
    def __init__(self, pod_name: str) -> None:
        super().__init__(f"You're already in *{pod_name}*. `/coach next` shows your sessions.")


class NotMember(Refusal):
    def __init__(self, pod_name: str) -> None:
        super().__init__(
            f"You're not in *{pod_name}*, so there is nothing to leave. "
            "`/coach pod list` shows your pods."
        )


class NotAllowedToEdit(Refusal):
    def __init__(self, pod_name: str) -> None:
        super().__init__(
            f"Only members of *{pod_name}* and program admins can edit it. "
            f"Join it first with `/coach pod join {pod_name}`.",
            field="name",
        )


class PodFull(Refusal):
    def __init__(self, pod_name: str) -> None:
        super().__init__(
            f"*{pod_name}* is full ({POD_MAX_MEMBERS} people at most). "
            "`/coach pod list` shows pods with room, or start one with `/coach pod create`."
        )


class GroupDmFull(Refusal):
    """The pod talks in a group DM, which cannot hold another person."""

    def __init__(self, pod_name: str) -> None:
        super().__init__(
            f"*{pod_name}* talks in a group DM, which holds at most {GROUP_DM_MAX_MEMBERS} "
            f"people. Ask a member to move it to a channel (`/coach pod edit {pod_name}`), "
            "then join."
        )


# --------------------------------------------------------------------------- views of pods


def pod_name_key(name: str) -> str:
    """Case- and spacing-insensitive key; unique per workspace (Pod.name_key)."""
    return normalize_pod_name(name).casefold()


def unquoted_name_key(name: str) -> str:
    """`pod_name_key` without the quotes around the name: the second way to find a pod."""
    return unquoted_pod_name(name).casefold()


def active_user_ids(pod: Pod) -> tuple[str, ...]:
    return tuple(m.member.user_id for m in pod.memberships if m.active)


def pod_info(
    tx: Session, pod: Pod, now: datetime, next_starts_at: datetime | None = None
) -> PodInfo:
    """`next_starts_at` when the caller loaded it already (the list, in bulk)."""
    if next_starts_at is None:
        upcoming = sessions.next_session_for_pod(tx, pod.id, now)
        next_starts_at = upcoming.starts_at if upcoming else None
    return PodInfo(
        id=pod.id,
        team_id=pod.team_id,
        name=pod.name,
        focus_kind=pod.focus_kind,
        focus_text=pod.focus_text,
        interval_weeks=pod.interval_weeks,
        weekday=pod.weekday,
        local_time=pod.local_time,
        timezone=pod.timezone,
        channel_id=pod.channel_id,
        is_group_dm=pod.is_group_dm,
        member_user_ids=active_user_ids(pod),
        next_starts_at=next_starts_at,
    )


# --------------------------------------------------------------------------- lookups


def _live(team_id: str) -> tuple:  # type: ignore[type-arg]
    return (Pod.team_id == team_id, Pod.archived_at.is_(None))


def _active_pods(team_id: str) -> Select[tuple[Pod]]:
    return select(Pod).where(*_live(team_id))


def get_pod(tx: Session, team_id: str, pod_id: int) -> Pod | None:
    return tx.scalar(_active_pods(team_id).where(Pod.id == pod_id))


def require_pod(tx: Session, team_id: str, pod_id: int) -> Pod:
    pod = get_pod(tx, team_id, pod_id)
    if pod is None:
        raise UnknownPod("")
    return pod


def find_by_name(tx: Session, team_id: str, name: str) -> Pod | None:
    """The pod named exactly so (case and spacing aside); else the one whose name
    matches once the quotes around both names are dropped, a pod whose stored name
    has no quotes first."""
    exact = tx.scalar(_active_pods(team_id).where(Pod.name_key == pod_name_key(name)))
    if exact is not None:
        return exact
    wanted = unquoted_name_key(name)
    if not wanted:
        return None
    candidates = tx.execute(
        select(Pod.id, Pod.name_key).where(
            *_live(team_id), Pod.name_key.contains(wanted, autoescape=True)
        )
    )
    matches = sorted(
        (key != wanted, pod_id) for pod_id, key in candidates if unquoted_name_key(key) == wanted
    )
    return get_pod(tx, team_id, matches[0][1]) if matches else None


def closest_names(tx: Session, team_id: str, name: str, n: int = SUGGESTIONS) -> list[str]:
    names = tx.scalars(select(Pod.name).where(*_live(team_id)).order_by(Pod.name_key))
    by_key: dict[str, list[str]] = {}
    for known in names:
        by_key.setdefault(unquoted_name_key(known), []).append(known)
    wanted = unquoted_name_key(name)
    matches = difflib.get_close_matches(wanted, list(by_key), n=n, cutoff=0.5)
    contained = [key for key in by_key if wanted and (wanted in key or key in wanted)]
    ordered = list(dict.fromkeys([*matches, *contained]))
    return [known for key in ordered for known in by_key[key]][:n]


def require_by_name(tx: Session, team_id: str, name: str) -> Pod:
    pod = find_by_name(tx, team_id, name)
    if pod is None:
        shown = unquoted_pod_name(name) or normalize_pod_name(name)
        raise UnknownPod(shown, closest_names(tx, team_id, name))
    return pod


def require(tx: Session, team_id: str, pod_ref: str | int) -> Pod:
    """A pod by name (a command) or id (a button)."""
    if isinstance(pod_ref, int):
        return require_pod(tx, team_id, pod_ref)
    return require_by_name(tx, team_id, pod_ref)


def name_taken(tx: Session, team_id: str, name: str, except_pod_id: int | None) -> bool:
    query = select(Pod.id).where(Pod.team_id == team_id, Pod.name_key == pod_name_key(name))
    if except_pod_id is not None:
        query = query.where(Pod.id != except_pod_id)
    return tx.scalar(query) is not None


def is_pod_member(pod: Pod, user_id: str) -> bool:
    return user_id in active_user_ids(pod)


def can_edit(pod: Pod, user_id: str, is_admin: bool) -> bool:
    return is_admin or is_pod_member(pod, user_id)


def check_can_edit(pod: Pod, user_id: str, is_admin: bool) -> None:
    if not can_edit(pod, user_id, is_admin):
        raise NotAllowedToEdit(pod.name)


def member_problem(known: dict[str, Member], user_ids: tuple[str, ...]) -> str | None:
    """Why these people cannot be a pod's members, or None. `known` holds the
    Member rows Slack confirmed (bots flagged)."""
    unknown = [uid for uid in user_ids if uid not in known]
    if unknown:
        who = ", ".join(f"<@{uid}>" for uid in unknown)
        return f"I couldn't find {who} in this workspace. Pick people from the list."
    bots = [known[uid].name for uid in user_ids if known[uid].is_bot]
    if bots:
        return f"Bots can't be pod members: {', '.join(bots)}. Pick people only."
    gone = [known[uid].name for uid in user_ids if known[uid].deactivated_at is not None]
    if gone:
        return f"{', '.join(gone)} left this workspace. Pick people who are still here."
    return None


def group_dm_problem(size: int) -> str | None:
    """Why a pod of `size` people cannot talk in a group DM, or None."""
    if size > GROUP_DM_MAX_MEMBERS:
        return (
            f"Without a channel I start a group DM, which holds at most "
            f"{GROUP_DM_MAX_MEMBERS} people. Pick a channel for a pod of {size}."
        )
    return None


def defaults_for_edit(pod: Pod) -> PodFormValues:
    return PodFormValues(
        name=pod.name,
        focus_kind=pod.focus_kind,
        focus_text=pod.focus_text,
        members=active_user_ids(pod),
        cadence=pod.interval_weeks,
        weekday=pod.weekday,
        time=pod.local_time,
        timezone=pod.timezone,
        channel=None if pod.is_group_dm else pod.channel_id,
        is_group_dm=pod.is_group_dm and bool(pod.channel_id),
        celebrate=pod.celebrate,
    )


# --------------------------------------------------------------------------- create / edit


def create_pod(
    tx: Session,
    *,
    team_id: str,
    creator_id: str,
    form: PodForm,
    channel_id: str | None,
    is_group_dm: bool,
    now: datetime,
) -> PodSaved:
    """Writes the pod and its members and schedules the first session."""
    if name_taken(tx, team_id, form.name, None):
        raise NameTaken(form.name)
    pod = Pod(
        team_id=team_id,
        name=form.name,
        name_key=pod_name_key(form.name),
        focus_kind=form.focus_kind,
        focus_text=form.focus_text,
        interval_weeks=form.cadence,
        weekday=form.weekday,
        local_time=form.time,
        timezone=form.timezone,
        channel_id=channel_id,
        is_group_dm=is_group_dm,
        celebrate=form.celebrate,
        created_by=creator_id,
        created_at=now,
    )
    tx.add(pod)
    tx.flush()
    for user_id in form.members:
        _add_membership(tx, pod, user_id, now)
    tx.flush()
    tx.refresh(pod, ["memberships"])
    sessions.schedule_upcoming(tx, now, [pod.id])
    return PodSaved(
        pod=pod_info(tx, pod, now),
        actor_id=creator_id,
        created=True,
        added=_people(tx, team_id, form.members),
        new_members=form.members,
    )


def update_pod(
    tx: Session,
    *,
    team_id: str,
    pod_id: int,
    editor_id: str,
    editor_is_admin: bool,
    form: PodForm,
    channel_id: str | None,
    is_group_dm: bool,
    now: datetime,
) -> PodSaved:
    """Applies the edit form; moves future sessions when the rhythm changed and
    reassigns roles of the next session when the people changed."""
    pod = require_pod(tx, team_id, pod_id)
    check_can_edit(pod, editor_id, editor_is_admin)
    if name_taken(tx, team_id, form.name, pod.id):
        raise NameTaken(form.name)

    rhythm_before = (pod.interval_weeks, pod.weekday, pod.local_time, pod.timezone)
    pod.name = form.name
    pod.name_key = pod_name_key(form.name)
    pod.focus_kind = form.focus_kind
    pod.focus_text = form.focus_text
    pod.interval_weeks = form.cadence
    pod.weekday = form.weekday
    pod.local_time = form.time
    pod.timezone = form.timezone
    pod.channel_id = channel_id
    pod.is_group_dm = is_group_dm
    pod.celebrate = form.celebrate
    rescheduled = rhythm_before != (pod.interval_weeks, pod.weekday, pod.local_time, pod.timezone)

    before = active_user_ids(pod)
    added = tuple(uid for uid in form.members if uid not in before)
    removed = tuple(uid for uid in before if uid not in form.members)
    for membership in pod.memberships:
        if membership.active and membership.member.user_id in removed:
            membership.left_at = now
    returning = frozenset(uid for uid in added if _add_membership(tx, pod, uid, now))
    tx.flush()
    tx.refresh(pod, ["memberships"])

    if rescheduled:
        sessions.reschedule_pod(tx, pod, now)
    if added or removed:
        _reassign_next(tx, pod, now)
    elif sessions.next_session_for_pod(tx, pod.id, now) is None:
        sessions.schedule_upcoming(tx, now, [pod.id])

    return PodSaved(
        pod=pod_info(tx, pod, now),
        actor_id=editor_id,
        created=False,
        added=_people(tx, team_id, added),
        returning=returning,
        removed=removed,
        new_members=tuple(uid for uid in added if uid not in returning),
        rescheduled=rescheduled,
    )


def _add_membership(tx: Session, pod: Pod, user_id: str, now: datetime) -> bool:
    """A new membership period (an earlier one stays closed, so the time away is never
    counted as in). True when the person had been in the pod before."""
    member = members_service.get_or_create(tx, pod.team_id, user_id, now)
    returning = tx.scalar(
        select(exists().where(PodMembership.pod_id == pod.id, PodMembership.member_id == member.id))
    )
    tx.add(PodMembership(team_id=pod.team_id, pod_id=pod.id, member_id=member.id, joined_at=now))
    return bool(returning)


def _reassign_next(tx: Session, pod: Pod, now: datetime) -> None:
    upcoming = sessions.next_session_for_pod(tx, pod.id, now)
    if upcoming is not None:
        sessions.reassign_roles(tx, upcoming, now)
    else:
        sessions.schedule_upcoming(tx, now, [pod.id])


def _people(tx: Session, team_id: str, user_ids: tuple[str, ...]) -> tuple[PodPerson, ...]:
    known = members_service.find_many(tx, team_id, list(user_ids))
    return tuple(PodPerson(uid, known[uid].tz if uid in known else "UTC") for uid in user_ids)


# --------------------------------------------------------------------------- list


def list_pods(
    tx: Session, team_id: str, viewer: Member | None, viewer_id: str, now: datetime
) -> PodListing:
    total = tx.scalar(select(func.count()).select_from(Pod).where(*_live(team_id)))
    pods = tx.scalars(
        _active_pods(team_id)
        .order_by(Pod.name_key)
        .limit(LIST_LIMIT)
        .options(selectinload(Pod.memberships).selectinload(PodMembership.member))
    ).all()
    starts = _next_starts(tx, [pod.id for pod in pods], now)
    infos = [pod_info(tx, pod, now, starts.get(pod.id)) for pod in pods]
    return PodListing(
        pods=infos,
        total=int(total or 0),
        viewer_user_id=viewer_id,
        viewer_tz=viewer.tz if viewer else "UTC",
    )


def _next_starts(tx: Session, pod_ids: list[int], now: datetime) -> dict[int, datetime]:
    """Each pod's next session start (as sessions.next_session_for_pod), in one query."""
    if not pod_ids:
        return {}
    rows = tx.execute(
        select(PodSession.pod_id, func.min(PodSession.starts_at))
        .where(
            PodSession.pod_id.in_(pod_ids),
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.ends_at > now,
        )
        .group_by(PodSession.pod_id)
    )
    return {pod_id: starts_at for pod_id, starts_at in rows}


# --------------------------------------------------------------------------- join / leave


def check_join(pod: Pod, user_id: str) -> tuple[str, ...]:
    """The current members, or why this person cannot join."""
    current = active_user_ids(pod)
    if user_id in current:
        raise AlreadyMember(pod.name)
    if len(current) >= POD_MAX_MEMBERS:
        raise PodFull(pod.name)
    if pod.is_group_dm and pod.channel_id and len(current) >= GROUP_DM_MAX_MEMBERS:
        raise GroupDmFull(pod.name)
    return current


def check_leave(pod: Pod, user_id: str) -> tuple[str, ...]:
    """The members who stay, or NotMember."""
    current = active_user_ids(pod)
    if user_id not in current:
        raise NotMember(pod.name)
    return tuple(uid for uid in current if uid != user_id)


def join_pod(
    tx: Session,
    *,
    pod: Pod,
    user_id: str,
    now: datetime,
    new_group_dm: str | None = None,
) -> PodJoined:
    """Adds the person; the next session's coach and buddies are worked out again."""
    check_join(pod, user_id)
    returning = _add_membership(tx, pod, user_id, now)
    if new_group_dm is not None:
        pod.channel_id = new_group_dm
    tx.flush()
    tx.refresh(pod, ["memberships"])
    _reassign_next(tx, pod, now)
    return PodJoined(pod=pod_info(tx, pod, now), user_id=user_id, first_time=not returning)


def leave_pod(
    tx: Session,
    *,
    pod: Pod,
    user_id: str,
    now: datetime,
    new_group_dm: str | None = None,
) -> PodInfo:
    """Ends the person's membership (the row stays, for history)."""
    check_leave(pod, user_id)
    for membership in pod.memberships:
        if membership.active and membership.member.user_id == user_id:
            membership.left_at = now
    if new_group_dm is not None:
        pod.channel_id = new_group_dm
    tx.flush()
    tx.refresh(pod, ["memberships"])
    upcoming = sessions.next_session_for_pod(tx, pod.id, now)
    if upcoming is not None:
        sessions.reassign_roles(tx, upcoming, now)
    return pod_info(tx, pod, now)
