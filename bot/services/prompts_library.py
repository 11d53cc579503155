"""The prompt library: the shipped scenarios, primers and question bank, plus the
community's own questions, tactics and reframes.

A contribution is stored pending and each program admin gets a DM (through the
outbox) with its text and Approve / Decline buttons; the first decision wins.
Approved ones are shown "from the community" beside the shipped prompts. Who
contributed is stored for moderation and never shown to anyone, admins included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.content import get_content, get_scenario
from bot.notify import outbox
from bot.services import members as members_service
from bot.ui import prompts as prompts_ui
from models import CommunityTactic, Member, OutboxMessage, TacticStatus
from models.content_forms import TacticForm

COMMUNITY_SHOWN = 10
"""Approved contributions shown with one scenario or pillar (newest first)."""


class ReviewProblem(Exception):
    """A review that cannot be done; str() is the answer to show."""


@dataclass(frozen=True)
class TacticInfo:
    """A contribution as people may see it: never who wrote it."""

    id: int
    kind: str
    text: str
    pillar: str | None
    scenario_key: str | None
    status: str
    reviewed_by: str | None
    reviewed_at: datetime | None

    @property
    def tag_label(self) -> str:
        return prompts_ui.tag_label(self.pillar, self.scenario_key)


def _info(tactic: CommunityTactic) -> TacticInfo:
    return TacticInfo(
        id=tactic.id,
        kind=tactic.kind,
        text=tactic.text,
        pillar=tactic.pillar,
        scenario_key=tactic.scenario_key,
        status=tactic.status,
        reviewed_by=tactic.reviewed_by,
        reviewed_at=tactic.reviewed_at,
    )


# --------------------------------------------------------------------------- reading


def approved(
    session: Session,
    team_id: str,
    *,
    scenario_key: str | None = None,
    pillar: str | None = None,
    limit: int = COMMUNITY_SHOWN,
) -> list[TacticInfo]:
    """Approved contributions for a scenario or a pillar, newest first."""
    query = select(CommunityTactic).where(
        CommunityTactic.team_id == team_id, CommunityTactic.status == TacticStatus.APPROVED
    )
    if scenario_key is not None:
        query = query.where(CommunityTactic.scenario_key == scenario_key)
    if pillar is not None:
        query = query.where(CommunityTactic.pillar == pillar)
    rows = session.scalars(
        query.order_by(CommunityTactic.reviewed_at.desc(), CommunityTactic.id.desc()).limit(limit)
    )
    return [_info(row) for row in rows]


def program_admin_ids(session: Session, team_id: str, configured: frozenset[str]) -> list[str]:
    """Program admins: COACHBOT_ADMINS plus the members known as Slack admins or
    owners, in a stable order."""
    slack_admins = session.scalars(
        select(Member.user_id)
        .where(
            Member.team_id == team_id,
            Member.is_slack_admin.is_(True),
            Member.is_bot.is_(False),
        )
        .order_by(Member.user_id)
    )
    return list(dict.fromkeys([*sorted(configured), *slack_admins]))


# --------------------------------------------------------------------------- contributing


def review_key(tactic_id: int, admin_id: str) -> str:
    return f"tactic-review:{tactic_id}:{admin_id}"


def contribute(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    form: TacticForm,
    configured_admins: frozenset[str],
    now: datetime,
) -> TacticInfo:
    """Stores the contribution as pending and asks every program admin to review it."""
    contributor = members_service.get_or_create(session, team_id, user_id, now)
    tactic = CommunityTactic(
        team_id=team_id,
        contributor_member_id=contributor.id,
        kind=form.kind,
        text=form.text,
        pillar=form.pillar,
        scenario_key=form.scenario_key,
        status=TacticStatus.PENDING,
        created_at=now,
    )
    session.add(tactic)
    session.flush()
    info = _info(tactic)
    message = prompts_ui.review_request_message(info)
    for admin_id in program_admin_ids(session, team_id, configured_admins):
        outbox.post_message(
            session,
            team_id=team_id,
            dedupe_key=review_key(tactic.id, admin_id),
            channel=admin_id,
            not_before=now,
            **message,
        )
    return info


# --------------------------------------------------------------------------- reviewing


@dataclass(frozen=True)
class Review:
    tactic: TacticInfo
    decided_now: bool
    """False when someone had decided before (nothing changed)."""


def review(
    session: Session,
    *,
    team_id: str,
    tactic_id: int,
    reviewer_id: str,
    approve: bool,
    now: datetime,
) -> Review:
    """Approves or declines a pending contribution. The first decision wins: a
    later one (another admin, the same moment) changes nothing and is told what
    was decided. The other admins' review DMs are updated to show the outcome."""
    status = TacticStatus.APPROVED if approve else TacticStatus.DECLINED
    decided = session.execute(
        update(CommunityTactic)
        .where(
            CommunityTactic.id == tactic_id,
            CommunityTactic.team_id == team_id,
            CommunityTactic.status == TacticStatus.PENDING,
        )
        .values(status=status, reviewed_by=reviewer_id, reviewed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    tactic = session.scalar(
        select(CommunityTactic).where(
            CommunityTactic.id == tactic_id, CommunityTactic.team_id == team_id
        )
    )
    if tactic is None:
        raise ReviewProblem("That contribution no longer exists, so there is nothing to review.")
    session.refresh(tactic)
    info = _info(tactic)
    if decided == 1:
        outcome = prompts_ui.review_outcome_message(info, already=False)
        for key in _review_request_keys(session, team_id, tactic_id):
            if key == review_key(tactic_id, reviewer_id):
                continue  # the reviewer's own DM is updated in place by the handler
            outbox.update_message(
                session,
                team_id=team_id,
                dedupe_key=f"{key}:outcome",
                original_key=key,
                not_before=now,
                **outcome,
            )
    return Review(tactic=info, decided_now=decided == 1)


def _review_request_keys(session: Session, team_id: str, tactic_id: int) -> list[str]:
    """Keys of the review DMs sent for this contribution (admins may have changed since)."""
    prefix = review_key(tactic_id, "")
    keys = session.scalars(
        select(OutboxMessage.dedupe_key)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
        )
        .order_by(OutboxMessage.id)
    )
    return [key for key in keys if ":" not in key.removeprefix(prefix)]


def scenario_name(key: str | None) -> str | None:
    if key is None:
        return None
    scenario = get_scenario(get_content(), key)
    return scenario.name if scenario else None
