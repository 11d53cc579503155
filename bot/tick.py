"""tick(now): find everything due at an instant and put it in the outbox.

A pure function of the database and the instant: run it any number of times,
for any instant, and each message is still enqueued once (dedupe keys, and the
per-session "enqueued" marks that also keep the due queries small). Services
find what is due; bot.notify writes the rows, in the same transaction.

Each step runs in its own savepoint, so one failing step costs only its own
work. A per-pod step that fails is run again pod by pod, each pod in its own
savepoint: the healthy pods' messages go out in this tick, and the failing pod,
logged with its id and left unmarked, is tried again on the next one. The happy
path stays a fixed number of statements whatever the pod count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.db import Database
from bot.notify import digest as notify_digest
from bot.notify import experiments as notify_experiments
from bot.notify import matching as notify_matching
from bot.notify import outbox as notify_outbox
from bot.notify import reflection_reminders as notify_reflection_reminders
from bot.notify import reminders as notify_reminders
from bot.notify import rituals as notify_rituals
from bot.services import checkins, receipts, reminders, sessions, themes, welcome, workspaces

log = logging.getLogger(__name__)

PodStep = Callable[[Session, Collection[int] | None], int]
"""Does a step's work for the given pods (None: every pod); returns rows added."""


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

    # Workspaces that removed the app are skipped: only the other teams' pods are worked.
    installed: set[int] | None = None

    def only_installed(pod_ids: Collection[int] | None) -> list[int] | None:
        if installed is None:
            return None if pod_ids is None else list(pod_ids)
        return sorted(installed if pod_ids is None else installed.intersection(pod_ids))

    def schedule(tx: Session, pod_ids: Collection[int] | None) -> int:
        sessions.schedule_upcoming(tx, now, only_installed(pod_ids))
        return 0

    def session_messages(tx: Session, pod_ids: Collection[int] | None) -> int:
        return _enqueue_session_messages(tx, now, only_installed(pod_ids), public_url)

    with db.transaction() as tx:
        uninstalled = workspaces.uninstalled_teams(tx)
        if uninstalled:
            installed = set(workspaces.pods_outside(tx, uninstalled))
        _per_pod(tx, "scheduling", schedule, lambda: sessions.pods_owed_a_session(tx, now))
        created = _per_pod(
            tx,
            "session reminders",
            session_messages,
            lambda: reminders.pods_with_due_sessions(tx, now),
        )
        created += _step(tx, "experiment nudges", notify_experiments.enqueue_due_nudges, now)
        created += _step(tx, "rituals", notify_rituals.enqueue_due_rituals, now)
        created += _step(
            tx,
            "reflection reminders",
            notify_reflection_reminders.enqueue_due_reflection_reminders,
            now,
        )
        _step(tx, "clearing sensitive flags", _forget_sensitive_flags, now)
        created += _step(
            tx,
            "reshuffles",
            lambda tx, at: notify_matching.enqueue_reshuffle_step(tx, at, admin_user_ids),
            now,
        )
        if uninstalled:  # nothing enqueued above for them goes out
            workspaces.fail_pending(tx, uninstalled)
    # The weekly digest in its own transaction: the sessions' rhythm never waits on it.
    try:
        with db.transaction() as tx:
            created += notify_digest.enqueue_due_digests(tx, now, admin_user_ids)
            if uninstalled:
                workspaces.fail_pending(tx, uninstalled)
    except Exception:
        log.exception("tick at %s: the digests failed; retried on the next tick", now.isoformat())
    return created


def _enqueue_session_messages(
    tx: Session, now: datetime, pod_ids: Collection[int] | None, public_url: str | None
) -> int:
    """Prep reminders and end-of-session DMs due now, written and marked together."""
    due = reminders.find_due(tx, now, pod_ids)
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
    return created


def _forget_sensitive_flags(tx: Session, now: datetime) -> int:
    checkins.forget_sensitive_flags(tx, now)
    return 0


def _step(tx: Session, name: str, work: Callable[[Session, datetime], int], now: datetime) -> int:
    """`work` in its own savepoint; on failure only its work is undone, and logged."""
    try:
        with tx.begin_nested():
            return work(tx, now)
    except Exception:
        log.exception("tick at %s: %s failed; retried on the next tick", now.isoformat(), name)
        return 0


def _per_pod(tx: Session, name: str, work: PodStep, pods: Callable[[], list[int]]) -> int:
    """`work` for every pod at once in a savepoint; if that fails, again for each pod
    of `pods()` in a savepoint of its own, so only the failing pods' work is lost."""
    try:
        with tx.begin_nested():
            return work(tx, None)
    except Exception:
        log.exception("tick: %s failed; trying again pod by pod", name)
    try:
        with tx.begin_nested():
            pod_ids = pods()
    except Exception:
        log.exception("tick: %s failed; could not list its pods", name)
        return 0
    created = 0
    for pod_id in pod_ids:
        try:
            with tx.begin_nested():
                created += work(tx, [pod_id])
        except Exception:
            log.exception("tick: %s failed for pod %s; retried on the next tick", name, pod_id)
    return created


PURGE_BATCH = 1000
PURGE_MAX_BATCHES = 20
"""A purge pass deletes at most this many batches (the backlog of a first run after an
upgrade is worked off over the next ticks, never in one long transaction)."""


def purge(db: Database, now: datetime, retention_days: int) -> int:
    """Deletes sent outbox rows and request/event receipts older than the retention
    window, in batches of PURGE_BATCH rows, each in its own transaction; returns
    how many rows went. A failure is logged and retried on the next tick."""
    cutoff = now - timedelta(days=retention_days)
    purged = 0
    try:
        for _ in range(PURGE_MAX_BATCHES):
            with db.transaction() as tx:
                batch = notify_outbox.purge_sent(tx, cutoff, PURGE_BATCH)
                batch += receipts.forget_before(tx, cutoff, PURGE_BATCH)
            purged += batch
            if batch == 0:
                break
    except Exception:
        log.exception("tick at %s: the retention purge failed; retried", now.isoformat())
    return purged
