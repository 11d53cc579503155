"""Putting messages in the outbox. Each has a dedupe key: enqueuing the same key
again does nothing, which is what makes tick(now) safe to repeat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import OutboxMessage, OutboxStatus

POST_MESSAGE = "chat.postMessage"
UPDATE_MESSAGE = "chat.update"


def enqueue(
    tx: Session,
    *,
    team_id: str,
    dedupe_key: str,
    method: str,
    payload: dict[str, Any],
    not_before: datetime,
) -> bool:
    """Adds the message unless its key was enqueued before; True when added."""
    values = {
        "team_id": team_id,
        "dedupe_key": dedupe_key,
        "method": method,
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "not_before": not_before,
        "attempts": 0,
        "created_at": not_before,
    }
    dialect = tx.get_bind().dialect.name
    if dialect == "postgresql":
        statement = pg_insert(OutboxMessage).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite_insert(OutboxMessage).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        statement = insert(OutboxMessage).values(values)
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return tx.execute(statement.returning(OutboxMessage.id)).first() is not None


def post_message(
    tx: Session,
    *,
    team_id: str,
    dedupe_key: str,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    not_before: datetime,
) -> bool:
    """chat.postMessage to a channel, or to a user id for a DM in the app's Messages tab."""
    payload: dict[str, Any] = {"channel": channel, "text": text}
    if blocks is not None:
        payload["blocks"] = blocks
    return enqueue(
        tx,
        team_id=team_id,
        dedupe_key=dedupe_key,
        method=POST_MESSAGE,
        payload=payload,
        not_before=not_before,
    )


def update_message(
    tx: Session,
    *,
    team_id: str,
    dedupe_key: str,
    original_key: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    not_before: datetime,
) -> bool:
    """chat.update of the message sent for `original_key`, once that one is out."""
    payload: dict[str, Any] = {"original_key": original_key, "text": text}
    if blocks is not None:
        payload["blocks"] = blocks
    return enqueue(
        tx,
        team_id=team_id,
        dedupe_key=dedupe_key,
        method=UPDATE_MESSAGE,
        payload=payload,
        not_before=not_before,
    )


@dataclass(frozen=True)
class Outgoing:
    """One message for `enqueue_all`."""

    team_id: str
    dedupe_key: str
    method: str
    payload: dict[str, Any]


def enqueue_all(tx: Session, messages: Sequence[Outgoing], now: datetime) -> int:
    """Adds the messages in one INSERT … ON CONFLICT DO NOTHING (keys seen before are
    skipped, as with `enqueue`), due at `now`; returns how many were added."""
    if not messages:
        return 0
    rows = [
        {
            "team_id": m.team_id,
            "dedupe_key": m.dedupe_key,
            "method": m.method,
            "payload": m.payload,
            "status": OutboxStatus.PENDING,
            "not_before": now,
            "attempts": 0,
            "created_at": now,
        }
        for m in messages
    ]
    dialect = tx.get_bind().dialect.name
    if dialect == "postgresql":
        statement = pg_insert(OutboxMessage).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite_insert(OutboxMessage).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        statement = insert(OutboxMessage)
    return len(tx.execute(statement.returning(OutboxMessage.id), rows).all())
