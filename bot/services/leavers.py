"""People who leave the company (deactivated in Slack) and come back.

Deactivated: out of every pod's rotation (their open memberships close, so every
"who is in the pod" query leaves them out), their seats in upcoming sessions go to
others and nothing more is sent to them. Reactivated: back in the pods they were in
when they left, paused until they say `/coach resume`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.services import members, sessions
from models import Member, OutboxMessage, OutboxStatus, Pod, PodMembership
from models.forms import POD_MAX_MEMBERS

REACTIVATED_PAUSE = timedelta(days=3653)
"""A member who comes back is paused "until further notice": ten years, ended by
`/coach resume` (a pause is a date, and no real pause comes near this one)."""


@dataclass(frozen=True)
class Departure:
    user_id: str
    pod_ids: tuple[int, ...]
    """The pods they were in."""
    withdrawn_messages: int


@dataclass(frozen=True)
class Return:
    user_id: str
    pod_ids: tuple[int, ...]
    """The pods they are back in (paused)."""


def apply_profile(
    tx: Session, team_id: str, profile: members.SlackProfile, now: datetime
) -> Member:
    """members.upsert_profile, then what a change of Slack's `deleted` flag means."""
    member = members.upsert_profile(tx, team_id, profile, now)
    if profile.deleted and member.deactivated_at is None:
        deactivate(tx, team_id, profile.user_id, now)
    elif not profile.deleted and member.deactivated_at is not None:
        reactivate(tx, team_id, profile.user_id, now)
    return member


def deactivate(tx: Session, team_id: str, user_id: str, now: datetime) -> Departure | None:
    """The person was deactivated in Slack. None when the bot never met them or
    already knew."""
    member = members.find(tx, team_id, user_id)
    if member is None or member.deactivated_at is not None:
        return None
    members.lock_member(tx, member.id)
    member.deactivated_at = now
    open_periods = list(
        tx.scalars(
            select(PodMembership).where(
                PodMembership.member_id == member.id, PodMembership.left_at.is_(None)
            )
        )
    )
    for membership in open_periods:
        membership.left_at = now
    tx.flush()
    pod_ids = tuple(sorted(m.pod_id for m in open_periods))
    for pod_id in pod_ids:
        upcoming = sessions.next_session_for_pod(tx, pod_id, now)
        if upcoming is not None:
            sessions.reassign_roles(tx, upcoming, now)
    return Departure(user_id, pod_ids, _withdraw_messages_to(tx, member))


def reactivate(tx: Session, team_id: str, user_id: str, now: datetime) -> Return | None:
    """The person was reactivated in Slack. None unless they were deactivated."""
    member = members.find(tx, team_id, user_id)
    if member is None or member.deactivated_at is None:
        return None
    members.lock_member(tx, member.id)
    left_at = member.deactivated_at
    member.deactivated_at = None
    member.paused_until = members.local_today(member, now) + REACTIVATED_PAUSE
    back = []
    for pod in tx.scalars(
        select(Pod)
        .join(PodMembership, PodMembership.pod_id == Pod.id)
        .where(
            PodMembership.member_id == member.id,
            PodMembership.left_at == left_at,
            Pod.archived_at.is_(None),
        )
        .order_by(Pod.id)
        .distinct()
    ):
        if members.is_active_member(tx, pod.id, member.id) or _is_full(tx, pod.id):
            continue
        tx.add(PodMembership(team_id=team_id, pod_id=pod.id, member_id=member.id, joined_at=now))
        tx.flush()
        back.append(pod.id)
    return Return(user_id, tuple(back))


def _is_full(tx: Session, pod_id: int) -> bool:
    current = tx.scalars(
        select(PodMembership.id).where(
            PodMembership.pod_id == pod_id, PodMembership.left_at.is_(None)
        )
    ).all()
    return len(current) >= POD_MAX_MEMBERS


def _withdraw_messages_to(tx: Session, member: Member) -> int:
    """Drops the messages still waiting to be sent to the person (DMs and ephemerals)."""
    ids = tx.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.team_id == member.team_id,
            OutboxMessage.recipient == member.user_id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    ).all()
    if ids:
        tx.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    return len(ids)
