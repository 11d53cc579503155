"""What the matching services return and the ui shows: plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time


@dataclass(frozen=True)
class ProposedPodView:
    proposal_id: int
    position: int
    user_ids: tuple[str, ...]
    names: tuple[str, ...]
    weekday: int
    local_time: time
    timezone: str
    slot_text: str
    """The slot in UTC, e.g. “Tuesdays 15:00–16:00 UTC”."""
    score: float
    reasons: str
    status: str
    pod_name: str | None = None
    pod_id: int | None = None


@dataclass(frozen=True)
class UnplacedView:
    user_id: str
    name: str
    code: str
    reason: str
    help: str


@dataclass(frozen=True)
class RunView:
    run_id: int
    team_id: str
    kind: str
    created_at: datetime
    people: int
    score: float
    greedy_score: float
    pods: tuple[ProposedPodView, ...]
    unplaced: tuple[UnplacedView, ...]
    reshuffle_id: int | None = None

    @property
    def pending(self) -> tuple[ProposedPodView, ...]:
        return tuple(p for p in self.pods if p.status == "pending")


@dataclass(frozen=True)
class AcceptOutcome:
    """What accepting one proposal did: `created` (a new pod), `already` (done by an
    earlier click) or `stale` with the problem in words."""

    proposal_id: int
    position: int
    result: str
    message: str
    pod_id: int | None = None


@dataclass(frozen=True)
class ReshuffleOffer:
    round_id: int
    team_id: str
    admin_user_ids: tuple[str, ...]
    pods: int
    months: int


@dataclass(frozen=True)
class ReshuffleNotice:
    round_id: int
    team_id: str
    takes_effect_at: datetime
    user_ids: tuple[str, ...]
