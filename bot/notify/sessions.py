"""A cancelled session: a notice in the pod's channel, or without one a DM to
each member, with the time on their own wall clock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.ui import reminders as reminders_ui
from bot.ui.dates import local_date_time_with_zone
from models.pod_views import SessionCancelled


def session_cancelled(tx: Session, cancelled: SessionCancelled | None, now: datetime) -> None:
    if cancelled is None:
        return
    if cancelled.channel_id:
        when = local_date_time_with_zone(cancelled.starts_at, cancelled.pod_timezone)
        _post(tx, cancelled, cancelled.key, cancelled.channel_id, when, now)
        return
    for person in cancelled.members:
        when = local_date_time_with_zone(cancelled.starts_at, person.tz)
        _post(tx, cancelled, f"{cancelled.key}:{person.user_id}", person.user_id, when, now)


def _post(
    tx: Session, cancelled: SessionCancelled, key: str, channel: str, when: str, now: datetime
) -> None:
    text, blocks = reminders_ui.cancel_notice(cancelled.pod_name, when, cancelled.reason)
    outbox.post_message(
        tx,
        team_id=cancelled.team_id,
        dedupe_key=key,
        channel=channel,
        text=text,
        blocks=blocks,
        not_before=now,
    )
