"""Matching people into pods: the admin's matching settings, each run of the matcher
with its proposed pods (stored, so "accept" works later and only once), and
reshuffle rounds with the members who opted out of them."""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TeamScoped, Timestamped, status_type, utcnow

DEFAULT_TARGET_SIZE = 4
DEFAULT_MIN_SIZE = 3
DEFAULT_MAX_SIZE = 6
DEFAULT_LEVEL_SPREAD = 1
DEFAULT_RESHUFFLE_MONTHS = 6
DEFAULT_CADENCE_WEEKS = 2


class MatchingSettings(Base):
    """One row per workspace; an absent row means every default applies."""

    __tablename__ = "matching_settings"

    team_id: Mapped[str] = mapped_column(primary_key=True)
    target_size: Mapped[int] = mapped_column(default=DEFAULT_TARGET_SIZE)
    min_size: Mapped[int] = mapped_column(default=DEFAULT_MIN_SIZE)
    max_size: Mapped[int] = mapped_column(default=DEFAULT_MAX_SIZE)
    max_level_spread: Mapped[int] = mapped_column(default=DEFAULT_LEVEL_SPREAD)
    by_focus: Mapped[bool] = mapped_column(default=False)
    cadence_weeks: Mapped[int] = mapped_column(default=DEFAULT_CADENCE_WEEKS)
    reshuffle_months: Mapped[int] = mapped_column(default=DEFAULT_RESHUFFLE_MONTHS)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MatchKind(enum.StrEnum):
    PODS = "pods"
    RESHUFFLE = "reshuffle"


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"
    CREATING = "creating"
    ACCEPTED = "accepted"
    STALE = "stale"


class MatchRun(TeamScoped, Timestamped, Base):
    """One run of the matcher. `unplaced` maps member ids (as strings) to the reason
    code; `week_of` is the Monday 00:00 UTC the proposed slots are read in."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MatchKind] = mapped_column(status_type(MatchKind, name="kind"))
    requested_by: Mapped[str]
    seed: Mapped[int]
    week_of: Mapped[datetime]
    people: Mapped[int]
    score: Mapped[float]
    greedy_score: Mapped[float]
    unplaced: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reshuffle_id: Mapped[int | None] = mapped_column(
        ForeignKey("reshuffle_rounds.id", ondelete="SET NULL")
    )

    proposals: Mapped[list[MatchProposal]] = relationship(
        back_populates="run", order_by="MatchProposal.position"
    )


class MatchProposal(TeamScoped, Base):
    """One proposed pod: its people, its one-hour slot (weekday and local time in
    `timezone`), its score and the reasons in words. For a reshuffle, `pod_id` is the
    existing pod whose people change; for new pods, the pod made on accepting."""

    __tablename__ = "match_proposals"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"))
    position: Mapped[int]
    member_ids: Mapped[list[int]] = mapped_column(JSON)
    slot: Mapped[int]
    weekday: Mapped[int]
    local_time: Mapped[time]
    timezone: Mapped[str]
    score: Mapped[float]
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[ProposalStatus] = mapped_column(
        status_type(ProposalStatus), default=ProposalStatus.PENDING
    )
    claimed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None]
    pod_id: Mapped[int | None] = mapped_column(ForeignKey("pods.id", ondelete="SET NULL"))

    run: Mapped[MatchRun] = relationship(back_populates="proposals")


class ReshuffleStatus(enum.StrEnum):
    OFFERED = "offered"
    ANNOUNCED = "announced"
    PROPOSED = "proposed"


class ReshuffleRound(TeamScoped, Timestamped, Base):
    """A reshuffle offered to the admins (tick, every N months); once announced,
    members are told and may opt out until `takes_effect_at`."""

    __tablename__ = "reshuffle_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[ReshuffleStatus] = mapped_column(
        status_type(ReshuffleStatus), default=ReshuffleStatus.OFFERED
    )
    offered_at: Mapped[datetime]
    announced_at: Mapped[datetime | None]
    announced_by: Mapped[str | None]
    takes_effect_at: Mapped[datetime | None]


class ReshuffleOptOut(TeamScoped, Timestamped, Base):
    """A member who keeps their pod as it is in this reshuffle."""

    __tablename__ = "reshuffle_opt_outs"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reshuffle_rounds.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
