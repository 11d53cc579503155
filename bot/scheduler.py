"""APScheduler drives `tick(now)` once a minute and the outbox sender every few
seconds.

Only one process ticks (bot.leader: a PostgreSQL advisory lock; on SQLite the
single process); every worker sends, which FOR UPDATE SKIP LOCKED makes safe.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.leader import LeaderLock
from bot.runtime import Runtime
from bot.sender import OutboxSender
from bot.tick import purge, tick
from models.base import utcnow

log = logging.getLogger(__name__)

TICK_JOB_ID = "coachbot-tick"
SEND_JOB_ID = "coachbot-send"
TICK_SECONDS = 60
SEND_SECONDS = 5
MISFIRE_GRACE_SECONDS = 30


def tick_for(rt: Runtime, now: datetime) -> int:
    """tick(now) with this deployment's settings."""
    return tick(
        rt.db,
        now,
        admin_user_ids=rt.settings.admin_user_ids,
        public_url=rt.settings.PUBLIC_URL,
    )


def run_once(rt: Runtime, now: datetime | None = None) -> str:
    """One pass: enqueue what is due, then send what is waiting, both at one instant:
    `now` when given (`coachbot tick --at`), else the runtime's clock."""
    if now is not None:
        rt = replace(rt, clock=lambda: now)
    at = rt.now()
    enqueued = tick_for(rt, at)
    purge(rt.db, at, rt.settings.RETENTION_DAYS)
    sent = OutboxSender(rt.db, rt.client, clock=rt.clock).drain()
    return f"tick at {at.isoformat()}: {enqueued} enqueued, {sent}"


class Jobs:
    """What the scheduler runs; failures are logged and the next run carries on."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.leader = LeaderLock(rt.db)
        self.sender = OutboxSender(rt.db, rt.client, clock=rt.clock)

    def tick(self) -> None:
        try:
            if not self.leader.is_leader():
                log.debug("standing by: another process runs tick")
                return
            now = self.rt.now()
            log.info(
                "tick at %s: %s enqueued",
                now.isoformat(),
                tick_for(self.rt, now),
            )
            purge(self.rt.db, now, self.rt.settings.RETENTION_DAYS)
        except Exception:
            log.exception("tick failed; the next one picks up where it stopped")
        self.send()

    def send(self) -> None:
        try:
            summary = self.sender.drain()
            if summary != "nothing to send":
                log.info("outbox: %s", summary)
        except Exception:
            log.exception("sending failed; the rows stay in the outbox")

    def shutdown(self) -> None:
        self.leader.release()


def _configure(scheduler: BaseScheduler, jobs: Jobs) -> None:
    common = {
        "replace_existing": True,
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": MISFIRE_GRACE_SECONDS,
    }
    scheduler.add_job(
        jobs.tick,
        "interval",
        seconds=TICK_SECONDS,
        id=TICK_JOB_ID,
        next_run_time=utcnow(),  # APScheduler runs on the real clock, whatever rt.clock says
        **common,
    )
    scheduler.add_job(jobs.send, "interval", seconds=SEND_SECONDS, id=SEND_JOB_ID, **common)
    scheduler.add_listener(lambda _event: jobs.shutdown(), EVENT_SCHEDULER_SHUTDOWN)


def start_background_scheduler(rt: Runtime) -> BackgroundScheduler:
    jobs = Jobs(rt)
    scheduler = BackgroundScheduler(timezone="UTC")
    _configure(scheduler, jobs)
    scheduler.start()
    return scheduler


def run_worker(rt: Runtime) -> None:
    jobs = Jobs(rt)
    scheduler = BlockingScheduler(timezone="UTC")
    _configure(scheduler, jobs)
    log.info(
        "Coachbot worker started: tick every %s s, send every %s s", TICK_SECONDS, SEND_SECONDS
    )
    scheduler.start()
