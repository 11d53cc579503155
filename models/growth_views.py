"""A person's growth summary for one quarter as plain facts: what the growth service
returns and the ui turns into a DM and a Markdown file. Only ever one person's own
rows, read for that person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models.velocity_views import Quarter


@dataclass(frozen=True)
class GrowthIntent:
    text: str
    pod_name: str
    session_starts_at: datetime


@dataclass(frozen=True)
class GrowthExperiment:
    text: str
    committed_at: datetime
    due_date: date
    status: str
    """"open", "tried" or "dropped"."""
    resolved_at: datetime | None
    outcome_note: str | None
    committed_in_quarter: bool
    tried_in_quarter: bool


@dataclass(frozen=True)
class GrowthInsight:
    insight: str
    action: str
    written_at: datetime


@dataclass(frozen=True)
class GrowthKudos:
    value: str
    giver_name: str
    text: str
    given_at: datetime
    is_private: bool


@dataclass(frozen=True)
class GrowthSession:
    pod_name: str
    starts_at: datetime
    attended: bool
    coached: bool


@dataclass(frozen=True)
class GrowthSummary:
    """The person's quarter in their own timezone `tz`; `until` is set while the
    quarter is still running (counted up to then), `not_started` for a quarter
    still ahead."""

    quarter: Quarter
    display_name: str
    tz: str
    until: datetime | None
    not_started: bool
    intents: tuple[GrowthIntent, ...] = ()
    experiments: tuple[GrowthExperiment, ...] = ()
    insights: tuple[GrowthInsight, ...] = ()
    kudos: tuple[GrowthKudos, ...] = ()
    sessions: tuple[GrowthSession, ...] = ()

    @property
    def experiments_committed(self) -> int:
        return sum(e.committed_in_quarter for e in self.experiments)

    @property
    def experiments_tried(self) -> int:
        return sum(e.tried_in_quarter for e in self.experiments)

    @property
    def sessions_attended(self) -> int:
        return sum(s.attended for s in self.sessions)

    @property
    def sessions_coached(self) -> int:
        return sum(s.coached for s in self.sessions)

    @property
    def is_empty(self) -> bool:
        return not (
            self.intents or self.experiments or self.insights or self.kudos or self.sessions
        )
