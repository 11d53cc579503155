"""Member profiles for matching, and the program's editable lists of levels and skills."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TeamScoped, Timestamped, utcnow
from models.program import Member


class MemberProfile(TeamScoped, Timestamped, Base):
    """What a member tells the matcher: team, level, skills to offer and to grow, when
    they can meet (weekdays 0=Monday … 6 and a window in their own timezone, Member.tz),
    whether they want a pod, and a private list of people not to be matched with.

    avoid_user_ids is read only by the matcher and the person's own data export; it is
    never shown to anyone else.
    """

    __tablename__ = "member_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    team_name: Mapped[str] = mapped_column(default="")
    level: Mapped[str | None]
    offers: Mapped[list[str]] = mapped_column(JSON, default=list)
    growth: Mapped[list[str]] = mapped_column(JSON, default=list)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    window_start: Mapped[time | None]
    window_end: Mapped[time | None]
    match_opt_in: Mapped[bool] = mapped_column(default=False)
    avoid_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    focus: Mapped[str | None]
    imported_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    member: Mapped[Member] = relationship()


class ProgramLevel(TeamScoped, Base):
    """One step of the program's ordered list of levels (position 0 first)."""

    __tablename__ = "program_levels"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]
    name: Mapped[str]


class ProgramSkill(TeamScoped, Base):
    """One skill of the program's list, offered and sought in profiles."""

    __tablename__ = "program_skills"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
