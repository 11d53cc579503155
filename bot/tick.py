"""tick(now): find everything due at an instant and put it in the outbox.

A pure function of the database and the instant: run it any number of times,
for any instant, and each message is still enqueued once (dedupe keys).
"""

from __future__ import annotations

from datetime import datetime

from bot.db import Database


def tick(db: Database, now: datetime) -> int:
    """Returns how many outbox rows this pass created."""
    created = 0
    with db.transaction() as session:  # noqa: F841 - steps are added by the cadence work
        pass
    return created
