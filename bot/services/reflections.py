"""Reflections: one insight and one action, private to their author.

A reflection follows one session (the end-of-session button's session, or the
most recent session that ended for `/coach reflect`), or none (saved from a
message with the "Save as insight" shortcut). Reflecting again for the same
session edits that reflection. Only the author ever reads it; the digest sees it
only when the author ticked sharing, and then only anonymized.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.program_content import get_content, reflection_questions
from bot.services import members
from bot.services.members import lock_member, was_member_at
from bot.services.refusals import FormProblems, Refusal
from bot.services.session_views import load_session_view, session_view
from models import Member, Pod, PodMembership, PodSession, Reflection, SessionStatus
from models.session_forms import ReflectionForm, parse_reflection
from models.session_views import Insight, ReflectionDraft, SessionView

logger = logging.getLogger(__name__)

SOURCE_BUTTON = "button"
SOURCE_COMMAND = "command"
SOURCE_SHORTCUT = "shortcut"
SOURCE_HOME = "home"
SOURCES = frozenset({SOURCE_BUTTON, SOURCE_COMMAND, SOURCE_SHORTCUT, SOURCE_HOME})


QUESTIONS_SHOWN = 2


class ReflectionRefused(Refusal):
    """This reflection can't be opened or saved (not the person's session, too early…)."""


def questions() -> tuple[str, ...]:
    """The reflection questions the modal shows; none when the content is unavailable."""
    try:
        return tuple(reflection_questions(get_content())[:QUESTIONS_SHOWN])
    except Exception:
        logger.warning("content unavailable for the reflection questions", exc_info=True)
        return ()


@dataclass(frozen=True)
class ReflectionSaved:
    reflection_id: int
    created: bool
    target: SessionView | None


def reflect_target(tx: Session, member: Member, session_id: int, now: datetime) -> SessionView:
    """The session a member may reflect on, or ReflectionRefused saying why not."""
    info = load_session_view(tx, session_id, member.team_id)
    if info is None:
        raise ReflectionRefused("I can't find that session any more. `/coach reflect` still works.")
    if not was_member_at(tx, info.pod_id, member.id, info.starts_at):
        raise ReflectionRefused(
            f"Only members of the pod *{info.pod_name}* can reflect on its sessions."
        )
    if info.cancelled:
        raise ReflectionRefused(
            f"This *{info.pod_name}* session was cancelled. You can still keep an insight "
            "with `/coach reflect`."
        )
    if info.starts_at > now:
        raise ReflectionRefused(
            f"This *{info.pod_name}* session hasn't happened yet. Reflect once you've met."
        )
    return info


def latest_ended_session(tx: Session, member: Member, now: datetime) -> SessionView | None:
    """The member's most recent session that has ended (not cancelled), if any."""
    coach = aliased(Member)
    row = tx.execute(
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
    return session_view(row[0], row[1], row[2]) if row is not None else None


def _existing(tx: Session, member_id: int, session_id: int) -> Reflection | None:
    return tx.scalar(
        select(Reflection)
        .where(Reflection.member_id == member_id, Reflection.session_id == session_id)
        .order_by(Reflection.id)
        .limit(1)
    )


def draft_for(
    tx: Session,
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
    member = members.find(tx, team_id, user_id)
    target: SessionView | None = None
    if session_id is not None:
        if member is None:
            raise ReflectionRefused("Only members of this pod can reflect on its sessions.")
        target = reflect_target(tx, member, session_id, now)
    elif latest and member is not None:
        target = latest_ended_session(tx, member, now)
    existing = _existing(tx, member.id, target.session_id) if member and target else None
    tz = (member.tz if member is not None else None) or "UTC"
    if existing is not None:
        return ReflectionDraft(
            target=target,
            insight=prefill_insight or existing.insight,
            action=existing.action,
            share=existing.share_in_digest,
            is_edit=True,
            source=source,
            member_tz=tz,
            questions=questions(),
        )
    return ReflectionDraft(
        target=target,
        insight=prefill_insight,
        action="",
        share=False,
        is_edit=False,
        source=source,
        member_tz=tz,
        questions=questions(),
    )


def submit_reflection(
    tx: Session,
    team_id: str,
    user_id: str,
    session_id: int | None,
    source: str,
    fields: dict[str, Any],
    now: datetime,
) -> ReflectionSaved:
    """Validate and save (insert, or edit the one for the same session).

    Raises FormProblems for the form's inline errors and ReflectionRefused
    when the session can no longer take a reflection. A standalone insight
    submitted twice with the same words is saved once.
    """
    form, errors = parse_reflection(fields)
    if form is None:
        raise FormProblems(errors)
    member = members.get_or_create(tx, team_id, user_id, now)
    lock_member(tx, member.id)
    target: SessionView | None = None
    if session_id is not None:
        try:
            target = reflect_target(tx, member, session_id, now)
        except ReflectionRefused as refusal:
            raise ReflectionRefused(f"{refusal.message} Nothing was saved.") from None
    return _save(tx, member, target, form, source if source in SOURCES else SOURCE_COMMAND, now)


def _save(
    tx: Session,
    member: Member,
    target: SessionView | None,
    form: ReflectionForm,
    source: str,
    now: datetime,
) -> ReflectionSaved:
    if target is not None:
        reflection = _existing(tx, member.id, target.session_id)
    else:
        # The same standalone insight sent twice (a double submit) is one insight.
        reflection = tx.scalar(
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
        tx.add(reflection)
    reflection.insight = form.insight
    reflection.action = form.action
    if reflection.digest_id is None:
        # Once released in a digest, the choice stays as it was when it was shared.
        reflection.share_in_digest = form.share
    tx.flush()
    return ReflectionSaved(reflection_id=reflection.id, created=created, target=target)


def recent_insights(tx: Session, member_id: int, limit: int = 5) -> list[Insight]:
    """The member's own latest reflections, newest first."""
    rows = tx.execute(
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
