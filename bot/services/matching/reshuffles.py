"""Reshuffles: every N months (MatchingSettings.reshuffle_months, default 6) the
admins are offered one; once announced, pod members are told a few days ahead and
may keep their pod as it is (stored opt-outs); when it takes effect, the optimiser
proposes new member lists that keep at least half of each pod together, stored as
proposals for the admins to accept like new pods."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services import members as members_service
from bot.services.matching import optimiser, proposals, slots
from bot.services.matching.objective import Candidate
from bot.services.refusals import Refusal
from models import (
    MatchingSettings,
    MatchKind,
    MatchProposal,
    MatchRun,
    Member,
    MemberProfile,
    Pod,
    PodMembership,
    ReshuffleOptOut,
    ReshuffleRound,
    ReshuffleStatus,
)
from models.matching import DEFAULT_RESHUFFLE_MONTHS
from models.matching_views import ReshuffleNotice, ReshuffleOffer, RunView

NOTICE_DAYS = 3
MONTH = timedelta(days=30)
ALL_WEEK = (1 << slots.HALF_HOURS_PER_WEEK) - 1


class UnknownRound(Refusal):
    def __init__(self) -> None:
        super().__init__("That reshuffle is no longer planned. Nothing changes for your pod.")


class RoundClosed(Refusal):
    def __init__(self) -> None:
        super().__init__(
            "That reshuffle has already taken place, so there is nothing to opt out of."
        )


class NotInAPod(Refusal):
    def __init__(self) -> None:
        super().__init__(
            "You're not in a pod right now, so the reshuffle doesn't change anything for you."
        )


def _months(tx: Session, team_id: str) -> int:
    stored = tx.get(MatchingSettings, team_id)
    return stored.reshuffle_months if stored else DEFAULT_RESHUFFLE_MONTHS


def _live_pods(tx: Session, team_id: str) -> dict[int, list[int]]:
    rows = tx.execute(
        select(Pod.id, PodMembership.member_id)
        .join(PodMembership, PodMembership.pod_id == Pod.id)
        .where(
            Pod.team_id == team_id,
            Pod.archived_at.is_(None),
            PodMembership.left_at.is_(None),
        )
        .order_by(Pod.id, PodMembership.member_id)
    )
    found: dict[int, list[int]] = {}
    for pod_id, member_id in rows:
        found.setdefault(pod_id, []).append(member_id)
    return found


def offers_due(
    tx: Session, now: datetime, configured_admins: tuple[str, ...] = ()
) -> list[ReshuffleOffer]:
    """A new offered round for each workspace that matches people into pods (it has
    a matcher run) and whose last reshuffle, or first matching, is N months old; at
    most one open round at a time. Workspaces that never used matching cost one query."""
    matching_since = (
        select(MatchRun.team_id, func.min(MatchRun.created_at).label("since"))
        .where(MatchRun.kind == MatchKind.PODS)
        .group_by(MatchRun.team_id)
        .subquery()
    )
    teams = tx.execute(
        select(matching_since.c.team_id, matching_since.c.since, func.count(Pod.id))
        .join(Pod, Pod.team_id == matching_since.c.team_id)
        .where(Pod.archived_at.is_(None))
        .group_by(matching_since.c.team_id, matching_since.c.since)
    ).all()
    offers = []
    for team_id, first_matched, live_pods in teams:
        if live_pods < 2:
            continue
        last = tx.scalar(
            select(ReshuffleRound)
            .where(ReshuffleRound.team_id == team_id)
            .order_by(ReshuffleRound.offered_at.desc())
            .limit(1)
        )
        if last is not None and last.status != ReshuffleStatus.PROPOSED:
            continue  # one open at a time
        months = _months(tx, team_id)
        since = last.offered_at if last is not None else first_matched
        if since + months * MONTH > now:
            continue
        reshuffle = ReshuffleRound(team_id=team_id, offered_at=now, created_at=now)
        tx.add(reshuffle)
        tx.flush()
        admins = members_service.program_admin_ids(tx, team_id, configured_admins)
        offers.append(ReshuffleOffer(reshuffle.id, team_id, tuple(admins), live_pods, months))
    return offers


def _round(tx: Session, team_id: str, round_id: int) -> ReshuffleRound:
    found = tx.get(ReshuffleRound, round_id)
    if found is None or found.team_id != team_id:
        raise UnknownRound()
    return found


def _notice(tx: Session, found: ReshuffleRound) -> ReshuffleNotice:
    member_ids = {m for ids in _live_pods(tx, found.team_id).values() for m in ids}
    user_ids = tx.scalars(
        select(Member.user_id).where(Member.id.in_(member_ids)).order_by(Member.user_id)
    )
    assert found.takes_effect_at is not None
    return ReshuffleNotice(found.id, found.team_id, found.takes_effect_at, tuple(user_ids))


def announce(
    tx: Session, team_id: str, round_id: int, actor_id: str, now: datetime
) -> tuple[ReshuffleNotice, bool]:
    """(the notice, first time). A second click finds it announced already."""
    found = _round(tx, team_id, round_id)
    if found.status != ReshuffleStatus.OFFERED:
        return _notice(tx, found), False
    found.status = ReshuffleStatus.ANNOUNCED
    found.announced_at = now
    found.announced_by = actor_id
    found.takes_effect_at = now + timedelta(days=NOTICE_DAYS)
    tx.flush()
    return _notice(tx, found), True


def opt_out(
    tx: Session, team_id: str, round_id: int, user_id: str, now: datetime
) -> tuple[datetime, bool]:
    """(when it takes effect, already opted out)."""
    found = _round(tx, team_id, round_id)
    if found.status != ReshuffleStatus.ANNOUNCED or found.takes_effect_at is None:
        raise RoundClosed()
    if found.takes_effect_at <= now:
        raise RoundClosed()
    member = members_service.find(tx, team_id, user_id)
    in_pod = member is not None and any(
        member.id in ids for ids in _live_pods(tx, team_id).values()
    )
    if member is None or not in_pod:
        raise NotInAPod()
    existing = tx.scalar(
        select(ReshuffleOptOut).where(
            ReshuffleOptOut.round_id == round_id, ReshuffleOptOut.member_id == member.id
        )
    )
    if existing is None:
        tx.add(
            ReshuffleOptOut(team_id=team_id, round_id=round_id, member_id=member.id, created_at=now)
        )
        tx.flush()
    return found.takes_effect_at, existing is not None


def plans_due(tx: Session, now: datetime) -> list[RunView]:
    """Announced rounds whose day has come: the proposed new pods, stored."""
    due = tx.scalars(
        select(ReshuffleRound).where(
            ReshuffleRound.status == ReshuffleStatus.ANNOUNCED,
            ReshuffleRound.takes_effect_at <= now,
        )
    ).all()
    return [plan(tx, found, now) for found in due]


def plan(tx: Session, found: ReshuffleRound, now: datetime) -> RunView:
    team_id = found.team_id
    pods = _live_pods(tx, team_id)
    member_ids = sorted({m for ids in pods.values() for m in ids})
    rows = tx.execute(
        select(Member, MemberProfile)
        .outerjoin(MemberProfile, MemberProfile.member_id == Member.id)
        .where(Member.id.in_(member_ids))
    ).all()
    week = slots.week_start(now.date())
    levels = proposals._level_positions(tx, team_id)
    ids_by_user = {m.user_id: m.id for m, _p in rows}
    people = []
    for member, profile in rows:
        if profile is None:  # no profile: fits anywhere
            people.append(Candidate(id=member.id, name=member.name, mask=ALL_WEEK))
        else:
            person = proposals.candidate_of(member, profile, levels, ids_by_user, week, 0, False)
            people.append(Candidate(**{**person.__dict__, "mask": person.mask or ALL_WEEK}))
    staying = set(
        tx.scalars(select(ReshuffleOptOut.member_id).where(ReshuffleOptOut.round_id == found.id))
    )
    rules = proposals.rules_for(tx, team_id)
    recent = proposals.recent_pairs(tx, team_id, set(member_ids), now)
    order = sorted(pods)
    seed = found.id
    after = optimiser.reshuffle(people, [pods[k] for k in order], rules, recent, staying, seed=seed)
    run = MatchRun(
        team_id=team_id,
        kind=MatchKind.RESHUFFLE,
        requested_by="reshuffle",
        seed=seed,
        week_of=week,
        people=len(member_ids),
        score=optimiser.objective(people, after, rules, recent),
        greedy_score=optimiser.objective(people, [pods[k] for k in order], rules, recent),
        unplaced={},
        reshuffle_id=found.id,
        created_at=now,
    )
    tx.add(run)
    tx.flush()
    names = {m.id: m.name for m, _p in rows}
    home = {m: k for k, ids in pods.items() for m in ids}
    pod_rows = {p.id: p for p in tx.scalars(select(Pod).where(Pod.id.in_(order)))}
    position = 0
    for pod_id, new_members in zip(order, after, strict=True):
        if sorted(new_members) == sorted(pods[pod_id]):
            continue
        position += 1
        pod = pod_rows[pod_id]
        kept = [names[m] for m in new_members if home[m] == pod_id]
        joining = [
            f"{names[m]} (from {pod_rows[home[m]].name})" for m in new_members if home[m] != pod_id
        ]
        text = f"{pod.name} keeps {', '.join(kept)}"
        if joining:
            text += f" and welcomes {', '.join(joining)}"
        tx.add(
            MatchProposal(
                team_id=team_id,
                run_id=run.id,
                position=position,
                member_ids=list(new_members),
                slot=0,
                weekday=pod.weekday,
                local_time=pod.local_time,
                timezone=pod.timezone,
                score=round(run.score, 2),
                reasons=text,
                pod_id=pod_id,
            )
        )
    found.status = ReshuffleStatus.PROPOSED
    tx.flush()
    return proposals.run_view(tx, team_id, run.id)
