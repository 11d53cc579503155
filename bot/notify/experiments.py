"""The experiment nudge: one DM on the due date, as outbox rows (dedupe key
`nudge:ID`), from what bot.services.experiments finds due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify.outbox import POST_MESSAGE, Outgoing, enqueue_all
from bot.services import experiments
from bot.ui import experiments as ui


def enqueue_due_nudges(tx: Session, now: datetime) -> int:
    """Put the nudge DM of every experiment due now in the outbox, once each, and
    mark them nudged. Constant SQL: one SELECT, one multi-row INSERT, one UPDATE.
    Returns how many rows were added."""
    due = experiments.due_nudges(tx, now)
    if not due:
        return 0
    messages = [
        Outgoing(
            team_id=nudge.team_id,
            dedupe_key=experiments.nudge_key(nudge.experiment_id),
            method=POST_MESSAGE,
            payload={"channel": nudge.user_id, **ui.nudge_message(nudge.experiment_id, nudge.text)},
        )
        for nudge in due
    ]
    created = enqueue_all(tx, messages, now)
    experiments.mark_nudged(tx, [nudge.experiment_id for nudge in due], now)
    return created
