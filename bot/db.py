"""Engine, sessions and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(url: str, **options: object) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, hide_parameters=True, **options
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    # hide_parameters: a logged database error never carries what a person typed.
    # pool_pre_ping: connections the server dropped (a restart, a failover) are replaced
    # at checkout, so the next request and the next tick just work.
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True, **options)
    if engine.dialect.driver == "psycopg":
        event.listen(engine, "connect", _configure_psycopg)
    return engine


def _configure_psycopg(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL refuses NUL characters in text: strings lose them on the way in, so a
    NUL typed (or forged) anywhere is dropped, never a failed request."""
    from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

    class NulFreeText(StrDumperUnknown):
        def dump(self, obj: str) -> bytes:  # type: ignore[override]
            return super().dump(obj.replace("\x00", ""))  # type: ignore[return-value]

    class NulFreeBinary(StrBinaryDumper):
        def dump(self, obj: str) -> bytes:  # type: ignore[override]
            return super().dump(obj.replace("\x00", ""))  # type: ignore[return-value]

    # The text dumper last: it stays the one used for `%s`, and its "unknown" type
    # lets PostgreSQL infer a parameter's type as it does without this hook.
    dbapi_connection.adapters.register_dumper(str, NulFreeBinary)
    dbapi_connection.adapters.register_dumper(str, NulFreeText)


def _configure_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the database; a power cut can lose the last
    # commits. It spares an fsync per commit, which holds SQLite's one write lock.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


class Database:
    """The engine and a session factory; `transaction()` is the unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[Session]:
        """One unit of work. `durable=False` is for bookkeeping a crash may lose (an
        event's receipt): on PostgreSQL its commit doesn't wait for the disk, which
        keeps a flush off the ack path. (SQLite in WAL mode with synchronous=NORMAL
        never waits for the disk at commit.)"""
        with self._sessions() as session, session.begin():
            if not durable and self.engine.dialect.name == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            yield session

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A pooled connection where each statement is its own transaction: no BEGIN /
        COMMIT round trips and no ORM session, for a few statements that need neither
        (the replay guard's, before every ack)."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def upgrade(self) -> None:
        """Apply every pending migration; a no-op when already at head."""
        with self.engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
