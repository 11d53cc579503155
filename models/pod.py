"""Pods, their members and their sessions."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TeamScoped, Timestamped, status_type
from models.program import Member

DEFAULT_DURATION_MINUTES = 45


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Pod(TeamScoped, Timestamped, Base):
    __tablename__ = "pods"
    __table_args__ = (UniqueConstraint("team_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    name_key: Mapped[str]
    focus_kind: Mapped[str] = mapped_column(default="goal")
    focus_text: Mapped[str] = mapped_column(Text, default="")
    interval_weeks: Mapped[int] = mapped_column(default=1)
    weekday: Mapped[int]
    local_time: Mapped[time]
    timezone: Mapped[str]
    duration_minutes: Mapped[int] = mapped_column(default=DEFAULT_DURATION_MINUTES)
    channel_id: Mapped[str | None]
    is_group_dm: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str]
    archived_at: Mapped[datetime | None]
    # The pod opted in to be named in the weekly digest for its streak of sessions held.
    celebrate: Mapped[bool] = mapped_column(default=False, server_default=false())

    memberships: Mapped[list[PodMembership]] = relationship(
        back_populates="pod", order_by="PodMembership.joined_at"
    )


class PodMembership(TeamScoped, Base):
    """One period of a person in a pod. Leaving keeps the row (left_at) so history
    survives; rejoining opens a new row, so the time away is never counted as in."""

    __tablename__ = "pod_memberships"
    __table_args__ = (
        Index(
            "uq_pod_memberships_open",
            "pod_id",
            "member_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pod_id: Mapped[int] = mapped_column(ForeignKey("pods.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]

    pod: Mapped[Pod] = relationship(back_populates="memberships")
    member: Mapped[Member] = relationship()

    @property
    def active(self) -> bool:
        return self.left_at is None


class PodSession(TeamScoped, Timestamped, Base):
    """One scheduled meeting of a pod, stored in UTC."""

    __tablename__ = "pod_sessions"
    __table_args__ = (
        UniqueConstraint("pod_id", "starts_at"),
        Index("ix_pod_sessions_status_starts_at", "status", "starts_at"),
        Index("ix_pod_sessions_status_ends_at", "status", "ends_at"),
        Index("ix_pod_sessions_team_id_starts_at", "team_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pod_id: Mapped[int] = mapped_column(ForeignKey("pods.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[SessionStatus] = mapped_column(
        status_type(SessionStatus), default=SessionStatus.SCHEDULED
    )
    coach_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    theme_key: Mapped[str | None]
    held_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # Set when tick put the prep reminders / end-of-session DMs in the outbox, so
    # tick looks only at sessions still owed them; a moved session is owed again.
    prep_enqueued_at: Mapped[datetime | None]
    end_enqueued_at: Mapped[datetime | None]
    # iCalendar SEQUENCE: bumped whenever the time changes or the session is cancelled
    # or skipped, so subscribed calendars replace their copy.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    pod: Mapped[Pod] = relationship()
    coach: Mapped[Member | None] = relationship()
    buddies: Mapped[list[SessionBuddy]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class SessionBuddy(TeamScoped, Base):
    """A newcomer paired with a seasoned member for one session."""

    __tablename__ = "session_buddies"
    __table_args__ = (UniqueConstraint("session_id", "newcomer_member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("pod_sessions.id", ondelete="CASCADE"))
    newcomer_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    buddy_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )

    session: Mapped[PodSession] = relationship(back_populates="buddies")
    newcomer: Mapped[Member] = relationship(foreign_keys=[newcomer_member_id])
    buddy: Mapped[Member | None] = relationship(foreign_keys=[buddy_member_id])


class SessionSkip(TeamScoped, Timestamped, Base):
    """A member sitting one session out (/coach skip)."""

    __tablename__ = "session_skips"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("pod_sessions.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
