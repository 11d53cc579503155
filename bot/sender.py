"""The outbox sender: claims due rows, calls Slack with a bounded number of calls
in flight, and records what happened, so each message goes out once.

- Claiming is one UPDATE over a sub-select (FOR UPDATE SKIP LOCKED on
  PostgreSQL), committed before any call: several senders share rows without
  doubles. Rows a crashed sender left claimed past the lease are claimed again.
- 429 / ``ratelimited``: no call to that method until Retry-After has passed on
  our clock; the row waits (not a failed attempt) and so does every pending row
  of that method, which tells the other senders too.
- 5xx, timeouts, connection errors, unknown errors: exponential backoff, then
  failed after ``max_attempts``. Permanent errors fail at once, reason kept.
- ``chat.update`` rows name the ``original_key`` of the message they change;
  they wait until that one is sent, and only the newest update of a message is
  sent (older ones are marked superseded).

"Now" is always `clock()`, the runtime's clock (no default): a pass run for an
instant (`coachbot tick --at`) sends what is due at that instant.

The Web API client has no slack_sdk retry handlers: those sleep inside the call
and would let another thread call the method inside its Retry-After window.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import and_, or_, select, update

from bot.db import Database
from bot.notify.outbox import UPDATE_MESSAGE
from models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "user_not_found",
        "account_inactive",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "msg_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "no_text",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "invalid_arguments",
        "missing_scope",
        "restricted_action",
        "unknown_method",
    }
)
SUPERSEDED = "superseded"
DEFAULT_RETRY_AFTER_SECONDS = 1
_KEY_KIND = re.compile(r"[A-Za-z_-]+")


@dataclass(frozen=True)
class Claimed:
    """A claimed row, detached from the ORM so worker threads can share it."""

    id: int
    token: str
    method: str
    payload: dict[str, Any]
    attempts: int
    dedupe_key: str = ""


class Outcome:
    SENT = "sent"
    SUPERSEDED = "superseded"
    RATE_LIMITED = "rate_limited"
    DEFERRED = "deferred"  # not called: its method is inside a Retry-After window
    WAITING = "waiting"
    RETRY = "retry"
    FAILED = "failed"


def sending_client(client: WebClient) -> WebClient:
    """The app client's token and base URL, without retry handlers (see module doc)."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        retry_handlers=[],
    )


def key_kind(dedupe_key: str) -> str:
    """The kind a dedupe key starts with (`prep`, `kudos`, ...): safe to log, unlike
    the rest, which may name people."""
    found = _KEY_KIND.match(dedupe_key)
    return found.group() if found else "-"


def _retry_after(error: SlackApiError) -> int:
    headers = getattr(error.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(1, int(float(value[0] if isinstance(value, list) else value)))
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER_SECONDS


class OutboxSender:
    def __init__(
        self,
        db: Database,
        client: WebClient,
        clock: Callable[[], datetime],
        max_in_flight: int = 4,
        worker_id: str | None = None,
        *,
        batch_size: int = 50,
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 8,
        backoff_base: timedelta = timedelta(seconds=30),
        backoff_cap: timedelta = timedelta(minutes=30),
        update_wait: timedelta = timedelta(seconds=30),
    ) -> None:
        self.db = db
        self.client = sending_client(client)
        self.clock = clock
        self.max_in_flight = max(1, max_in_flight)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.batch_size = batch_size
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.update_wait = update_wait
        self._windows: dict[str, datetime] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ public

    def drain(self, max_batches: int = 1000) -> str:
        """Send everything due now; returns a one-line summary."""
        outcomes: Counter[str] = Counter()
        for _ in range(max_batches):
            batch = self.claim()
            if not batch:
                break
            outcomes.update(self.send(batch))
        return (
            ", ".join(
                f"{count} {name.replace('_', ' ')}" for name, count in sorted(outcomes.items())
            )
            or "nothing to send"
        )

    def claim(self) -> list[Claimed]:
        """Marks up to batch_size due rows as ours and commits."""
        now = self.clock()
        token = f"{self.worker_id}#{uuid.uuid4().hex[:12]}"
        claimable = or_(
            and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now),
            and_(
                OutboxMessage.status == OutboxStatus.CLAIMED,
                OutboxMessage.claimed_at < now - self.lease,
            ),
        )
        pick = select(OutboxMessage.id).where(claimable)
        if waiting := self.blocked_methods(now):
            pick = pick.where(OutboxMessage.method.not_in(waiting))
        with self.db.transaction() as tx:
            # A read-only look first: an idle sender (the usual case) takes no write lock.
            if tx.scalar(pick.limit(1)) is None:
                return []
        pick = pick.order_by(OutboxMessage.not_before, OutboxMessage.id).limit(self.batch_size)
        if not self.db.is_sqlite:
            pick = pick.with_for_update(skip_locked=True)
        with self.db.transaction() as tx:
            # `claimable` again in the UPDATE: a row another sender claimed since
            # the sub-select read it is not taken twice.
            rows = tx.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(pick.scalar_subquery()), claimable)
                .values(status=OutboxStatus.CLAIMED, claimed_at=now, claimed_by=token)
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.method,
                    OutboxMessage.payload,
                    OutboxMessage.attempts,
                    OutboxMessage.not_before,
                    OutboxMessage.dedupe_key,
                )
                .execution_options(synchronize_session=False)
            ).all()
        rows.sort(key=lambda r: (r.not_before, r.id))
        return [
            Claimed(r.id, token, r.method, dict(r.payload), r.attempts, r.dedupe_key) for r in rows
        ]

    def send(self, batch: list[Claimed]) -> list[str]:
        """Sends a claimed batch; returns one outcome per row. New messages go
        first, so an update can follow an original claimed in the same batch."""
        posts = [row for row in batch if row.method != UPDATE_MESSAGE]
        outcomes = self._deliver_all(posts)
        updates = [row for row in batch if row.method == UPDATE_MESSAGE]
        if updates:
            ready, settled = self._resolve_updates(updates)
            outcomes += settled + self._deliver_all(ready)
        return outcomes

    def _deliver_all(self, rows: list[Claimed]) -> list[str]:
        if not rows:
            return []
        with ThreadPoolExecutor(self.max_in_flight, thread_name_prefix="outbox") as pool:
            return list(pool.map(self.deliver, rows))

    def blocked_methods(self, now: datetime) -> list[str]:
        with self._lock:
            return sorted(method for method, until in self._windows.items() if until > now)

    # ------------------------------------------------------------------ one row

    def deliver(self, row: Claimed) -> str:
        """Sends one row and logs one line for it: ids and kinds, never its text."""
        outcome = self._deliver(row)
        log.log(
            logging.DEBUG if outcome == Outcome.DEFERRED else logging.INFO,
            "outbox %s %s %s: %s (attempt %s)",
            row.id,
            row.method,
            key_kind(row.dedupe_key),
            outcome,
            row.attempts + 1,
            extra={
                "outbox_id": row.id,
                "method": row.method,
                "key_kind": key_kind(row.dedupe_key),
                "outcome": outcome,
                "attempts": row.attempts + 1,
            },
        )
        return outcome

    def _deliver(self, row: Claimed) -> str:
        now = self.clock()
        with self._lock:
            window_end = self._windows.get(row.method)
        if window_end is not None and window_end > now:
            self._release(row, not_before=window_end)
            return Outcome.DEFERRED
        try:
            response = self.call(row.method, row.payload)
        except SlackApiError as error:
            return self._on_slack_error(row, error)
        except Exception as error:  # timeouts, connection errors, bad gateways
            log.warning("outbox %s %s: %r", row.id, row.method, error)
            return self._retry_later(row, f"{type(error).__name__}: {error}")
        self._finish(
            row,
            status=OutboxStatus.SENT,
            sent_at=self.clock(),
            result_channel=response.get("channel"),
            result_ts=response.get("ts"),
            error=None,
        )
        return Outcome.SENT

    def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """One Web API call (a test seam: a subclass can fail or die here)."""
        return self.client.api_call(method, json=payload).data  # type: ignore[return-value]

    def _on_slack_error(self, row: Claimed, error: SlackApiError) -> str:
        status = getattr(error.response, "status_code", 200)
        code = str(error.response.get("error") or "unknown_error")
        if status == 429 or code == "ratelimited":
            window_end = self.clock() + timedelta(seconds=_retry_after(error))
            self._open_window(row.method, window_end)
            self._release(row, not_before=window_end)
            return Outcome.RATE_LIMITED
        if status < 500 and code in PERMANENT_ERRORS:
            log.warning("outbox %s %s failed: %s", row.id, row.method, code)
            self._finish(row, status=OutboxStatus.FAILED, attempts=row.attempts + 1, error=code)
            return Outcome.FAILED
        return self._retry_later(row, f"HTTP {status}: {code}")

    def _retry_later(self, row: Claimed, reason: str) -> str:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            self._finish(row, status=OutboxStatus.FAILED, attempts=attempts, error=reason)
            return Outcome.FAILED
        backoff = min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1))
        self._finish(
            row,
            status=OutboxStatus.PENDING,
            attempts=attempts,
            not_before=self.clock() + backoff,
            claimed_at=None,
            claimed_by=None,
            error=reason,
        )
        return Outcome.RETRY

    def _open_window(self, method: str, until: datetime) -> None:
        with self._lock:
            if self._windows.get(method, until) <= until:
                self._windows[method] = until
        with self.db.transaction() as tx:
            tx.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.method == method,
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.not_before < until,
                )
                .values(not_before=until)
                .execution_options(synchronize_session=False)
            )

    def _release(self, row: Claimed, not_before: datetime) -> None:
        self._finish(
            row,
            status=OutboxStatus.PENDING,
            not_before=not_before,
            claimed_at=None,
            claimed_by=None,
        )

    def _finish(self, row: Claimed, **values: Any) -> None:
        """Records the outcome, unless the lease ran out and another sender took the row."""
        with self.db.transaction() as tx:
            changed = tx.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == row.token)
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
        if changed != 1:
            log.warning("outbox %s was reclaimed by another sender while in flight", row.id)

    # ------------------------------------------------------------------ chat.update

    def _resolve_updates(self, updates: list[Claimed]) -> tuple[list[Claimed], list[str]]:
        """Fills channel and ts of chat.update rows from their sent original; rows
        that must wait, are superseded or cannot be sent are settled here.
        Returns the rows ready to send and the outcomes of the settled ones."""
        original_keys = sorted({str(row.payload.get("original_key")) for row in updates})
        with self.db.transaction() as tx:
            originals = {
                o.dedupe_key: (o.status, o.result_channel, o.result_ts)
                for o in tx.execute(
                    select(
                        OutboxMessage.dedupe_key,
                        OutboxMessage.status,
                        OutboxMessage.result_channel,
                        OutboxMessage.result_ts,
                    ).where(OutboxMessage.dedupe_key.in_(original_keys))
                )
            }
            newest: dict[str, int] = {}
            for row_id, key in tx.execute(
                select(OutboxMessage.id, OutboxMessage.payload["original_key"].as_string()).where(
                    OutboxMessage.method == UPDATE_MESSAGE,
                    OutboxMessage.status != OutboxStatus.FAILED,
                    OutboxMessage.payload["original_key"].as_string().in_(original_keys),
                )
            ):
                newest[key] = max(row_id, newest.get(key, row_id))
        ready, settled = [], []
        for row in updates:
            key = str(row.payload.get("original_key"))
            status, channel, ts = originals.get(key, (None, None, None))
            if newest.get(key, row.id) > row.id:
                self._finish(row, status=OutboxStatus.SENT, sent_at=self.clock(), error=SUPERSEDED)
                settled.append(Outcome.SUPERSEDED)
            elif status is None or status == OutboxStatus.FAILED:
                reason = "original_failed" if status else "original_not_found"
                self._finish(row, status=OutboxStatus.FAILED, error=reason)
                settled.append(Outcome.FAILED)
            elif status != OutboxStatus.SENT:
                self._release(row, not_before=self.clock() + self.update_wait)
                settled.append(Outcome.WAITING)
            else:
                payload = {k: v for k, v in row.payload.items() if k != "original_key"}
                payload.update(channel=channel, ts=ts)
                ready.append(
                    Claimed(row.id, row.token, row.method, payload, row.attempts, row.dedupe_key)
                )
        return ready, settled
