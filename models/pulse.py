"""A member's quick answers after a session: how useful it was, how the pod fits."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TeamScoped, Timestamped, status_type, utcnow
from models.pod import PodSession
from models.program import Member

USEFULNESS_MIN = 1
USEFULNESS_MAX = 5


class PodFit(enum.StrEnum):
    FINE = "fine"
    DIFFERENT = "different"


class Pulse(TeamScoped, Timestamped, Base):
    """One member's pulse for one session. Read only as aggregates (K_count applies)."""

    __tablename__ = "pulses"
    __table_args__ = (
        UniqueConstraint("session_id", "member_id"),
        CheckConstraint(
            f"usefulness BETWEEN {USEFULNESS_MIN} AND {USEFULNESS_MAX}", name="usefulness_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("pod_sessions.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    usefulness: Mapped[int | None]
    pod_fit: Mapped[PodFit | None] = mapped_column(status_type(PodFit, name="pod_fit"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    session: Mapped[PodSession] = relationship()
    member: Mapped[Member] = relationship()
