"""The prep message and the coach brief, rebuilt with the intents shared so far
and queued as `chat.update`s of the originals (facts from
bot.services.prep_updates). An update identical to what is shown is not queued."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.notify.reminders import person, session_card
from bot.services.prep_updates import BRIEF, PREP, PrepRefresh, ShownMessage, refresh_key
from bot.ui import reminders as ui

# Keys taken by concurrent refreshes of the same message are skipped, this many at most.
MAX_KEY_ATTEMPTS = 5


def enqueue_updates(tx: Session, refresh: PrepRefresh | None, now: datetime) -> int:
    """Queue the updates; returns how many were queued."""
    if refresh is None:
        return 0
    item = refresh.people
    card = session_card(item)
    queued = 0
    for shown in refresh.shown:
        if shown.kind == PREP:
            text, blocks = ui.prep_channel(card)
        elif shown.kind == BRIEF and item.coach is not None:
            text, blocks = ui.coach_brief(
                card, person(item.coach), refresh.brief_questions, care=item.care
            )
        else:  # pragma: no cover - the service returns only these two
            continue
        queued += _queue_update(tx, refresh.team_id, shown, text, blocks, now)
    return queued


def _queue_update(
    tx: Session, team_id: str, shown: ShownMessage, text: str, blocks: list, now: datetime
) -> int:
    if shown.shown_text == text and shown.shown_blocks == blocks:
        return 0
    for attempt in range(MAX_KEY_ATTEMPTS):
        if outbox.update_message(
            tx,
            team_id=team_id,
            dedupe_key=refresh_key(shown.original_key, shown.refreshes + 1 + attempt),
            original_key=shown.original_key,
            text=text,
            blocks=blocks,
            not_before=now,
        ):
            return 1
    return 0  # pragma: no cover - five concurrent refreshes of one message
