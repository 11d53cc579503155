"""The weekly digest into the outbox: on schedule from tick, on "Post now", and
the one DM per admin when there is no digest channel to post to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.services import digest, members
from bot.ui import digest as digest_ui
from models.community_views import DigestFacts


def digest_key(team_id: str, week_start: Any) -> str:
    return f"digest:{team_id}:{week_start.isoformat()}"


def channel_needed_key(team_id: str, user_id: str) -> str:
    return f"digest-channel-needed:{team_id}:{user_id}"


def _enqueue_digest(tx: Session, facts: DigestFacts, now: datetime) -> bool:
    assert facts.channel_id is not None
    message = digest_ui.digest_message(facts)
    return outbox.post_message(
        tx,
        team_id=facts.team_id,
        dedupe_key=digest_key(facts.team_id, facts.week_start),
        channel=facts.channel_id,
        text=message["text"],
        blocks=message["blocks"],
        not_before=now,
    )


def _ask_admins_for_a_channel(
    tx: Session, team_id: str, admin_user_ids: Iterable[str], now: datetime
) -> int:
    message = digest_ui.channel_needed_dm()
    asked = 0
    for user_id in members.program_admin_ids(tx, team_id, admin_user_ids):
        asked += outbox.post_message(
            tx,
            team_id=team_id,
            dedupe_key=channel_needed_key(team_id, user_id),
            channel=user_id,
            text=message["text"],
            blocks=message["blocks"],
            not_before=now,
        )
    return asked


def enqueue_due_digests(tx: Session, now: datetime, admin_user_ids: Iterable[str] = ()) -> int:
    """Called by tick: each workspace whose digest is due gets it once; a workspace
    with no digest channel gets one DM per admin asking for one (once ever) and its
    digest as soon as a channel is set. `admin_user_ids` are the configured
    COACHBOT_ADMINS. Returns how many outbox rows were added."""
    configured = tuple(admin_user_ids)
    created = 0
    for due in digest.due_digests(tx, now):
        if not due.channel_id:
            created += _ask_admins_for_a_channel(tx, due.team_id, configured, now)
            continue
        facts = digest.take(tx, due.team_id, due.week_start, now)
        if facts is not None:
            created += _enqueue_digest(tx, facts, now)
    return created


@dataclass(frozen=True)
class PostNowOutcome:
    """What the admin is told: a message to show, and whether a digest was enqueued."""

    message: dict[str, Any]
    posted: bool


def post_now(tx: Session, team_id: str, now: datetime) -> PostNowOutcome:
    """The admin's "Post now": this week's digest, unless it went out already."""
    settings_facts = digest.preview(tx, team_id, now)
    if digest.already_out(tx, team_id, settings_facts.week_start):
        return PostNowOutcome(digest_ui.already_posted_message(settings_facts.channel_id), False)
    if not settings_facts.channel_id:
        return PostNowOutcome(digest_ui.no_channel_message(), False)
    facts = digest.take(tx, team_id, settings_facts.week_start, now)
    if facts is None:
        return PostNowOutcome(digest_ui.already_posted_message(settings_facts.channel_id), False)
    _enqueue_digest(tx, facts, now)
    assert facts.channel_id is not None
    return PostNowOutcome(digest_ui.posted_now_message(facts.channel_id), True)


def preview_message(tx: Session, team_id: str, now: datetime) -> dict[str, Any]:
    """The admin's Preview button: this week's digest, posted nowhere."""
    facts = digest.preview(tx, team_id, now)
    out = digest.already_out(tx, team_id, facts.week_start)
    return digest_ui.preview_message(facts, already_out=out)


def preview_text(tx: Session, team_id: str, now: datetime) -> str:
    """`coachbot digest --preview`: this week's digest as text, posted nowhere."""
    facts = digest.preview(tx, team_id, now)
    text = digest_ui.digest_plain_text(facts)
    if digest.already_out(tx, team_id, facts.week_start):
        text += "\n\n(This week's digest went out already.)"
    return text
