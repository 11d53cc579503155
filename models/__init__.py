"""SQLAlchemy models of the whole domain; importing this package registers them all."""

from models.base import Base, utcnow
from models.calendar import CalendarFeed
from models.learning import CheckIn, Digest, Experiment, ExperimentStatus, Kudos, Reflection
from models.outbox import OutboxMessage, OutboxStatus
from models.playbook import CommunityTactic, PodPlaybook, TacticStatus
from models.pod import Pod, PodMembership, PodSession, SessionBuddy, SessionSkip, SessionStatus
from models.program import (
    Member,
    ProgramSettings,
    RequestReceipt,
    Ritual,
    RitualKind,
    SlackEventReceipt,
)
from models.pulse import PodFit, Pulse

__all__ = [
    "Base",
    "CalendarFeed",
    "CheckIn",
    "CommunityTactic",
    "Digest",
    "Experiment",
    "ExperimentStatus",
    "Kudos",
    "Member",
    "OutboxMessage",
    "OutboxStatus",
    "Pod",
    "PodFit",
    "PodMembership",
    "PodPlaybook",
    "PodSession",
    "ProgramSettings",
    "Pulse",
    "Reflection",
    "RequestReceipt",
    "Ritual",
    "RitualKind",
    "SessionBuddy",
    "SessionSkip",
    "SessionStatus",
    "SlackEventReceipt",
    "TacticStatus",
    "utcnow",
]
