"""Rows for the scheduling tests: members, pods, memberships (no tests here)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from models import Member, Pod, PodMembership

TEAM = "T0001"
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def make_member(
    tx: Session,
    user_id: str,
    tz: str = "Europe/London",
    paused_until: date | None = None,
    name: str | None = None,
    agreed_to_ground_rules: bool = True,
) -> Member:
    member = Member(
        team_id=TEAM,
        user_id=user_id,
        display_name=name or user_id.lower(),
        tz=tz,
        paused_until=paused_until,
        ground_rules_agreed_at=LONG_AGO if agreed_to_ground_rules else None,
        created_at=LONG_AGO,
    )
    tx.add(member)
    tx.flush()
    return member


def make_pod(
    tx: Session,
    name: str,
    members: list[Member],
    *,
    weekday: int = 1,
    at: time = time(15, 0),
    tz: str = "Europe/London",
    interval_weeks: int = 1,
    channel_id: str | None = "CPOD",
    joined_at: datetime = LONG_AGO,
    duration_minutes: int = 45,
) -> Pod:
    pod = Pod(
        team_id=TEAM,
        name=name,
        name_key=name.lower(),
        weekday=weekday,
        local_time=at,
        timezone=tz,
        interval_weeks=interval_weeks,
        duration_minutes=duration_minutes,
        channel_id=channel_id,
        created_by=members[0].user_id if members else "U0ADMIN",
        created_at=joined_at,
    )
    tx.add(pod)
    tx.flush()
    for member in members:
        join(tx, pod, member, joined_at)
    return pod


def join(tx: Session, pod: Pod, member: Member, at: datetime) -> PodMembership:
    membership = PodMembership(team_id=TEAM, pod_id=pod.id, member_id=member.id, joined_at=at)
    tx.add(membership)
    tx.flush()
    return membership
