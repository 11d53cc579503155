"""What profiles, the program's lists, an import and the skills map hand between the
services and the ui: plain frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time


@dataclass(frozen=True)
class ProgramLists:
    """The program's ordered levels and its skills (defaults until an admin saves)."""

    levels: tuple[str, ...]
    skills: tuple[str, ...]
    custom: bool = False


@dataclass(frozen=True)
class ProfileValues:
    """A member's profile as their own modal opens with it (empty for a new one)."""

    team_name: str = ""
    level: str | None = None
    focus: str | None = None
    offers: tuple[str, ...] = ()
    growth: tuple[str, ...] = ()
    weekdays: tuple[int, ...] = ()
    window_start: time | None = None
    window_end: time | None = None
    match_opt_in: bool = False
    avoid_user_ids: tuple[str, ...] = ()
    timezone: str = "UTC"


@dataclass(frozen=True)
class ImportProblem:
    """One row that did not go in: its line in the file (or the person), and why."""

    line: int | None
    who: str
    reason: str


@dataclass(frozen=True)
class ImportResult:
    """What an import did: people added, people updated, rows refused."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    source: str = ""
    invite: tuple[str, ...] = ()
    """Who to invite to check their profile: the imported not yet in for matching."""

    @property
    def imported(self) -> tuple[str, ...]:
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True)
class SkillCount:
    skill: str
    offered: int
    sought: int

    @property
    def gap(self) -> int:
        return self.sought - self.offered


@dataclass(frozen=True)
class SkillsMap:
    """For each skill, how many people offer it and how many seek it; the largest gaps
    (sought far more than offered) first in `gaps`."""

    skills: tuple[SkillCount, ...] = ()
    gaps: tuple[SkillCount, ...] = ()
    profiles: int = 0
    opted_in: int = field(default=0)

    @property
    def has_data(self) -> bool:
        return any(s.offered or s.sought for s in self.skills)
