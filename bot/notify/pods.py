"""What a pod change tells people: the DMs to those added or taken off by someone
else, the pod's new rhythm in its channel, and the welcome packet on a
person's first pod."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.notify.welcome import enqueue_welcome_packet
from bot.services import members as members_service
from bot.ui import pods as pods_ui
from models.pod_views import PodJoined, PodSaved


def pod_saved(tx: Session, saved: PodSaved, now: datetime) -> None:
    pod = saved.pod
    welcome_first_pod(tx, pod.team_id, saved.new_members, now)
    for person in saved.added:
        if person.user_id == saved.actor_id:
            continue
        # Someone added back after leaving gets a new message (the first key is taken).
        key = f"pod-added:{pod.id}:{person.user_id}"
        if person.user_id in saved.returning:
            key += f":{int(now.timestamp())}"
        message = pods_ui.added_to_pod_message(pod, saved.actor_id, person.tz)
        outbox.post_message(
            tx,
            team_id=pod.team_id,
            dedupe_key=key,
            channel=person.user_id,
            not_before=now,
            **message,
        )
    for user_id in saved.removed:
        if user_id == saved.actor_id:
            continue
        outbox.post_message(
            tx,
            team_id=pod.team_id,
            dedupe_key=f"pod-removed:{pod.id}:{user_id}:{int(now.timestamp())}",
            channel=user_id,
            not_before=now,
            **pods_ui.removed_from_pod_message(pod, saved.actor_id),
        )
    if saved.rescheduled and pod.channel_id:
        outbox.post_message(
            tx,
            team_id=pod.team_id,
            dedupe_key=f"pod-rhythm:{pod.id}:{int(now.timestamp())}",
            channel=pod.channel_id,
            not_before=now,
            **pods_ui.new_rhythm_message(pod, saved.actor_id),
        )


def pod_joined(tx: Session, joined: PodJoined, now: datetime) -> None:
    if joined.first_time:
        welcome_first_pod(tx, joined.pod.team_id, [joined.user_id], now)


def welcome_first_pod(tx: Session, team_id: str, user_ids: Iterable[str], now: datetime) -> None:
    """The welcome packet to each of these people whose first pod this is."""
    for user_id in user_ids:
        member = members_service.find(tx, team_id, user_id)
        if member is not None:
            enqueue_welcome_packet(tx, member, now)
