"""SQLAlchemy models of the whole domain; importing this package registers them all."""

from models.base import Base, utcnow
from models.calendar import CalendarFeed
from models.learning import CheckIn, Digest, Experiment, ExperimentStatus, Kudos, Reflection
from models.matching import (
    MatchingSettings,
    MatchKind,
    MatchProposal,
    MatchRun,
    ProposalStatus,
    ReshuffleOptOut,
    ReshuffleRound,
    ReshuffleStatus,
)
from models.outbox import OutboxMessage, OutboxStatus
from models.playbook import CommunityTactic, PodPlaybook, TacticStatus
from models.pod import Pod, PodMembership, PodSession, SessionBuddy, SessionSkip, SessionStatus
from models.profile import MemberProfile, ProgramLevel, ProgramSkill
from models.program import (
    Member,
    ProgramSettings,
    RequestReceipt,
    Ritual,
    RitualKind,
    SlackEventReceipt,
)
from models.pulse import PodFit, Pulse
from models.workspace import Workspace

__all__ = [
    "Base",
    "CalendarFeed",
    "CheckIn",
    "CommunityTactic",
    "Digest",
    "Experiment",
    "ExperimentStatus",
    "Kudos",
    "MatchKind",
    "MatchProposal",
    "MatchRun",
    "MatchingSettings",
    "Member",
    "MemberProfile",
    "OutboxMessage",
    "OutboxStatus",
    "Pod",
    "PodFit",
    "PodMembership",
    "PodPlaybook",
    "PodSession",
    "ProgramLevel",
    "ProgramSettings",
    "ProgramSkill",
    "ProposalStatus",
    "Pulse",
    "Reflection",
    "RequestReceipt",
    "ReshuffleOptOut",
    "ReshuffleRound",
    "ReshuffleStatus",
    "Ritual",
    "RitualKind",
    "SessionBuddy",
    "SessionSkip",
    "SessionStatus",
    "SlackEventReceipt",
    "TacticStatus",
    "Workspace",
    "utcnow",
]
