"""The session loop as plain facts: what the check-in, reflection, experiment and
App Home services return and the ui builders read. Frozen and free of the
database session, so they are safe after the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from models.community_views import WaitingLearning

# The values of models.pod.SessionStatus and models.learning.ExperimentStatus: this
# module stays free of SQLAlchemy so the ui may import it.
SESSION_CANCELLED = "cancelled"
EXPERIMENT_OPEN = "open"
EXPERIMENT_TRIED = "tried"
EXPERIMENT_DROPPED = "dropped"

NO_THEME_TITLE = "Open conversation"
"""What a session without a theme is called where its theme is listed."""

# How many of a person's items the surfaces show (the services load no more).
EXPERIMENTS_LISTED = 15  # `/coach experiments`: two blocks each, well inside a message's 50
HOME_SESSIONS_SHOWN = 3
HOME_EXPERIMENTS_SHOWN = 10
HOME_RESOLVED_SHOWN = 3
HOME_INSIGHTS_SHOWN = 5


@dataclass(frozen=True)
class SessionView:
    """One pod session as a member sees it."""

    session_id: int
    pod_id: int
    pod_name: str
    pod_timezone: str
    starts_at: datetime
    ends_at: datetime
    status: str
    coach_user_id: str | None
    theme_key: str | None
    theme_title: str | None = None
    """None when the session has no theme (or its content can't be read)."""
    buddies: tuple[tuple[str, str | None], ...] = ()
    """(newcomer user id, buddy user id or None)."""
    skipping: bool = False
    """The viewer said they will skip it."""

    @property
    def cancelled(self) -> bool:
        return self.status == SESSION_CANCELLED


# --------------------------------------------------------------------- check-in


@dataclass(frozen=True)
class CheckInDraft:
    """What the check-in modal shows: the session and the values to prefill."""

    target: SessionView
    intent: str
    exploration: str
    experiment: str
    due_date: date
    share: bool
    scenario_key: str | None
    member_tz: str
    is_edit: bool
    sensitive: bool = False
    profile_stale: bool = False
    """The member's Slack profile (timezone, names) is due a refresh."""


@dataclass(frozen=True)
class CareRequests:
    """What the coach's brief says of the check-ins that asked for extra care: how many,
    never whose or why, and the ground-rules reminder for such conversations."""

    count: int
    reminder: str


# --------------------------------------------------------------------- reflection


@dataclass(frozen=True)
class ReflectionDraft:
    """What the reflection modal shows; no target for a standalone insight."""

    target: SessionView | None
    insight: str
    action: str
    share: bool
    is_edit: bool
    source: str
    member_tz: str = "UTC"
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Insight:
    insight: str
    action: str
    created_at: datetime
    pod_name: str | None
    shared: bool


# --------------------------------------------------------------------- experiments

TRIED = "tried"
NOT_YET = "not_yet"
DROP = "drop"
CHOICES = (TRIED, NOT_YET, DROP)


@dataclass(frozen=True)
class ExperimentView:
    """An experiment as its author sees it."""

    id: int
    text: str
    due_date: date
    status: str
    outcome_note: str | None
    pod_name: str | None
    resolved_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == EXPERIMENT_OPEN


@dataclass(frozen=True)
class Resolution:
    """What a Tried it / Not yet / Drop button did, for the answer in place of the buttons."""

    experiment: ExperimentView
    choice: str
    changed: bool
    next_session_pod: str | None = None


@dataclass(frozen=True)
class ExperimentList:
    """`/coach experiments`: the open experiments shown and how many are open in all."""

    shown: list[ExperimentView]
    total: int


# --------------------------------------------------------------------- App Home


@dataclass(frozen=True)
class NextSession:
    pod_name: str
    starts_at: datetime
    coach_user_id: str | None
    theme_title: str | None
    checked_in: bool


@dataclass(frozen=True)
class ReflectionReminder:
    """A member's weekly reflection reminder, on their own wall clock (0 = Monday)."""

    weekday: int
    at: time


@dataclass(frozen=True)
class ReflectionReminderSetting:
    """What the reminder modal shows: the member's timezone and their reminder, if on."""

    tz: str
    current: ReflectionReminder | None


@dataclass(frozen=True)
class ReflectionReminderDue:
    """One weekly reflection reminder DM owed now."""

    team_id: str
    user_id: str
    local_day: date
    """The member's own date the reminder is for (one DM per member and day)."""
    experiments: tuple[ExperimentView, ...]
    open_count: int
    session_id: int | None
    """The member's latest ended session, for the Reflect button (None: a standalone insight)."""


@dataclass(frozen=True)
class HomeData:
    tz: str
    pods: list[str] = field(default_factory=list)
    next_sessions: list[NextSession] = field(default_factory=list)
    open_experiments: list[ExperimentView] = field(default_factory=list)
    open_experiment_count: int = 0
    resolved: list[ExperimentView] = field(default_factory=list)
    insights: list[Insight] = field(default_factory=list)
    waiting_learnings: list[WaitingLearning] = field(default_factory=list)
    reflection_reminder: ReflectionReminder | None = None
