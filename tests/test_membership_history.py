"""Leaving and rejoining a pod keeps both periods: the sessions held while the person
was away count neither as attended nor as coached (DESIGN §4: newcomers, buddies)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.services import pods
from bot.services.rotation import Membership, PastSession, candidates_from_history
from models import Pod, PodMembership, PodSession, SessionBuddy
from tests.test_checkin_support import (
    DAN,
    TEAM,
    add_people,
    add_session,
    build_world,
    make_member,
)

FEB = datetime(2026, 2, 1, tzinfo=UTC)  # the pod met on 10 Feb (added), 17 and 24 Feb


def dan_with_period(db, clock, joined: datetime, left: datetime):
    world = build_world(db, clock(), seasoned=True)
    earlier = add_session(db, world.pod_id, FEB + timedelta(days=9, hours=15))
    with db.transaction() as tx:
        tx.get(PodSession, earlier).held_at = FEB + timedelta(days=9, hours=16)
        dan = make_member(tx, DAN, clock())
        tx.add(
            PodMembership(
                team_id=TEAM, pod_id=world.pod_id, member_id=dan.id, joined_at=joined, left_at=left
            )
        )
        tx.flush()
        joined_info = pods.join_pod(tx, pod=tx.get(Pod, world.pod_id), user_id=DAN, now=clock())
        assert joined_info.first_time is False
        periods = tx.scalars(
            select(PodMembership)
            .where(PodMembership.member_id == dan.id)
            .order_by(PodMembership.joined_at)
        ).all()
        assert [(p.joined_at, p.left_at) for p in periods] == [(joined, left), (clock(), None)]
        buddies = dict(
            tx.execute(
                select(SessionBuddy.newcomer_member_id, SessionBuddy.buddy_member_id).where(
                    SessionBuddy.session_id == world.session_id
                )
            ).all()
        )
        return dan.id, buddies


def test_sessions_held_while_away_do_not_count(db, slack, clock):
    add_people(slack)
    # Joined after the first session, away for the next two, back now.
    dan_id, buddies = dan_with_period(db, clock, FEB + timedelta(days=10), FEB + timedelta(days=11))
    assert dan_id in buddies, "back with no session attended: still a newcomer, with a buddy"
    assert buddies[dan_id] is not None


def test_sessions_attended_in_an_earlier_period_count(db, slack, clock):
    add_people(slack)
    # Joined after the first session, in for the next two, left, back now: seasoned.
    dan_id, buddies = dan_with_period(db, clock, FEB + timedelta(days=10), FEB + timedelta(days=25))
    assert dan_id not in buddies


def test_one_open_membership_per_pod_and_person(db, slack, clock):
    add_people(slack)
    world = build_world(db, clock(), seasoned=True)
    with pytest.raises(IntegrityError), db.transaction() as tx:
        dan = make_member(tx, DAN, clock())
        for _ in range(2):
            tx.add(
                PodMembership(team_id=TEAM, pod_id=world.pod_id, member_id=dan.id, joined_at=FEB)
            )
        tx.flush()


def test_rotation_counts_only_sessions_while_a_member():
    week = timedelta(weeks=1)
    held = [PastSession(FEB + n * week, coach_member_id=1, held=True) for n in range(4)]
    periods = [
        Membership(1, FEB - week, FEB + week + timedelta(days=1)),  # in for sessions 0 and 1
        Membership(1, FEB + 3 * week - timedelta(days=1)),  # back for session 3
        Membership(2, FEB - week),
    ]
    candidates = {c.member_id: c for c in candidates_from_history(periods, held, FEB + 4 * week)}
    assert candidates[1].sessions_attended == 3
    assert candidates[1].sessions_coached == 3
    assert candidates[1].joined_at == FEB - week  # seniority from the first join
    assert candidates[2].sessions_attended == 4
    # Someone whose every period has ended is not a candidate.
    assert [c.member_id for c in candidates_from_history(periods[:1], held, FEB + 4 * week)] == []
