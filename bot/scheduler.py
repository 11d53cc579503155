"""APScheduler drives `tick(now)` and the outbox sender once a minute."""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.runtime import Runtime
from bot.tick import tick

log = logging.getLogger(__name__)

TICK_JOB_ID = "coachbot-tick"
TICK_SECONDS = 60
MISFIRE_GRACE_SECONDS = 30


def run_once(rt: Runtime, now: datetime) -> str:
    """One pass: enqueue what is due at `now`, then send what is waiting."""
    from bot.sender import OutboxSender

    enqueued = tick(rt.db, now)
    sent = OutboxSender(rt.db, rt.client, clock=rt.clock).drain()
    return f"tick at {now.isoformat()}: {enqueued} enqueued, {sent}"


def _tick_job(rt: Runtime) -> None:
    try:
        run_once(rt, rt.now())
    except Exception:
        log.exception("tick failed; the next one will pick up where it stopped")


def _configure(scheduler: BackgroundScheduler | BlockingScheduler, rt: Runtime) -> None:
    scheduler.add_job(
        _tick_job,
        "interval",
        seconds=TICK_SECONDS,
        args=[rt],
        id=TICK_JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        next_run_time=rt.now(),
    )


def start_background_scheduler(rt: Runtime) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    _configure(scheduler, rt)
    scheduler.start()
    return scheduler


def run_worker(rt: Runtime) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    _configure(scheduler, rt)
    log.info("Coachbot worker started: tick every %s s", TICK_SECONDS)
    scheduler.start()
