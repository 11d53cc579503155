"""Sessions service: scheduling, staffing, moving, cancelling (on the real database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, select

from bot.notify.sessions import session_cancelled
from bot.services import sessions as svc
from models import (
    CheckIn,
    OutboxMessage,
    PodSession,
    Reflection,
    SessionBuddy,
    SessionSkip,
    SessionStatus,
)
from tests.test_sessions_factory import TEAM, join, make_member, make_pod

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Monday
TUESDAY_15_LONDON = datetime(2026, 3, 3, 15, tzinfo=UTC)


def sessions_of(tx, pod) -> list[PodSession]:
    return list(
        tx.scalars(
            select(PodSession).where(PodSession.pod_id == pod.id).order_by(PodSession.starts_at)
        )
    )


def hold(tx, pod_session: PodSession) -> None:
    pod_session.held_at = pod_session.ends_at


def seasoned_pod(tx, name="Pathfinders", members=("U1", "U2", "U3"), **kwargs):
    """A pod whose members already attended two held sessions together."""
    people = [make_member(tx, user_id) for user_id in members]
    pod = make_pod(tx, name, people, **kwargs)
    for weeks_ago in (3, 2):
        start = TUESDAY_15_LONDON - timedelta(weeks=weeks_ago)
        tx.add(
            PodSession(
                team_id=TEAM,
                pod_id=pod.id,
                starts_at=start,
                ends_at=start + timedelta(minutes=45),
                held_at=start,
                created_at=start,
            )
        )
    tx.flush()
    return pod, people


class StatementCounter:
    """Counts the SQL statements sent to the database."""

    def __init__(self, engine, monkeypatch=None) -> None:
        self.count = 0
        self.engine = engine

    def _on_execute(self, *args) -> None:
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def test_every_active_pod_gets_its_next_session_once(db):
    with db.transaction() as tx:
        active, _ = seasoned_pod(tx)
        archived, _ = seasoned_pod(tx, "Archived", ("U4",))
        archived.archived_at = NOW
        make_pod(tx, "Empty", [])
        assert svc.schedule_upcoming(tx, NOW) == 1
        assert svc.schedule_upcoming(tx, NOW) == 0
        upcoming = svc.next_session_for_pod(tx, active.id, NOW)
        assert upcoming is not None
        assert upcoming.starts_at == TUESDAY_15_LONDON
        assert upcoming.ends_at == TUESDAY_15_LONDON + timedelta(minutes=45)
        assert upcoming.coach_member_id is not None
        assert svc.next_session_for_pod(tx, archived.id, NOW) is None


def test_a_brand_new_pod_is_coached_by_a_founder_from_its_first_session(db):
    with db.transaction() as tx:
        people = [make_member(tx, u) for u in ("U1", "U2", "U3")]
        pod = make_pod(tx, "Fresh", people, joined_at=NOW)
        svc.schedule_upcoming(tx, NOW, [pod.id])
        (first,) = sessions_of(tx, pod)
        assert first.coach_member_id == people[0].id
        assert first.buddies == []


def test_the_next_session_follows_when_the_last_one_ends(db):
    with db.transaction() as tx:
        pod, people = seasoned_pod(tx)
        svc.schedule_upcoming(tx, NOW)
        first = svc.next_session_for_pod(tx, pod.id, NOW)
        during = first.starts_at + timedelta(minutes=10)
        assert svc.schedule_upcoming(tx, during) == 0
        hold(tx, first)
        after = first.ends_at
        assert svc.schedule_upcoming(tx, after) == 1
        second = svc.next_session_for_pod(tx, pod.id, after)
        assert second.starts_at == first.starts_at + timedelta(weeks=1)
        assert second.coach_member_id not in (None, first.coach_member_id)


def test_schedule_upcoming_uses_the_same_statements_for_1_and_30_pods(db, monkeypatch):
    def count_for(pods: int) -> int:
        with db.transaction() as tx:
            for number in range(pods):
                seasoned_pod(
                    tx,
                    f"Pod {pods}-{number}",
                    tuple(f"U{pods}X{number}M{m}" for m in range(4)),
                )
        with db.transaction() as tx, StatementCounter(db.engine, monkeypatch) as counter:
            assert svc.schedule_upcoming(tx, NOW) == pods
        return counter.count

    one = count_for(1)
    assert count_for(30) == one


def test_paused_and_skipping_members_are_not_given_the_seat(db):
    with db.transaction() as tx:
        pod, (u1, u2, u3) = seasoned_pod(tx)
        u1.paused_until = date(2026, 3, 3)  # covers the session day
        svc.schedule_upcoming(tx, NOW)
        upcoming = svc.next_session_for_pod(tx, pod.id, NOW)
        assert upcoming.coach_member_id == u2.id
        tx.add(
            SessionSkip(
                team_id=upcoming.team_id, session_id=upcoming.id, member_id=u2.id, created_at=NOW
            )
        )
        svc.reassign_roles(tx, upcoming, NOW)
        assert upcoming.coach_member_id == u3.id
        u1.paused_until = None
        svc.reassign_roles(tx, upcoming, NOW)
        assert upcoming.coach_member_id == u3.id  # announced coach keeps the seat


def test_a_joiner_gets_a_buddy_who_is_not_the_coach(db):
    with db.transaction() as tx:
        pod, people = seasoned_pod(tx)
        svc.schedule_upcoming(tx, NOW)
        upcoming = svc.next_session_for_pod(tx, pod.id, NOW)
        newcomer = make_member(tx, "UNEW")
        join(tx, pod, newcomer, NOW)
        svc.reassign_roles(tx, upcoming, NOW)
        (buddy,) = tx.scalars(
            select(SessionBuddy).where(SessionBuddy.session_id == upcoming.id)
        ).all()
        assert buddy.newcomer_member_id == newcomer.id
        assert buddy.buddy_member_id not in (None, upcoming.coach_member_id)
        assert upcoming.coach_member_id != newcomer.id


def test_roles_of_a_started_session_are_left_alone(db):
    with db.transaction() as tx:
        pod, (u1, *_rest) = seasoned_pod(tx)
        svc.schedule_upcoming(tx, NOW)
        upcoming = svc.next_session_for_pod(tx, pod.id, NOW)
        coach = upcoming.coach_member_id
        tx.add(
            SessionSkip(
                team_id=upcoming.team_id, session_id=upcoming.id, member_id=coach, created_at=NOW
            )
        )
        svc.reassign_roles(tx, upcoming, upcoming.starts_at + timedelta(minutes=1))
        assert upcoming.coach_member_id == coach


def test_reschedule_moves_future_sessions_and_keeps_checkins(db):
    with db.transaction() as tx:
        pod, (u1, *_rest) = seasoned_pod(tx)
        svc.schedule_upcoming(tx, NOW)
        upcoming = svc.next_session_for_pod(tx, pod.id, NOW)
        tx.add(CheckIn(team_id=TEAM, session_id=upcoming.id, member_id=u1.id, intent="x"))
        upcoming.prep_enqueued_at = NOW
        pod.weekday, pod.local_time = 3, time(9, 30)  # Thursdays 09:30
        svc.reschedule_pod(tx, pod, NOW)
        (moved,) = [s for s in sessions_of(tx, pod) if s.starts_at > NOW]
        assert moved.id == upcoming.id
        assert moved.starts_at == datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
        assert moved.ends_at == moved.starts_at + timedelta(minutes=45)
        assert moved.prep_enqueued_at is None  # its reminders go out again, for the new time
        assert tx.scalar(select(CheckIn.session_id)) == upcoming.id


def test_reschedule_into_a_new_timezone(db):
    with db.transaction() as tx:
        pod, _ = seasoned_pod(tx)
        svc.schedule_upcoming(tx, NOW)
        pod.timezone = "America/New_York"
        svc.reschedule_pod(tx, pod, NOW)
        upcoming = svc.next_session_for_pod(tx, pod.id, NOW)
        assert upcoming.starts_at == datetime(2026, 3, 3, 20, tzinfo=UTC)  # 15:00 EST


def test_cancel_tells_the_pod_and_schedules_the_next_one(db):
    with db.transaction() as tx:
        pod, _ = seasoned_pod(tx)
        svc.schedule_upcoming(tx, NOW)
        upcoming = svc.next_session_for_pod(tx, pod.id, NOW)
        cancelled = svc.cancel_session(tx, upcoming, NOW, "Half the pod is at the offsite")
        session_cancelled(tx, cancelled, NOW)
        assert upcoming.status == SessionStatus.CANCELLED
        assert upcoming.cancelled_at == NOW
        following = svc.next_session_for_pod(tx, pod.id, NOW)
        assert following.starts_at == upcoming.starts_at + timedelta(weeks=1)
        (notice,) = tx.scalars(select(OutboxMessage)).all()
        assert notice.dedupe_key == f"cancel:{upcoming.id}"
        assert notice.payload["channel"] == "CPOD"
        assert "offsite" in str(notice.payload["blocks"])
        again = svc.cancel_session(tx, upcoming, NOW, None)  # twice: nothing more
        assert again is None
        session_cancelled(tx, again, NOW)
        assert len(tx.scalars(select(OutboxMessage)).all()) == 1


def test_cancel_without_a_channel_sends_each_member_a_dm_in_their_timezone(db):
    with db.transaction() as tx:
        pod, (u1, u2, u3) = seasoned_pod(tx, channel_id=None)
        u2.tz = "America/New_York"
        svc.schedule_upcoming(tx, NOW)
        upcoming = svc.next_session_for_pod(tx, pod.id, NOW)
        session_cancelled(tx, svc.cancel_session(tx, upcoming, NOW, None), NOW)
        notices = {m.payload["channel"]: m for m in tx.scalars(select(OutboxMessage))}
        assert set(notices) == {"U1", "U2", "U3"}
        assert "10:00 (America/New_York)" in notices["U2"].payload["text"]


def test_upcoming_for_member_lists_their_active_pods_soonest_first(db):
    with db.transaction() as tx:
        pod_a, (u1, *_rest) = seasoned_pod(tx, "A", ("U1", "U2"))
        pod_b = make_pod(tx, "B", [u1], weekday=2, at=time(12, 0))
        pod_c = make_pod(tx, "C", [make_member(tx, "U9")])
        svc.schedule_upcoming(tx, NOW)
        found = svc.upcoming_for_member(tx, u1, NOW)
        assert [s.pod_id for s in found] == [pod_a.id, pod_b.id]
        assert pod_c.id not in [s.pod_id for s in found]


@pytest.mark.parametrize("how", ["we_met", "checkin", "reflection", "nothing"])
def test_held_clause(db, how):
    with db.transaction() as tx:
        pod, (u1, *_rest) = seasoned_pod(tx)
        svc.schedule_upcoming(tx, NOW)
        upcoming = svc.next_session_for_pod(tx, pod.id, NOW)
        if how == "we_met":
            upcoming.held_at = upcoming.ends_at
        elif how == "checkin":
            tx.add(CheckIn(team_id=TEAM, session_id=upcoming.id, member_id=u1.id, intent="i"))
        elif how == "reflection":
            tx.add(
                Reflection(
                    team_id=TEAM, member_id=u1.id, session_id=upcoming.id, insight="a", action="b"
                )
            )
        tx.flush()
        held = bool(tx.scalar(select(svc.held_clause()).where(PodSession.id == upcoming.id)))
        assert held is (how != "nothing")
