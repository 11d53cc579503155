"""The welcome packet and the ground rules consent.

A person's first pod join puts the welcome packet in the outbox (once: the
member's `welcomed_at` and the packet's dedupe key both say so; see
`bot.notify.welcome`). Agreeing to the ground rules is recorded once, with its
time; a member who has not agreed gets one gentle reminder, in their first prep DM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.program_content import get_content
from bot.services import members as members_service
from bot.services import program
from models import Member, OutboxMessage
from models.content_views import WelcomeView


def packet_for(tx: Session, member: Member) -> WelcomeView:
    return WelcomeView(
        packet=get_content().welcome,
        texts=program.program_texts(tx, member.team_id),
        agreed_at=member.ground_rules_agreed_at,
        tz=member.tz,
    )


def packet(tx: Session, team_id: str, user_id: str, now: datetime) -> WelcomeView:
    """`/coach welcome`: the packet again, for someone the bot may not know yet."""
    return packet_for(tx, members_service.get_or_create(tx, team_id, user_id, now))


@dataclass(frozen=True)
class Consent:
    agreed_at: datetime
    first_time: bool
    """False when the person had agreed before (nothing changed)."""
    tz: str
    confirmation: str


def agree(tx: Session, team_id: str, user_id: str, now: datetime) -> Consent:
    """Records the person's agreement to the ground rules, once: a second agreement
    (another button, another device, at the same moment) changes nothing."""
    member = members_service.get_or_create(tx, team_id, user_id, now)
    recorded = tx.execute(
        update(Member)
        .where(Member.id == member.id, Member.ground_rules_agreed_at.is_(None))
        .values(ground_rules_agreed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    tx.refresh(member)
    assert member.ground_rules_agreed_at is not None
    return Consent(
        agreed_at=member.ground_rules_agreed_at,
        first_time=recorded == 1,
        tz=member.tz,
        confirmation=" ".join(get_content().welcome.consent.confirmation.split()),
    )


PREP_KIND = "prep"
"""bot.services.reminders.prep_dm_key starts "prep:"; a prep DM's recipient is the user id."""


def consent_reminder_due(tx: Session, members: Iterable[Member]) -> set[int]:
    """Ids of the members owed the consent reminder in the prep DM being written
    now: they have not agreed, and no prep DM to them is in the outbox yet (sent or
    waiting), so the reminder rides on their first prep DM only. One statement, on
    the outbox's (recipient, kind) index."""
    pending = [m for m in members if m.ground_rules_agreed_at is None and not m.is_bot]
    if not pending:
        return set()
    reminded = {
        (team_id, recipient)
        for team_id, recipient in tx.execute(
            select(OutboxMessage.team_id, OutboxMessage.recipient)
            .where(
                OutboxMessage.recipient.in_(sorted({m.user_id for m in pending})),
                OutboxMessage.kind == PREP_KIND,
                OutboxMessage.team_id.in_(sorted({m.team_id for m in pending})),
            )
            .distinct()
        )
    }
    return {m.id for m in pending if (m.team_id, m.user_id) not in reminded}
