from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from models import Base


def test_models_and_migrations_do_not_drift(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent(db):
    db.upgrade()
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_sqlite_pragmas(tmp_path):
    from bot.db import Database

    sqlite = Database.from_url(f"sqlite:///{tmp_path / 'p.db'}")
    with sqlite.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


# ------------------------------------------------------------- 0002: statuses, community

OLD_ROWS = """
INSERT INTO members (id, team_id, user_id, display_name, real_name, tz, is_bot,
    is_slack_admin, created_at) VALUES (1, 'T1', 'U1', 'ana', 'Ana', 'UTC', false, false, :t);
INSERT INTO pods (id, team_id, name, name_key, focus_kind, focus_text, interval_weeks, weekday,
    local_time, timezone, duration_minutes, is_group_dm, created_by, created_at)
    VALUES (1, 'T1', 'Pod', 'pod', 'goal', '', 1, 0, '15:00:00', 'UTC', 45, false, 'U1', :t);
INSERT INTO pod_sessions (id, team_id, pod_id, starts_at, ends_at, status, created_at)
    VALUES (1, 'T1', 1, :t, :t, 'scheduled', :t);
INSERT INTO checkins (id, team_id, session_id, member_id, intent, exploration, share_intent,
    updated_at, created_at) VALUES (1, 'T1', 1, 1, 'i', '', true, :t, :t);
INSERT INTO reflections (id, team_id, member_id, session_id, insight, action, share_in_digest,
    source, created_at) VALUES (1, 'T1', 1, 1, 'x', 'y', true, 'command', :t);
INSERT INTO experiments (id, team_id, member_id, session_id, text, due_date, status, created_at)
    VALUES (1, 'T1', 1, 1, 'e', '2026-01-01', 'open', :t);
INSERT INTO kudos (id, team_id, giver_member_id, receiver_member_id, value, text, created_at)
    VALUES (1, 'T1', 1, 1, 'courage', 'k', :t);
INSERT INTO program_settings (team_id, prep_lead_hours, digest_weekday, digest_time,
    digest_timezone, k_text, k_count, updated_at)
    VALUES ('T1', 24, 4, '09:00:00', 'UTC', 5, 3, :t);
INSERT INTO outbox_messages (id, team_id, dedupe_key, method, payload, status, not_before,
    attempts, created_at) VALUES (1, 'T1', 'k1', 'chat.postMessage', '{}', 'sent', :t, 1, :t);
"""


def _migrate(db, revision: str, down: bool = False) -> None:
    from alembic import command

    from bot.db import alembic_config

    with db.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _upgrade_populated_0001(db) -> None:
    from datetime import datetime

    from sqlalchemy import text

    _migrate(db, "0001", down=True)
    with db.engine.begin() as connection:
        for statement in OLD_ROWS.split(";"):
            if statement.strip():
                connection.execute(text(statement), {"t": datetime(2026, 1, 1, 9, 0)})
    _migrate(db, "head")


def _assert_old_rows_kept_with_defaults(db) -> None:
    from sqlalchemy import text

    with db.engine.connect() as connection:
        one = connection.execute
        assert one(text("SELECT count(*) FROM checkins")).scalar() == 1
        assert one(text("SELECT count(*) FROM experiments")).scalar() == 1
        assert one(text("SELECT session_id FROM reflections")).scalar() == 1
        assert one(text("SELECT withdrawn_at FROM reflections")).scalar() is None
        assert one(text("SELECT is_leader FROM members")).scalar() in (False, 0)
        assert one(text("SELECT celebrate FROM pods")).scalar() in (False, 0)
        assert one(text("SELECT kudos_daily_limit FROM program_settings")).scalar() == 5
        assert tuple(one(text("SELECT is_private, batch_key FROM kudos")).one()) in (
            (False, ""),
            (0, ""),
        )
        assert one(text("SELECT status FROM outbox_messages")).scalar() == "sent"
        assert one(text("SELECT sensitive FROM checkins")).scalar() in (False, 0)
        assert one(text("SELECT calendar_sequence FROM pod_sessions")).scalar() == 0
        assert tuple(
            one(
                text("SELECT reflection_reminder_weekday, reflection_reminder_time FROM members")
            ).one()
        ) == (None, None)


def test_0002_upgrades_populated_databases_in_place(db):
    try:
        _upgrade_populated_0001(db)
        _assert_old_rows_kept_with_defaults(db)
    finally:
        _migrate(db, "head")


def test_0002_upgrades_a_populated_sqlite_file(tmp_path):
    from bot.db import Database

    sqlite = Database.from_url(f"sqlite:///{tmp_path / 'old.db'}")
    sqlite.upgrade()
    _upgrade_populated_0001(sqlite)
    _assert_old_rows_kept_with_defaults(sqlite)
    sqlite.engine.dispose()


def test_statuses_are_checked_by_the_database(db):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    bad = {
        "experiments": "UPDATE experiments SET status = 'bogus'",
        "outbox_messages": "UPDATE outbox_messages SET status = 'bogus'",
        "pod_sessions": "UPDATE pod_sessions SET status = 'bogus'",
    }
    with db.engine.begin() as connection:
        for statement in OLD_ROWS.split(";"):
            if statement.strip():
                connection.execute(text(statement), {"t": "2026-01-01 09:00:00"})
    for statement in bad.values():
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(statement))


def test_status_columns_read_back_as_enums(db):
    from datetime import date

    from models import Experiment, ExperimentStatus, Member

    with db.transaction() as tx:
        member = Member(team_id="T1", user_id="U1")
        tx.add(member)
        tx.flush()
        tx.add(Experiment(team_id="T1", member_id=member.id, text="e", due_date=date(2026, 1, 1)))
    with db.transaction() as tx:
        status = tx.query(Experiment.status).scalar()
    assert status is ExperimentStatus.OPEN
    assert status == "open"


# ------------------------------------------------------------- 0003: sessions people keep


def test_0003_downgrades_and_upgrades_with_rows_kept(db):
    from sqlalchemy import text

    with db.engine.begin() as connection:
        for statement in OLD_ROWS.split(";"):
            if statement.strip():
                connection.execute(text(statement), {"t": "2026-01-01 09:00:00"})
    try:
        _migrate(db, "0002", down=True)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM checkins")).scalar() == 1
        _migrate(db, "head")
        _assert_old_rows_kept_with_defaults(db)
    finally:
        _migrate(db, "head")


def test_pulse_answers_are_checked_by_the_database(db):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with db.engine.begin() as connection:
        for statement in OLD_ROWS.split(";"):
            if statement.strip():
                connection.execute(text(statement), {"t": "2026-01-01 09:00:00"})
        connection.execute(
            text(
                "INSERT INTO pulses (id, team_id, session_id, member_id, usefulness, pod_fit,"
                " created_at, updated_at) VALUES (1, 'T1', 1, 1, 5, 'fine', :t, :t)"
            ),
            {"t": "2026-01-01 09:00:00"},
        )
    for statement in (
        "UPDATE pulses SET usefulness = 6",
        "UPDATE pulses SET usefulness = 0",
        "UPDATE pulses SET pod_fit = 'bogus'",
    ):
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(statement))


# ------------------------------------------------------------- 0004: request receipts


def test_0004_adds_request_receipts_and_downgrades_cleanly(db):
    from datetime import UTC, datetime

    from models import RequestReceipt

    try:
        _migrate(db, "0003", down=True)
        assert "request_receipts" not in inspect(db.engine).get_table_names()
        _migrate(db, "head")
        with db.engine.connect() as connection:  # a fresh look, no reflection cache
            indexes = inspect(connection).get_indexes("request_receipts")
        assert [(i["name"], i["column_names"]) for i in indexes] == [
            ("ix_request_receipts_received_at", ["received_at"])
        ]
        when = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
        with db.transaction() as tx:
            tx.add(RequestReceipt(signature="v0=abc", team_id=None, received_at=when))
        with db.transaction() as tx:
            assert tx.get(RequestReceipt, "v0=abc").received_at == when
    finally:
        _migrate(db, "head")
