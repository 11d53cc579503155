"""What the matcher optimises.

A pod is *valid* when: its size is within [min_size, max_size]; the levels of its
members (positions in the program's ordered list; unknown levels fit anywhere) lie
within `max_level_spread`; everyone shares at least one one-hour slot; nobody is
with someone on their private list; and, when grouping by focus, everyone with a
focus has the same one.

The objective of a proposal (higher is better) is the sum over its pods of

    PLACED × size                                   (placing people comes first)
  + COMPLEMENT × (growth areas covered by another member's offer)
  − SAME_TEAM × (pairs from the same team)
  − REPEAT × (pairs who shared a pod in the last 12 months)
  − SIZE × |size − target|
  − LEVEL × level spread
  + BUDDY × (newcomers with a seasoned member) − BUDDY × (newcomers without)
  + FOCUS × (pairs sharing a focus), when not grouping by focus

so unplaced people cost PLACED each. Repeats and same-team pairs are soft ("where
avoidable"); private lists are hard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.services.matching import slots

PLACED = 100.0
COMPLEMENT = 3.0
SAME_TEAM = 4.0
REPEAT = 30.0
SIZE = 2.0
LEVEL = 1.5
BUDDY = 6.0
FOCUS = 1.0
SEASONED_SESSIONS = 3
"""Sessions coached that make someone a seasoned buddy for a newcomer."""


@dataclass(frozen=True)
class Rules:
    target_size: int = 4
    min_size: int = 3
    max_size: int = 6
    max_level_spread: int = 1
    by_focus: bool = False

    def __post_init__(self) -> None:
        if not 2 <= self.min_size <= self.target_size <= self.max_size:
            raise ValueError("sizes must satisfy 2 ≤ min ≤ target ≤ max")
        if self.max_level_spread < 0:
            raise ValueError("the level spread cannot be negative")


@dataclass(frozen=True)
class Candidate:
    """One person who could be matched. `id` is theirs (member id); `avoid` holds
    ids of people they asked not to be put with (read by the matcher only)."""

    id: int
    name: str
    team: str = ""
    level: int | None = None
    offers: frozenset[str] = frozenset()
    growth: frozenset[str] = frozenset()
    mask: int = 0
    focus: str | None = None
    avoid: frozenset[int] = frozenset()
    sessions_coached: int = 0
    newcomer: bool = False

    @property
    def seasoned(self) -> bool:
        return self.sessions_coached >= SEASONED_SESSIONS


def too_far(a: Candidate, b: Candidate, spread: int) -> bool:
    """Levels further apart than the spread (an unknown level fits anywhere)."""
    return a.level is not None and b.level is not None and abs(a.level - b.level) > spread


@dataclass
class Instance:
    """Candidates by index, with what pairs of them need: conflicts (either one's
    private list names the other) and recent pairs (shared a pod lately)."""

    people: Sequence[Candidate]
    rules: Rules
    recent_pairs: frozenset[frozenset[int]] = frozenset()
    conflicts: set[tuple[int, int]] = field(default_factory=set)
    recent: set[tuple[int, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        index = {person.id: i for i, person in enumerate(self.people)}
        for i, person in enumerate(self.people):
            for other in person.avoid:
                j = index.get(other)
                if j is not None and j != i:
                    self.conflicts.add((min(i, j), max(i, j)))
        for pair in self.recent_pairs:
            ids = [index.get(member_id) for member_id in pair]
            if len(ids) == 2 and None not in ids and ids[0] != ids[1]:
                a, b = ids  # type: ignore[misc]
                self.recent.add((min(a, b), max(a, b)))

    # ------------------------------------------------------------------ pairs

    def conflict(self, i: int, j: int) -> bool:
        return (min(i, j), max(i, j)) in self.conflicts

    def repeat(self, i: int, j: int) -> bool:
        return (min(i, j), max(i, j)) in self.recent

    def compatible(self, i: int, j: int) -> bool:
        """Could i and j ever share a pod (level, focus, a common slot, lists)?"""
        a, b = self.people[i], self.people[j]
        if too_far(a, b, self.rules.max_level_spread):
            return False
        if self.rules.by_focus and a.focus and b.focus and a.focus != b.focus:
            return False
        return bool(a.mask & b.mask) and not self.conflict(i, j)

    # ------------------------------------------------------------------ pods

    def fits(self, members: Sequence[int], size_check: bool = True) -> bool:
        """Valid as a pod (size aside when `size_check` is False)."""
        rules = self.rules
        if size_check and not rules.min_size <= len(members) <= rules.max_size:
            return False
        levels = [self.people[i].level for i in members if self.people[i].level is not None]
        if levels and max(levels) - min(levels) > rules.max_level_spread:
            return False
        if rules.by_focus:
            focuses = {self.people[i].focus for i in members if self.people[i].focus}
            if len(focuses) > 1:
                return False
        if not slots.common(self.people[i].mask for i in members):
            return False
        return not any(self.conflict(a, b) for k, a in enumerate(members) for b in members[k + 1 :])

    def score(self, members: Sequence[int]) -> float:
        """The pod's share of the objective (assumes it is valid)."""
        people = [self.people[i] for i in members]
        total = PLACED * len(people)
        for k, person in enumerate(people):
            if person.growth:
                offered = set().union(*(o.offers for o in people if o is not person))
                total += COMPLEMENT * len(person.growth & offered)
            for m in range(k + 1, len(people)):
                other = people[m]
                if person.team and person.team == other.team:
                    total -= SAME_TEAM
                if self.repeat(members[k], members[m]):
                    total -= REPEAT
                if not self.rules.by_focus and person.focus and person.focus == other.focus:
                    total += FOCUS
        total -= SIZE * abs(len(people) - self.rules.target_size)
        levels = [p.level for p in people if p.level is not None]
        if levels:
            total -= LEVEL * (max(levels) - min(levels))
        newcomers = [p for p in people if p.newcomer]
        if newcomers:
            has_buddy = any(p.seasoned and not p.newcomer for p in people)
            total += (BUDDY if has_buddy else -BUDDY) * len(newcomers)
        return total

    def total(self, pods: Sequence[Sequence[int]]) -> float:
        return sum(self.score(pod) for pod in pods)
