"""Which Events API deliveries were handled already."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import SlackEventReceipt


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
