"""Who coaches a session and who buddies each newcomer (DESIGN §4). Pure and
deterministic: the same history always gives the same roles.

The coach is chosen among available members who are not newcomers: fewest
sessions coached in the pod, then longest since they last coached (never =
longest), then earliest joined; never the previous session's coach while anyone
else can. Each newcomer who will be there gets the most experienced available
member (most sessions attended, then earliest joined), the coach only when
nobody else can.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

NEWCOMER_SESSIONS = 2
"""A member who joined an established pod is a newcomer until they have attended
this many of its sessions. Founding members (in the pod before it ever held a
session) are not newcomers: there is nobody more seasoned to buddy them, and a
new pod needs a coach from its first session."""


@dataclass(frozen=True)
class PastSession:
    """A session of the pod before the one being staffed."""

    starts_at: datetime
    coach_member_id: int | None
    held: bool
    cancelled: bool = False
    skipped_by: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Membership:
    member_id: int
    joined_at: datetime
    left_at: datetime | None = None

    def active_at(self, instant: datetime) -> bool:
        return self.joined_at <= instant and (self.left_at is None or instant < self.left_at)


@dataclass(frozen=True)
class Candidate:
    """An active member of the pod as seen for one session."""

    member_id: int
    joined_at: datetime
    sessions_coached: int = 0
    last_coached_at: datetime | None = None
    sessions_attended: int = 0
    paused: bool = False
    skipping: bool = False
    founding: bool = False

    @property
    def available(self) -> bool:
        return not self.paused and not self.skipping

    @property
    def is_newcomer(self) -> bool:
        return not self.founding and self.sessions_attended < NEWCOMER_SESSIONS

    @property
    def can_coach(self) -> bool:
        return self.available and not self.is_newcomer


@dataclass(frozen=True)
class Roles:
    coach_id: int | None
    buddies: dict[int, int | None] = field(default_factory=dict)
    """Newcomer member id → buddy member id (None: nobody available)."""


def candidates_from_history(
    memberships: Iterable[Membership],
    history: Sequence[PastSession],
    before: datetime,
    *,
    paused: frozenset[int] = frozenset(),
    skipping: frozenset[int] = frozenset(),
) -> list[Candidate]:
    """Candidates for a session starting at `before`, from the pod's past sessions.

    `memberships` holds every period of each person in the pod (leaving and rejoining
    makes two); the people still in at `before` are the candidates. Only sessions that
    started before `before`, were not cancelled and started while the person was in
    count: "attended" = such a session that was held and that they did not skip,
    across all their periods; "coached" likewise. Seniority is the first join.
    """
    counted = [s for s in history if not s.cancelled and s.starts_at < before]
    first_held = min((s.starts_at for s in counted if s.held), default=None)
    periods: dict[int, list[Membership]] = {}
    for membership in memberships:
        periods.setdefault(membership.member_id, []).append(membership)
    result = []
    for member_id, own in periods.items():
        if all(p.left_at is not None and p.left_at <= before for p in own):
            continue
        while_in = [s for s in counted if any(p.active_at(s.starts_at) for p in own)]
        coached = [s.starts_at for s in while_in if s.coach_member_id == member_id]
        attended = sum(1 for s in while_in if s.held and member_id not in s.skipped_by)
        first_joined = min(p.joined_at for p in own)
        result.append(
            Candidate(
                member_id=member_id,
                joined_at=first_joined,
                sessions_coached=len(coached),
                last_coached_at=max(coached, default=None),
                sessions_attended=attended,
                paused=member_id in paused,
                skipping=member_id in skipping,
                founding=first_held is None or first_joined <= first_held,
            )
        )
    return result


def previous_coach_id(history: Sequence[PastSession], before: datetime) -> int | None:
    earlier = [s for s in history if not s.cancelled and s.starts_at < before]
    if not earlier:
        return None
    return max(earlier, key=lambda s: s.starts_at).coach_member_id


def coach_order_key(candidate: Candidate) -> tuple[int, float, datetime, int]:
    last = candidate.last_coached_at.timestamp() if candidate.last_coached_at else float("-inf")
    return (candidate.sessions_coached, last, candidate.joined_at, candidate.member_id)


def choose_coach(
    candidates: Sequence[Candidate],
    previous_coach: int | None,
    keep: int | None = None,
) -> int | None:
    """The coach; `keep` (the coach already announced) stays while still eligible."""
    eligible = [c for c in candidates if c.can_coach]
    if keep is not None and any(c.member_id == keep for c in eligible):
        return keep
    others = [c for c in eligible if c.member_id != previous_coach]
    pool = others or eligible
    if not pool:
        return None
    return min(pool, key=coach_order_key).member_id


def experience_key(candidate: Candidate) -> tuple[int, datetime, int]:
    return (-candidate.sessions_attended, candidate.joined_at, candidate.member_id)


def choose_buddy(candidates: Sequence[Candidate], coach: int | None) -> int | None:
    seasoned = sorted((c for c in candidates if c.can_coach), key=experience_key)
    not_coach = [c for c in seasoned if c.member_id != coach]
    pick = not_coach or seasoned
    return pick[0].member_id if pick else None


def assign_roles(
    candidates: Sequence[Candidate],
    previous_coach: int | None,
    keep_coach: int | None = None,
) -> Roles:
    coach = choose_coach(candidates, previous_coach, keep_coach)
    buddy = choose_buddy(candidates, coach)
    newcomers = sorted(
        (c for c in candidates if c.is_newcomer and c.available),
        key=lambda c: (c.joined_at, c.member_id),
    )
    return Roles(coach_id=coach, buddies={c.member_id: buddy for c in newcomers})
