"""Private calendar feeds: `/coach calendar` with its subscribe instructions and Rotate
link, the feed served over HTTP (icalendar, pod timezones across DST, cancelled and
skipped sessions, stable UIDs with rising SEQUENCE), 404 with no detail for unknown
or rotated tokens, and the prep DM's "Add to calendar" for one session."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from bot.notify import reminders as notify_reminders
from bot.scheduler import run_once
from bot.services import reminders as reminders_service
from bot.services import sessions as sessions_service
from models import OutboxMessage, Pod, PodMembership, PodSession
from slack_standin.blockcheck import buttons, visible_text
from tests.test_checkin_support import (
    ADMIN,
    ALICE,
    BOB,
    OUTSIDER,
    PEOPLE,
    add_session,
    build_world,
    last_ephemeral,
    make_member,
    make_pod,
)

PUBLIC = "https://coach.example.com"
PARIS = ZoneInfo("Europe/Paris")
BEFORE_DST = datetime(2026, 3, 24, 15, 0, tzinfo=PARIS)  # CET, UTC+1
AFTER_DST = datetime(2026, 3, 31, 15, 0, tzinfo=PARIS)  # CEST, UTC+2

pytestmark = pytest.mark.usefixtures("no_slack_refusals")


@pytest.fixture
def paris(db, slack, clock, rt):  # type: ignore[no-untyped-def]
    """A seasoned pod in Paris (Tuesdays 15:00) with sessions on both sides of the
    change to summer time (29 March 2026); PUBLIC_URL is set."""
    from tests.test_checkin_support import add_people

    rt.settings.PUBLIC_URL = PUBLIC
    add_people(slack)
    world = build_world(db, clock(), tz="Europe/Paris", seasoned=True)
    before = add_session(db, world.pod_id, BEFORE_DST.astimezone(UTC))
    after = add_session(db, world.pod_id, AFTER_DST.astimezone(UTC))
    return world, before, after


def feed_url_of(signed, slack, user_id: str) -> str:  # type: ignore[no-untyped-def]
    signed.command(user_id, "calendar")
    text = last_ephemeral(slack, user_id)
    start = text.index(PUBLIC + "/calendar/")
    return text[start:].split()[0].strip("`")


def get(bot, url: str):  # type: ignore[no-untyped-def]
    import urllib.error
    import urllib.request

    path = url.removeprefix(PUBLIC)
    try:
        with urllib.request.urlopen(bot.base_url + path, timeout=10) as answer:  # noqa: S310
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def events_of(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def uid(session_id: int) -> str:
    return f"session-{session_id}@coachbot"


# --------------------------------------------------------------------- the command


def test_the_command_shows_the_private_link_with_subscribe_instructions(signed, slack, paris):
    signed.command(ALICE, "calendar")
    (message,) = slack.ephemerals(ALICE)
    text = visible_text(message)
    assert f"{PUBLIC}/calendar/" in text and ".ics" in text
    assert "Google Calendar" in text and "From URL" in text
    assert "Outlook" in text and "Subscribe from web" in text
    assert [b[0] for b in buttons(message)] == ["Rotate link"]
    # The same link each time until it is rotated; another person gets another one.
    assert feed_url_of(signed, slack, ALICE) == feed_url_of(signed, slack, ALICE)
    assert feed_url_of(signed, slack, BOB) != feed_url_of(signed, slack, ALICE)


@pytest.mark.usefixtures("world")
def test_without_a_public_url_the_command_says_the_admin_has_to_set_it(signed, slack, rt):
    rt.settings.PUBLIC_URL = None
    signed.command(ALICE, "calendar")
    assert "PUBLIC_URL" in last_ephemeral(slack, ALICE)


# --------------------------------------------------------------------- the feed


def test_the_feed_has_the_pods_sessions_in_the_pods_timezone_across_dst(signed, slack, bot, paris):
    world, before, after = paris
    status, headers, body = get(bot, feed_url_of(signed, slack, ALICE))
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = events_of(body)
    assert {uid(world.session_id), uid(before), uid(after)} <= set(events)

    calendar = icalendar.Calendar.from_ical(body)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    for session_id, local in ((before, BEFORE_DST), (after, AFTER_DST)):
        start = events[uid(session_id)]["dtstart"]
        assert start.params["TZID"] == "Europe/Paris"
        assert start.dt == local
        assert (start.dt.hour, start.dt.minute) == (15, 0)
        assert events[uid(session_id)]["dtend"].dt == local + timedelta(minutes=45)
    assert events[uid(before)]["dtstart"].dt.astimezone(UTC).hour == 14
    assert events[uid(after)]["dtstart"].dt.astimezone(UTC).hour == 13
    assert b"DTSTART;TZID=Europe/Paris:20260331T150000" in body

    upcoming = events[uid(world.session_id)]
    assert str(upcoming["summary"]) == "Coaching: Growth"
    assert world.coach_user_id is not None
    coach_name = PEOPLE[world.coach_user_id][0]
    assert f"Coach: {coach_name}\n" in str(upcoming["description"])
    assert "Theme: " in str(upcoming["description"])
    assert "<@" not in body.decode()
    assert "the coach seat is open" in str(events[uid(before)]["description"])
    assert all(str(e["status"]) == "CONFIRMED" for e in events.values())
    assert all(int(e["sequence"]) == 0 for e in events.values())
    assert "dtstamp" in upcoming


def test_cancelled_and_skipped_sessions_are_cancelled_and_moves_raise_the_sequence(
    signed, slack, bot, db, paris
):
    world, before, after = paris
    alice_url, bob_url = feed_url_of(signed, slack, ALICE), feed_url_of(signed, slack, BOB)

    signed.command(ADMIN, "pod cancel Growth 2026-03-24")
    assert "Cancelled *Growth*" in last_ephemeral(slack, ADMIN)
    signed.command(ALICE, "skip")  # her soonest session: the one on 3 March

    alice = events_of(get(bot, alice_url)[2])
    bob = events_of(get(bot, bob_url)[2])
    for feed in (alice, bob):
        assert str(feed[uid(before)]["status"]) == "CANCELLED"
        assert int(feed[uid(before)]["sequence"]) == 1
    assert str(alice[uid(world.session_id)]["status"]) == "CANCELLED"
    assert str(bob[uid(world.session_id)]["status"]) == "CONFIRMED"
    assert int(alice[uid(world.session_id)]["sequence"]) == 1

    # The pod moves to 16:00: the same UIDs, the new time, a higher SEQUENCE.
    with db.transaction() as tx:
        pod = tx.get(Pod, world.pod_id)
        pod.local_time = time(16, 0)
        sessions_service.reschedule_pod(tx, pod, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    moved = events_of(get(bot, bob_url)[2])
    assert int(moved[uid(after)]["sequence"]) > int(bob[uid(after)]["sequence"])
    start = moved[uid(after)]["dtstart"]
    assert start.params["TZID"] == "Europe/Paris"
    assert (start.dt.weekday(), start.dt.hour, start.dt.minute) == (1, 16, 0)
    assert moved[uid(world.session_id)]["dtstart"].dt.hour == 16
    assert len(moved) == len(bob)


# --------------------------------------------------------------------- who sees what


def test_rotating_the_link_kills_the_old_one_at_once(signed, slack, bot, paris):
    old = feed_url_of(signed, slack, ALICE)
    assert get(bot, old)[0] == 200
    signed.press(ALICE, slack.ephemerals(ALICE)[-1], "Rotate link")
    confirmation = last_ephemeral(slack, ALICE)
    assert "old calendar link no longer works" in confirmation
    status, _, body = get(bot, old)
    assert (status, body) == (404, b"")
    new = confirmation[confirmation.index(PUBLIC) :].split()[0].strip("`")
    assert new != old
    assert get(bot, new)[0] == 200
    assert feed_url_of(signed, slack, ALICE) == new


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/not-a-token.ics",
        "/calendar/.ics",
        "/calendar/session/1/not-a-token.ics",
        "/calendar/../healthz",
        "/calendar/abc",
    ],
)
def test_unknown_tokens_get_404_with_an_empty_body(bot, paris, path):
    status, headers, body = get(bot, PUBLIC + path)
    assert (status, body) == (404, b"")
    assert "calendar" not in (headers.get("Content-Type") or "")


def test_another_persons_sessions_never_appear(signed, slack, bot, db, clock, paris):
    world, before, _ = paris
    with db.transaction() as tx:
        other = make_pod(tx, "Other", [OUTSIDER], clock(), channel_id=None)
        sessions_service.schedule_upcoming(tx, clock(), [other.id])
        other_session = tx.scalar(select(PodSession.id).where(PodSession.pod_id == other.id))
        # Bob left before the 24 March session; Dan joined after it.
        bob = make_member(tx, BOB, clock())
        membership = tx.scalar(
            select(PodMembership).where(
                PodMembership.pod_id == world.pod_id, PodMembership.member_id == bob.id
            )
        )
        membership.left_at = datetime(2026, 3, 20, tzinfo=UTC)
    assert other_session is not None

    alice = events_of(get(bot, feed_url_of(signed, slack, ALICE))[2])
    outsider = events_of(get(bot, feed_url_of(signed, slack, OUTSIDER))[2])
    bob_feed = events_of(get(bot, feed_url_of(signed, slack, BOB))[2])
    assert uid(other_session) not in alice and uid(other_session) in outsider
    assert not {uid(world.session_id), uid(before)} & set(outsider)
    assert uid(world.session_id) in bob_feed and uid(before) not in bob_feed
    assert all("Other" not in str(e["summary"]) for e in alice.values())


# --------------------------------------------------------------------- the prep DM


def test_the_prep_dm_adds_one_session_to_the_calendar(signed, slack, bot, db, rt, paris):
    world, _, _ = paris
    run_once(rt, world.starts_at - timedelta(hours=24))
    (dm,) = [m for m in slack.dms(ALICE) if "Add to calendar" in json.dumps(m)]
    (add,) = [
        element
        for block in dm["blocks"]
        for element in block.get("elements", [])
        if element.get("type") == "button" and element["text"]["text"] == "Add to calendar"
    ]
    assert add["url"].startswith(f"{PUBLIC}/calendar/session/{world.session_id}/")
    status, headers, body = get(bot, add["url"])
    assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert list(events_of(body)) == [uid(world.session_id)]
    # The token is Alice's own feed token; her link to a session not hers is a 404.
    token = add["url"].rsplit("/", 1)[1]
    assert feed_url_of(signed, slack, ALICE) == f"{PUBLIC}/calendar/{token}"
    with db.transaction() as tx:
        other = make_pod(tx, "Other", [OUTSIDER], world.starts_at, channel_id=None)
        sessions_service.schedule_upcoming(tx, world.starts_at, [other.id])
        other_session = tx.scalar(select(PodSession.id).where(PodSession.pod_id == other.id))
    assert get(bot, f"{PUBLIC}/calendar/session/{other_session}/{token}")[0] == 404


def test_without_a_public_url_the_prep_dm_has_no_calendar_button(db, clock, paris):
    world, _, _ = paris
    at = world.starts_at - timedelta(hours=24)
    with db.transaction() as tx:
        notify_reminders.enqueue_due(tx, reminders_service.find_due(tx, at), set(), {}, at)
    with db.transaction() as tx:
        (dm,) = [
            m.payload for m in tx.scalars(select(OutboxMessage)) if m.payload["channel"] == ALICE
        ]
    assert [b[0] for b in buttons(dm)] == ["Set my intent"]


def test_the_feed_reaches_a_few_weeks_back(signed, slack, bot, db, clock, paris):
    world, before, after = paris
    with db.transaction() as tx:
        past = list(
            tx.scalars(
                select(PodSession.id).where(
                    PodSession.pod_id == world.pod_id, PodSession.starts_at < clock()
                )
            )
        )
    url = feed_url_of(signed, slack, ALICE)
    assert {uid(session_id) for session_id in past} <= set(events_of(get(bot, url)[2]))
    clock.advance(weeks=8)
    later = set(events_of(get(bot, url)[2]))
    assert not {uid(session_id) for session_id in past} & later
    assert {uid(before), uid(after)} <= later
