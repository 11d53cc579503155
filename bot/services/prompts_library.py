"""The prompt library: the shipped scenarios, primers and question bank, plus the
community's own questions, tactics and reframes.

A contribution is stored pending and each program admin is asked to review it
(`bot.notify.prompts`); the first decision wins. Approved ones are shown "from the
community" beside the shipped prompts. Who contributed is stored for moderation
and never shown to anyone, admins included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.program_content import closest_scenarios, find_scenario, get_content, get_scenario
from bot.services import members as members_service
from bot.services.refusals import Refusal
from models import CommunityTactic, TacticStatus
from models.content_views import TacticInfo
from models.library_forms import TacticForm
from models.program_content import Scenario

COMMUNITY_SHOWN = 10
"""Approved contributions shown with one scenario or pillar (newest first)."""
TYPED_SHOWN = 80
"""How much of what a person typed a refusal repeats."""


class UnknownScenario(Refusal):
    """No scenario matches what the person typed."""


class ReviewRefusal(Refusal):
    """A review that cannot be done: the contribution is gone."""


SEARCHED_AT_MOST = 200


def scenario_named(text: str) -> Scenario:
    """The scenario `text` names (forgiving, see `bot.program_content.scenarios`);
    otherwise a refusal naming the closest ones, or listing them all when nothing
    is close."""
    content = get_content()
    # No scenario is named in more than a few words: longer text is not matched at all
    # (fuzzy matching grows with the square of its length).
    searched = len(text) <= SEARCHED_AT_MOST
    scenario = find_scenario(content, text) if searched else None
    if scenario is not None:
        return scenario
    typed = " ".join(text.split())
    if len(typed) > TYPED_SHOWN:
        typed = typed[: TYPED_SHOWN - 1] + "…"
    closest = closest_scenarios(content, text) if searched else []
    message = f"I couldn't find a scenario matching “{typed}”."
    if not closest:
        message += " These are the scenarios:\n" + "\n".join(
            f"• {s.name}" for s in content.scenarios
        )
    raise UnknownScenario(message, suggestions=[s.name for s in closest], usage="prompts")


def _info(tactic: CommunityTactic) -> TacticInfo:
    scenario = get_scenario(get_content(), tactic.scenario_key) if tactic.scenario_key else None
    return TacticInfo(
        id=tactic.id,
        kind=tactic.kind,
        text=tactic.text,
        pillar=tactic.pillar,
        scenario_key=tactic.scenario_key,
        scenario_name=scenario.name if scenario else None,
        status=tactic.status,
        reviewed_by=tactic.reviewed_by,
        reviewed_at=tactic.reviewed_at,
    )


# --------------------------------------------------------------------------- reading


def approved(
    tx: Session,
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
    rows = tx.scalars(
        query.order_by(CommunityTactic.reviewed_at.desc(), CommunityTactic.id.desc()).limit(limit)
    )
    return [_info(row) for row in rows]


# --------------------------------------------------------------------------- contributing


@dataclass(frozen=True)
class Contribution:
    team_id: str
    tactic: TacticInfo
    reviewers: tuple[str, ...]
    """The program admins to ask for a review."""
    already: bool = False
    """The same contribution was received before (a double submit): nothing new."""


def contribute(
    tx: Session,
    *,
    team_id: str,
    user_id: str,
    form: TacticForm,
    configured_admins: frozenset[str],
    now: datetime,
) -> Contribution:
    """Stores the contribution as pending; every program admin is to review it. The
    same words from the same person still waiting for review are that contribution
    (a double submit), not a second one."""
    contributor = members_service.get_or_create(tx, team_id, user_id, now)
    members_service.lock_member(tx, contributor.id)
    same = tx.scalar(
        select(CommunityTactic)
        .where(
            CommunityTactic.contributor_member_id == contributor.id,
            CommunityTactic.status == TacticStatus.PENDING,
            CommunityTactic.kind == form.kind,
            CommunityTactic.text == form.text,
        )
        .limit(1)
    )
    if same is not None:
        return Contribution(
            team_id=team_id,
            tactic=_info(same),
            reviewers=tuple(members_service.program_admin_ids(tx, team_id, configured_admins)),
            already=True,
        )
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
    tx.add(tactic)
    tx.flush()
    return Contribution(
        team_id=team_id,
        tactic=_info(tactic),
        reviewers=tuple(members_service.program_admin_ids(tx, team_id, configured_admins)),
    )


# --------------------------------------------------------------------------- reviewing


@dataclass(frozen=True)
class Review:
    team_id: str
    tactic: TacticInfo
    decided_now: bool
    """False when someone had decided before (nothing changed)."""


def review(
    tx: Session,
    *,
    team_id: str,
    tactic_id: int,
    reviewer_id: str,
    approve: bool,
    now: datetime,
) -> Review:
    """Approves or declines a pending contribution. The first decision wins: a
    later one (another admin, the same moment) changes nothing and is told what
    was decided."""
    status = TacticStatus.APPROVED if approve else TacticStatus.DECLINED
    decided = tx.execute(
        update(CommunityTactic)
        .where(
            CommunityTactic.id == tactic_id,
            CommunityTactic.team_id == team_id,
            CommunityTactic.status == TacticStatus.PENDING,
        )
        .values(status=status, reviewed_by=reviewer_id, reviewed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    tactic = tx.scalar(
        select(CommunityTactic).where(
            CommunityTactic.id == tactic_id, CommunityTactic.team_id == team_id
        )
    )
    if tactic is None:
        raise ReviewRefusal("That contribution no longer exists, so there is nothing to review.")
    tx.refresh(tactic)
    return Review(team_id=team_id, tactic=_info(tactic), decided_now=decided == 1)
