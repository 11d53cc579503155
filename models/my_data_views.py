"""What `/coach my-data` hands between the service and the ui: a person's own data as
plain values (JSON-ready), and what a deletion did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True)
class MyDataExport:
    """Everything stored about one person, each part a list of plain records (dates
    and times as ISO 8601 strings, other people by display name)."""

    team_id: str
    user_id: str
    exported_at: str
    profile: Record | None
    reflection_reminder: Record | None
    calendar_feed: Record | None
    memberships: tuple[Record, ...] = ()
    checkins: tuple[Record, ...] = ()
    experiments: tuple[Record, ...] = ()
    reflections: tuple[Record, ...] = ()
    kudos_given: tuple[Record, ...] = ()
    kudos_received: tuple[Record, ...] = ()
    pulses: tuple[Record, ...] = ()
    skipped_sessions: tuple[Record, ...] = ()
    contributed_prompts: tuple[Record, ...] = ()
    coached_sessions: tuple[Record, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.profile is None


@dataclass(frozen=True)
class MyDataDeleted:
    """What `/coach my-data delete` removed; all zeros when nothing was stored."""

    user_id: str
    had_profile: bool = False
    checkins: int = 0
    reflections: int = 0
    experiments: int = 0
    pulses: int = 0
    kudos_received: int = 0
    kudos_given_anonymized: int = 0
    pods_left: tuple[str, ...] = ()

    @property
    def found_anything(self) -> bool:
        return bool(
            self.had_profile
            or self.checkins
            or self.reflections
            or self.experiments
            or self.pulses
            or self.kudos_received
            or self.kudos_given_anonymized
            or self.pods_left
        )
