"""Availability through the signed endpoint: skip, pause, resume, next, and a
program admin cancelling a session."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from bot.services import sessions
from models import (
    Member,
    OutboxMessage,
    Pod,
    PodMembership,
    PodSession,
    SessionSkip,
    SessionStatus,
)
from slack_standin.server import visible_text
from tests.test_pods import ADMIN, ALICE, BOB, CAROL, DAVE, PEOPLE, last_reply, people  # noqa: F401

JOINED = datetime(2026, 1, 5, tzinfo=UTC)


def seasoned_pod(db, clock, name, user_ids, *, weekday, at, tz, team_id="T0001", coaches=()):
    """A pod whose members have met twice (so anyone can coach), with its next
    session scheduled by the sessions service. `coaches` coached the past ones."""
    now = clock()
    with db.transaction() as tx:
        pod = Pod(
            team_id=team_id,
            name=name,
            name_key=name.casefold(),
            focus_kind="goal",
            focus_text="",
            interval_weeks=1,
            weekday=weekday,
            local_time=at,
            timezone=tz,
            channel_id="C0PODS",
            created_by=user_ids[0],
            created_at=JOINED,
        )
        tx.add(pod)
        tx.flush()
        ids = {}
        for order, user_id in enumerate(user_ids):
            member = tx.scalar(
                select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
            )
            if member is None:
                member = Member(
                    team_id=team_id,
                    user_id=user_id,
                    display_name=PEOPLE.get(user_id, (user_id.lower(), "UTC"))[0],
                    tz=PEOPLE.get(user_id, ("", "UTC"))[1],
                    profile_refreshed_at=now,
                    created_at=JOINED,
                )
                tx.add(member)
                tx.flush()
            ids[user_id] = member.id
            tx.add(
                PodMembership(
                    team_id=team_id,
                    pod_id=pod.id,
                    member_id=member.id,
                    joined_at=JOINED.replace(minute=order),
                )
            )
        for week, coach in enumerate([*coaches, None, None][:2]):
            starts = datetime(2026, 2, 16 + 7 * week, 12, 0, tzinfo=UTC)
            tx.add(
                PodSession(
                    team_id=team_id,
                    pod_id=pod.id,
                    starts_at=starts,
                    ends_at=starts.replace(hour=13),
                    coach_member_id=ids[coach] if coach else None,
                    held_at=starts,
                    created_at=starts,
                )
            )
        tx.flush()
        sessions.schedule_upcoming(tx, now, [pod.id])
        return pod.id


def upcoming(db, pod_id):
    with db.transaction() as tx:
        rows = tx.scalars(
            select(PodSession)
            .where(
                PodSession.pod_id == pod_id, PodSession.starts_at > datetime(2026, 3, 1, tzinfo=UTC)
            )
            .order_by(PodSession.starts_at)
        ).all()
        return [(row.id, row.starts_at, row.status, row.coach_member_id) for row in rows]


def member_id(db, user_id, team_id="T0001"):
    with db.transaction() as tx:
        return tx.scalar(
            select(Member.id).where(Member.team_id == team_id, Member.user_id == user_id)
        )


def paused_until(db, user_id):
    with db.transaction() as tx:
        return tx.scalar(
            select(Member.paused_until).where(Member.team_id == "T0001", Member.user_id == user_id)
        )


def reply_text(slack, user_id):
    return visible_text(last_reply(slack, user_id))


@pytest.fixture
def two_pods(db, clock, people):  # noqa: F811
    """Alice coaches the next session of both pods; Night Owls meets first."""
    platform = seasoned_pod(
        db,
        clock,
        "Platform Leads",
        [ALICE, BOB, CAROL],
        weekday=1,
        at=time(15, 0),
        tz="Europe/Paris",
        coaches=(BOB, CAROL),
    )
    owls = seasoned_pod(
        db,
        clock,
        "Night Owls",
        [ALICE, DAVE, BOB],
        weekday=0,
        at=time(20, 0),
        tz="UTC",
        coaches=(DAVE, BOB),
    )
    return platform, owls


# --------------------------------------------------------------------------- skip


def test_skip_takes_the_soonest_session_and_says_which(signed, slack, db, two_pods):
    platform, owls = two_pods
    ((owls_session, owls_start, _, coach),) = upcoming(db, owls)
    assert owls_start == datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    assert coach == member_id(db, ALICE)

    signed.command(ALICE, "skip")
    reply = reply_text(slack, ALICE)
    assert "You're skipping *Night Owls* on Mon 2 Mar, 21:00 (Europe/Paris)" in reply
    with db.transaction() as tx:
        skips = tx.scalars(select(SessionSkip.session_id)).all()
    assert skips == [owls_session]
    # Someone else coaches now; the other pod is untouched.
    assert upcoming(db, owls)[0][3] not in (None, member_id(db, ALICE))
    assert upcoming(db, platform)[0][3] == member_id(db, ALICE)
    assert f"<@{BOB}>" in reply or f"<@{DAVE}>" in reply

    signed.command(ALICE, "skip")
    assert "You're already skipping *Night Owls*" in reply_text(slack, ALICE)
    with db.transaction() as tx:
        assert len(tx.scalars(select(SessionSkip)).all()) == 1
    assert slack.problems == []


def test_skip_without_sessions_points_to_the_pod_list(signed, slack, people):  # noqa: F811
    signed.command(ALICE, "skip")
    assert "no upcoming sessions" in reply_text(slack, ALICE)
    assert "/coach pod list" in reply_text(slack, ALICE)


def test_skip_with_words_after_it_gets_usage(signed, slack, people):  # noqa: F811
    signed.command(ALICE, "skip Platform Leads")
    assert "/coach skip" in reply_text(slack, ALICE)
    assert "takes nothing after it" in reply_text(slack, ALICE)


def test_skip_inside_a_pause_says_you_are_already_out(signed, slack, db, two_pods):
    signed.command(ALICE, "pause until 2026-03-10")
    signed.command(ALICE, "skip")
    assert "You're paused until Tue 10 Mar 2026" in reply_text(slack, ALICE)
    with db.transaction() as tx:
        assert tx.scalars(select(SessionSkip)).all() == []


# --------------------------------------------------------------------------- pause / resume


def test_pause_sets_the_date_and_gives_away_coach_seats(signed, slack, db, two_pods):
    platform, owls = two_pods
    signed.command(ALICE, "pause until 2026-03-20")
    reply = reply_text(slack, ALICE)
    assert "You're paused until Fri 20 Mar 2026" in reply and "/coach resume" in reply
    assert paused_until(db, ALICE) == date(2026, 3, 20)
    alice = member_id(db, ALICE)
    assert upcoming(db, platform)[0][3] not in (None, alice)
    assert upcoming(db, owls)[0][3] not in (None, alice)


def test_pause_accepts_the_date_without_until(signed, slack, db, people):  # noqa: F811
    signed.command(ALICE, "pause 2026-04-01")
    assert paused_until(db, ALICE) == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("pause", "Tell me until when"),
        ("pause until", "Tell me until when"),
        ("pause until 2026-03-20 please", "Tell me until when"),
        ("pause until tomorrow", "“tomorrow” is not a date I can read"),
        ("pause until 20/03/2026", "is not a date I can read"),
        ("pause until 2026-02-30", "“2026-02-30” is not a date I can read"),
        ("pause until 2026-03-01", "2026-03-01 is not in the future"),
        ("pause until 2026-03-02", "is not in the future (today is 2026-03-02 for you)"),
        ("pause until 2027-06-01", "Pauses can last up to a year"),
    ],
)
def test_bad_pause_dates_name_the_problem_and_the_usage(
    signed,
    slack,
    db,
    people,  # noqa: F811
    text,
    problem,
):
    signed.command(ALICE, text)
    reply = reply_text(slack, ALICE)
    assert problem in reply
    assert "/coach pause until YYYY-MM-DD" in reply
    assert paused_until(db, ALICE) is None


def test_today_is_the_members_own_day(signed, slack, db, clock, people):  # noqa: F811
    # 23:30 UTC on 2 March is already 3 March in Tokyo.
    slack.add_user("U0TOKYO", "kenji", tz="Asia/Tokyo")
    clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    signed.command("U0TOKYO", "pause until 2026-03-03")
    assert "today is 2026-03-03 for you" in reply_text(slack, "U0TOKYO")


def test_resume_ends_the_pause(signed, slack, db, two_pods):
    signed.command(ALICE, "resume")
    assert "You're not paused" in reply_text(slack, ALICE)

    signed.command(ALICE, "pause until 2026-03-20")
    signed.command(ALICE, "resume")
    assert "Welcome back" in reply_text(slack, ALICE)
    assert paused_until(db, ALICE) is None

    signed.command(ALICE, "resume")
    assert "You're not paused" in reply_text(slack, ALICE)


def test_a_pause_that_ended_is_not_resumable(signed, slack, db, clock, people):  # noqa: F811
    signed.command(ALICE, "pause until 2026-03-05")
    clock.set(datetime(2026, 3, 7, 9, 0, tzinfo=UTC))
    signed.command(ALICE, "resume")
    assert "You're not paused" in reply_text(slack, ALICE)


# --------------------------------------------------------------------------- next


def test_next_shows_my_sessions_in_my_timezone(signed, slack, db, two_pods):
    signed.command(BOB, "next")
    reply = last_reply(slack, BOB)
    text = visible_text(reply)
    assert "Your next sessions" in text
    # Bob lives in London: Night Owls 20:00 UTC, Platform Leads 15:00 Paris.
    owls = text.index("*Night Owls* — Mon 2 Mar, 20:00 (Europe/London)")
    platform = text.index("*Platform Leads* — Tue 3 Mar, 14:00 (Europe/London)")
    assert owls < platform
    assert f"Coach: <@{ALICE}>" in text
    assert "Theme:" in text
    assert "Times are in your timezone, Europe/London" in text

    signed.command(ALICE, "skip")
    signed.command(ALICE, "next")
    text = reply_text(slack, ALICE)
    assert "*Night Owls* — Mon 2 Mar, 21:00 (Europe/Paris) · _you're skipping this one_" in text
    assert "Coach: you" in text  # still coaching Platform Leads


def test_next_without_sessions_points_to_the_pod_list(signed, slack, people):  # noqa: F811
    signed.command(CAROL, "next")
    text = reply_text(slack, CAROL)
    assert "no upcoming sessions" in text and "/coach pod list" in text


def test_next_ignores_pods_of_other_workspaces(signed, slack, db, clock, people):  # noqa: F811
    seasoned_pod(
        db,
        clock,
        "Elsewhere",
        [ALICE, BOB],
        weekday=1,
        at=time(10, 0),
        tz="UTC",
        team_id="T0OTHER",
    )
    signed.command(ALICE, "next")
    assert "no upcoming sessions" in reply_text(slack, ALICE)
    signed.command(ALICE, "skip")
    assert "no upcoming sessions" in reply_text(slack, ALICE)


# --------------------------------------------------------------------------- cancel


def test_non_admins_cannot_cancel(signed, slack, db, two_pods):
    platform, _ = two_pods
    before = upcoming(db, platform)
    signed.command(ALICE, "pod cancel Platform Leads")
    assert "Only program admins can cancel" in reply_text(slack, ALICE)
    assert upcoming(db, platform) == before


def test_admin_cancels_the_next_session_and_members_are_told(signed, slack, db, two_pods):
    platform, _ = two_pods
    ((first_id, first_start, _, _),) = upcoming(db, platform)
    signed.command(ADMIN, "pod cancel platform leads")
    text = reply_text(slack, ADMIN)
    assert "Cancelled *Platform Leads* on Tue 3 Mar, 15:00 (Europe/Berlin)" in text
    assert "Next session: Tue 10 Mar, 15:00 (Europe/Berlin)" in text
    rows = upcoming(db, platform)
    assert rows[0][:3] == (first_id, first_start, SessionStatus.CANCELLED)
    assert rows[1][1] == datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    with db.transaction() as tx:
        to_pod = tx.scalars(
            select(OutboxMessage).where(OutboxMessage.payload["channel"].as_string() == "C0PODS")
        ).all()
    assert to_pod, "the pod is told"


def test_admin_from_settings_can_cancel_on_a_date(signed, slack, db, rt, two_pods):
    platform, _ = two_pods
    rt.settings.COACHBOT_ADMINS = "U0BOSS"
    slack.add_user("U0BOSS", "boss", tz="Europe/Paris")
    signed.command("U0BOSS", "pod cancel Platform Leads 2026-03-10")
    text = reply_text(slack, "U0BOSS")
    assert "has no session on Tue 10 Mar 2026" in text and "`2026-03-03`" in text
    assert "/coach pod cancel NAME [YYYY-MM-DD]" in text
    assert upcoming(db, platform)[0][2] == SessionStatus.SCHEDULED

    signed.command("U0BOSS", "pod cancel Platform Leads 2026-03-03")
    assert "Cancelled *Platform Leads* on Tue 3 Mar, 15:00 (Europe/Paris)" in reply_text(
        slack, "U0BOSS"
    )
    assert upcoming(db, platform)[0][2] == SessionStatus.CANCELLED


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("pod cancel", "Name the pod"),
        ("pod cancel Platform Leads 2026-13-01", "“2026-13-01” is not a date I can read"),
        ("pod cancel Platfrom", "Did you mean *Platform Leads*?"),
    ],
)
def test_bad_cancel_requests_get_usage(signed, slack, db, two_pods, text, problem):
    signed.command(ADMIN, text)
    reply = reply_text(slack, ADMIN)
    assert problem in reply and "/coach pod cancel NAME [YYYY-MM-DD]" in reply
    assert all(row[2] == SessionStatus.SCHEDULED for row in upcoming(db, two_pods[0]))


def test_a_newcomer_sees_their_buddy(signed, slack, db, two_pods):
    signed.command(DAVE, "pod join Platform Leads")
    signed.command(DAVE, "next")
    text = reply_text(slack, DAVE)
    platform = text[text.index("*Platform Leads*") :]
    assert "Coach: <@U0ALICE>" in platform
    # The most experienced member other than the coach looks after Dave.
    assert f"Buddies: you with <@{BOB}>" in platform
