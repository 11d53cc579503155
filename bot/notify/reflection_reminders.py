"""The weekly reflection reminder DMs as outbox rows (one key per member and local
day), from what bot.services.reflection_reminders finds due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify.outbox import POST_MESSAGE, Outgoing, enqueue_all
from bot.services import reflection_reminders
from bot.ui import reflection_reminders as ui


def enqueue_due_reflection_reminders(tx: Session, now: datetime) -> int:
    """Put every reflection reminder due now in the outbox, once per member and day;
    returns how many rows were added."""
    due = reflection_reminders.find_due(tx, now)
    messages = [
        Outgoing(
            team_id=item.team_id,
            dedupe_key=reflection_reminders.reminder_key(
                item.team_id, item.user_id, item.local_day
            ),
            method=POST_MESSAGE,
            payload={"channel": item.user_id, **ui.reminder_dm(item)},
        )
        for item in due
    ]
    return enqueue_all(tx, messages, now)
