"""Facts of the community loop (the weekly digest, kudos, waiting learnings), shared
by the services that decide them and the ui that shows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class WeekCounts:
    sessions_held: int = 0
    insights: int = 0
    actions: int = 0
    experiments_tried: int = 0
    kudos: int = 0


@dataclass(frozen=True)
class LearningGroup:
    """Released learnings under one theme. `mrkdwn` texts are scrubbed and escaped
    already (bot.services.anonymity.scrub): show them as they are."""

    title: str
    mrkdwn: tuple[str, ...]


@dataclass(frozen=True)
class KudosLine:
    """One public kudos: plain names and text, escaped by the ui."""

    giver: str
    receivers: tuple[str, ...]
    value: str
    text: str


@dataclass(frozen=True)
class PodStreak:
    name: str
    sessions_in_a_row: int


@dataclass(frozen=True)
class DigestFacts:
    team_id: str
    week_start: date
    channel_id: str | None
    counts: WeekCounts
    learnings: tuple[LearningGroup, ...] = ()
    kudos: tuple[KudosLine, ...] = ()
    more_kudos: int = 0
    pods: tuple[PodStreak, ...] = ()
    waiting: int = 0
    released_ids: tuple[int, ...] = field(default=(), compare=False)

    @property
    def learnings_count(self) -> int:
        return sum(len(group.mrkdwn) for group in self.learnings)


@dataclass(frozen=True)
class DigestDue:
    team_id: str
    week_start: date
    due_at: datetime
    channel_id: str | None


@dataclass(frozen=True)
class WaitingLearning:
    """One of my shared reflections that no digest has carried yet."""

    reflection_id: int
    insight: str
    created_at: datetime


@dataclass(frozen=True)
class KudosGiven:
    """A kudos just given: who gets the DMs, and what they say."""

    team_id: str
    batch_key: str
    giver_user_id: str
    giver_name: str
    receiver_user_ids: tuple[str, ...]
    value: str
    text: str
    is_private: bool


class KudosDraft(BaseModel):
    """A kudos waiting for its value, carried by the value buttons (under Slack's
    2000 characters a button value)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    r: tuple[str, ...]
    t: str
    p: bool = False
    v: str = ""
    k: str = ""
