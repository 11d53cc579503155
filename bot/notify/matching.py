"""What matching tells people: a DM to each person who could not be placed (why,
and what would help), the proposed pods to the program admins (for `coachbot
match` and the reshuffle plan), the reshuffle offer and notice."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.notify import pods as notify_pods
from bot.services import members as members_service
from bot.services.matching import reshuffles
from bot.ui import matching as ui
from models.matching_views import ReshuffleNotice, RunView
from models.pod_views import PodSaved


def unplaced_dms(tx: Session, run: RunView, now: datetime) -> int:
    """At most once a week per person, however often the admins propose pods."""
    year, week, _day = now.isocalendar()
    sent = 0
    for person in run.unplaced:
        sent += outbox.post_message(
            tx,
            team_id=run.team_id,
            dedupe_key=f"match-unplaced:{run.team_id}:{person.user_id}:{year}-W{week:02d}",
            channel=person.user_id,
            not_before=now,
            **ui.unplaced_message(person),
        )
    return sent


def proposals_to_admins(
    tx: Session, run: RunView, admin_user_ids: Iterable[str], now: datetime
) -> int:
    sent = 0
    for user_id in admin_user_ids:
        sent += outbox.post_message(
            tx,
            team_id=run.team_id,
            dedupe_key=f"match-proposals:{run.run_id}:{user_id}",
            channel=user_id,
            not_before=now,
            **ui.proposal_message(run),
        )
    return sent


def pod_created(tx: Session, saved: PodSaved, now: datetime) -> None:
    """The usual messages of a new pod: added DMs, welcome packets."""
    notify_pods.pod_saved(tx, saved, now)


def reshuffle_notices(tx: Session, notice: ReshuffleNotice, now: datetime) -> int:
    known = members_service.find_many(tx, notice.team_id, list(notice.user_ids))
    sent = 0
    for user_id in notice.user_ids:
        member = known.get(user_id)
        sent += outbox.post_message(
            tx,
            team_id=notice.team_id,
            dedupe_key=f"reshuffle-notice:{notice.round_id}:{user_id}",
            channel=user_id,
            not_before=now,
            **ui.reshuffle_notice_message(notice, member.tz if member else None),
        )
    return sent


def enqueue_reshuffle_step(tx: Session, now: datetime, admin_user_ids: Iterable[str] = ()) -> int:
    """The tick step: offer a reshuffle to the admins when one is due; when an
    announced one takes effect, send them the proposed new pods."""
    configured = tuple(admin_user_ids)
    sent = 0
    for offer in reshuffles.offers_due(tx, now, configured):
        for user_id in offer.admin_user_ids:
            sent += outbox.post_message(
                tx,
                team_id=offer.team_id,
                dedupe_key=f"reshuffle-offer:{offer.round_id}:{user_id}",
                channel=user_id,
                not_before=now,
                **ui.reshuffle_offer_message(offer),
            )
    for run in reshuffles.plans_due(tx, now):
        admins = members_service.program_admin_ids(tx, run.team_id, configured)
        sent += proposals_to_admins(tx, run, admins, now)
    return sent
