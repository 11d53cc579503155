"""/coach admin for the community loop, through the signed endpoint: the digest,
privacy, kudos and leaders settings (saved, shown again, every bad value's inline
error), and the modal's buttons: digest preview and post now, the quarterly review,
each refused to someone who is not a program admin."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from bot import ids
from bot.sender import OutboxSender
from models import Member, OutboxMessage, ProgramSettings
from slack_standin.server import visible_text
from tests.support.harness import build_test_runtime
from tests.test_review import q1_with_data

ADMIN, OWNER, ALICE, BOB, ROBOT = "U0ADMIN", "U0OWNER", "U0ALICE", "U0BOB", "U0ROBOT"
DIGEST = "C0DIGEST"
LABELS = {
    "channel": "Digest channel",
    "weekday": "Digest day",
    "time": "Digest time",
    "timezone": "Program timezone",
    "k_text": "Voices needed before learnings are shown",
    "k_count": "Smallest group shown in numbers",
    "kudos": "Kudos a person can give a day",
    "leaders": "Leaders",
}
APRIL = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def rt(db, slack, clock):
    return build_test_runtime(db, slack.api_url, clock, COACHBOT_ADMINS=ADMIN)


@pytest.fixture
def people(slack):
    slack.add_user(ADMIN, "admin", tz="Europe/Berlin")
    slack.add_user(OWNER, "owner", is_admin=True)
    slack.add_user(ALICE, "alice", tz="Europe/Paris")
    slack.add_user(BOB, "bob", tz="America/New_York")
    slack.add_user(ROBOT, "robot", is_bot=True)
    slack.add_channel(DIGEST, "coaching-digest")
    return slack


def open_settings(signed, slack, user_id=ADMIN):
    response = signed.command(user_id, "admin")
    assert response.status == 200 and not response.problems, response.problems
    return slack.open_views(user_id)[-1]


def save(signed, slack, by_label, user_id=ADMIN, **options):
    view = open_settings(signed, slack, user_id)
    signed.view_submission(user_id, view, by_label=by_label, **options)
    return view


def stored(db) -> ProgramSettings | None:
    with db.transaction() as tx:
        row = tx.scalar(select(ProgramSettings))
        if row is not None:
            tx.expunge(row)
        return row


def leaders(db) -> list[str]:
    with db.transaction() as tx:
        return sorted(tx.scalars(select(Member.user_id).where(Member.is_leader.is_(True))))


def element(view, block_id):
    (block,) = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return block["element"]


def press(signed, slack, action_id, user_id=ADMIN, view=None):
    """Presses a settings button; returns the modal pushed on top, as it ends up."""
    view = view or open_settings(signed, slack, user_id)
    response = signed.block_action(user_id, action_id, view=view)
    assert response.status == 200 and not response.problems, response.problems
    stack = slack.open_views(user_id)
    assert len(stack) == 2
    return stack[-1]


def deliver(rt, clock) -> None:
    OutboxSender(rt.db, rt.client, clock=clock).drain()


# --------------------------------------------------------------------------- settings


def test_the_digest_settings_are_saved_and_shown_again(
    signed, slack, people, db, no_slack_refusals
):
    view = open_settings(signed, slack)
    assert element(view, "digest_timezone")["initial_value"] == "Europe/Berlin"  # the admin's
    assert element(view, "k_text")["initial_value"] == "5"
    assert element(view, "k_count")["initial_value"] == "3"
    assert element(view, "kudos_daily_limit")["initial_value"] == "5"
    assert element(view, "digest_channel")["filter"]["include"] == ["public"]
    shown = visible_text(view)
    assert "at least this many different people" in shown  # the K_text hint
    assert all(label in shown for label in LABELS.values())

    signed.view_submission(
        ADMIN,
        view,
        by_label={
            LABELS["channel"]: DIGEST,
            LABELS["weekday"]: "0",
            LABELS["time"]: "10:30",
            LABELS["timezone"]: "america/new_york",
            LABELS["k_text"]: "7",
            LABELS["k_count"]: "4",
            LABELS["kudos"]: "9",
            LABELS["leaders"]: [ALICE, BOB],
        },
    )
    assert slack.open_views(ADMIN) == []
    row = stored(db)
    assert (row.digest_channel_id, row.digest_weekday, row.digest_time) == (
        DIGEST,
        0,
        time(10, 30),
    )
    assert row.digest_timezone == "America/New_York"
    assert (row.k_text, row.k_count, row.kudos_daily_limit) == (7, 4, 9)
    assert leaders(db) == [ALICE, BOB]  # Bob was not met before: he has a member row now
    confirmation = visible_text(slack.dms(ADMIN)[-1])
    assert f"The weekly digest goes to <#{DIGEST}> on Mondays at 10:30 (America/New_York)" in (
        confirmation
    )
    assert "Leaders: 2" in confirmation

    again = open_settings(signed, slack)
    assert element(again, "digest_channel")["initial_conversation"] == DIGEST
    assert element(again, "digest_weekday")["initial_option"]["value"] == "0"
    assert element(again, "digest_time")["initial_time"] == "10:30"
    assert element(again, "digest_timezone")["initial_value"] == "America/New_York"
    assert element(again, "k_text")["initial_value"] == "7"
    assert element(again, "leaders")["initial_users"] == [ALICE, BOB]

    signed.view_submission(ADMIN, again, by_label={LABELS["leaders"]: [BOB]})
    assert leaders(db) == [BOB]  # exactly the people picked
    signed.view_submission(ADMIN, open_settings(signed, slack), by_label={LABELS["leaders"]: []})
    assert leaders(db) == []
    assert stored(db).k_text == 7


@pytest.mark.parametrize(
    ("label", "value", "field", "words"),
    [
        ("k_text", "2", "k_text", "from 3 to 50"),
        ("k_text", "five", "k_text", "from 3 to 50"),
        ("k_text", "4.5", "k_text", "from 3 to 50"),
        ("k_count", "1", "k_count", "from 2 to 50"),
        ("kudos", "0", "kudos_daily_limit", "from 1 to 50"),
        ("kudos", "51", "kudos_daily_limit", "from 1 to 50"),
        ("timezone", "Mars/Olympus", "digest_timezone", "not a timezone I know"),
        ("timezone", "paris", "digest_timezone", "Did you mean Europe/Paris?"),
        ("time", "25:00", "digest_time", "Pick the time the digest goes out"),
        ("weekday", None, "digest_weekday", "Pick the day the digest goes out"),
    ],
)
def test_each_bad_value_is_an_inline_error(signed, slack, people, db, label, value, field, words):
    view = open_settings(signed, slack)
    signed.view_submission(ADMIN, view, by_label={LABELS[label]: value}, client_checks=False)
    errors = slack.view_errors(view["id"])
    assert words in errors[field], errors
    assert slack.open_views(ADMIN) != []
    assert stored(db) is None


def test_several_bad_values_get_their_errors_at_once(signed, slack, people, db):
    view = open_settings(signed, slack)
    signed.view_submission(
        ADMIN,
        view,
        by_label={LABELS["k_text"]: "1", LABELS["k_count"]: "0", LABELS["timezone"]: "nowhere"},
        client_checks=False,
    )
    assert set(slack.view_errors(view["id"])) == {"k_text", "k_count", "digest_timezone"}


def test_a_bot_cannot_be_a_leader(signed, slack, people, db):
    with db.transaction() as tx:
        tx.add(Member(team_id="T0001", user_id=ROBOT, is_bot=True, display_name="robot"))
    view = open_settings(signed, slack)
    signed.view_submission(ADMIN, view, by_label={LABELS["leaders"]: [ALICE, ROBOT]})
    assert "robot is a bot" in slack.view_errors(view["id"])["leaders"]
    assert stored(db) is None and leaders(db) == []


def test_the_modal_stays_inside_slacks_limits(signed, slack, people, db):
    view = open_settings(signed, slack)
    assert len(view["blocks"]) <= 100
    assert [b["type"] for b in view["blocks"]][:2] == ["section", "actions"]
    assert slack.problems == [] and slack.failed_calls() == []


# --------------------------------------------------------------------------- buttons


@pytest.mark.parametrize(
    "action_id",
    [ids.DIGEST_PREVIEW_ACTION, ids.DIGEST_POST_NOW_ACTION, ids.REVIEW_POST_ACTION],
)
def test_someone_who_is_not_an_admin_is_refused_at_every_button(
    signed, slack, people, db, rt, clock, action_id
):
    save(signed, slack, {LABELS["channel"]: DIGEST})
    response = signed.block_action(ALICE, action_id)
    assert response.status == 200 and not response.problems
    shown = visible_text(slack.open_views(ALICE)[-1])
    assert "Only program admins can do this" in shown
    deliver(rt, clock)
    assert slack.messages_to(DIGEST) == []
    assert slack.calls_to("files.getUploadURLExternal") == []


def test_preview_shows_the_digest_and_posts_nothing(
    signed, slack, people, db, rt, clock, no_slack_refusals
):
    save(signed, slack, {LABELS["channel"]: DIGEST})
    shown = visible_text(press(signed, slack, ids.DIGEST_PREVIEW_ACTION))
    assert "Preview — nothing was posted" in shown and f"<#{DIGEST}>" in shown
    deliver(rt, clock)
    assert slack.messages_to(DIGEST) == []
    with db.transaction() as tx:
        assert tx.scalars(select(OutboxMessage.dedupe_key)).all() == []


def test_preview_with_no_program_says_so_plainly(signed, slack, people, db, no_slack_refusals):
    shown = visible_text(press(signed, slack, ids.DIGEST_PREVIEW_ACTION))
    assert "There is no program here yet" in shown
    assert stored(db) is None


def test_post_now_posts_once_then_says_it_already_went_out(
    signed, slack, people, db, rt, clock, no_slack_refusals
):
    save(signed, slack, {LABELS["channel"]: DIGEST})
    shown = visible_text(press(signed, slack, ids.DIGEST_POST_NOW_ACTION))
    assert f"This week's digest is on its way to <#{DIGEST}>" in shown
    deliver(rt, clock)
    assert len(slack.messages_to(DIGEST)) == 1

    signed.view_closed(ADMIN, slack.open_views(ADMIN)[-1])
    shown = visible_text(press(signed, slack, ids.DIGEST_POST_NOW_ACTION))
    assert "already went out" in shown
    deliver(rt, clock)
    assert len(slack.messages_to(DIGEST)) == 1


def test_post_now_without_a_digest_channel_says_where_to_set_it(signed, slack, people, db, rt):
    save(signed, slack, {})
    shown = visible_text(press(signed, slack, ids.DIGEST_POST_NOW_ACTION))
    assert "There is no digest channel yet" in shown


def test_the_review_button_uploads_the_chart_to_the_digest_channel(
    signed, slack, people, db, clock
):
    clock.set(APRIL)
    q1_with_data(db)
    save(signed, slack, {LABELS["channel"]: DIGEST})
    shown = visible_text(press(signed, slack, ids.REVIEW_POST_ACTION))
    assert f"Posted the 2026 Q1 review to <#{DIGEST}>" in shown
    (message,) = slack.messages_to(DIGEST)
    (shared,) = message["files"]
    assert slack.uploaded_file(shared["id"])["filename"] == "coachbot-review-2026Q1.png"
    methods = [call.method for call in slack.calls]
    assert methods.index("files.getUploadURLExternal") < methods.index(
        "files.completeUploadExternal"
    )


def test_the_review_button_with_no_data_says_so(signed, slack, people, db, clock):
    clock.set(APRIL)
    save(signed, slack, {LABELS["channel"]: DIGEST})
    shown = visible_text(press(signed, slack, ids.REVIEW_POST_ACTION))
    assert "2026 Q1" in shown and "Nothing was posted" in shown
    assert slack.messages_to(DIGEST) == []
    assert slack.calls_to("files.getUploadURLExternal") == []
