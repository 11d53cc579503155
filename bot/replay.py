"""One effect per signed request: a byte-identical replay is acked and does nothing.

Slack signs every HTTP request over (version, timestamp, raw body), so a replay carries
the same X-Slack-Signature as the original. Bolt's built-in middleware (ssl_check,
signature verification, authorization, url_verification) runs before any global
middleware added with `app.use`, so only genuine requests are recorded here, and
url_verification and ssl_check never reach this code. Slack's own event retries carry a
new timestamp, hence a new signature; handlers/events.py dedupes those by event id.

The guard's receipt is the one database write before the ack, a single statement on a
connection in autocommit (no ORM session, no BEGIN / COMMIT): whatever else must be
noted of every request before its listener runs (`also`: that a person used a
workspace, which resumes an uninstalled one) shares that connection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.runtime import Runtime
from bot.services import receipts

logger = logging.getLogger(__name__)

# Bolt refuses timestamps more than five minutes off, so older receipts can't match.
KEEP_RECEIPTS = timedelta(minutes=10)
FORGET_EVERY = timedelta(minutes=1)

FirstSight = Callable[[Connection, Any, datetime], None]


class ReplayGuard(Middleware):
    """Records each verified request's signature; a signature seen before gets an empty
    200 and goes no further (no listener runs, nothing is answered twice)."""

    def __init__(self, rt: Runtime, *, also: FirstSight | None = None) -> None:
        self.rt = rt
        self.also = also
        self._lock = threading.Lock()
        self._last_forgotten: datetime | None = None

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        signature = req.headers.get("x-slack-signature", [""])[0]
        guarded = req.mode != "socket_mode" and bool(signature)
        if not guarded and self.also is None:
            return next()
        now = self.rt.now()
        first_time = True
        try:
            with self.rt.db.autocommit() as tx:
                if guarded:
                    first_time = receipts.record_request(tx, signature, req.context.team_id, now)
                    if self._forget_due(now):
                        receipts.forget_requests_before(tx, now - KEEP_RECEIPTS)
                if first_time and self.also is not None:
                    self.also(tx, req.body, now)
        except SQLAlchemyError:
            # Fail open: with the database down a person still gets help and plain
            # answers; a replay is rare, a database outage should not silence the bot.
            logger.warning("replay guard could not record a request", exc_info=True)
            return next()
        if not first_time:
            logger.info("replayed request ignored (team %s)", req.context.team_id)
            return BoltResponse(status=200, body="")
        return next()

    def _forget_due(self, now: datetime) -> bool:
        """At most once a minute per process; a clock moved back counts as due."""
        with self._lock:
            last = self._last_forgotten
            if last is not None and timedelta(0) <= now - last < FORGET_EVERY:
                return False
            self._last_forgotten = now
            return True
