"""Program content people add: pod playbooks and community tactics."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TeamScoped, Timestamped, status_type


class PodPlaybook(TeamScoped, Timestamped, Base):
    """A pod's own themes and prompts; the shipped files are never modified."""

    __tablename__ = "pod_playbooks"

    pod_id: Mapped[int] = mapped_column(ForeignKey("pods.id", ondelete="CASCADE"), primary_key=True)
    themes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    prompts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_by: Mapped[str | None]


class TacticStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class CommunityTactic(TeamScoped, Timestamped, Base):
    """A question, tactic or reframe contributed by a member. The contributor is
    stored for moderation but never shown."""

    __tablename__ = "community_tactics"

    id: Mapped[int] = mapped_column(primary_key=True)
    contributor_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    kind: Mapped[str]
    text: Mapped[str] = mapped_column(Text)
    pillar: Mapped[str | None]
    scenario_key: Mapped[str | None]
    status: Mapped[TacticStatus] = mapped_column(
        status_type(TacticStatus), default=TacticStatus.PENDING, index=True
    )
    reviewed_by: Mapped[str | None]
    reviewed_at: Mapped[datetime | None]
