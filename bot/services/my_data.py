"""A person's own data: everything stored about them, to take away or to delete.

Deleting keeps the program whole: pods and rotation go on without the person
(memberships end, upcoming coach and buddy roles are handed on), kudos they gave
stay for their recipients but no longer point at them, and counts already
published stay counts. The member row is kept as an anonymous placeholder (no
Slack id, no names) because kudos and past sessions must point at someone: the
kudos giver is NOT NULL and deleting the row would cascade the kudos away.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.services import members as members_service
from bot.services import profiles as profiles_service
from bot.services import sessions
from models import (
    CalendarFeed,
    CheckIn,
    CommunityTactic,
    Experiment,
    Kudos,
    Member,
    OutboxMessage,
    OutboxStatus,
    Pod,
    PodMembership,
    PodSession,
    Pulse,
    Reflection,
    Ritual,
    SessionBuddy,
    SessionSkip,
    SessionStatus,
)
from models.my_data_views import MyDataDeleted, MyDataExport, Record

# What kudos and past sessions show for someone who deleted their data.
ANONYMOUS_NAME = "someone"
ANONYMOUS_PREFIX = "deleted-"
OUTBOX_WITHDRAWN = "withdrawn: the recipient deleted their data"


def _iso(value: datetime | date | time | None) -> str | None:
    return value.isoformat() if value is not None else None


def _session_dates(tx: Session, session_ids: Iterable[int | None]) -> dict[int, Record]:
    wanted = sorted({i for i in session_ids if i is not None})
    if not wanted:
        return {}
    rows = tx.execute(
        select(PodSession.id, PodSession.starts_at, Pod.name)
        .join(Pod, Pod.id == PodSession.pod_id)
        .where(PodSession.id.in_(wanted))
    )
    return {r.id: {"pod": r.name, "starts_at": _iso(r.starts_at)} for r in rows}


def _names(tx: Session, member_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    return {m.id: m.name for m in tx.scalars(select(Member).where(Member.id.in_(wanted)))}


def export_for(tx: Session, team_id: str, user_id: str, now: datetime) -> MyDataExport:
    """Everything stored about the person, by them or about them (never another
    person's words, and no secret such as the calendar feed's token)."""
    member = members_service.find(tx, team_id, user_id)
    if member is None:
        return MyDataExport(
            team_id=team_id,
            user_id=user_id,
            exported_at=_iso(now) or "",
            profile=None,
            reflection_reminder=None,
            calendar_feed=None,
        )
    me = member.id

    checkins = list(tx.scalars(select(CheckIn).where(CheckIn.member_id == me).order_by(CheckIn.id)))
    experiments = list(
        tx.scalars(select(Experiment).where(Experiment.member_id == me).order_by(Experiment.id))
    )
    reflections = list(
        tx.scalars(select(Reflection).where(Reflection.member_id == me).order_by(Reflection.id))
    )
    pulses = list(tx.scalars(select(Pulse).where(Pulse.member_id == me).order_by(Pulse.id)))
    skips = list(
        tx.scalars(select(SessionSkip).where(SessionSkip.member_id == me).order_by(SessionSkip.id))
    )
    coached = list(
        tx.scalars(
            select(PodSession)
            .where(PodSession.coach_member_id == me)
            .order_by(PodSession.starts_at)
        )
    )
    given = list(tx.scalars(select(Kudos).where(Kudos.giver_member_id == me).order_by(Kudos.id)))
    received = list(
        tx.scalars(select(Kudos).where(Kudos.receiver_member_id == me).order_by(Kudos.id))
    )
    tactics = list(
        tx.scalars(
            select(CommunityTactic)
            .where(CommunityTactic.contributor_member_id == me)
            .order_by(CommunityTactic.id)
        )
    )
    memberships = tx.execute(
        select(PodMembership.joined_at, PodMembership.left_at, Pod.name)
        .join(Pod, Pod.id == PodMembership.pod_id)
        .where(PodMembership.member_id == me)
        .order_by(PodMembership.joined_at, PodMembership.id)
    ).all()
    feed = tx.scalar(select(CalendarFeed).where(CalendarFeed.member_id == me))
    hosted = list(
        tx.scalars(
            select(Ritual.kind).where(Ritual.team_id == team_id, Ritual.host_user_id == user_id)
        )
    )
    when = _session_dates(
        tx,
        [
            *(c.session_id for c in checkins),
            *(e.session_id for e in experiments),
            *(r.session_id for r in reflections),
            *(p.session_id for p in pulses),
            *(s.session_id for s in skips),
        ],
    )
    names = _names(
        tx, [*(k.receiver_member_id for k in given), *(k.giver_member_id for k in received)]
    )

    def session_of(session_id: int | None) -> Record | None:
        return when.get(session_id) if session_id is not None else None

    profile: Record = {
        "slack_user_id": member.user_id,
        "display_name": member.display_name,
        "real_name": member.real_name,
        "timezone": member.tz,
        "is_slack_admin": member.is_slack_admin,
        "is_leader": member.is_leader,
        "paused_until": _iso(member.paused_until),
        "welcomed_at": _iso(member.welcomed_at),
        "ground_rules_agreed_at": _iso(member.ground_rules_agreed_at),
        "profile_refreshed_at": _iso(member.profile_refreshed_at),
        "first_seen_at": _iso(member.created_at),
        "hosts": [str(kind) for kind in hosted],
        # The matching profile, the private "please don't put me with…" list included.
        "matching_profile": profiles_service.export_record(tx, me),
    }
    reminder = None
    if member.reflection_reminder_weekday is not None:
        reminder = {
            "weekday": member.reflection_reminder_weekday,
            "time": _iso(member.reflection_reminder_time),
        }
    return MyDataExport(
        team_id=team_id,
        user_id=user_id,
        exported_at=_iso(now) or "",
        profile=profile,
        reflection_reminder=reminder,
        calendar_feed=(
            None
            if feed is None
            else {"created_at": _iso(feed.created_at), "rotated_at": _iso(feed.rotated_at)}
        ),
        memberships=tuple(
            {"pod": m.name, "joined_at": _iso(m.joined_at), "left_at": _iso(m.left_at)}
            for m in memberships
        ),
        checkins=tuple(
            {
                "session": session_of(c.session_id),
                "intent": c.intent,
                "exploration": c.exploration,
                "share_intent_with_pod": c.share_intent,
                "scenario": c.scenario_key,
                "extra_care": c.sensitive,
                "created_at": _iso(c.created_at),
                "updated_at": _iso(c.updated_at),
            }
            for c in checkins
        ),
        experiments=tuple(
            {
                "session": session_of(e.session_id),
                "text": e.text,
                "due_date": _iso(e.due_date),
                "status": str(e.status),
                "outcome": e.outcome_note,
                "nudged_at": _iso(e.nudged_at),
                "resolved_at": _iso(e.resolved_at),
                "created_at": _iso(e.created_at),
            }
            for e in experiments
        ),
        reflections=tuple(
            {
                "session": session_of(r.session_id),
                "insight": r.insight,
                "action": r.action,
                "shared_in_digest": r.share_in_digest,
                "withdrawn_at": _iso(r.withdrawn_at),
                "published_in_digest": r.digest_id is not None,
                "source": r.source,
                "created_at": _iso(r.created_at),
            }
            for r in reflections
        ),
        kudos_given=tuple(
            {
                "to": names.get(k.receiver_member_id, ANONYMOUS_NAME),
                "value": k.value,
                "text": k.text,
                "private": k.is_private,
                "created_at": _iso(k.created_at),
            }
            for k in given
        ),
        kudos_received=tuple(
            {
                "from": names.get(k.giver_member_id, ANONYMOUS_NAME),
                "value": k.value,
                "text": k.text,
                "private": k.is_private,
                "created_at": _iso(k.created_at),
            }
            for k in received
        ),
        pulses=tuple(
            {
                "session": session_of(p.session_id),
                "usefulness": p.usefulness,
                "pod_fit": str(p.pod_fit) if p.pod_fit is not None else None,
                "created_at": _iso(p.created_at),
            }
            for p in pulses
        ),
        skipped_sessions=tuple(
            {"session": session_of(s.session_id), "created_at": _iso(s.created_at)} for s in skips
        ),
        contributed_prompts=tuple(
            {
                "kind": t.kind,
                "text": t.text,
                "pillar": t.pillar,
                "scenario": t.scenario_key,
                "status": str(t.status),
                "created_at": _iso(t.created_at),
            }
            for t in tactics
        ),
        coached_sessions=tuple(
            {"session": {"pod": s.pod.name, "starts_at": _iso(s.starts_at)}} for s in coached
        ),
    )


def delete_everything(tx: Session, team_id: str, user_id: str, now: datetime) -> MyDataDeleted:
    """Deletes what the person wrote and what is stored about them, in the caller's
    transaction. Harmless when nothing is stored (a second request, say)."""
    member = members_service.find(tx, team_id, user_id)
    if member is None:
        return MyDataDeleted(user_id=user_id)
    members_service.lock_member(tx, member.id)
    tx.refresh(member)
    if member.user_id != user_id:  # a second copy of the request waited: done already
        return MyDataDeleted(user_id=user_id)
    me = member.id

    active = list(
        tx.scalars(
            select(PodMembership).where(
                PodMembership.member_id == me, PodMembership.left_at.is_(None)
            )
        )
    )
    pod_ids = sorted({m.pod_id for m in active})
    for membership in active:
        membership.left_at = now

    # Experiments point at check-ins: they go first.
    experiments = _delete(tx, delete(Experiment).where(Experiment.member_id == me))
    checkins = _delete(tx, delete(CheckIn).where(CheckIn.member_id == me))
    reflections = _delete(tx, delete(Reflection).where(Reflection.member_id == me))
    pulses = _delete(tx, delete(Pulse).where(Pulse.member_id == me))
    _delete(tx, delete(SessionSkip).where(SessionSkip.member_id == me))
    _delete(tx, delete(CalendarFeed).where(CalendarFeed.member_id == me))
    profiles_service.delete_for(tx, me)
    # Kudos received are about the person and often name them: they go. Kudos given stay
    # for their recipients, from the anonymous placeholder this row becomes.
    kudos_received = _delete(tx, delete(Kudos).where(Kudos.receiver_member_id == me))
    kudos_given = len(list(tx.scalars(select(Kudos.id).where(Kudos.giver_member_id == me))))
    tx.execute(
        update(CommunityTactic)
        .where(CommunityTactic.contributor_member_id == me)
        .values(contributor_member_id=None)
        .execution_options(synchronize_session=False)
    )
    tx.execute(
        update(Ritual)
        .where(Ritual.team_id == team_id, Ritual.host_user_id == user_id)
        .values(host_user_id=None)
        .execution_options(synchronize_session=False)
    )
    _withdraw_messages_to(tx, team_id, user_id)
    _forget_profile(member, now)
    tx.flush()
    tx.expire_all()
    _hand_on_roles(tx, me, pod_ids, now)

    pod_names = (
        tuple(tx.scalars(select(Pod.name).where(Pod.id.in_(pod_ids)).order_by(Pod.name)))
        if pod_ids
        else ()
    )
    return MyDataDeleted(
        user_id=user_id,
        had_profile=True,
        checkins=checkins,
        reflections=reflections,
        experiments=experiments,
        pulses=pulses,
        kudos_received=kudos_received,
        kudos_given_anonymized=kudos_given,
        pods_left=pod_names,
    )


def _delete(tx: Session, statement: Any) -> int:
    result = tx.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def _forget_profile(member: Member, now: datetime) -> None:
    """The row stays as an anonymous placeholder: no Slack id, no names, no settings,
    and deactivated, so nothing ever counts it in or writes to it."""
    member.deactivated_at = now
    member.user_id = ANONYMOUS_PREFIX + secrets.token_hex(8)
    member.display_name = ANONYMOUS_NAME
    member.real_name = ""
    member.tz = "UTC"
    member.is_slack_admin = False
    member.is_leader = False
    member.paused_until = None
    member.welcomed_at = None
    member.ground_rules_agreed_at = None
    member.profile_refreshed_at = None
    member.reflection_reminder_weekday = None
    member.reflection_reminder_time = None


def _withdraw_messages_to(tx: Session, team_id: str, user_id: str) -> None:
    """DMs to the person still waiting in the outbox are not sent; the text of those
    already sent is not kept. A message being sent right now is left to finish."""
    rows = tx.scalars(
        select(OutboxMessage).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient == user_id,
            OutboxMessage.status != OutboxStatus.CLAIMED,
        )
    )
    for row in rows:
        if row.status == OutboxStatus.PENDING:
            row.status = OutboxStatus.FAILED
            row.error = OUTBOX_WITHDRAWN
        row.payload = {}


def _hand_on_roles(tx: Session, member_id: int, pod_ids: list[int], now: datetime) -> None:
    """Upcoming sessions where the person was coach or buddy, or in a pod they left,
    get their roles recomputed without them."""
    upcoming = select(PodSession.id).where(
        PodSession.status == SessionStatus.SCHEDULED, PodSession.starts_at > now
    )
    buddy_of = select(SessionBuddy.session_id).where(
        (SessionBuddy.buddy_member_id == member_id) | (SessionBuddy.newcomer_member_id == member_id)
    )
    session_ids = set(
        tx.scalars(
            upcoming.where(
                PodSession.pod_id.in_(pod_ids)
                | (PodSession.coach_member_id == member_id)
                | PodSession.id.in_(buddy_of)
            )
        )
    )
    for session_id in sorted(session_ids):
        pod_session = tx.get(PodSession, session_id)
        if pod_session is not None:
            sessions.reassign_roles(tx, pod_session, now)
