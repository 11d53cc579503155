"""Learning velocity and the quarterly review as plain facts: what the stats and
review services return and the ui, the chart and the CSV read. Numbers only:
nothing here names or points to one person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

UP, DOWN, FLAT = "up", "down", "flat"

METRICS = (
    "sessions_held",
    "attendance",
    "insights",
    "actions",
    "tried_of_due",
    "median_days_to_tried",
)


@dataclass(frozen=True)
class WeekVelocity:
    """One week's numbers. `start` is the first day counted (a Monday, or the
    quarter's first day when the quarter starts mid-week)."""

    start: date
    sessions_held: int = 0
    attended: int = 0
    """Person-sessions where the member checked in or reflected."""
    expected: int = 0
    """Person-sessions members were expected at (members of the pod then, not skipping)."""
    insights: int = 0
    actions: int = 0
    due: int = 0
    due_tried: int = 0
    tried: int = 0
    days_to_tried: tuple[float, ...] = ()
    """Per experiment marked tried this week; only ever summarised as a median."""


@dataclass(frozen=True)
class Velocity:
    """A period's numbers, summed over its weeks."""

    weeks: int
    sessions_held: int
    attended: int
    expected: int
    insights: int
    actions: int
    due: int
    due_tried: int
    tried: int
    median_days_to_tried: float | None

    @property
    def attendance(self) -> float | None:
        return self.attended / self.expected if self.expected else None

    @property
    def tried_of_due(self) -> float | None:
        return self.due_tried / self.due if self.due else None

    @property
    def is_empty(self) -> bool:
        counts = (self.sessions_held, self.expected, self.insights, self.actions, self.due)
        return not any(counts) and not self.tried


@dataclass(frozen=True)
class PeriodVelocity:
    """The last `weeks` weeks against the `weeks` before them; `trends` maps each of
    METRICS to up, down or flat (absent when either side has no number)."""

    weeks: int
    current: Velocity
    previous: Velocity
    trends: dict[str, str]


@dataclass(frozen=True)
class PulseSummary:
    """Session pulse answers of a period, for sessions that started in it. With
    `enough` False fewer than K_count people answered and there are no figures
    (one's own answers are always enough). `different_pod` is only counted for
    the program."""

    k_count: int
    enough: bool
    answers: int = 0
    average: float | None = None
    different_pod: int | None = None


@dataclass(frozen=True)
class ScopeVelocity:
    """Me, one pod, a merged group of small pods, or the whole program."""

    kind: str
    """"me", "pod", "other" or "program"."""
    label: str
    people: int
    last_4: PeriodVelocity
    last_12: PeriodVelocity
    pulse: PulseSummary | None = None
    """The session pulse over the last 12 weeks (none for merged groups)."""


@dataclass(frozen=True)
class LeaderCounts:
    in_pods: int
    held_sessions: int
    """Leaders whose pod held at least one session this quarter while they were in it."""


@dataclass(frozen=True)
class ProgramVelocity:
    """The admins' view. `withheld` says why there are no numbers (too few people)."""

    k_count: int
    total: ScopeVelocity | None
    groups: tuple[ScopeVelocity, ...] = ()
    leaders: LeaderCounts | None = None
    leaders_withheld: bool = False
    withheld: str | None = None


@dataclass(frozen=True)
class StatsView:
    """What `/coach stats` shows one person."""

    through: date
    """The last day counted: the Sunday ending the last full week (UTC)."""
    me: ScopeVelocity | None
    pods: tuple[ScopeVelocity, ...]
    program: ProgramVelocity | None


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        if self.number == 4:
            return date(self.year + 1, 1, 1)
        return date(self.year, 3 * self.number + 1, 1)

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"


@dataclass(frozen=True)
class ReviewFacts:
    """The quarter's review for the program. `withheld` (too few people) means no
    numbers at all; `has_data` False means an empty quarter."""

    quarter: Quarter
    k_count: int
    withheld: str | None
    velocity: Velocity | None
    weeks: tuple[WeekVelocity, ...]
    kudos_by_value: tuple[tuple[str, int], ...]
    new_tactics: tuple[str, ...]
    leaders: LeaderCounts | None
    leaders_withheld: bool
    pulse: PulseSummary | None = None

    @property
    def experiments_tried(self) -> int:
        return self.velocity.tried if self.velocity else 0

    @property
    def kudos(self) -> int:
        return sum(count for _, count in self.kudos_by_value)

    @property
    def has_data(self) -> bool:
        if self.withheld is not None:
            return False
        busy = self.velocity is not None and not self.velocity.is_empty
        return busy or bool(self.kudos_by_value or self.new_tactics)
