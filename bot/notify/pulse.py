"""A member's request for a different pod, as one DM to each program admin through
the outbox; keyed per member and pod, so asking again sends nothing more."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.ui import pulse as pulse_ui
from models.pulse_views import RepairingRequest


def repairing_key(request: RepairingRequest, admin_user_id: str) -> str:
    return f"repair:{request.team_id}:{request.pod_id}:{request.member_id}:{admin_user_id}"


def enqueue_repairing_request(tx: Session, request: RepairingRequest, now: datetime) -> int:
    """In the transaction that recorded the answer; returns how many DMs were added."""
    message = pulse_ui.repairing_request_dm(request)
    return sum(
        outbox.post_message(
            tx,
            team_id=request.team_id,
            dedupe_key=repairing_key(request, admin_user_id),
            channel=admin_user_id,
            text=message["text"],
            blocks=message["blocks"],
            not_before=now,
        )
        for admin_user_id in request.admin_user_ids
    )
