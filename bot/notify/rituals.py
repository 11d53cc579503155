"""Rituals into the outbox: the showcase and office hours posts from tick, and the
admins' DMs when someone signs up for a showcase."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.services import rituals
from bot.ui import rituals as rituals_ui
from models import RitualKind


def ritual_key(team_id: str, kind: str, local_date: date) -> str:
    return f"ritual:{team_id}:{kind}:{local_date.isoformat()}"


def sign_up_key(team_id: str, showcase: date, user_id: str, admin_id: str) -> str:
    return f"showcase-sign-up:{team_id}:{showcase.isoformat()}:{user_id}:{admin_id}"


def _message(due: rituals.DueRitual) -> dict:
    if due.kind == RitualKind.SHOWCASE:
        return rituals_ui.showcase_message(due.local_date, due.local_time, due.timezone, due.text)
    return rituals_ui.office_hours_message(due.host_user_id, due.local_time, due.timezone, due.text)


def enqueue_due_rituals(tx: Session, now: datetime) -> int:
    """Called by tick: each due ritual's post to the digest channel, once per ritual
    and local date however often this runs. Returns how many rows were added."""
    created = 0
    for due in rituals.due_rituals(tx, now):
        message = _message(due)
        created += outbox.post_message(
            tx,
            team_id=due.team_id,
            dedupe_key=ritual_key(due.team_id, due.kind.value, due.local_date),
            channel=due.channel_id,
            text=message["text"],
            blocks=message["blocks"],
            not_before=now,
        )
    return created


def sign_up(
    tx: Session,
    team_id: str,
    user_id: str,
    showcase: date,
    admin_user_ids: Iterable[str],
    now: datetime,
) -> bool:
    """DMs each program admin that `user_id` signed up for the showcase on `showcase`,
    once per person and date. False when they had signed up before."""
    message = rituals_ui.sign_up_dm(user_id, showcase)
    recipients = rituals.admins_to_tell(tx, team_id, admin_user_ids, user_id)
    added = [
        outbox.post_message(
            tx,
            team_id=team_id,
            dedupe_key=sign_up_key(team_id, showcase, user_id, admin_id),
            channel=admin_id,
            text=message["text"],
            blocks=message["blocks"],
            not_before=now,
        )
        for admin_id in recipients
    ]
    return any(added) or not recipients
