"""The recipient's DM for each kudos, through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.ui import kudos as kudos_ui
from models.community_views import KudosGiven


def enqueue_received(tx: Session, given: KudosGiven, now: datetime) -> int:
    """One DM to each recipient, in the transaction that recorded the kudos."""
    sent = 0
    for user_id in given.receiver_user_ids:
        message = kudos_ui.received_dm(given, user_id)
        sent += outbox.post_message(
            tx,
            team_id=given.team_id,
            dedupe_key=f"kudos:{given.team_id}:{given.batch_key}:{user_id}",
            channel=user_id,
            text=message["text"],
            blocks=message["blocks"],
            not_before=now,
        )
    return sent
