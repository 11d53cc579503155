"""tick(now): find everything due at an instant and put it in the outbox.

A pure function of the database and the instant: run it any number of times,
for any instant, and each message is still enqueued once (dedupe keys, and the
per-session "enqueued" marks that also keep the due queries small).
"""

from __future__ import annotations

from datetime import datetime

from bot.db import Database
from bot.services import experiments, reminders, sessions, themes, welcome
from bot.services.reminder_messages import end_messages, prep_messages


def tick(db: Database, now: datetime) -> int:
    """Returns how many outbox rows this pass created."""
    with db.transaction() as session:
        sessions.schedule_upcoming(session, now)
        due = reminders.find_due(session, now)
        consent_owed = welcome.consent_reminder_due(
            session, [m for item in due.preps for m in item.attendees]
        )
        questions = themes.brief_questions_for(
            session, [item.pod_session for item in due.preps if item.coach is not None]
        )
        messages = [m for item in due.preps for m in prep_messages(item, consent_owed, questions)]
        messages += [m for item in due.ends for m in end_messages(item)]
        created = reminders.enqueue_all(session, messages, now)
        reminders.mark_enqueued(
            session,
            [item.pod_session.id for item in due.preps],
            [item.pod_session.id for item in due.ends],
            now,
        )
        created += experiments.enqueue_due_nudges(session, now)
    return created
