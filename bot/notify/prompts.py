"""The prompts library's DMs to program admins: a review request for each new
contribution, and once someone decided, the outcome in the other admins' DMs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.services.prompts_library import Contribution, Review
from bot.ui import prompts as prompts_ui
from models import OutboxMessage


def review_key(tactic_id: int, admin_id: str) -> str:
    return f"tactic-review:{tactic_id}:{admin_id}"


def enqueue_review_requests(tx: Session, contribution: Contribution, now: datetime) -> None:
    """A DM to each program admin with the contribution and Approve / Decline."""
    tactic = contribution.tactic
    message = prompts_ui.review_request_message(tactic)
    for admin_id in contribution.reviewers:
        outbox.post_message(
            tx,
            team_id=contribution.team_id,
            dedupe_key=review_key(tactic.id, admin_id),
            channel=admin_id,
            not_before=now,
            **message,
        )


def enqueue_review_outcome(tx: Session, review: Review, now: datetime) -> None:
    """Once decided: the other admins' review DMs show the outcome (the one who
    decided sees theirs updated in place by the handler)."""
    if not review.decided_now:
        return
    tactic, team_id = review.tactic, review.team_id
    outcome = prompts_ui.review_outcome_message(tactic, already=False)
    for key in _review_request_keys(tx, team_id, tactic.id):
        if tactic.reviewed_by and key == review_key(tactic.id, tactic.reviewed_by):
            continue
        outbox.update_message(
            tx,
            team_id=team_id,
            dedupe_key=f"{key}:outcome",
            original_key=key,
            not_before=now,
            **outcome,
        )


def _review_request_keys(tx: Session, team_id: str, tactic_id: int) -> list[str]:
    """Keys of the review DMs sent for this contribution (admins may have changed since)."""
    prefix = review_key(tactic_id, "")
    keys = tx.scalars(
        select(OutboxMessage.dedupe_key)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
        )
        .order_by(OutboxMessage.id)
    )
    return [key for key in keys if ":" not in key.removeprefix(prefix)]
