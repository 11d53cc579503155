"""Reflections: one insight and one action, private to their author.

A reflection follows one session (the end-of-session button's session, or the
most recent session that ended for `/coach reflect`), or none (saved from a
message with the "Save as insight" shortcut). Reflecting again for the same
session edits that reflection. Only the author ever reads it; the digest sees it
only when the author ticked sharing, and then only anonymized.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.services import members as members_service
from bot.services.checkins import (
    Refusal,
    SessionInfo,
    find_member,
    load_session_info,
    lock_member,
    session_info,
    was_member_at,
)
from models import Member, Pod, PodMembership, PodSession, Reflection, SessionStatus
from models.session_forms import ReflectionForm, parse_reflection

SOURCE_BUTTON = "button"
SOURCE_COMMAND = "command"
SOURCE_SHORTCUT = "shortcut"
SOURCE_HOME = "home"
SOURCES = frozenset({SOURCE_BUTTON, SOURCE_COMMAND, SOURCE_SHORTCUT, SOURCE_HOME})


@dataclass(frozen=True)
class ReflectionDraft:
    target: SessionInfo | None
    insight: str
    action: str
    share: bool
    is_edit: bool
    source: str


@dataclass(frozen=True)
class ReflectionSaved:
    reflection_id: int
    created: bool
    target: SessionInfo | None


@dataclass(frozen=True)
class ReflectionOutcome:
    errors: dict[str, str]
    saved: ReflectionSaved | None = None


def reflect_target(session: Session, member: Member, session_id: int, now: datetime) -> SessionInfo:
    """The session a member may reflect on, or Refusal saying why not."""
    info = load_session_info(session, session_id, member.team_id)
    if info is None:
        raise Refusal("I can't find that session any more. `/coach reflect` still works.")
    if not was_member_at(session, info.pod_id, member.id, info.starts_at):
        raise Refusal(f"Only members of the pod *{info.pod_name}* can reflect on its sessions.")
    if info.cancelled:
        raise Refusal(
            f"This *{info.pod_name}* session was cancelled. You can still keep an insight "
            "with `/coach reflect`."
        )
    if info.starts_at > now:
        raise Refusal(
            f"This *{info.pod_name}* session hasn't happened yet. Reflect once you've met."
        )
    return info


def latest_ended_session(session: Session, member: Member, now: datetime) -> SessionInfo | None:
    """The member's most recent session that has ended (not cancelled), if any."""
    coach = aliased(Member)
    row = session.execute(
        select(PodSession, Pod, coach)
        .join(Pod, Pod.id == PodSession.pod_id)
        .join(
            PodMembership,
            (PodMembership.pod_id == Pod.id) & (PodMembership.member_id == member.id),
        )
        .outerjoin(coach, coach.id == PodSession.coach_member_id)
        .where(
            PodSession.team_id == member.team_id,
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.ends_at <= now,
            PodSession.starts_at >= PodMembership.joined_at,
            (PodMembership.left_at.is_(None)) | (PodMembership.left_at >= PodSession.starts_at),
        )
        .order_by(PodSession.ends_at.desc(), PodSession.id.desc())
        .limit(1)
    ).first()
    return session_info(row[0], row[1], row[2]) if row is not None else None


def _existing(session: Session, member_id: int, session_id: int) -> Reflection | None:
    return session.scalar(
        select(Reflection)
        .where(Reflection.member_id == member_id, Reflection.session_id == session_id)
        .order_by(Reflection.id)
        .limit(1)
    )


def draft_for(
    session: Session,
    team_id: str,
    user_id: str,
    now: datetime,
    *,
    session_id: int | None = None,
    latest: bool = False,
    source: str = SOURCE_COMMAND,
    prefill_insight: str = "",
) -> ReflectionDraft:
    """The reflection modal's content. `session_id` for the button's session;
    `latest` for the most recent ended session; neither for a standalone insight."""
    member = find_member(session, team_id, user_id)
    target: SessionInfo | None = None
    if session_id is not None:
        if member is None:
            raise Refusal("Only members of this pod can reflect on its sessions.")
        target = reflect_target(session, member, session_id, now)
    elif latest and member is not None:
        target = latest_ended_session(session, member, now)
    existing = _existing(session, member.id, target.session_id) if member and target else None
    if existing is not None:
        return ReflectionDraft(
            target=target,
            insight=prefill_insight or existing.insight,
            action=existing.action,
            share=existing.share_in_digest,
            is_edit=True,
            source=source,
        )
    return ReflectionDraft(
        target=target,
        insight=prefill_insight,
        action="",
        share=False,
        is_edit=False,
        source=source,
    )


def submit_reflection(
    session: Session,
    team_id: str,
    user_id: str,
    session_id: int | None,
    source: str,
    fields: dict[str, Any],
    now: datetime,
) -> ReflectionOutcome:
    """Validate and save (insert, or edit the one for the same session).

    Raises Refusal when the session can no longer take a reflection. A
    standalone insight submitted twice with the same words is saved once.
    """
    form, errors = parse_reflection(fields)
    if form is None:
        return ReflectionOutcome(errors=errors)
    member = members_service.get_or_create(session, team_id, user_id, now)
    lock_member(session, member.id)
    target = reflect_target(session, member, session_id, now) if session_id is not None else None
    saved = _save(session, member, target, form, source if source in SOURCES else "command", now)
    return ReflectionOutcome(errors={}, saved=saved)


def _save(
    session: Session,
    member: Member,
    target: SessionInfo | None,
    form: ReflectionForm,
    source: str,
    now: datetime,
) -> ReflectionSaved:
    if target is not None:
        reflection = _existing(session, member.id, target.session_id)
    else:
        # The same standalone insight sent twice (a double submit) is one insight.
        reflection = session.scalar(
            select(Reflection)
            .where(
                Reflection.member_id == member.id,
                Reflection.session_id.is_(None),
                Reflection.insight == form.insight,
                Reflection.action == form.action,
            )
            .limit(1)
        )
    created = reflection is None
    if reflection is None:
        reflection = Reflection(
            team_id=member.team_id,
            member_id=member.id,
            session_id=target.session_id if target else None,
            insight=form.insight,
            action=form.action,
            source=source,
            created_at=now,
        )
        session.add(reflection)
    reflection.insight = form.insight
    reflection.action = form.action
    if reflection.digest_id is None:
        # Once released in a digest, the choice stays as it was when it was shared.
        reflection.share_in_digest = form.share
    session.flush()
    return ReflectionSaved(reflection_id=reflection.id, created=created, target=target)


@dataclass(frozen=True)
class Insight:
    insight: str
    action: str
    created_at: datetime
    pod_name: str | None
    shared: bool


def recent_insights(session: Session, member_id: int, limit: int = 5) -> list[Insight]:
    """The member's own latest reflections, newest first."""
    rows = session.execute(
        select(Reflection, Pod.name)
        .outerjoin(PodSession, PodSession.id == Reflection.session_id)
        .outerjoin(Pod, Pod.id == PodSession.pod_id)
        .where(Reflection.member_id == member_id)
        .order_by(Reflection.created_at.desc(), Reflection.id.desc())
        .limit(limit)
    ).all()
    return [
        Insight(
            insight=reflection.insight,
            action=reflection.action,
            created_at=reflection.created_at,
            pod_name=pod_name,
            shared=reflection.share_in_digest,
        )
        for reflection, pod_name in rows
    ]
