"""Which process runs tick: on PostgreSQL the holder of a session-level advisory
lock, held on a connection of its own for as long as the process lives; the
others stand by and try again each minute. On SQLite there is one process."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, text

from bot.db import Database

log = logging.getLogger(__name__)

# Any constant shared by every Coachbot process of a database: "coachbot" in ASCII.
SCHEDULER_LOCK_KEY = 0x636F616368626F74


class LeaderLock:
    def __init__(self, db: Database, key: int = SCHEDULER_LOCK_KEY) -> None:
        self.db = db
        self.key = key
        self._connection: Connection | None = None
        self._mutex = threading.Lock()

    def is_leader(self) -> bool:
        """True while this process holds the lock; tries to take it when it does not."""
        if self.db.is_sqlite:
            return True
        with self._mutex:
            if self._connection is not None and self._still_alive():
                return True
            self._drop_connection()
            return self._try_acquire()

    def release(self) -> None:
        with self._mutex:
            if self._connection is not None:
                try:
                    self._connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                    )
                    self._connection.commit()
                except Exception:
                    log.debug("advisory unlock failed; closing the connection releases it")
            self._drop_connection()

    def _try_acquire(self) -> bool:
        connection = None
        try:
            connection = self.db.engine.connect()
            acquired = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
                ).scalar()
            )
            # Session-level locks outlive transactions; end this one so the
            # connection does not sit "idle in transaction".
            connection.commit()
        except Exception:
            if connection is not None:
                connection.close()
            log.warning("could not ask for the scheduler lock", exc_info=True)
            return False
        if not acquired:
            connection.close()
            return False
        log.info("this process now runs the scheduler (advisory lock %s)", self.key)
        self._connection = connection
        return True

    def _still_alive(self) -> bool:
        assert self._connection is not None
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            log.warning("lost the scheduler lock connection; standing by")
            return False

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except Exception:
                pass
            self._connection = None
