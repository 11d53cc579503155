"""Putting messages in the outbox. Each has a dedupe key: enqueuing the same key
again does nothing, which is what makes tick(now) safe to repeat.

Every row also carries structured columns the code looks rows up by — `kind`,
`recipient`, `subject`, `original_key` — derived from the key and payload by the
pure function `outbox_columns`, so no query parses key text or payload JSON.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from models import OutboxMessage, OutboxStatus

POST_MESSAGE = "chat.postMessage"
UPDATE_MESSAGE = "chat.update"
POST_EPHEMERAL = "chat.postEphemeral"
_KEY_KIND = re.compile(r"[A-Za-z_-]+")


def key_kind(dedupe_key: str) -> str:
    """The kind a dedupe key starts with (`prep`, `kudos`, ...): safe to log, unlike
    the rest, which may name people."""
    found = _KEY_KIND.match(dedupe_key)
    return found.group() if found else "-"


def outbox_columns(
    dedupe_key: str,
    method: str,
    payload: dict[str, Any],
    *,
    kind: str | None = None,
    recipient: str | None = None,
    subject: str | None = None,
    original_key: str | None = None,
) -> dict[str, str | None]:
    """The structured columns of an outbox row (`kind`, `recipient`, `subject`,
    `original_key`), derived from its key and payload unless given. Pure: bulk
    inserts (bot.seed) call it per row.

    kind: the key's leading word (`prep:12@…:U1` → `prep`); recipient: where a
    chat.postMessage goes (`channel`, a user id for a DM) or the `user` of an
    ephemeral, None for chat.update; subject: the key's second `:` field (a
    session, a tactic, …); original_key: the message a chat.update changes."""
    parts = dedupe_key.split(":")
    if recipient is None and method != UPDATE_MESSAGE:
        value = payload.get("user") if method == POST_EPHEMERAL else payload.get("channel")
        recipient = str(value) if value else None
    if original_key is None and method == UPDATE_MESSAGE:
        value = payload.get("original_key")
        original_key = str(value) if value else None
    return {
        "kind": kind if kind is not None else key_kind(dedupe_key),
        "recipient": recipient,
        "subject": subject
        if subject is not None
        else (parts[1] or None)
        if len(parts) > 1
        else None,
        "original_key": original_key,
    }


def enqueue(
    tx: Session,
    *,
    team_id: str,
    dedupe_key: str,
    method: str,
    payload: dict[str, Any],
    not_before: datetime,
    kind: str | None = None,
    recipient: str | None = None,
    subject: str | None = None,
    original_key: str | None = None,
) -> bool:
    """Adds the message unless its key was enqueued before; True when added. The
    lookup columns are derived from key and payload unless given."""
    values = {
        "team_id": team_id,
        "dedupe_key": dedupe_key,
        "method": method,
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "not_before": not_before,
        "attempts": 0,
        "created_at": not_before,
        **outbox_columns(
            dedupe_key,
            method,
            payload,
            kind=kind,
            recipient=recipient,
            subject=subject,
            original_key=original_key,
        ),
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
    kind: str | None = None,
    subject: str | None = None,
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
        kind=kind,
        recipient=channel,
        subject=subject,
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
    kind: str | None = None,
    subject: str | None = None,
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
        kind=kind,
        subject=subject,
        original_key=original_key,
    )


@dataclass(frozen=True)
class Outgoing:
    """One message for `enqueue_all`; `columns` overrides what `outbox_columns` derives."""

    team_id: str
    dedupe_key: str
    method: str
    payload: dict[str, Any]
    columns: dict[str, str] = field(default_factory=dict)


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
            **outbox_columns(m.dedupe_key, m.method, m.payload, **m.columns),
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


KEPT_KINDS = frozenset(
    {
        "welcome",
        "digest-channel-needed",
        "tactic-review",
        "nudge",
        "repair",
        "cancel",
        "showcase-sign-up",
    }
)
"""Kinds whose dedupe key stands for "once ever" (not for one day, week or session):
kept past the retention window, so a purge never lets one go out again. Few rows."""
PREP_KIND = "prep"


def purge_sent(tx: Session, cutoff: datetime, batch_size: int) -> int:
    """Deletes up to `batch_size` rows sent before `cutoff` (on the sent_at
    index); returns how many. Kept: `KEPT_KINDS`, and each recipient's first prep
    message (bot.services.welcome: the consent reminder rides on the first prep DM)."""
    earlier = aliased(OutboxMessage)
    first_prep = (
        select(func.min(earlier.id))
        .where(
            earlier.recipient == OutboxMessage.recipient,
            earlier.kind == PREP_KIND,
            earlier.team_id == OutboxMessage.team_id,
        )
        .scalar_subquery()
    )
    doomed = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.sent_at < cutoff,
            or_(OutboxMessage.kind.is_(None), OutboxMessage.kind.not_in(sorted(KEPT_KINDS))),
            or_(
                OutboxMessage.kind != PREP_KIND,
                OutboxMessage.recipient.is_(None),
                OutboxMessage.id != first_prep,
            ),
        )
        .limit(batch_size)
    )
    ids = list(tx.scalars(doomed))
    if ids:
        tx.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    return len(ids)
