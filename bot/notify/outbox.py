"""Putting messages in the outbox. Each has a dedupe key: enqueuing the same key
again does nothing, which is what makes tick(now) safe to repeat."""

from __future__ import annotations

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
    session: Session,
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
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = pg_insert(OutboxMessage).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite_insert(OutboxMessage).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        statement = insert(OutboxMessage).values(values)
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return session.execute(statement.returning(OutboxMessage.id)).first() is not None


def post_message(
    session: Session,
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
        session,
        team_id=team_id,
        dedupe_key=dedupe_key,
        method=POST_MESSAGE,
        payload=payload,
        not_before=not_before,
    )


def update_message(
    session: Session,
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
        session,
        team_id=team_id,
        dedupe_key=dedupe_key,
        method=UPDATE_MESSAGE,
        payload=payload,
        not_before=not_before,
    )
