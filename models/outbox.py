"""Messages waiting to go to Slack: written in the same transaction as the
change that caused them, sent once by the sender."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TeamScoped, Timestamped, status_type, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(TeamScoped, Timestamped, Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_not_before", "status", "not_before"),
        # What the code looks rows up by (bot.notify.outbox.outbox_columns fills them):
        Index("ix_outbox_messages_recipient_kind", "recipient", "kind"),
        Index("ix_outbox_messages_kind_subject", "kind", "subject"),
        Index("ix_outbox_messages_original_key", "original_key"),
        # The retention purge: sent rows by age (only sent rows have sent_at).
        Index("ix_outbox_messages_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(unique=True)
    method: Mapped[str]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        status_type(OutboxStatus), default=OutboxStatus.PENDING
    )
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    result_channel: Mapped[str | None]
    result_ts: Mapped[str | None]
    # Structured copies of what the dedupe key and payload say, so lookups use an index:
    kind: Mapped[str | None]
    """The key's leading word: `prep`, `brief`, `end`, `welcome`, ..."""
    recipient: Mapped[str | None]
    """The channel or user id a chat.postMessage goes to (user id for a DM); None for updates."""
    subject: Mapped[str | None]
    """What the message is about: the key's second field (a session, a tactic, ...)."""
    original_key: Mapped[str | None]
    """chat.update rows: the dedupe key of the message they change."""
    call_started_at: Mapped[datetime | None]
    """Set (to the claim time) before the first Slack call whose outcome is not known
    for sure; while set and the row is not sent, the message may already be in Slack,
    so the sender looks for it before sending again."""


class SlackRateWindow(Base):
    """A Retry-After window Slack granted: no sender calls `method` before `until`.
    Shared by every sender process on the database (see bot.sender)."""

    __tablename__ = "slack_rate_windows"

    method: Mapped[str] = mapped_column(primary_key=True)
    until: Mapped[datetime]
