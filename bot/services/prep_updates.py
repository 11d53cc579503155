"""Keeping the prep message and the coach brief current as people check in.

After a check-in, the pod channel's prep reminder and the coach's brief (when
they already went out or are queued) are due a `chat.update` with the intents
shared so far. This decides which of them and returns the facts; bot.notify
rebuilds them with the builders the tick uses and queues the updates. Only
intents whose authors chose to share them are loaded; an intent un-shared later
disappears on the next refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import reminders, themes
from models import OutboxMessage, OutboxStatus, Pod, PodSession, SessionStatus

REFRESH_MARK = ":refresh:"
PREP = "prep"
BRIEF = "brief"


def refresh_key(original_key: str, number: int) -> str:
    return f"{original_key}{REFRESH_MARK}{number}"


@dataclass(frozen=True)
class ShownMessage:
    """One message already sent (or queued) that may need an update."""

    kind: str
    """PREP (the pod channel's reminder) or BRIEF (the coach's DM)."""
    original_key: str
    shown_text: str | None
    shown_blocks: list[dict[str, Any]] | None
    """What the person sees now: the original or its latest update."""
    refreshes: int
    """How many updates of it were queued before."""


@dataclass(frozen=True)
class PrepRefresh:
    team_id: str
    people: reminders.SessionPeople
    brief_questions: list[str]
    shown: tuple[ShownMessage, ...]


def pending_refresh(tx: Session, pod_session: PodSession, now: datetime) -> PrepRefresh | None:
    """The session's prep message and coach brief to update, when they went out
    (or are queued) and the session is still ahead; None when there is nothing."""
    if pod_session.status != SessionStatus.SCHEDULED or pod_session.ends_at <= now:
        return None
    pod = tx.get(Pod, pod_session.pod_id)
    if pod is None or pod.archived_at is not None:
        return None
    keys = {PREP: reminders.prep_key(pod_session), BRIEF: reminders.brief_key(pod_session)}
    originals = _live_originals(tx, list(keys.values()))
    if not originals:
        return None
    tx.flush()
    people = reminders.load_people(tx, [(pod_session, pod)], want_intents={pod_session.id})
    item = people[pod_session.id]
    shown: list[ShownMessage] = []
    if keys[PREP] in originals:
        shown.append(_shown(tx, PREP, keys[PREP]))
    brief = originals.get(keys[BRIEF])
    questions: list[str] = []
    # The brief is updated only while its coach still holds the seat.
    coach = item.coach.user_id if item.coach is not None else None
    if brief is not None and coach is not None and (brief.payload or {}).get("channel") == coach:
        questions = themes.brief_questions(tx, pod_session, n=3)
        shown.append(_shown(tx, BRIEF, keys[BRIEF]))
    if not shown:
        return None
    return PrepRefresh(
        team_id=pod.team_id, people=item, brief_questions=questions, shown=tuple(shown)
    )


def _live_originals(tx: Session, keys: list[str]) -> dict[str, OutboxMessage]:
    rows = tx.scalars(
        select(OutboxMessage).where(
            OutboxMessage.dedupe_key.in_(keys), OutboxMessage.status != OutboxStatus.FAILED
        )
    )
    return {row.dedupe_key: row for row in rows}


def _shown(tx: Session, kind: str, original_key: str) -> ShownMessage:
    rows = tx.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.payload)
        .where(
            # The original and its updates: the unique key and the original_key index.
            (OutboxMessage.dedupe_key == original_key)
            | (OutboxMessage.original_key == original_key)
        )
        .order_by(OutboxMessage.id)
    ).all()
    latest = (rows[-1].payload or {}) if rows else {}
    return ShownMessage(
        kind=kind,
        original_key=original_key,
        shown_text=latest.get("text"),
        shown_blocks=latest.get("blocks"),
        refreshes=sum(1 for row in rows if row.dedupe_key != original_key),
    )
