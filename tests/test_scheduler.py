"""The scheduler: APScheduler job settings, one leader on PostgreSQL, and the
background scheduler delivering a prep reminder end to end."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select, text

from bot.leader import LeaderLock
from bot.scheduler import (
    MISFIRE_GRACE_SECONDS,
    SEND_JOB_ID,
    TICK_JOB_ID,
    Jobs,
    _configure,
    start_background_scheduler,
)
from bot.services import sessions as svc
from models import OutboxMessage
from slack_standin.server import visible_text
from tests.test_sessions import seasoned_pod

MONDAY_9 = datetime(2026, 3, 2, 9, tzinfo=UTC)
PREP_TIME = datetime(2026, 3, 2, 15, tzinfo=UTC)


@pytest.fixture
def pod(db, slack):
    for user_id in ("U1", "U2", "U3"):
        slack.add_user(user_id, user_id.lower())
    slack.add_channel("CPOD", "pathfinders", members=["U1", "U2", "U3"])
    with db.transaction() as tx:
        seasoned_pod(tx)
        svc.schedule_upcoming(tx, MONDAY_9)


def needs_postgres(db) -> None:
    if db.is_sqlite:
        pytest.skip("advisory locks are PostgreSQL's; on SQLite one process does everything")


def test_jobs_coalesce_run_one_at_a_time_and_tolerate_a_late_start(rt):
    scheduler = BackgroundScheduler(timezone="UTC")
    _configure(scheduler, Jobs(rt))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {TICK_JOB_ID, SEND_JOB_ID}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
    assert jobs[TICK_JOB_ID].trigger.interval == timedelta(minutes=1)


def test_on_sqlite_the_one_process_leads(db):
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    assert LeaderLock(db).is_leader() and LeaderLock(db).is_leader()


def test_one_leader_on_postgres_and_a_standby_takes_over(db):
    needs_postgres(db)
    first, second = LeaderLock(db, key=4242), LeaderLock(db, key=4242)
    try:
        assert first.is_leader()
        assert first.is_leader()  # still, on its own connection
        assert not second.is_leader()
        first.release()
        assert second.is_leader()
        assert not first.is_leader()
    finally:
        first.release()
        second.release()


def test_a_leader_whose_connection_died_stands_down(db):
    needs_postgres(db)
    first, second = LeaderLock(db, key=4343), LeaderLock(db, key=4343)
    try:
        assert first.is_leader()
        pid = first._connection.execute(text("SELECT pg_backend_pid()")).scalar()
        first._connection.commit()
        with db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 5  # the backend exits shortly after the signal
        while not second.is_leader() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert second.is_leader()  # the lock went with the connection
        assert not first.is_leader()  # noticed, reconnected, found it taken
    finally:
        first.release()
        second.release()


def test_a_standby_sends_but_does_not_tick(rt, clock, db, pod, slack):
    needs_postgres(db)
    leader = LeaderLock(db)
    assert leader.is_leader()
    try:
        clock.set(PREP_TIME)
        standby = Jobs(rt)
        standby.tick()
        with db.transaction() as tx:
            assert tx.scalars(select(OutboxMessage)).all() == []
    finally:
        leader.release()
    standby.tick()
    assert len(slack.messages_to("CPOD")) == 1
    standby.shutdown()


def test_the_background_scheduler_ticks_and_sends_at_once(rt, clock, pod, slack):
    clock.set(PREP_TIME)
    scheduler = start_background_scheduler(rt)
    try:
        deadline = time.monotonic() + 10
        while not slack.messages_to("CPOD") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    (reminder,) = slack.messages_to("CPOD")
    assert "Tue 3 Mar, 15:00 (Europe/London)" in visible_text(reminder)
