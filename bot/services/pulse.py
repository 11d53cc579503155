"""The session pulse: after a session each member may say how useful it was (1–5)
and, after their first session in a pod, how the pod is working for them. One row
per member per session: answering again changes it. Answers come in while the
session's week is open (7 days after its end); later ones are thanked, not stored.
Pulses are read only as aggregates, and only once K_count people answered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from bot.services import members
from bot.services.refusals import Refusal
from bot.services.sessions import held_clause
from models import Member, Pod, PodFit, PodMembership, PodSession, Pulse, SessionStatus
from models.pulse import USEFULNESS_MAX, USEFULNESS_MIN
from models.pulse_views import PodFitAnswer, RepairingRequest, ScoreAnswer
from models.velocity_views import PulseSummary

ANSWER_WINDOW = timedelta(days=7)
"""A session's pulse closes this long after its end."""


class NotYourSession(Refusal):
    """The pulse names a session the person was not in (or one that did not happen)."""


NOT_YOURS = "That session isn't one of yours, so there is nothing to answer for it."
NOT_ENDED = "That session hasn't ended yet: the question comes after it."


# --------------------------------------------------------------------------- answering


def _their_session(
    tx: Session, team_id: str, user_id: str, session_id: int, now: datetime
) -> tuple[Member, PodSession, Pod]:
    """The ended session and its pod, when the person was a member of the pod at it."""
    row = tx.execute(
        select(Member, PodSession, Pod)
        .join(PodMembership, PodMembership.member_id == Member.id)
        .join(PodSession, PodSession.pod_id == PodMembership.pod_id)
        .join(Pod, Pod.id == PodSession.pod_id)
        .where(
            Member.team_id == team_id,
            Member.user_id == user_id,
            PodSession.id == session_id,
            PodSession.team_id == team_id,
            PodSession.status == SessionStatus.SCHEDULED,
            PodMembership.joined_at < PodSession.ends_at,
            (PodMembership.left_at.is_(None)) | (PodMembership.left_at > PodSession.starts_at),
        )
    ).first()
    if row is None:
        raise NotYourSession(NOT_YOURS)
    member, pod_session, pod = row
    if pod_session.ends_at > now:
        raise NotYourSession(NOT_ENDED)
    return member, pod_session, pod


def is_open(pod_session: PodSession, now: datetime) -> bool:
    return now <= pod_session.ends_at + ANSWER_WINDOW


def _save(tx: Session, member: Member, pod_session: PodSession, now: datetime, **answer: Any):
    """Insert the member's pulse for the session, or change the given answer in place."""
    values = {
        "team_id": member.team_id,
        "session_id": pod_session.id,
        "member_id": member.id,
        "usefulness": None,
        "pod_fit": None,
        "created_at": now,
        "updated_at": now,
        **answer,
    }
    insert = pg_insert if tx.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Pulse).values(values)
    tx.execute(
        statement.on_conflict_do_update(
            index_elements=[Pulse.session_id, Pulse.member_id],
            set_={**answer, "updated_at": now},
        )
    )


def record_score(
    tx: Session, team_id: str, user_id: str, session_id: int, score: int, now: datetime
) -> ScoreAnswer:
    """Store how useful the session was (1–5) for a member of its pod."""
    if not USEFULNESS_MIN <= score <= USEFULNESS_MAX:
        raise NotYourSession(f"Scores go from {USEFULNESS_MIN} to {USEFULNESS_MAX}.")
    member, pod_session, _ = _their_session(tx, team_id, user_id, session_id, now)
    recorded = is_open(pod_session, now)
    if recorded:
        _save(tx, member, pod_session, now, usefulness=score)
    return ScoreAnswer(session_id=pod_session.id, score=score, recorded=recorded)


def record_pod_fit(
    tx: Session,
    team_id: str,
    user_id: str,
    session_id: int,
    fit: PodFit,
    now: datetime,
    configured_admins: Iterable[str] = (),
) -> PodFitAnswer:
    """Store "fine" or "different" for a member of the session's pod. "different"
    also returns the re-pairing request for the program admins: it goes to them
    even after the pulse closed, since the person asked to be moved."""
    member, pod_session, pod = _their_session(tx, team_id, user_id, session_id, now)
    recorded = is_open(pod_session, now)
    if recorded:
        _save(tx, member, pod_session, now, pod_fit=fit)
    request = None
    if fit == PodFit.DIFFERENT:
        admins = members.program_admin_ids(tx, team_id, configured_admins)
        request = RepairingRequest(
            team_id=team_id,
            pod_id=pod.id,
            pod_name=pod.name,
            member_id=member.id,
            user_id=member.user_id,
            admin_user_ids=tuple(a for a in admins if a != member.user_id),
        )
    return PodFitAnswer(
        session_id=pod_session.id, pod_name=pod.name, fit=fit, recorded=recorded, request=request
    )


# --------------------------------------------------------------------------- the question


def pod_question_owed(
    tx: Session, attendees: Sequence[tuple[int, Sequence[int]]]
) -> set[tuple[int, int]]:
    """(session id, member id) of the attendees for whom the session is their first
    in the pod: no earlier session of the pod since they joined was held. One query."""
    session_ids = sorted({session_id for session_id, _ in attendees})
    if not session_ids:
        return set()
    current = aliased(PodSession)
    seasoned = {
        (session_id, member_id)
        for session_id, member_id in tx.execute(
            select(current.id, PodMembership.member_id)
            .distinct()
            .select_from(current)
            .join(PodMembership, PodMembership.pod_id == current.pod_id)
            .join(
                PodSession,
                and_(
                    PodSession.pod_id == current.pod_id,
                    PodSession.starts_at >= PodMembership.joined_at,
                    PodSession.starts_at < current.starts_at,
                ),
            )
            .where(
                current.id.in_(session_ids),
                PodSession.status == SessionStatus.SCHEDULED,
                held_clause(),
            )
        )
    }
    return {
        (session_id, member_id)
        for session_id, member_ids in attendees
        for member_id in member_ids
        if (session_id, member_id) not in seasoned
    }


# --------------------------------------------------------------------------- aggregates


def summary(
    tx: Session,
    team_id: str,
    start: datetime,
    end: datetime,
    k_count: int,
    *,
    member_id: int | None = None,
    pod_id: int | None = None,
    with_requests: bool = False,
) -> PulseSummary:
    """Pulses of sessions that started in [start, end): the team's, one pod's, or one
    member's own (always shown to them). Others' figures need K_count people who
    answered; `with_requests` also counts "different pod" answers."""
    different = func.sum(case((Pulse.pod_fit == PodFit.DIFFERENT, 1), else_=0))
    statement = (
        select(
            func.count(func.distinct(Pulse.member_id)),
            func.count(Pulse.usefulness),
            func.avg(Pulse.usefulness),
            different,
        )
        .join(PodSession, PodSession.id == Pulse.session_id)
        .where(
            # From the team's sessions in the range (indexed), never all its pulses.
            PodSession.team_id == team_id,
            PodSession.starts_at >= start,
            PodSession.starts_at < end,
        )
    )
    if member_id is not None:
        statement = statement.where(Pulse.member_id == member_id)
    if pod_id is not None:
        statement = statement.where(PodSession.pod_id == pod_id)
    people, answers, average, requests = tx.execute(statement).one()
    enough = member_id is not None or int(people or 0) >= k_count
    if not enough:
        return PulseSummary(k_count=k_count, enough=False)
    return PulseSummary(
        k_count=k_count,
        enough=True,
        answers=int(answers or 0),
        average=round(float(average), 1) if average is not None else None,
        different_pod=int(requests or 0) if with_requests else None,
    )
