"""People who leave the company: deactivated in Slack, they leave every pod's
rotation and get nothing more; reactivated, they come back paused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.scheduler import run_once
from models import Member, PodMembership, PodSession
from slack_standin.server import visible_text
from tests.test_checkin_support import ALICE, BOB, CAROL, PEOPLE, TEAM, add_people, build_world


def user_change(signed, slack, user_id, deleted):
    user = dict(slack.user(user_id), deleted=deleted)
    response = signed.event({"type": "user_change", "user": user})
    assert response.status == 200


def open_members(db, pod_id):
    with db.transaction() as tx:
        return set(
            tx.scalars(
                select(Member.user_id)
                .join(PodMembership, PodMembership.member_id == Member.id)
                .where(PodMembership.pod_id == pod_id, PodMembership.left_at.is_(None))
            )
        )


def coach_of(db, session_id):
    with db.transaction() as tx:
        pod_session = tx.get(PodSession, session_id)
        coach = tx.get(Member, pod_session.coach_member_id or -1)
        return coach.user_id if coach else None


def seasoned_world(db, slack, clock):
    add_people(slack)
    return build_world(db, clock(), seasoned=True)


def test_a_deactivated_coach_leaves_the_rotation_and_gets_no_reminders(signed, slack, db, clock):
    world = seasoned_world(db, slack, clock)
    leaver = world.coach_user_id
    assert leaver is not None

    user_change(signed, slack, leaver, deleted=True)

    assert leaver not in open_members(db, world.pod_id)
    assert coach_of(db, world.session_id) not in (None, leaver)
    with db.transaction() as tx:
        member = tx.scalar(select(Member).where(Member.team_id == TEAM, Member.user_id == leaver))
        assert member.deactivated_at is not None

    clock.set(world.starts_at - timedelta(hours=2))
    run_once(signed.bot.rt, clock())
    assert slack.dms(leaver) == []
    staying = [uid for uid in (ALICE, BOB, CAROL) if uid != leaver]
    assert all(slack.dms(uid) for uid in staying)


def test_a_retried_user_change_changes_nothing_twice(signed, slack, db, clock):
    world = seasoned_world(db, slack, clock)
    user = dict(slack.user(BOB), deleted=True)
    first = signed.event({"type": "user_change", "user": user}, event_id="EvLEAVE")
    again = signed.event({"type": "user_change", "user": user}, event_id="EvLEAVE", retry_num=1)
    assert first.status == again.status == 200
    with db.transaction() as tx:
        rows = tx.scalars(
            select(PodMembership)
            .join(Member, Member.id == PodMembership.member_id)
            .where(Member.user_id == BOB, PodMembership.pod_id == world.pod_id)
        ).all()
    assert len(rows) == 1 and rows[0].left_at is not None


def test_a_reactivated_member_comes_back_paused_until_they_resume(signed, slack, db, clock):
    world = seasoned_world(db, slack, clock)
    user_change(signed, slack, BOB, deleted=True)
    assert BOB not in open_members(db, world.pod_id)

    clock.advance(hours=1)
    user_change(signed, slack, BOB, deleted=False)
    assert BOB in open_members(db, world.pod_id)
    assert coach_of(db, world.session_id) != BOB

    signed.command(BOB, "next")
    assert "You're paused until" in visible_text(slack.ephemerals(BOB)[-1])

    signed.command(BOB, "resume")
    signed.command(BOB, "next")
    assert "paused" not in visible_text(slack.ephemerals(BOB)[-1])
    assert slack.problems == []


def test_users_info_saying_deleted_takes_the_person_out(signed, slack, db, clock):
    world = seasoned_world(db, slack, clock)
    name, tz = PEOPLE[CAROL]
    slack.add_user(CAROL, name, tz=tz, deleted=True)
    with db.transaction() as tx:
        member = tx.scalar(select(Member).where(Member.user_id == CAROL))
        member.profile_refreshed_at = None  # stale: the next request asks users.info
    signed.app_home_opened(CAROL)
    assert CAROL not in open_members(db, world.pod_id)
