"""Keeping the prep message and the coach brief current as people check in.

After a check-in, the pod channel's prep reminder and the coach's brief (when
they already went out) are rebuilt with the same builders the tick uses and
queued as `chat.update`s of the original messages. Only intents whose authors
chose to share them ever appear; an intent un-shared later disappears on the
next refresh. A refresh identical to what is already shown is not queued.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.services import reminder_messages, reminders, themes
from bot.ui import reminders as reminders_ui
from models import OutboxMessage, OutboxStatus, Pod, PodSession, SessionStatus

REFRESH_MARK = ":refresh:"
MAX_KEY_ATTEMPTS = 5


def refresh_key(original_key: str, number: int) -> str:
    return f"{original_key}{REFRESH_MARK}{number}"


def refresh_prep_message(session: Session, pod_session: PodSession, now: datetime) -> int:
    """Queue updates of the session's prep message and coach brief, if sent or
    queued already. Returns how many updates were queued."""
    if pod_session.status != SessionStatus.SCHEDULED or pod_session.ends_at <= now:
        return 0
    pod = session.get(Pod, pod_session.pod_id)
    if pod is None or pod.archived_at is not None:
        return 0
    prep_key = reminders.prep_key(pod_session)
    brief_key = reminders.brief_key(pod_session)
    originals = _live_originals(session, [prep_key, brief_key])
    if not originals:
        return 0
    session.flush()
    people = reminders.load_people(session, [(pod_session, pod)], want_intents={pod_session.id})
    item = people[pod_session.id]
    card = reminder_messages.session_card(item)
    queued = 0
    if prep_key in originals:
        text, blocks = reminders_ui.prep_channel(card)
        queued += _queue_update(session, pod.team_id, prep_key, text, blocks, now)
    if brief_key in originals and item.coach is not None:
        coach = originals[brief_key].payload.get("channel")
        if coach == item.coach.user_id:
            questions = themes.brief_questions(session, pod_session, n=3)
            text, blocks = reminders_ui.coach_brief(
                card, reminder_messages.person(item.coach), questions
            )
            queued += _queue_update(session, pod.team_id, brief_key, text, blocks, now)
    return queued


def _live_originals(session: Session, keys: list[str]) -> dict[str, OutboxMessage]:
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.dedupe_key.in_(keys), OutboxMessage.status != OutboxStatus.FAILED
        )
    )
    return {row.dedupe_key: row for row in rows}


def _queue_update(
    session: Session,
    team_id: str,
    original_key: str,
    text: str,
    blocks: list[dict[str, Any]],
    now: datetime,
) -> int:
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.dedupe_key, OutboxMessage.payload)
        .where(
            (OutboxMessage.dedupe_key == original_key)
            | OutboxMessage.dedupe_key.startswith(original_key + REFRESH_MARK, autoescape=True)
        )
        .order_by(OutboxMessage.id)
    ).all()
    if rows:
        latest = rows[-1].payload or {}
        if latest.get("text") == text and latest.get("blocks") == blocks:
            return 0
    number = sum(1 for row in rows if row.dedupe_key != original_key) + 1
    for attempt in range(MAX_KEY_ATTEMPTS):
        if outbox.update_message(
            session,
            team_id=team_id,
            dedupe_key=refresh_key(original_key, number + attempt),
            original_key=original_key,
            text=text,
            blocks=blocks,
            not_before=now,
        ):
            return 1
    return 0  # pragma: no cover - five concurrent refreshes of one message
