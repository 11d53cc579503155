"""What the pods, sessions and availability services return and the ui shows:
plain frozen data, safe after the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from models.session_views import SessionView

DEFAULT_CADENCE = 2


@dataclass(frozen=True)
class PodInfo:
    """What people are shown about a pod."""

    id: int
    team_id: str
    name: str
    focus_kind: str
    focus_text: str
    interval_weeks: int
    weekday: int
    local_time: time
    timezone: str
    channel_id: str | None
    is_group_dm: bool
    member_user_ids: tuple[str, ...]
    next_starts_at: datetime | None

    @property
    def size(self) -> int:
        return len(self.member_user_ids)


@dataclass(frozen=True)
class PodListing:
    pods: list[PodInfo]
    total: int
    viewer_user_id: str
    viewer_tz: str


@dataclass(frozen=True)
class PodFormValues:
    """What the pod modal shows on opening (create defaults or the pod being edited)."""

    name: str = ""
    focus_kind: str = "goal"
    focus_text: str = ""
    members: tuple[str, ...] = ()
    cadence: int = DEFAULT_CADENCE
    weekday: int | None = None
    time: time | None = None
    timezone: str | None = None
    channel: str | None = None
    is_group_dm: bool = False
    celebrate: bool = False


@dataclass(frozen=True)
class PodPerson:
    """Someone a pod change concerns, with the timezone they read times in."""

    user_id: str
    tz: str


@dataclass(frozen=True)
class PodSaved:
    """A pod created or edited: who was added (`returning` ones had been in it before),
    who was removed, whose first pod this is, and whether the rhythm changed."""

    pod: PodInfo
    actor_id: str
    created: bool
    added: tuple[PodPerson, ...] = ()
    returning: frozenset[str] = frozenset()
    removed: tuple[str, ...] = ()
    new_members: tuple[str, ...] = ()
    rescheduled: bool = False


@dataclass(frozen=True)
class PodJoined:
    pod: PodInfo
    user_id: str
    first_time: bool
    """A new membership (not an old one reopened)."""


# --------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class MyNext:
    user_id: str
    tz: str
    now: datetime
    paused_until: date | None
    sessions: list[SessionView]


@dataclass(frozen=True)
class PauseResult:
    until: date
    tz: str
    reassigned: int


@dataclass(frozen=True)
class SessionCancelled:
    """A session was cancelled: its pod is told in its channel, or each member by DM."""

    team_id: str
    key: str
    pod_name: str
    starts_at: datetime
    pod_timezone: str
    reason: str | None
    channel_id: str | None
    members: tuple[PodPerson, ...]


@dataclass(frozen=True)
class Cancelled:
    cancelled: SessionView
    following: SessionView | None
    notice: SessionCancelled | None
