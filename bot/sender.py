"""The outbox sender: claims due rows, calls Slack with a bounded number of calls
in flight, and records what happened, so each message goes out once.

- Claiming is one transaction committed before any call: on PostgreSQL one
  UPDATE claims the rows its CTEs picked with SELECT … FOR UPDATE SKIP LOCKED (on
  SQLite one UPDATE over a sub-select): several senders share rows without
  doubles. Rows a crashed sender left claimed past the lease are claimed again.
- `drain` keeps its `max_in_flight` threads busy: as calls end, the rows they
  sent are marked sent in the next claim's transaction (one statement for all)
  and new rows claimed for the free threads; no call waits for a slower one.
- 429 / ``ratelimited``: no call to that method until Retry-After has passed on
  our clock; the row waits (not a failed attempt). The window is written to
  ``slack_rate_windows``: every sender's claim skips the method until then, and
  right before each call a sender reads the method's row there (a primary-key
  read), so no sender starts a call once the window is in the database. Calls
  already on their way when Slack answered 429 cannot be recalled.
- 5xx, timeouts, connection errors, unknown errors: exponential backoff, then
  failed after ``max_attempts``. Permanent errors fail at once, reason kept.
- ``chat.update`` rows name the ``original_key`` of the message they change;
  they wait until that one is sent, and only the newest update of a message is
  sent (older ones are marked superseded).
- No doubles across a crash: every chat.postMessage carries its dedupe key in
  Slack message metadata (``event_type`` ``coachbot_outbox``). The claim commits
  the row's ``call_started_at`` (the claim time) before any call; it is cleared
  when the row goes back uncalled or Slack clearly refused the call, and stays set
  while a call's outcome is unknown (killed, timeout, 5xx). Such a row is never
  re-sent blind: the sender first reads the conversation's history since the claim
  (``conversations.history``, ``include_all_metadata``; a DM's IM channel from an
  earlier answer or ``conversations.open``) and records the message found as sent.
- A live call is never reclaimed: a call starts only while the claim has at least
  ``call_budget`` (client timeout × the calls one row can make) of its lease left,
  and the lease must be longer than that budget (checked in ``__init__``).
- ``max_claimed`` bounds the calls in flight across every sender sharing the
  database: a claim takes only as many rows as leave at most that many claimed
  (the count and the claim serialised by an advisory lock on PostgreSQL). A claim
  that only replaces rows its own transaction marked sent needs no count: the
  number claimed in all does not grow.

"Now" is always `clock()`, the runtime's clock (no default): a pass run for an
instant (`coachbot tick --at`) sends what is due at that instant.

The Web API client has no slack_sdk retry handlers: those sleep inside the call
and would let another thread call the method inside its Retry-After window.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Connection, and_, bindparam, case, func, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.db import Database
from bot.notify.outbox import POST_MESSAGE, UPDATE_MESSAGE, key_kind
from models import OutboxMessage, OutboxStatus
from models.outbox import SlackRateWindow

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
METADATA_EVENT_TYPE = "coachbot_outbox"
OPEN_METHOD = "conversations.open"
HISTORY_METHOD = "conversations.history"
HISTORY_PAGE_SIZE = 200
MAX_HISTORY_PAGES = 3
CALLS_PER_ROW = 1 + 1 + MAX_HISTORY_PAGES
"""The most Slack calls one row makes inside one claim: conversations.open, up to
MAX_HISTORY_PAGES pages of conversations.history, and the send itself. Each call
is bounded by the client timeout, so a row's calls end within
``client.timeout × CALLS_PER_ROW`` (the call budget) of their start."""
CLAIM_LOCK_KEY = 0x0C0AC4B07_5E4D
"""pg_advisory_xact_lock key serialising bounded claims (count, then claim)."""
REFILL_WAIT_SECONDS = 0.003
"""How long drain waits for the other calls of a claim to end before claiming rows
for the threads already free: one claim for several rows, not one a row."""
_MARK_SENT = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("b_id"), OutboxMessage.claimed_by == bindparam("b_token"))
    .values(
        status=OutboxStatus.SENT,
        sent_at=bindparam("b_at"),
        result_channel=bindparam("b_channel"),
        result_ts=bindparam("b_ts"),
        error=None,
    )
)
"""Sent rows, many at once: only those still claimed by the claim that sent them."""
_OPEN_WINDOWS = select(SlackRateWindow.method, SlackRateWindow.until).where(
    SlackRateWindow.until > bindparam("now")
)
_OPEN_WINDOWS_OF = _OPEN_WINDOWS.where(
    SlackRateWindow.method.in_(bindparam("methods", expanding=True))
)
CLOCK_SKEW = timedelta(minutes=1)
"""The history lookup starts this long before the claim: Slack's clock and ours differ."""


@dataclass(frozen=True)
class Claimed:
    """A claimed row, detached from the ORM so worker threads can share it."""

    id: int
    token: str
    method: str
    payload: dict[str, Any]
    attempts: int
    dedupe_key: str = ""
    claimed_at: datetime | None = None
    call_started_at: datetime | None = None
    """Set when an earlier call's outcome is unknown: the message may be in Slack."""
    original_key: str | None = None
    recipient: str | None = None


class Outcome:
    SENT = "sent"
    SUPERSEDED = "superseded"
    RATE_LIMITED = "rate_limited"
    DEFERRED = "deferred"  # not called: its method is inside a Retry-After window
    WAITING = "waiting"
    RETRY = "retry"
    FAILED = "failed"
    FOUND = "found_sent"  # an earlier call had gone through: recorded, not sent again
    EXPIRED = "lease_expired"  # too little lease left to start a call: released


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
        max_claimed: int | None = None,
    ) -> None:
        self.db = db
        self.max_claimed = max_claimed
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
        self._sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        # Lease > call timeout × calls per row: a call that starts with call_budget of
        # the lease left ends before any other sender may reclaim the row.
        self.call_budget = timedelta(seconds=(self.client.timeout or 30) * CALLS_PER_ROW)
        if self.lease <= self.call_budget:
            raise ValueError(
                f"lease {self.lease} must exceed client timeout × {CALLS_PER_ROW} calls"
                f" = {self.call_budget}"
            )

    # ------------------------------------------------------------------ public

    def drain(self, max_batches: int = 1000) -> str:
        """Send everything due now; returns a one-line summary. Calls run on
        `max_in_flight` threads that never wait for each other: as calls end, their
        rows are finished and new rows claimed for the free threads (at most
        `batch_size` rows held at once, `max_batches` claims in all)."""
        try:
            with ThreadPoolExecutor(self.max_in_flight, thread_name_prefix="outbox") as pool:
                outcomes = _Pipeline(self, pool, max_batches).run()
        finally:
            self.flush_sent()
        return (
            ", ".join(
                f"{count} {name.replace('_', ' ')}" for name, count in sorted(outcomes.items())
            )
            or "nothing to send"
        )

    def claim(self, limit: int | None = None, look_first: bool = True) -> list[Claimed]:
        """Marks up to batch_size (or `limit`) due rows as ours and commits. A
        chat.postMessage row is also marked `call_started_at` (this claim's time,
        unless an earlier call left its mark): from this commit on, the message may
        be in Slack. `look_first=False` skips the read-only look for due rows (when
        the last claim was full, there are likely more)."""
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
        self._adopt_windows(now)
        blocked = self.blocked_methods(now)
        if blocked:
            pick = pick.where(OutboxMessage.method.not_in(blocked))
        if look_first:
            # A read-only look first: an idle sender (the usual case) takes no write lock.
            with self._one_statement() as connection:
                if connection.scalar(pick.limit(1)) is None:
                    self.flush_sent()
                    return []
        with self.db.transaction() as tx:
            # The rows sent since the last claim first: they no longer count as claimed.
            swapped = self._write_sent(tx.connection())
            if self.db.is_sqlite:
                limit = self._claim_limit(tx, now, limit)
                if limit <= 0:
                    return []
                pick = pick.order_by(OutboxMessage.not_before, OutboxMessage.id).limit(limit)
                chosen: Any = pick.scalar_subquery()
            else:
                chosen = self._due_rows_locked(tx, now, blocked, limit, swapped)
            # `claimable` again in the UPDATE: a row another sender claimed since
            # the sub-select read it is not taken twice.
            rows = tx.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(chosen), claimable)
                .values(
                    status=OutboxStatus.CLAIMED,
                    claimed_at=now,
                    claimed_by=token,
                    call_started_at=case(
                        (
                            OutboxMessage.method == POST_MESSAGE,
                            func.coalesce(OutboxMessage.call_started_at, now),
                        ),
                        else_=OutboxMessage.call_started_at,
                    ),
                )
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.method,
                    OutboxMessage.payload,
                    OutboxMessage.attempts,
                    OutboxMessage.not_before,
                    OutboxMessage.dedupe_key,
                    OutboxMessage.call_started_at,
                    OutboxMessage.original_key,
                    OutboxMessage.recipient,
                )
                .execution_options(synchronize_session=False)
            ).all()
        rows.sort(key=lambda r: (r.not_before, r.id))
        return [
            Claimed(
                r.id,
                token,
                r.method,
                dict(r.payload),
                r.attempts,
                r.dedupe_key,
                claimed_at=now,
                # The mark this claim just set is no earlier call's.
                call_started_at=r.call_started_at if r.call_started_at != now else None,
                original_key=r.original_key,
                recipient=r.recipient,
            )
            for r in rows
        ]

    def _due_rows_locked(
        self, tx: Any, now: datetime, blocked: list[str], wanted: int | None, swapped: int
    ) -> Any:
        """PostgreSQL: the rows to claim, as a sub-select of the claiming UPDATE: rows a
        dead sender left claimed past the lease and pending rows, each read in
        `not_before` order off the (status, not_before) index and locked (SKIP LOCKED)
        in a materialised CTE (an IN (… LIMIT … SKIP LOCKED) sub-select may run once
        per row updated, and so take more than the limit).

        With `max_claimed`: a claim that takes no more rows than this transaction
        marked sent (`swapped`) leaves as many claimed in all as before: it needs no
        count. Any other takes the advisory lock that serialises bounded claims and
        takes no more than leaves `max_claimed` claimed, counted in the same statement
        (the lock is taken first: the count sees every claim committed before)."""
        most = self.batch_size if wanted is None else min(wanted, self.batch_size)
        ranges = []
        for name, due in (
            ("stale_claims", and_(
                OutboxMessage.status == OutboxStatus.CLAIMED,
                OutboxMessage.claimed_at < now - self.lease,
            )),
            ("pending_rows", and_(
                OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now
            )),
        ):  # fmt: skip
            pick = select(OutboxMessage.id, OutboxMessage.not_before).where(due)
            if blocked:
                pick = pick.where(OutboxMessage.method.not_in(blocked))
            locked = (
                pick.order_by(OutboxMessage.not_before)
                .limit(most)
                .with_for_update(skip_locked=True)
                .cte(name)
                .prefix_with("MATERIALIZED")
            )
            ranges.append(select(locked.c.id, locked.c.not_before))
        due_rows = union_all(*ranges).subquery("due_rows")
        cap: Any = most
        if self.max_claimed is not None and most > swapped:
            tx.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK_KEY)))
            claimed = select(func.count()).where(
                OutboxMessage.status == OutboxStatus.CLAIMED,
                OutboxMessage.claimed_at >= now - self.lease,
            )
            cap = func.greatest(0, func.least(most, self.max_claimed - claimed.scalar_subquery()))
        return select(due_rows.c.id).order_by(due_rows.c.not_before).limit(cap)

    def _claim_limit(self, tx: Any, now: datetime, wanted: int | None) -> int:
        """SQLite (one writer at a time): how many rows this claim may take: batch_size
        (or fewer `wanted`), and with `max_claimed` no more than leaves that many
        claimed in all (calls in flight ≤ claimed rows)."""
        most = self.batch_size if wanted is None else min(wanted, self.batch_size)
        if self.max_claimed is None:
            return most
        claimed = tx.scalar(
            select(func.count()).where(
                OutboxMessage.status == OutboxStatus.CLAIMED,
                OutboxMessage.claimed_at >= now - self.lease,
            )
        )
        return min(most, self.max_claimed - int(claimed or 0))

    def send(self, batch: list[Claimed]) -> list[str]:
        """Sends a claimed batch; returns one outcome per row. New messages go
        first, so an update can follow an original claimed in the same batch."""
        posts = [row for row in batch if row.method != UPDATE_MESSAGE]
        outcomes = self._deliver_all(posts)
        self.flush_sent()
        updates = [row for row in batch if row.method == UPDATE_MESSAGE]
        if updates:
            ready, settled = self._resolve_updates(updates)
            outcomes += settled + self._deliver_all(ready)
            self.flush_sent()
        return outcomes

    def _deliver_all(self, rows: list[Claimed]) -> list[str]:
        if not rows:
            return []
        with ThreadPoolExecutor(self.max_in_flight, thread_name_prefix="outbox") as pool:
            outcomes = dict(
                pair
                for pairs in pool.map(self._deliver_in_order, _by_conversation(rows))
                for pair in pairs
            )
        return [outcomes[row.id] for row in rows]

    def _deliver_in_order(
        self, rows: list[Claimed], after: Future[Any] | None = None
    ) -> list[tuple[int, str]]:
        """One conversation's rows one after another (after `after`, that
        conversation's rows still in flight): Slack shows them in the order they
        arrive. Returns (row id, outcome) pairs."""
        if after is not None:
            wait([after])
        return [(row.id, self.deliver(row)) for row in rows]

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
        look_first = row.method == POST_MESSAGE and row.call_started_at is not None
        methods = [row.method, OPEN_METHOD, HISTORY_METHOD] if look_first else [row.method]
        if (window_end := self._window_end(methods, now)) is not None:
            self._release(row, not_before=window_end)
            return Outcome.DEFERRED
        if row.claimed_at is not None and now > row.claimed_at + self.lease - self.call_budget:
            # Too little lease left: a call started now could outlive it.
            self._release(row, not_before=now)
            return Outcome.EXPIRED
        # Right before calling: another thread or process may have been refused meanwhile.
        now = self.clock()
        self._adopt_windows(now, methods)
        if (window_end := self._window_end(methods, now)) is not None:
            self._release(row, not_before=window_end)
            return Outcome.DEFERRED
        try:
            if look_first:
                found = self._find_sent(row)
                if found is not None:
                    self._record_sent(row, channel=found[0], ts=found[1])
                    return Outcome.FOUND
            response = self.call(row.method, self._with_metadata(row))
        except _LookupError as lookup:
            return self._on_slack_error(row, lookup.error, lookup.method)
        except SlackApiError as error:
            return self._on_slack_error(row, error, row.method)
        except Exception as error:  # timeouts, connection errors, bad gateways
            log.warning("outbox %s %s: %r", row.id, row.method, error)
            return self._retry_later(row, f"{type(error).__name__}: {error}")
        self._record_sent(row, channel=response.get("channel"), ts=response.get("ts"))
        return Outcome.SENT

    def _window_end(self, methods: list[str], now: datetime) -> datetime | None:
        """The end of the latest Retry-After window still open for any of `methods`."""
        with self._lock:
            ends = [self._windows[m] for m in methods if self._windows.get(m, now) > now]
        return max(ends, default=None)

    def _with_metadata(self, row: Claimed) -> dict[str, Any]:
        """The payload a chat.postMessage goes out with: its dedupe key in the message
        metadata, so a later lookup can tell whether it reached Slack."""
        if row.method != POST_MESSAGE:
            return row.payload
        return {
            **row.payload,
            "metadata": {
                "event_type": METADATA_EVENT_TYPE,
                "event_payload": {"dedupe_key": row.dedupe_key},
            },
        }

    def _find_sent(self, row: Claimed) -> tuple[str, str] | None:
        """(channel, ts) of the message an earlier call of this row posted, if Slack
        has it: the conversation's history since that claim, metadata included."""
        assert row.call_started_at is not None
        channel = self._conversation_of(row)
        oldest = f"{(row.call_started_at - CLOCK_SKEW).timestamp():.6f}"
        cursor = None
        for _ in range(MAX_HISTORY_PAGES):
            params: dict[str, Any] = {
                "channel": channel,
                "oldest": oldest,
                "inclusive": True,
                "include_all_metadata": True,
                "limit": HISTORY_PAGE_SIZE,
            }
            if cursor:
                params["cursor"] = cursor
            answer = self._lookup_call(HISTORY_METHOD, params)
            for message in answer.get("messages") or []:
                metadata = message.get("metadata") or {}
                if (
                    metadata.get("event_type") == METADATA_EVENT_TYPE
                    and (metadata.get("event_payload") or {}).get("dedupe_key") == row.dedupe_key
                ):
                    return channel, str(message["ts"])
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not answer.get("has_more") or not cursor:
                return None
        raise _LookupError(
            HISTORY_METHOD, None, f"more than {MAX_HISTORY_PAGES} pages since the claim"
        )

    def _conversation_of(self, row: Claimed) -> str:
        """The conversation a chat.postMessage went to: a DM sent to a user id lives
        in the IM channel an earlier answer recorded, or that conversations.open names."""
        target = str(row.payload.get("channel") or "")
        if target[:1] not in ("U", "W"):
            return target
        with self.db.transaction() as tx:
            known = tx.scalar(
                select(OutboxMessage.result_channel)
                .where(
                    OutboxMessage.recipient == target,
                    OutboxMessage.method == POST_MESSAGE,
                    OutboxMessage.status == OutboxStatus.SENT,
                    OutboxMessage.result_channel.is_not(None),
                )
                .limit(1)
            )
        if known:
            return str(known)
        answer = self._lookup_call(OPEN_METHOD, {"users": target})
        return str(answer["channel"]["id"])

    def _lookup_call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.call(method, params)
        except SlackApiError as error:
            raise _LookupError(method, error) from error

    def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """One Web API call (a test seam: a subclass can fail or die here)."""
        return self.client.api_call(method, json=payload).data  # type: ignore[return-value]

    def _on_slack_error(self, row: Claimed, error: SlackApiError | None, method: str) -> str:
        """`method` is the call that failed: the row's own, or a lookup's."""
        if error is None:  # a lookup that could not finish
            return self._retry_later(row, f"{method}: history too long to search")
        status = getattr(error.response, "status_code", 200)
        code = str(error.response.get("error") or "unknown_error")
        lookup = method != row.method
        if status == 429 or code == "ratelimited":
            # A clear "no": _release clears this claim's mark (an earlier one stays).
            window_end = self.clock() + timedelta(seconds=_retry_after(error))
            self._open_window(method, window_end)
            self._release(row, not_before=window_end)
            return Outcome.RATE_LIMITED
        if status < 500 and code in PERMANENT_ERRORS:
            reason = f"{code} (looking for an earlier attempt: {method})" if lookup else code
            log.warning("outbox %s %s failed: %s", row.id, row.method, reason)
            self._finish(row, status=OutboxStatus.FAILED, attempts=row.attempts + 1, error=reason)
            return Outcome.FAILED
        return self._retry_later(row, f"HTTP {status}: {code}" + (f" ({method})" if lookup else ""))

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

    def _adopt_windows(self, now: datetime, methods: list[str] | None = None) -> None:
        """Takes in the Retry-After windows other senders wrote (still open at `now`):
        all of them at every claim, and those of `methods` right before a call (a
        primary-key read), so no call starts once another process's window is in
        the database."""
        query, params = (
            (_OPEN_WINDOWS, {"now": now})
            if methods is None
            else (_OPEN_WINDOWS_OF, {"now": now, "methods": methods})
        )
        with self._one_statement() as connection:
            windows = connection.execute(query, params).all()
        for method, until in windows:
            self._keep_window(method, until)

    def _keep_window(self, method: str, until: datetime) -> None:
        with self._lock:
            if self._windows.get(method, until) <= until:
                self._windows[method] = until

    def _open_window(self, method: str, until: datetime) -> None:
        """Keeps `method` uncalled until `until`, here and in every other sender: one
        statement (an upsert keeping the later end), so the window reaches the
        database, where the others look right before each call, as soon as it can."""
        self._keep_window(method, until)
        insert = (sqlite_insert if self.db.is_sqlite else pg_insert)(SlackRateWindow)
        later = (func.max if self.db.is_sqlite else func.greatest)(
            SlackRateWindow.until, insert.excluded.until
        )
        with self._one_statement() as connection:
            connection.execute(
                insert.values(method=method, until=until).on_conflict_do_update(
                    index_elements=[SlackRateWindow.method], set_={"until": later}
                )
            )

    def _release(self, row: Claimed, not_before: datetime) -> None:
        """Back to pending, uncalled or clearly refused: this claim's mark goes (an
        earlier call's stays, its outcome still unknown)."""
        unmarked = {"call_started_at": None} if row.call_started_at is None else {}
        self._finish(
            row,
            status=OutboxStatus.PENDING,
            not_before=not_before,
            claimed_at=None,
            claimed_by=None,
            **unmarked,
        )

    def _one_statement(self) -> Connection:
        """A pooled connection in autocommit: a single statement is its own transaction,
        so the per-message reads and writes make no BEGIN / COMMIT round trips."""
        return self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _record_sent(self, row: Claimed, channel: str | None, ts: str | None) -> None:
        """Queues a sent row for the next `flush_sent`, which writes every queued row in
        one statement. Until then the row stays claimed with its `call_started_at`
        mark: if this process dies first, the next sender finds the message in Slack."""
        sent = {"b_id": row.id, "b_token": row.token, "b_at": self.clock()}
        with self._lock:
            self._sent.append({**sent, "b_channel": channel, "b_ts": ts})

    def flush_sent(self) -> None:
        """Records the rows sent since the last flush (see `_record_sent`)."""
        if self._sent:
            with self.db.engine.begin() as connection:
                self._write_sent(connection)

    def _write_sent(self, connection: Connection) -> int:
        """Marks the queued sent rows; returns how many this claim no longer holds."""
        with self._lock:
            sent, self._sent = self._sent, []
        if not sent:
            return 0
        changed = connection.execute(_MARK_SENT, sent).rowcount
        if not connection.dialect.supports_sane_multi_rowcount:
            return 0
        if changed != len(sent):
            log.warning(
                "outbox: %s sent rows were reclaimed by another sender while in flight",
                len(sent) - changed,
            )
        return int(changed)

    def _finish(self, row: Claimed, **values: Any) -> None:
        """Records the outcome, unless the lease ran out and another sender took the row."""
        with self._one_statement() as connection:  # Core: the per-message hot path
            changed = connection.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == row.token)
                .values(**values)
            ).rowcount
        if changed != 1:
            log.warning("outbox %s was reclaimed by another sender while in flight", row.id)

    # ------------------------------------------------------------------ chat.update

    def _resolve_updates(self, updates: list[Claimed]) -> tuple[list[Claimed], list[str]]:
        """Fills channel and ts of chat.update rows from their sent original; rows
        that must wait, are superseded or cannot be sent are settled here.
        Returns the rows ready to send and the outcomes of the settled ones."""
        original_keys = sorted({_original_key(row) for row in updates})
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
            # The update lookup: on the original_key index, never the payload JSON.
            for row_id, key in tx.execute(
                select(OutboxMessage.id, OutboxMessage.original_key).where(
                    OutboxMessage.original_key.in_(original_keys),
                    OutboxMessage.method == UPDATE_MESSAGE,
                    OutboxMessage.status != OutboxStatus.FAILED,
                )
            ):
                newest[key] = max(row_id, newest.get(key, row_id))
        ready, settled = [], []
        for row in updates:
            key = _original_key(row)
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
                ready.append(dataclasses.replace(row, payload=payload))
        return ready, settled


class _Pipeline:
    """One drain: claimed rows go to the pool's threads, one task a conversation
    (its rows in claim order, after any of its rows still in flight); the rows of
    a chat.update wait until the new messages claimed with them are sent."""

    def __init__(self, sender: OutboxSender, pool: ThreadPoolExecutor, max_claims: int) -> None:
        self.sender = sender
        self.pool = pool
        self.claims_left = max_claims
        self.running: dict[Future[list[tuple[int, str]]], int] = {}  # task → its rows
        self.last_task: dict[str, Future[list[tuple[int, str]]]] = {}  # by conversation
        self.updates: list[tuple[list[Claimed], list[Future[list[tuple[int, str]]]]]] = []
        self.outcomes: Counter[str] = Counter()
        self.last_claim_full = False

    def run(self) -> Counter[str]:
        while True:
            self._start_ready_updates()
            if self._idle_threads() and self._room() and self.claims_left > 0:
                self._gather_stragglers()
                if self._claim_and_start():
                    continue
            if not self.running:
                if not self.updates:
                    return self.outcomes
                continue  # their new messages are done: the updates start next
            self._collect(wait(self.running, return_when=FIRST_COMPLETED).done)

    def _room(self) -> int:
        """Rows this sender may still claim: it holds at most batch_size."""
        held = sum(self.running.values()) + sum(len(updates) for updates, _ in self.updates)
        return max(0, self.sender.batch_size - held)

    def _idle_threads(self) -> int:
        return max(0, self.sender.max_in_flight - len(self.running))

    def _gather_stragglers(self) -> None:
        """Calls started together end close together: a moment's wait for them makes
        one claim of several rows instead of one claim per row."""
        deadline = time.monotonic() + REFILL_WAIT_SECONDS
        while self.running and self._idle_threads() < self.sender.max_in_flight:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._collect(wait(self.running, timeout=left, return_when=FIRST_COMPLETED).done)

    def _claim_and_start(self) -> bool:
        limit = self._room()
        batch = self.sender.claim(limit=limit, look_first=not self.last_claim_full)
        self.last_claim_full = len(batch) == limit
        if not batch:
            return False
        self.claims_left -= 1
        started = self._start([row for row in batch if row.method != UPDATE_MESSAGE])
        if updates := [row for row in batch if row.method == UPDATE_MESSAGE]:
            self.updates.append((updates, started))
        return True

    def _start(self, rows: list[Claimed]) -> list[Future[list[tuple[int, str]]]]:
        started = []
        for conversation in _by_conversation(rows):
            key = _conversation_key(conversation[0])
            before = self.last_task.get(key)
            task = self.pool.submit(
                self.sender._deliver_in_order,
                conversation,
                before if before is not None and not before.done() else None,
            )
            self.running[task] = len(conversation)
            self.last_task[key] = task
            started.append(task)
        return started

    def _start_ready_updates(self) -> None:
        """Updates whose batch's new messages are all done: resolved, then sent."""
        for entry in [entry for entry in self.updates if all(f.done() for f in entry[1])]:
            self.sender.flush_sent()  # the originals they change are marked sent first
            self.updates.remove(entry)
            ready, settled = self.sender._resolve_updates(entry[0])
            self.outcomes.update(settled)
            self._start(ready)

    def _collect(self, done: set[Future[list[tuple[int, str]]]]) -> None:
        for task in done:
            del self.running[task]
            # A dying sender's exception goes on up.
            self.outcomes.update(outcome for _, outcome in task.result())
        self.last_task = {k: t for k, t in self.last_task.items() if t in self.running}


def _conversation_key(row: Claimed) -> str:
    return str(row.payload.get("channel") or f"#{row.id}")


def _by_conversation(rows: list[Claimed]) -> list[list[Claimed]]:
    """Rows grouped by the conversation they go to, each group in the rows' order."""
    groups: dict[str, list[Claimed]] = {}
    for row in rows:
        groups.setdefault(_conversation_key(row), []).append(row)
    return list(groups.values())


def _original_key(row: Claimed) -> str:
    return row.original_key or str(row.payload.get("original_key"))


class _LookupError(Exception):
    """A conversations.open / conversations.history call for a lookup failed."""

    def __init__(
        self, method: str, error: SlackApiError | None, reason: str = "lookup failed"
    ) -> None:
        super().__init__(f"{method}: {reason}")
        self.method = method
        self.error = error
