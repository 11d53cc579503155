"""Which Slack deliveries were handled already: Events API deliveries by event id, and
every signed request by its signature."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import RequestReceipt, SlackEventReceipt


def record_event(tx: Session, api_app_id: str, event_id: str, now: datetime) -> bool:
    """True the first time an event is seen; False for Slack's redeliveries."""
    seen = tx.scalar(
        select(SlackEventReceipt.id).where(
            SlackEventReceipt.api_app_id == api_app_id, SlackEventReceipt.event_id == event_id
        )
    )
    if seen is not None:
        return False
    try:
        with tx.begin_nested():
            tx.add(SlackEventReceipt(api_app_id=api_app_id, event_id=event_id, received_at=now))
    except IntegrityError:
        return False
    return True


def record_request(
    tx: Session | Connection, signature: str, team_id: str | None, now: datetime
) -> bool:
    """True the first time a request signature is seen; False for a replay of it.
    Concurrent copies race on the primary key: exactly one of them gets True. One
    statement: it may run in a transaction or on its own (autocommit)."""
    values = {"signature": signature, "team_id": team_id, "received_at": now}
    dialect = (tx.dialect if isinstance(tx, Connection) else tx.get_bind().dialect).name
    if dialect == "postgresql":
        statement = pg_insert(RequestReceipt).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite_insert(RequestReceipt).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        statement = insert(RequestReceipt).values(values)
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return tx.execute(statement.returning(RequestReceipt.signature)).first() is not None


def forget_requests_before(tx: Session | Connection, cutoff: datetime) -> int:
    """Deletes the request receipts older than `cutoff`; returns how many."""
    result = tx.execute(delete(RequestReceipt).where(RequestReceipt.received_at < cutoff))
    return result.rowcount or 0


def forget_before(tx: Session, cutoff: datetime, batch_size: int) -> int:
    """Deletes up to `batch_size` event receipts and up to `batch_size` request
    receipts received before `cutoff` (each on its received_at index); returns how many."""
    events = list(
        tx.scalars(
            select(SlackEventReceipt.id)
            .where(SlackEventReceipt.received_at < cutoff)
            .limit(batch_size)
        )
    )
    if events:
        tx.execute(delete(SlackEventReceipt).where(SlackEventReceipt.id.in_(events)))
    requests = list(
        tx.scalars(
            select(RequestReceipt.signature)
            .where(RequestReceipt.received_at < cutoff)
            .limit(batch_size)
        )
    )
    if requests:
        tx.execute(delete(RequestReceipt).where(RequestReceipt.signature.in_(requests)))
    return len(events) + len(requests)


def first_confirmation(tx: Session, view_id: str | None, team_id: str, now: datetime) -> bool:
    """True the first time a submitted modal's confirmation is to be sent; False for a
    second copy of the same submission (a double click on Submit, a retried request),
    whose save changed nothing: its confirmation is not sent again. A modal closed by
    its submission can't be submitted again, so its view id names the submission."""
    if not view_id:
        return True
    return record_request(tx, f"view-confirmed:{view_id}", team_id, now)
