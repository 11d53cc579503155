"""tick(now): find everything due at an instant and put it in the outbox.

A pure function of the database and the instant: run it any number of times,
for any instant, and each message is still enqueued once (dedupe keys, and the
per-session "enqueued" marks that also keep the due queries small). Services
find what is due; bot.notify writes the rows, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.db import Database
from bot.notify import digest as notify_digest
from bot.notify import experiments as notify_experiments
from bot.notify import reflection_reminders as notify_reflection_reminders
from bot.notify import reminders as notify_reminders
from bot.notify import rituals as notify_rituals
from bot.services import checkins, reminders, sessions, themes, welcome


def tick(
    db: Database,
    now: datetime,
    *,
    admin_user_ids: Iterable[str] = (),
    public_url: str | None = None,
) -> int:
    """Returns how many outbox rows this pass created. `admin_user_ids` are the
    configured program admins (asked for a digest channel when none is set);
    with `public_url`, prep DMs carry an "Add to calendar" link."""
    with db.transaction() as tx:
        sessions.schedule_upcoming(tx, now)
        due = reminders.find_due(tx, now)
        consent_owed = welcome.consent_reminder_due(
            tx, [m for item in due.preps for m in item.attendees]
        )
        questions = themes.brief_questions_for(
            tx, [item.pod_session for item in due.preps if item.coach is not None]
        )
        created = notify_reminders.enqueue_due(
            tx, due, consent_owed, questions, now, public_url=public_url
        )
        reminders.mark_enqueued(
            tx,
            [item.pod_session.id for item in due.preps],
            [item.pod_session.id for item in due.ends],
            now,
        )
        created += notify_experiments.enqueue_due_nudges(tx, now)
        created += notify_rituals.enqueue_due_rituals(tx, now)
        created += notify_reflection_reminders.enqueue_due_reflection_reminders(tx, now)
        checkins.forget_sensitive_flags(tx, now)
    # The weekly digest in its own transaction: the sessions' rhythm never waits on it.
    with db.transaction() as tx:
        created += notify_digest.enqueue_due_digests(tx, now, admin_user_ids)
    return created
