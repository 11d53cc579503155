"""Private calendar feeds: one unguessable token per member."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TeamScoped, Timestamped
from models.program import Member


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(TeamScoped, Timestamped, Base):
    """A member's calendar feed URL. Rotating replaces the token; the old one is gone."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(unique=True, index=True, default=new_feed_token)
    rotated_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()
