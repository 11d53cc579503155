"""Database faults, as a person and the scheduler see them.

PostgreSQL restarting is simulated without touching the shared server: the bot's own
connections to this test database are terminated (`pg_terminate_backend`), between
requests (the pool's pre-ping replaces them unnoticed) and in the middle of a request or
a tick (the person gets the friendly apology, nothing is half-written, and the next
request or tick does the work once). SQLite under 50 concurrent submissions: WAL, a busy
timeout and short transactions keep "database is locked" from anyone.
"""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from bot.db import Database
from bot.notify import kudos as kudos_notify
from bot.sender import OutboxSender
from bot.services import members, reflections
from bot.tick import tick
from bot.ui.answers import SORRY
from models import Kudos, OutboxMessage, Reflection
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import ALICE, BOB, CAROL, modal_on_screen

ANA, BO = "U0ANA", "U0BO"


def is_postgres(db: Database) -> bool:
    return db.engine.dialect.name == "postgresql"


def kill_other_connections(db: Database) -> int:
    """What a server restart does to the bot: every connection it holds is gone. Done
    from a connection of its own, outside the bot's pool."""
    outsider = create_engine(db.engine.url, poolclass=NullPool)
    try:
        with outsider.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
            connection.commit()
    finally:
        outsider.dispose()
    return int(killed or 0)


def kill_own_connection(tx) -> None:  # type: ignore[no-untyped-def]
    """The server goes away in the middle of this transaction."""
    tx.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))


def count(db: Database, model) -> int:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return tx.scalar(select(func.count()).select_from(model))


def answers_of(slack, user_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [visible_text(message) for message in slack.ephemerals(user_id)]


@pytest.fixture
def people(slack):  # type: ignore[no-untyped-def]
    slack.add_user(ANA, "ana", tz="Europe/London")
    slack.add_user(BO, "bo", tz="America/New_York")


@pytest.fixture
def postgres(db: Database) -> Database:
    if not is_postgres(db):
        pytest.skip("terminating server connections needs PostgreSQL")
    return db


# ---------------------------------------------------------------- PostgreSQL restarts


def test_connections_lost_between_requests_are_replaced_unnoticed(
    postgres, signed, slack, rt, people, no_slack_refusals
):
    signed.command(ANA, "kudos <@U0BO|bo> #courage before the restart")
    assert kill_other_connections(postgres) >= 1
    signed.command(ANA, "kudos <@U0BO|bo> #courage after the restart")
    assert [a for a in answers_of(slack, ANA) if "sent to" in a] == answers_of(slack, ANA)
    assert len(answers_of(slack, ANA)) == 2
    assert count(postgres, Kudos) == 2


def test_a_connection_lost_mid_command_gets_the_apology_and_writes_nothing(
    postgres, signed, slack, rt, clock, people, monkeypatch
):
    real = kudos_notify.enqueue_received

    def server_restarts(tx, given, now):  # type: ignore[no-untyped-def]
        kill_own_connection(tx)  # after the kudos row was written, before its DM
        return real(tx, given, now)

    monkeypatch.setattr(kudos_notify, "enqueue_received", server_restarts)
    response = signed.command(ANA, "kudos <@U0BO|bo> #courage through the outage")
    assert response.status == 200
    assert answers_of(slack, ANA) == [SORRY]
    assert count(postgres, Kudos) == 0 and count(postgres, OutboxMessage) == 0

    monkeypatch.setattr(kudos_notify, "enqueue_received", real)
    signed.command(ANA, "kudos <@U0BO|bo> #courage through the outage")
    assert "Kudos for *Courage* sent to <@U0BO>" in answers_of(slack, ANA)[-1]
    assert count(postgres, Kudos) == 1 and count(postgres, OutboxMessage) == 1
    OutboxSender(rt.db, rt.client, clock=clock).drain()
    assert len(slack.dms(BO)) == 1


def test_a_connection_lost_mid_submission_keeps_the_form_open_with_the_apology(
    postgres, signed, slack, world, monkeypatch
):
    real = reflections.submit_reflection

    def server_restarts(tx, *args, **kwargs):  # type: ignore[no-untyped-def]
        saved = real(tx, *args, **kwargs)
        kill_own_connection(tx)
        return saved

    monkeypatch.setattr(reflections, "submit_reflection", server_restarts)
    signed.command(ALICE, "reflect")
    view = modal_on_screen(slack, ALICE)
    values = {"insight": "Ask before fixing.", "action": "Ask one question.", "share": []}
    signed.view_submission(ALICE, view, values)
    assert list(slack.view_errors(view["id"]).values()) == [SORRY]
    assert count(postgres, Reflection) == 0

    monkeypatch.setattr(reflections, "submit_reflection", real)
    signed.view_submission(ALICE, view, values)
    assert slack.open_views(ALICE) == []
    assert count(postgres, Reflection) == 1


def test_a_tick_cut_off_by_a_restart_is_done_once_by_the_next_tick(
    postgres, rt, slack, clock, world, monkeypatch, caplog
):
    import bot.tick as tick_module

    real = tick_module.notify_rituals.enqueue_due_rituals

    def server_restarts(tx, now):  # type: ignore[no-untyped-def]
        kill_own_connection(tx)  # after the session reminders were written
        return real(tx, now)

    clock.set(world.starts_at - timedelta(hours=23))
    monkeypatch.setattr(tick_module.notify_rituals, "enqueue_due_rituals", server_restarts)
    with caplog.at_level(logging.CRITICAL), contextlib.suppress(Exception):
        tick(rt.db, clock())  # the scheduler logs what escapes and ticks again
    assert count(postgres, OutboxMessage) == 0  # nothing half-written

    monkeypatch.setattr(tick_module.notify_rituals, "enqueue_due_rituals", real)
    clock.advance(minutes=1)
    assert tick(rt.db, clock()) > 0
    assert tick(rt.db, clock()) == 0
    OutboxSender(rt.db, rt.client, clock=clock).drain()
    for person in (ALICE, BOB, CAROL):
        texts = [visible_text(dm) for dm in slack.dms(person)]
        assert len(texts) == len(set(texts)) >= 1, person


def test_the_pool_checks_connections_before_use(postgres):
    assert postgres.engine.pool._pre_ping is True


# ---------------------------------------------------------------- concurrency (both databases)

CROWD = [f"U0P{n:03d}" for n in range(50)]


def test_fifty_concurrent_commands_all_get_their_answer(signed, slack, rt, people, caplog):
    for user_id in CROWD:
        slack.add_user(user_id, user_id.lower())
    # The harness runs 5 listeners; production sizes its pool to the server's threads
    # (bot.app.listener_threads). What is under test here is the database, not the pool.
    signed.bot.executor._max_workers = len(CROWD)
    with caplog.at_level(logging.WARNING), ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(
            pool.map(
                lambda user_id: (
                    signed.sim.command(
                        user_id, f"kudos <@U0BO|bo> #courage thanks from {user_id}"
                    ).status
                ),
                CROWD,
            )
        )
        signed.bot.settle()
    assert statuses == [200] * 50
    for user_id in CROWD:
        assert ["sent to" in a for a in answers_of(slack, user_id)] == [True], user_id
    assert count(rt.db, Kudos) == 50
    assert "database is locked" not in caplog.text


def test_fifty_concurrent_writers_on_the_database_never_see_it_locked(db, clock):
    now = clock()

    def reflect(n: int) -> None:
        with db.transaction() as tx:  # read, then write: the riskiest shape on SQLite
            reflections.submit_reflection(
                tx,
                "T0001",
                CROWD[n % 10],
                None,
                reflections.SOURCE_COMMAND,
                {"insight": f"Insight {n}", "action": f"Action {n}", "share": []},
                now,
            )

    with db.transaction() as tx:
        for user_id in CROWD[:10]:
            members.get_or_create(tx, "T0001", user_id, now)
    with ThreadPoolExecutor(max_workers=50) as pool:
        failures = [f.exception() for f in [pool.submit(reflect, n) for n in range(50)]]
    assert [f for f in failures if f is not None] == []
    assert count(db, Reflection) == 50
