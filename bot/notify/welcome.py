"""The welcome packet DM, on a person's first pod."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.services import welcome as welcome_service
from bot.ui import welcome as welcome_ui
from models import Member


def welcome_key(team_id: str, user_id: str) -> str:
    return f"welcome:{team_id}:{user_id}"


def enqueue_welcome_packet(tx: Session, member: Member, now: datetime) -> bool:
    """Call wherever a membership is created: a person's first join puts the welcome
    packet in the outbox as a DM. True when it was enqueued now."""
    if member.is_bot or member.welcomed_at is not None:
        return False
    member.welcomed_at = now
    message = welcome_ui.welcome_packet(welcome_service.packet_for(tx, member))
    return outbox.post_message(
        tx,
        team_id=member.team_id,
        dedupe_key=welcome_key(member.team_id, member.user_id),
        channel=member.user_id,
        text=message["text"],
        blocks=message["blocks"],
        not_before=now,
    )
