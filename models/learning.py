"""What people write: check-ins, experiments, reflections, kudos; and the digests."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TeamScoped, Timestamped, status_type, utcnow
from models.pod import PodSession
from models.program import Member


class ExperimentStatus(enum.StrEnum):
    OPEN = "open"
    TRIED = "tried"
    DROPPED = "dropped"


class CheckIn(TeamScoped, Timestamped, Base):
    """A member's three pillars for one session. Readable by its author only;
    the intent by the author's pod when shared."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("session_id", "member_id"),
        # The few check-ins still flagged, so clearing them never reads the history.
        Index(
            "ix_checkins_sensitive",
            "session_id",
            sqlite_where=text("sensitive IS 1"),
            postgresql_where=text("sensitive IS true"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("pod_sessions.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    intent: Mapped[str] = mapped_column(Text)
    exploration: Mapped[str] = mapped_column(Text, default="")
    share_intent: Mapped[bool] = mapped_column(default=True)
    scenario_key: Mapped[str | None]
    # "Touches a sensitive boundary": the coach's brief asks for extra care; cleared
    # once the session is over, so nothing of it outlives the session.
    sensitive: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    session: Mapped[PodSession] = relationship()
    member: Mapped[Member] = relationship()


class Experiment(TeamScoped, Timestamped, Base):
    """One small testable step, with at most one nudge on its due date."""

    __tablename__ = "experiments"
    __table_args__ = (
        Index("ix_experiments_status_due_date", "status", "due_date"),
        Index("ix_experiments_team_id_created_at", "team_id", "created_at"),
        Index("ix_experiments_team_id_resolved_at", "team_id", "resolved_at"),
        Index("ix_experiments_team_id_due_date", "team_id", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("pod_sessions.id", ondelete="SET NULL")
    )
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkins.id", ondelete="SET NULL"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date]
    status: Mapped[ExperimentStatus] = mapped_column(
        status_type(ExperimentStatus), default=ExperimentStatus.OPEN
    )
    outcome_note: Mapped[str | None] = mapped_column(Text)
    nudged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()


class Reflection(TeamScoped, Timestamped, Base):
    """One insight and one action. Private unless shared to the anonymized digest."""

    __tablename__ = "reflections"
    __table_args__ = (
        Index("ix_reflections_team_id_created_at", "team_id", "created_at"),
        # Who came to a session: velocity's seat lookup reads this index alone.
        Index("ix_reflections_session_id_member_id", "session_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("pod_sessions.id", ondelete="SET NULL")
    )
    insight: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    share_in_digest: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(default="command")
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("digests.id", ondelete="SET NULL"), index=True
    )
    # The author took it back before it went out: it never appears in a digest.
    withdrawn_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()


class Kudos(TeamScoped, Timestamped, Base):
    """One recipient's share of a kudos; a kudos to several people is several rows
    with one batch_key."""

    __tablename__ = "kudos"
    __table_args__ = (
        Index("ix_kudos_team_id_created_at", "team_id", "created_at"),
        Index("ix_kudos_giver_member_id_created_at", "giver_member_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    giver_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    receiver_member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str]
    text: Mapped[str] = mapped_column(Text)
    is_private: Mapped[bool] = mapped_column(default=False, server_default=false())
    batch_key: Mapped[str] = mapped_column(default="", server_default="", index=True)


class Digest(TeamScoped, Timestamped, Base):
    """One anonymized digest per workspace per week."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("team_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date]
    channel_id: Mapped[str | None]
    posted_at: Mapped[datetime | None]
