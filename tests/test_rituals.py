"""Rituals: admins set the monthly showcase and weekly office hours in a modal pushed
from /coach admin; tick posts them to the digest channel once, at their local time in
the program's timezone, however often it runs; "Sign me up" tells the person and DMs
the program admins once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import ids
from bot.scheduler import run_once
from bot.services.rituals import week_of_month_matches
from models import Member, ProgramSettings, Ritual, RitualKind
from models.settings_forms import LAST_WEEK
from slack_standin.server import buttons, visible_text
from tests.support.harness import build_test_runtime

ADMIN, OWNER, ALICE, BOB, HOST = "U0ADMIN", "U0OWNER", "U0ALICE", "U0BOB", "U0HOST"
TEAM = "T0001"
DIGEST = "C0DIGEST"
NEW_YORK = ZoneInfo("America/New_York")
# March 2026: Thursdays are the 5th, 12th, 19th and 26th; Wednesdays the 4th … 25th.
LAST_THURSDAY = date(2026, 3, 26)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK).astimezone(UTC)


@pytest.fixture
def rt(db, slack, clock):
    return build_test_runtime(db, slack.api_url, clock, COACHBOT_ADMINS=ADMIN)


@pytest.fixture
def people(slack):
    slack.add_user(ADMIN, "admin", tz="Europe/Berlin")
    slack.add_user(OWNER, "owner", is_admin=True)
    slack.add_user(ALICE, "alice", tz="Europe/Paris")
    slack.add_user(BOB, "bob")
    slack.add_user(HOST, "hana")
    slack.add_channel(DIGEST, "coaching-digest", members=[ALICE, BOB, HOST])
    return slack


def program(db, channel: str | None = DIGEST, tz: str = "America/New_York") -> None:
    with db.transaction() as tx:
        tx.add(ProgramSettings(team_id=TEAM, digest_channel_id=channel, digest_timezone=tz))


def ritual(db, kind: RitualKind, weekday: int, at: time, **extra) -> None:
    with db.transaction() as tx:
        tx.add(
            Ritual(
                team_id=TEAM,
                kind=kind,
                weekday=weekday,
                local_time=at,
                created_at=LONG_AGO,
                **extra,
            )
        )


def rituals_modal(signed, slack, user_id=ADMIN):
    signed.command(user_id, "admin")
    (settings,) = slack.open_views(user_id)
    response = signed.press(user_id, settings, "Rituals")
    assert response.status == 200 and not response.problems
    stack = slack.open_views(user_id)
    assert len(stack) == 2
    return stack[-1]


def rows(db) -> dict[RitualKind, Ritual]:
    with db.transaction() as tx:
        found = {r.kind: r for r in tx.scalars(select(Ritual))}
        for row in found.values():
            tx.expunge(row)
        return found


def posts(slack) -> list[str]:
    return [visible_text(m) for m in slack.messages_to(DIGEST)]


# --------------------------------------------------------------------------- the modal


def test_rituals_are_set_in_a_modal_pushed_from_the_settings(
    signed, slack, people, db, no_slack_refusals
):
    program(db)
    view = rituals_modal(signed, slack)
    shown = visible_text(view)
    assert "Monthly showcase" in shown and "Weekly office hours" in shown
    assert "America/New_York" in shown
    signed.view_submission(
        ADMIN,
        view,
        values={
            "showcase_on": ["on"],
            "showcase_week": "last",
            "showcase_weekday": "3",
            "showcase_time": "15:00",
            "showcase_text": "Ten minutes a pod.",
            "office_on": ["on"],
            "office_weekday": "2",
            "office_time": "12:00",
            "office_host": HOST,
            "office_text": "Drop in with any question.",
        },
    )
    assert len(slack.open_views(ADMIN)) == 1  # back on the settings
    stored = rows(db)
    showcase, office = stored[RitualKind.SHOWCASE], stored[RitualKind.OFFICE_HOURS]
    assert (showcase.active, showcase.week_of_month, showcase.weekday) == (True, LAST_WEEK, 3)
    assert showcase.local_time == time(15, 0) and showcase.text == "Ten minutes a pod."
    assert (office.active, office.weekday, office.local_time) == (True, 2, time(12, 0))
    assert office.host_user_id == HOST
    confirmation = visible_text(slack.dms(ADMIN)[-1])
    assert "the last Thursday of each month at 15:00" in confirmation
    assert f"every Wednesday at 12:00 with <@{HOST}>" in confirmation

    again = rituals_modal(signed, slack)
    signed.view_submission(ADMIN, again, values={"office_on": []})  # switched off, kept
    stored = rows(db)
    assert len(stored) == 2
    assert not stored[RitualKind.OFFICE_HOURS].active
    assert stored[RitualKind.OFFICE_HOURS].host_user_id == HOST
    assert stored[RitualKind.SHOWCASE].active


def test_office_hours_need_a_host_and_texts_have_a_limit(signed, slack, people, db):
    view = rituals_modal(signed, slack)
    signed.view_submission(
        ADMIN,
        view,
        values={"office_on": ["on"], "showcase_text": "x" * 1001},
        client_checks=False,
    )
    assert "1,000 characters" in slack.view_errors(view["id"])["showcase_text"]
    signed.view_submission(ADMIN, view, values={"office_on": ["on"]})
    assert slack.view_errors(view["id"]) == {"office_host": "Pick who hosts office hours."}
    assert rows(db) == {}


def test_someone_who_is_not_an_admin_cannot_open_the_rituals(signed, slack, people, db):
    response = signed.block_action(ALICE, ids.RITUALS_OPEN_ACTION)
    assert response.status == 200 and not response.problems
    assert "Only program admins" in visible_text(slack.open_views(ALICE)[-1])


# --------------------------------------------------------------------------- posting


def test_office_hours_go_out_once_at_their_local_time(rt, slack, people, db, no_slack_refusals):
    program(db)
    ritual(db, RitualKind.OFFICE_HOURS, 2, time(12, 0), host_user_id=HOST, text="Bring <!here>")
    wednesday = date(2026, 3, 11)  # New York is on daylight time by then (UTC-4)
    run_once(rt, local(wednesday, 11, 59))
    assert posts(slack) == []
    for minutes in (0, 1, 30, 90, 179):
        run_once(rt, local(wednesday, 12) + timedelta(minutes=minutes))
    (post,) = posts(slack)
    assert f"Office hours today with <@{HOST}>, 12:00 (America/New_York)" in post
    assert "Bring &lt;!here&gt;" in post  # the admin's text can't ping anyone
    run_once(rt, local(wednesday + timedelta(days=1), 12))
    run_once(rt, local(wednesday + timedelta(days=7), 12, 5))
    assert len(posts(slack)) == 2  # the next Wednesday's


def test_a_ritual_more_than_a_few_hours_late_is_skipped(rt, slack, people, db):
    program(db)
    ritual(db, RitualKind.OFFICE_HOURS, 2, time(12, 0), host_user_id=HOST)
    run_once(rt, local(date(2026, 3, 11), 15, 30))
    assert posts(slack) == []


def test_the_showcase_goes_out_on_the_last_weekday_of_the_month(rt, slack, people, db):
    program(db)
    ritual(db, RitualKind.SHOWCASE, 3, time(15, 0), week_of_month=LAST_WEEK, text="10 min each")
    run_once(rt, local(date(2026, 3, 19), 15))
    assert posts(slack) == []
    run_once(rt, local(LAST_THURSDAY, 15))
    run_once(rt, local(LAST_THURSDAY, 15, 1))
    (post,) = posts(slack)
    assert "Monthly showcase" in post and "10 min each" in post
    assert [text for text, _, _ in buttons(slack.messages_to(DIGEST)[0])] == ["Sign me up"]


def test_nothing_is_posted_without_a_digest_channel(rt, slack, people, db):
    program(db, channel=None)
    ritual(db, RitualKind.OFFICE_HOURS, 2, time(12, 0), host_user_id=HOST)
    run_once(rt, local(date(2026, 3, 11), 12))
    assert posts(slack) == []
    assert [m for user in (ADMIN, OWNER) for m in slack.dms(user) if "Office" in str(m)] == []


def test_an_inactive_ritual_is_not_posted(rt, slack, people, db):
    program(db)
    ritual(db, RitualKind.OFFICE_HOURS, 2, time(12, 0), host_user_id=HOST, active=False)
    run_once(rt, local(date(2026, 3, 11), 12))
    assert posts(slack) == []


# --------------------------------------------------------------------------- sign-up


def test_signing_up_tells_the_person_and_dms_the_admins_once(
    rt, signed, slack, people, db, no_slack_refusals
):
    program(db)
    ritual(db, RitualKind.SHOWCASE, 3, time(15, 0), week_of_month=LAST_WEEK)
    with db.transaction() as tx:  # the workspace owner, a program admin the bot has met
        tx.add(Member(team_id=TEAM, user_id=OWNER, is_slack_admin=True, created_at=LONG_AGO))
    at = local(LAST_THURSDAY, 15)
    run_once(rt, at)
    (post,) = slack.messages_to(DIGEST)

    response = signed.press(ALICE, post, "Sign me up")
    assert response.status == 200 and not response.problems
    assert "You're signed up to present at the showcase on Thu 26 Mar" in visible_text(
        slack.ephemerals(ALICE)[-1]
    )
    signed.press(ALICE, post, "Sign me up")
    assert "already signed up" in visible_text(slack.ephemerals(ALICE)[-1])
    run_once(rt, at + timedelta(minutes=5))
    run_once(rt, at + timedelta(minutes=10))
    for admin in (ADMIN, OWNER):
        (dm,) = slack.dms(admin)
        assert f"<@{ALICE}> signed up to present at the monthly showcase on Thu 26 Mar" in (
            visible_text(dm)
        )

    signed.press(BOB, post, "Sign me up")
    run_once(rt, at + timedelta(minutes=15))
    assert len(slack.dms(ADMIN)) == 2


def test_an_out_of_date_sign_up_button_says_so(signed, slack, people, db):
    response = signed.block_action(ALICE, ids.SHOWCASE_SIGN_UP_ACTION, value="soon")
    assert response.status == 200 and not response.problems
    assert "out of date" in visible_text(slack.ephemerals(ALICE)[-1])


# --------------------------------------------------------------------------- calendar


@pytest.mark.parametrize(
    ("week", "days"),
    [(1, (5,)), (2, (12,)), (3, (19,)), (4, (26,)), (LAST_WEEK, (26,))],
)
def test_the_week_of_the_month(week, days):
    thursdays = [date(2026, 3, d) for d in (5, 12, 19, 26)]
    assert [d.day for d in thursdays if week_of_month_matches(week, d)] == list(days)
    assert week_of_month_matches(LAST_WEEK, date(2026, 4, 30))  # a 5th Thursday is the last
    assert not week_of_month_matches(4, date(2026, 4, 30))
