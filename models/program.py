"""Program-wide settings and the people the bot knows."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TeamScoped, Timestamped, status_type, utcnow

DEFAULT_PREP_LEAD_HOURS = 24
DEFAULT_K_TEXT = 5
MIN_K_TEXT = 3
DEFAULT_K_COUNT = 3
DEFAULT_KUDOS_DAILY_LIMIT = 5


class ProgramSettings(Base):
    """One row per workspace; absent row means every default applies."""

    __tablename__ = "program_settings"

    team_id: Mapped[str] = mapped_column(primary_key=True)
    prep_lead_hours: Mapped[int] = mapped_column(default=DEFAULT_PREP_LEAD_HOURS)
    digest_channel_id: Mapped[str | None]
    digest_weekday: Mapped[int] = mapped_column(default=4)
    digest_time: Mapped[time] = mapped_column(default=time(9, 0))
    digest_timezone: Mapped[str] = mapped_column(default="UTC")
    k_text: Mapped[int] = mapped_column(default=DEFAULT_K_TEXT)
    k_count: Mapped[int] = mapped_column(default=DEFAULT_K_COUNT)
    values_text: Mapped[str | None] = mapped_column(Text)
    ground_rules_text: Mapped[str | None] = mapped_column(Text)
    kudos_daily_limit: Mapped[int] = mapped_column(
        default=DEFAULT_KUDOS_DAILY_LIMIT, server_default=str(DEFAULT_KUDOS_DAILY_LIMIT)
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Member(TeamScoped, Timestamped, Base):
    """A Slack user the bot has met, with what Slack told us about them."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str]
    display_name: Mapped[str] = mapped_column(default="")
    real_name: Mapped[str] = mapped_column(default="")
    tz: Mapped[str] = mapped_column(default="UTC")
    is_bot: Mapped[bool] = mapped_column(default=False)
    is_slack_admin: Mapped[bool] = mapped_column(default=False)
    is_leader: Mapped[bool] = mapped_column(default=False, server_default=false())
    paused_until: Mapped[date | None]
    welcomed_at: Mapped[datetime | None]
    ground_rules_agreed_at: Mapped[datetime | None]
    profile_refreshed_at: Mapped[datetime | None]
    # Weekly reflection reminder in the member's own timezone; both None means off.
    reflection_reminder_weekday: Mapped[int | None]
    reflection_reminder_time: Mapped[time | None]
    # Deactivated in Slack (left the company): out of every pod until reactivated.
    deactivated_at: Mapped[datetime | None]

    @property
    def name(self) -> str:
        return self.display_name or self.real_name or self.user_id

    def is_paused_on(self, day: date) -> bool:
        return self.paused_until is not None and day <= self.paused_until


class SlackEventReceipt(Base):
    """Events API deliveries already handled, so Slack's retries do nothing twice."""

    __tablename__ = "slack_event_receipts"
    __table_args__ = (UniqueConstraint("api_app_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_app_id: Mapped[str]
    event_id: Mapped[str]
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RequestReceipt(Base):
    """Signatures of the signed requests already handled: a byte-identical replay carries
    the same X-Slack-Signature. Kept only while Slack's five-minute window could let a
    replay through."""

    __tablename__ = "request_receipts"

    signature: Mapped[str] = mapped_column(primary_key=True)
    team_id: Mapped[str | None]
    received_at: Mapped[datetime] = mapped_column(index=True)


class RitualKind(enum.StrEnum):
    SHOWCASE = "showcase"
    OFFICE_HOURS = "office_hours"


class Ritual(TeamScoped, Timestamped, Base):
    """A recurring community moment posted to the digest channel: a monthly showcase
    (week_of_month set) or weekly office hours, at local_time in the program's timezone."""

    __tablename__ = "rituals"
    __table_args__ = (UniqueConstraint("team_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RitualKind] = mapped_column(status_type(RitualKind, name="kind"))
    weekday: Mapped[int]
    week_of_month: Mapped[int | None]
    local_time: Mapped[time]
    host_user_id: Mapped[str | None]
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
