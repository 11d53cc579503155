"""Proposing pods from profiles, storing the proposals, accepting them.

Who is matched: people who opted in to matching in their profile, are not paused,
not deactivated, not bots, and are in no live pod. The optimiser (pure) does the
rest; each run is stored with its proposed pods, so accepting works later and a
second click finds the pod already made. Accepting re-checks the people (still
free, still here) and creates the pod through the pod service in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.services import pods as pods_service
from bot.services import profiles
from bot.services.matching import optimiser, reasons, slots
from bot.services.matching.objective import Candidate, Rules
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
    PodSession,
    ProposalStatus,
    SessionStatus,
)
from models.forms import POD_NAME_MAX, PodForm
from models.matching_views import AcceptOutcome, ProposedPodView, RunView, UnplacedView
from models.pod_views import PodSaved

Transactions = Callable[[], AbstractContextManager[Session]]
REPEAT_WINDOW = timedelta(days=365)
CLAIM_TIMEOUT = timedelta(minutes=5)
"""A proposal stuck in "creating" this long (a crash mid-way) may be claimed again."""


class NotEnoughPeople(Refusal):
    def __init__(self, ready: int, opted_in: int, needed: int) -> None:
        if opted_in < needed:
            message = (
                f"Only {opted_in} {'person has' if opted_in == 1 else 'people have'} opted in "
                f"to matching; a pod needs at least {needed}. Ask people to tick "
                "“Match me into a pod” in `/coach profile`, then propose again."
            )
        else:
            message = (
                f"Only {ready} of the {opted_in} people who opted in to matching are free "
                f"to be matched (the others are paused, gone or already in a pod); a pod "
                f"needs at least {needed}. Nothing was proposed."
            )
        super().__init__(message, usage="admin")


class UnknownProposal(Refusal):
    def __init__(self) -> None:
        super().__init__("That proposal no longer exists. Propose pods again from `/coach admin`.")


class GroupDms(Protocol):
    def open_group_dm(self, user_ids: Sequence[str]) -> str: ...


# --------------------------------------------------------------------------- settings


def rules_for(tx: Session, team_id: str, **overrides: int | bool | None) -> Rules:
    """The workspace's matching settings, with any given overrides (CLI flags)."""
    stored = tx.get(MatchingSettings, team_id)
    values = {
        "target_size": stored.target_size if stored else 4,
        "min_size": stored.min_size if stored else 3,
        "max_size": stored.max_size if stored else 6,
        "max_level_spread": stored.max_level_spread if stored else 1,
        "by_focus": stored.by_focus if stored else False,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Rules(**values)  # type: ignore[arg-type]
    except ValueError:
        raise Refusal(
            "Those pod sizes don't work: smallest ≤ target ≤ largest, from 2 up, and a "
            f"level spread of 0 or more (you gave smallest {values['min_size']}, target "
            f"{values['target_size']}, largest {values['max_size']}, spread "
            f"{values['max_level_spread']})."
        ) from None


def cadence_weeks(tx: Session, team_id: str) -> int:
    stored = tx.get(MatchingSettings, team_id)
    return stored.cadence_weeks if stored else 2


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class Pool:
    people: list[Candidate]
    members: dict[int, Member]
    recent_pairs: set[frozenset[int]]
    opted_in: int
    week_of: datetime


def _level_positions(tx: Session, team_id: str) -> dict[str, int]:
    return {name.casefold(): k for k, name in enumerate(profiles.levels(tx, team_id))}


def busy_member_ids(tx: Session, team_id: str) -> set[int]:
    """Members in a live pod now."""
    return set(
        tx.scalars(
            select(PodMembership.member_id)
            .join(Pod, Pod.id == PodMembership.pod_id)
            .where(
                PodMembership.team_id == team_id,
                PodMembership.left_at.is_(None),
                Pod.archived_at.is_(None),
            )
        )
    )


def recent_pairs(
    tx: Session, team_id: str, member_ids: set[int], now: datetime
) -> set[frozenset[int]]:
    """Pairs of these members who shared a pod at some time in the last 12 months."""
    cutoff = now - REPEAT_WINDOW
    rows = tx.execute(
        select(
            PodMembership.pod_id,
            PodMembership.member_id,
            PodMembership.joined_at,
            PodMembership.left_at,
        ).where(
            PodMembership.team_id == team_id,
            (PodMembership.left_at.is_(None)) | (PodMembership.left_at >= cutoff),
        )
    ).all()
    by_pod: dict[int, list[tuple[int, datetime, datetime]]] = {}
    for pod_id, member_id, joined, left in rows:
        if member_id in member_ids:
            by_pod.setdefault(pod_id, []).append((member_id, joined, left or now))
    pairs: set[frozenset[int]] = set()
    for periods in by_pod.values():
        for k, (a, a_in, a_out) in enumerate(periods):
            for b, b_in, b_out in periods[k + 1 :]:
                if a != b and a_in < b_out and b_in < a_out:
                    pairs.add(frozenset((a, b)))
    return pairs


def _coached_counts(tx: Session, member_ids: Sequence[int], now: datetime) -> dict[int, int]:
    rows = tx.execute(
        select(PodSession.coach_member_id, func.count())
        .where(
            PodSession.coach_member_id.is_not(None),
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.starts_at < now,
        )
        .group_by(PodSession.coach_member_id)
    )
    wanted = set(member_ids)
    return {member_id: n for member_id, n in rows if member_id in wanted}


def _ever_in_a_pod(tx: Session, team_id: str) -> set[int]:
    return set(
        tx.scalars(
            select(PodMembership.member_id).where(PodMembership.team_id == team_id).distinct()
        )
    )


def candidate_of(
    member: Member,
    profile: MemberProfile,
    levels: dict[str, int],
    ids_by_user: dict[str, int],
    week: datetime,
    coached: int,
    newcomer: bool,
) -> Candidate:
    return Candidate(
        id=member.id,
        name=member.name,
        team=(profile.team_name or "").strip().casefold(),
        level=levels.get((profile.level or "").casefold()),
        offers=frozenset(s.casefold() for s in profile.offers or []),
        growth=frozenset(s.casefold() for s in profile.growth or []),
        mask=slots.availability_mask(
            profile.weekdays or [], profile.window_start, profile.window_end, member.tz, week
        ),
        focus=(profile.focus or "").strip().casefold() or None,
        avoid=frozenset(ids_by_user[u] for u in profile.avoid_user_ids or [] if u in ids_by_user),
        sessions_coached=coached,
        newcomer=newcomer,
    )


def pool(tx: Session, team_id: str, now: datetime, *, include_busy: bool = False) -> Pool:
    """Everyone ready to be matched (or, with include_busy, also those in pods)."""
    rows = tx.execute(
        select(Member, MemberProfile)
        .join(MemberProfile, MemberProfile.member_id == Member.id)
        .where(
            Member.team_id == team_id,
            MemberProfile.match_opt_in.is_(True),
            Member.is_bot.is_(False),
            Member.deactivated_at.is_(None),
        )
        .order_by(Member.id)
    ).all()
    opted_in = len(rows)
    busy = set() if include_busy else busy_member_ids(tx, team_id)
    today = now.date()
    ready = [(m, p) for m, p in rows if m.id not in busy and not m.is_paused_on(today)]
    ids_by_user = dict(
        tx.execute(select(Member.user_id, Member.id).where(Member.team_id == team_id)).all()
    )
    levels = _level_positions(tx, team_id)
    week = slots.week_start(today)
    coached = _coached_counts(tx, [m.id for m, _p in ready], now)
    veterans = _ever_in_a_pod(tx, team_id)
    people = [
        candidate_of(m, p, levels, ids_by_user, week, coached.get(m.id, 0), m.id not in veterans)
        for m, p in ready
    ]
    members = {m.id: m for m, _p in ready}
    return Pool(people, members, recent_pairs(tx, team_id, set(members), now), opted_in, week)


# --------------------------------------------------------------------------- propose


def propose(
    tx: Session,
    team_id: str,
    requested_by: str,
    now: datetime,
    *,
    rules: Rules | None = None,
    seed: int | None = None,
) -> RunView:
    """Runs the matcher over everyone ready and stores the proposal.
    NotEnoughPeople (nothing stored) when fewer than a pod's worth are ready."""
    rules = rules or rules_for(tx, team_id)
    found = pool(tx, team_id, now)
    if len(found.people) < rules.min_size:
        raise NotEnoughPeople(len(found.people), found.opted_in, rules.min_size)
    seed = seed if seed is not None else int(now.timestamp()) % 1_000_003
    result = optimiser.propose(found.people, rules, found.recent_pairs, seed=seed)
    by_id = {c.id: c for c in found.people}
    run = MatchRun(
        team_id=team_id,
        kind=MatchKind.PODS,
        requested_by=requested_by,
        seed=seed,
        week_of=found.week_of,
        people=len(found.people),
        score=result.score,
        greedy_score=result.greedy_score,
        unplaced={str(k): v for k, v in result.unplaced.items()},
        created_at=now,
    )
    tx.add(run)
    tx.flush()
    rows = []
    for position, pod in enumerate(result.pods, start=1):
        members = [by_id[m] for m in pod.members]
        repeats = sum(
            1
            for k, a in enumerate(pod.members)
            for b in pod.members[k + 1 :]
            if frozenset((a, b)) in found.recent_pairs
        )
        timezone = pod_timezone([found.members[m] for m in pod.members])
        weekday, local_time = slots.local_rhythm(pod.slot, timezone, found.week_of)
        rows.append(
            MatchProposal(
                team_id=team_id,
                run_id=run.id,
                position=position,
                member_ids=list(pod.members),
                slot=pod.slot,
                weekday=weekday,
                local_time=local_time,
                timezone=timezone,
                score=pod.score,
                reasons=reasons.pod_reasons(members, pod.slot, repeats),
            )
        )
    tx.add_all(rows)
    tx.flush()
    return run_view(tx, team_id, run.id)


def pod_timezone(members: Sequence[Member]) -> str:
    """The timezone most of the pod lives in (the earliest member's on a tie)."""
    counts = Counter(m.tz or "UTC" for m in members)
    best = max(counts.values())
    return next(m.tz or "UTC" for m in members if counts[m.tz or "UTC"] == best)


def run_view(tx: Session, team_id: str, run_id: int) -> RunView:
    run = tx.get(MatchRun, run_id)
    if run is None or run.team_id != team_id:
        raise UnknownProposal()
    ids = {int(k) for k in run.unplaced}
    for proposal in run.proposals:
        ids.update(proposal.member_ids)
    members = {m.id: m for m in tx.scalars(select(Member).where(Member.id.in_(ids))) if ids}
    pod_names = dict(
        tx.execute(
            select(Pod.id, Pod.name).where(
                Pod.id.in_([p.pod_id for p in run.proposals if p.pod_id is not None])
            )
        ).all()
    )
    pods = tuple(
        ProposedPodView(
            proposal_id=p.id,
            position=p.position,
            user_ids=tuple(members[m].user_id for m in p.member_ids if m in members),
            names=tuple(members[m].name for m in p.member_ids if m in members),
            weekday=p.weekday,
            local_time=p.local_time,
            timezone=p.timezone,
            slot_text=slots.describe_utc(p.slot),
            score=p.score,
            reasons=p.reasons,
            status=str(p.status),
            pod_name=pod_names.get(p.pod_id) if p.pod_id is not None else None,
            pod_id=p.pod_id,
        )
        for p in run.proposals
    )
    unplaced = tuple(
        UnplacedView(
            user_id=members[int(k)].user_id,
            name=members[int(k)].name,
            code=code,
            reason=reasons.unplaced_reason(code),
            help=reasons.unplaced_help(code),
        )
        for k, code in sorted(run.unplaced.items(), key=lambda kv: int(kv[0]))
        if int(k) in members
    )
    return RunView(
        run_id=run.id,
        team_id=run.team_id,
        kind=str(run.kind),
        created_at=run.created_at,
        people=run.people,
        score=run.score,
        greedy_score=run.greedy_score,
        pods=pods,
        unplaced=unplaced,
        reshuffle_id=run.reshuffle_id,
    )


def run_of(tx: Session, team_id: str, proposal_id: int) -> int:
    proposal = tx.get(MatchProposal, proposal_id)
    if proposal is None or proposal.team_id != team_id:
        raise UnknownProposal()
    return proposal.run_id


def pending_ids(tx: Session, team_id: str, run_id: int) -> list[int]:
    return list(
        tx.scalars(
            select(MatchProposal.id)
            .where(
                MatchProposal.team_id == team_id,
                MatchProposal.run_id == run_id,
                MatchProposal.status == ProposalStatus.PENDING,
            )
            .order_by(MatchProposal.position)
        )
    )


# --------------------------------------------------------------------------- accept


@dataclass(frozen=True)
class Claim:
    proposal_id: int
    position: int
    team_id: str
    user_ids: tuple[str, ...]
    form: PodForm


def _problems(tx: Session, team_id: str, member_ids: Sequence[int], now: datetime) -> list[str]:
    members = {m.id: m for m in tx.scalars(select(Member).where(Member.id.in_(member_ids)))}
    busy = busy_member_ids(tx, team_id)
    found = []
    for member_id in member_ids:
        member = members.get(member_id)
        if member is None or member.deactivated_at is not None:
            name = member.name if member is not None else "someone"
            found.append(f"{name} has left the workspace")
        elif member_id in busy:
            found.append(f"{member.name} has joined a pod since")
        elif member.is_paused_on(now.date()):
            found.append(f"{member.name} is paused now")
    return found


def _claim(
    tx: Session, team_id: str, proposal_id: int, actor_id: str, now: datetime
) -> Claim | ReshuffleClaim | AcceptOutcome:
    """What to create, or the answer (already done, in progress, or stale)."""
    proposal = tx.get(MatchProposal, proposal_id)
    if proposal is None or proposal.team_id != team_id:
        raise UnknownProposal()
    label = f"Pod {proposal.position}"
    if proposal.status == ProposalStatus.ACCEPTED:
        pod = tx.get(Pod, proposal.pod_id) if proposal.pod_id else None
        name = f" as {pod.name}" if pod is not None else ""
        return AcceptOutcome(
            proposal.id,
            proposal.position,
            "already",
            f"{label} was already created{name}.",
            proposal.pod_id,
        )
    if proposal.status == ProposalStatus.STALE:
        return AcceptOutcome(
            proposal.id,
            proposal.position,
            "stale",
            f"{label} can no longer be created as proposed. Propose pods again for a fresh plan.",
        )
    claimable = [ProposalStatus.PENDING]
    if proposal.claimed_at is None or proposal.claimed_at < now - CLAIM_TIMEOUT:
        claimable.append(ProposalStatus.CREATING)  # a crash mid-way long ago
    claimed = tx.execute(
        update(MatchProposal)
        .where(MatchProposal.id == proposal_id, MatchProposal.status.in_(claimable))
        .values(status=ProposalStatus.CREATING, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return AcceptOutcome(
            proposal.id, proposal.position, "already", f"{label} is being created already."
        )
    if proposal.pod_id is not None:
        return _reshuffle_claim(tx, proposal, actor_id, now)
    problems = _problems(tx, team_id, proposal.member_ids, now)
    if problems:
        proposal.status = ProposalStatus.STALE
        proposal.decided_at = now
        proposal.decided_by = actor_id
        return AcceptOutcome(
            proposal.id,
            proposal.position,
            "stale",
            f"{label} can't be created as proposed: {'; '.join(problems)}. Nothing was "
            "created; propose pods again for a fresh plan.",
        )
    members = {
        m.id: m for m in tx.scalars(select(Member).where(Member.id.in_(proposal.member_ids)))
    }
    user_ids = tuple(members[m].user_id for m in proposal.member_ids)
    names = [members[m].name for m in proposal.member_ids]
    focus = _shared_focus(tx, proposal.member_ids)
    form = PodForm(
        name=_free_name(tx, team_id, names),
        focus_kind="goal",
        focus_text=focus,
        members=user_ids,
        cadence=cadence_weeks(tx, team_id),
        weekday=proposal.weekday,
        time=proposal.local_time,
        timezone=proposal.timezone,
        channel=None,
    )
    return Claim(proposal.id, proposal.position, team_id, user_ids, form)


@dataclass(frozen=True)
class ReshuffleClaim:
    proposal_id: int
    position: int
    pod_id: int
    user_ids: tuple[str, ...]
    group_dm: bool


def _reshuffle_claim(
    tx: Session, proposal: MatchProposal, actor_id: str, now: datetime
) -> ReshuffleClaim | AcceptOutcome:
    pod = pods_service.get_pod(tx, proposal.team_id, proposal.pod_id or 0)
    members = {
        m.id: m for m in tx.scalars(select(Member).where(Member.id.in_(proposal.member_ids)))
    }
    gone = [m.name for m in members.values() if m.deactivated_at is not None]
    if pod is None or gone or len(members) != len(proposal.member_ids):
        proposal.status = ProposalStatus.STALE
        proposal.decided_at = now
        proposal.decided_by = actor_id
        why = "the pod was archived" if pod is None else f"{', '.join(gone) or 'someone'} left"
        return AcceptOutcome(
            proposal.id,
            proposal.position,
            "stale",
            f"Pod {proposal.position} can't be reshuffled as proposed: {why}. Nothing changed.",
        )
    user_ids = tuple(members[m].user_id for m in proposal.member_ids)
    return ReshuffleClaim(
        proposal.id, proposal.position, pod.id, user_ids, pod.is_group_dm and bool(pod.channel_id)
    )


def _apply_reshuffle(
    transaction: Transactions,
    directory: GroupDms,
    claim: ReshuffleClaim,
    actor_id: str,
    now: datetime,
) -> AcceptOutcome:
    new_dm = directory.open_group_dm(list(claim.user_ids)) if claim.group_dm else None
    with transaction() as tx:
        pod = pods_service.require_pod(tx, _team_of(tx, claim.proposal_id), claim.pod_id)
        current = pods_service.active_user_ids(pod)
        for user_id in current:
            if user_id not in claim.user_ids:
                pods_service.leave_pod(tx, pod=pod, user_id=user_id, now=now)
        for user_id in claim.user_ids:
            if user_id not in current:
                pods_service.join_pod(tx, pod=pod, user_id=user_id, now=now)
        if new_dm is not None:
            pod.channel_id = new_dm
        proposal = tx.get(MatchProposal, claim.proposal_id)
        assert proposal is not None
        proposal.status = ProposalStatus.ACCEPTED
        proposal.decided_at = now
        proposal.decided_by = actor_id
        name = pod.name
    return AcceptOutcome(
        claim.proposal_id,
        claim.position,
        "created",
        f"Reshuffled {name} (pod {claim.position}).",
        claim.pod_id,
    )


def _team_of(tx: Session, proposal_id: int) -> str:
    proposal = tx.get(MatchProposal, proposal_id)
    assert proposal is not None
    return proposal.team_id


def _shared_focus(tx: Session, member_ids: Sequence[int]) -> str:
    focuses = {
        (f or "").strip()
        for f in tx.scalars(
            select(MemberProfile.focus).where(MemberProfile.member_id.in_(member_ids))
        )
    }
    focuses.discard("")
    return next(iter(focuses)) if len(focuses) == 1 else ""


def _free_name(tx: Session, team_id: str, names: Sequence[str]) -> str:
    firsts = [n.split()[0] if n.split() else n for n in names]
    base = "Pod " + (", ".join(firsts[:-1]) + " & " + firsts[-1] if len(firsts) > 1 else firsts[0])
    if len(base) > POD_NAME_MAX - 5:
        base = base[: POD_NAME_MAX - 6].rstrip(" ,&") + "…"
    name, n = base, 2
    while pods_service.name_taken(tx, team_id, name, None):
        name, n = f"{base} ({n})", n + 1
    return name


def _release(transaction: Transactions, proposal_id: int) -> None:
    with transaction() as tx:
        tx.execute(
            update(MatchProposal)
            .where(
                MatchProposal.id == proposal_id,
                MatchProposal.status == ProposalStatus.CREATING,
            )
            .values(status=ProposalStatus.PENDING, claimed_at=None)
        )


def accept(
    transaction: Transactions,
    directory: GroupDms,
    *,
    team_id: str,
    proposal_id: int,
    actor_id: str,
    now: datetime,
    then: Callable[[Session, PodSaved], None],
) -> AcceptOutcome:
    """Creates the proposed pod (a group DM of its people, first session scheduled),
    once: a second click, or a proposal whose people joined a pod or left since,
    gets its answer and nothing is created."""
    with transaction() as tx:
        claim = _claim(tx, team_id, proposal_id, actor_id, now)
    if isinstance(claim, AcceptOutcome):
        return claim
    if isinstance(claim, ReshuffleClaim):
        try:
            return _apply_reshuffle(transaction, directory, claim, actor_id, now)
        except BaseException:
            _release(transaction, proposal_id)
            raise
    try:
        channel_id = directory.open_group_dm(list(claim.user_ids))
        with transaction() as tx:
            proposal = tx.get(MatchProposal, proposal_id)
            assert proposal is not None
            problems = _problems(tx, team_id, proposal.member_ids, now)
            if problems:
                proposal.status = ProposalStatus.STALE
                proposal.decided_at = now
                return AcceptOutcome(
                    proposal_id,
                    claim.position,
                    "stale",
                    f"Pod {claim.position} can't be created as proposed: "
                    f"{'; '.join(problems)}. Nothing was created.",
                )
            saved = pods_service.create_pod(
                tx,
                team_id=team_id,
                creator_id=actor_id,
                form=claim.form,
                channel_id=channel_id,
                is_group_dm=True,
                now=now,
            )
            proposal.status = ProposalStatus.ACCEPTED
            proposal.pod_id = saved.pod.id
            proposal.decided_at = now
            proposal.decided_by = actor_id
            then(tx, saved)
    except BaseException:
        _release(transaction, proposal_id)
        raise
    return AcceptOutcome(
        proposal_id,
        claim.position,
        "created",
        f"Created {saved.pod.name} (pod {claim.position}); its first session is scheduled.",
        saved.pod.id,
    )
