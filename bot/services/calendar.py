"""Private calendar feeds: a member's unguessable token, rotating it, and the
sessions their feed carries (their pods' sessions while they are or were in them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.services import members, themes
from models import (
    CalendarFeed,
    Member,
    Pod,
    PodMembership,
    PodSession,
    SessionSkip,
    SessionStatus,
)
from models.calendar import new_feed_token
from models.calendar_views import CalendarEvent

FEED_HISTORY = timedelta(weeks=6)
"""How far back a feed reaches; everything scheduled ahead is in it."""


def feed_token(tx: Session, team_id: str, user_id: str, now: datetime) -> str:
    """The member's feed token, made on first use."""
    member = members.get_or_create(tx, team_id, user_id, now)
    feed = tx.scalar(select(CalendarFeed).where(CalendarFeed.member_id == member.id))
    if feed is None:
        feed = CalendarFeed(team_id=team_id, member_id=member.id, created_at=now)
        tx.add(feed)
        tx.flush()
    return feed.token


def feed_tokens(tx: Session, people: Iterable[Member], now: datetime) -> dict[int, str]:
    """Feed tokens by member id for the prep DMs' "Add to calendar", made where missing."""
    wanted = {member.id: member for member in people}
    tokens = {
        member_id: token
        for member_id, token in tx.execute(
            select(CalendarFeed.member_id, CalendarFeed.token).where(
                CalendarFeed.member_id.in_(wanted)
            )
        )
    }
    for member_id in wanted.keys() - tokens.keys():
        feed = CalendarFeed(team_id=wanted[member_id].team_id, member_id=member_id, created_at=now)
        tx.add(feed)
        tx.flush()
        tokens[member_id] = feed.token
    return tokens


def rotate_feed(
    tx: Session, team_id: str, user_id: str, now: datetime, *, rotating: str | None = None
) -> str:
    """A new token for the member's feed; the old link stops working at once. With
    `rotating` (the token the Rotate button was shown with), a token rotated away
    already is not rotated again: a double click gives one new link."""
    member = members.get_or_create(tx, team_id, user_id, now)
    members.lock_member(tx, member.id)
    feed = tx.scalar(select(CalendarFeed).where(CalendarFeed.member_id == member.id))
    if feed is None:
        feed = CalendarFeed(team_id=team_id, member_id=member.id, created_at=now)
        tx.add(feed)
    elif rotating and feed.token != rotating:
        return feed.token
    else:
        feed.token = new_feed_token()
        feed.rotated_at = now
    tx.flush()
    return feed.token


def feed_events(tx: Session, token: str, now: datetime) -> tuple[CalendarEvent, ...] | None:
    """The sessions in the feed of `token`, oldest first; None for a token that is
    unknown or was rotated away."""
    member = _owner(tx, token)
    if member is None:
        return None
    return _events(tx, member, PodSession.starts_at >= now - FEED_HISTORY)


def session_event(tx: Session, token: str, session_id: int) -> tuple[CalendarEvent, ...] | None:
    """The one session `session_id` for the owner of `token` (the prep DM's "Add to
    calendar"); None when the token is unknown or the session is not theirs."""
    member = _owner(tx, token)
    if member is None:
        return None
    events = _events(tx, member, PodSession.id == session_id)
    return events or None


def _owner(tx: Session, token: str) -> Member | None:
    if not token:
        return None
    return tx.scalar(
        select(Member)
        .join(CalendarFeed, CalendarFeed.member_id == Member.id)
        .where(CalendarFeed.token == token)
    )


def _events(tx: Session, member: Member, which) -> tuple[CalendarEvent, ...]:  # type: ignore[no-untyped-def]
    """The member's sessions matching `which`: of their pods, starting while they
    were in the pod, and not after the pod was archived."""
    rows = tx.scalars(
        select(PodSession)
        .join(Pod, Pod.id == PodSession.pod_id)
        .join(
            PodMembership,
            and_(PodMembership.pod_id == Pod.id, PodMembership.member_id == member.id),
        )
        .where(
            which,
            Pod.team_id == member.team_id,
            PodMembership.joined_at <= PodSession.starts_at,
            or_(PodMembership.left_at.is_(None), PodSession.starts_at < PodMembership.left_at),
            or_(Pod.archived_at.is_(None), PodSession.starts_at < Pod.archived_at),
        )
        .order_by(PodSession.starts_at, PodSession.id)
        .options(selectinload(PodSession.pod), selectinload(PodSession.coach))
    ).all()
    skipped = set(
        tx.scalars(
            select(SessionSkip.session_id).where(
                SessionSkip.member_id == member.id,
                SessionSkip.session_id.in_([row.id for row in rows]),
            )
        )
    )
    return tuple(
        CalendarEvent(
            session_id=row.id,
            sequence=row.calendar_sequence,
            pod_name=row.pod.name,
            pod_timezone=row.pod.timezone,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            coach_name=row.coach.name if row.coach is not None else None,
            theme=themes.theme_title(row.theme_key),
            cancelled=row.status == SessionStatus.CANCELLED or row.id in skipped,
        )
        for row in rows
    )
