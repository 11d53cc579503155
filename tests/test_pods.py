"""Pods through the signed endpoint and the Slack stand-in: the create/edit modal,
its inline errors, the list with Join buttons, join and leave by name."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.scheduler import run_once
from models import Member, OutboxMessage, Pod, PodMembership, PodSession, SessionStatus
from slack_standin.server import buttons, visible_text
from slack_standin.signing import SubmissionBlocked

ALICE, BOB, CAROL, DAVE, ERIN, ROBOT = "U0ALICE", "U0BOB", "U0CAROL", "U0DAVE", "U0ERIN", "U0ROBOT"
ADMIN = "U0ADMIN"
PEOPLE = {
    ALICE: ("alice", "Europe/Paris"),
    BOB: ("bob", "Europe/London"),
    CAROL: ("carol", "America/New_York"),
    DAVE: ("dave", "America/New_York"),
    ERIN: ("erin", "Asia/Tokyo"),
}
GOOD_FORM = {
    "name": "Platform Leads",
    "focus_kind": "function",
    "focus_text": "Leading without authority",
    "members": [ALICE, BOB, CAROL],
    "cadence": "2",
    "weekday": "1",  # Tuesday
    "time": "15:00",
}


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def people(slack):
    for user_id, (name, tz) in PEOPLE.items():
        slack.add_user(user_id, name, tz=tz)
    slack.add_user(ROBOT, "robot", tz="UTC", is_bot=True)
    slack.add_user(ADMIN, "admin", tz="Europe/Berlin", is_admin=True)
    slack.add_channel("C0PODS", "pods", members=list(PEOPLE))
    return slack


def last_reply(slack, user_id):
    shown = slack.ephemerals(user_id)
    assert shown, f"{user_id} was shown nothing"
    return shown[-1]


def dm_texts(slack, user_id):
    return [visible_text(message) for message in slack.dms(user_id)]


def modal_of(slack, user_id):
    views = slack.open_views(user_id)
    assert views, f"no modal open for {user_id}"
    return views[-1]


def input_element(view, block_id):
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"]


def open_create_modal(signed, slack, user_id=ALICE):
    response = signed.command(user_id, "pod create")
    assert response.status == 200 and not response.problems
    return modal_of(slack, user_id)


def saved_modal(slack, user_id, verb="is set up"):
    """The modal the pod form became once saved: the confirmation."""
    shown = visible_text(modal_of(slack, user_id))
    assert verb in shown, shown
    return shown


def create_pod(signed, slack, user_id=ALICE, **changes):
    view = open_create_modal(signed, slack, user_id)
    response = signed.view_submission(user_id, view, {**GOOD_FORM, **changes})
    assert response.status == 200 and not response.problems, response.problems
    assert not slack.view_errors(view["id"]), slack.view_errors(view["id"])
    saved_modal(slack, user_id)


def count(db, model, *where):
    with db.transaction() as tx:
        return tx.scalar(select(func.count()).select_from(model).where(*where))


def pod_named(db, name):
    with db.transaction() as tx:
        pod = tx.scalar(select(Pod).where(Pod.name == name))
        assert pod is not None
        tx.expunge(pod)
        return pod


def active_members(db, pod_id):
    with db.transaction() as tx:
        return set(
            tx.scalars(
                select(Member.user_id)
                .join(PodMembership, PodMembership.member_id == Member.id)
                .where(PodMembership.pod_id == pod_id, PodMembership.left_at.is_(None))
            )
        )


def next_session(db, pod_id):
    with db.transaction() as tx:
        return tx.scalar(
            select(PodSession)
            .where(PodSession.pod_id == pod_id, PodSession.status == SessionStatus.SCHEDULED)
            .order_by(PodSession.starts_at)
        )


def insert_pod(db, name, team_id="T0001", members=(), now=None, **fields):
    """A pod written straight to the database (for list/scoping set-ups)."""
    now = now or datetime(2026, 3, 1, tzinfo=UTC)
    with db.transaction() as tx:
        pod = Pod(
            team_id=team_id,
            name=name,
            name_key=name.casefold(),
            focus_kind=fields.pop("focus_kind", "goal"),
            focus_text=fields.pop("focus_text", ""),
            interval_weeks=fields.pop("interval_weeks", 1),
            weekday=fields.pop("weekday", 2),
            local_time=fields.pop("local_time", time(10, 0)),
            timezone=fields.pop("timezone", "UTC"),
            created_by="U0SOMEONE",
            created_at=now,
            **fields,
        )
        tx.add(pod)
        tx.flush()
        for user_id in members:
            member = tx.scalar(
                select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
            )
            if member is None:
                member = Member(team_id=team_id, user_id=user_id, created_at=now)
                tx.add(member)
                tx.flush()
            tx.add(
                PodMembership(team_id=team_id, pod_id=pod.id, member_id=member.id, joined_at=now)
            )
        return pod.id


# --------------------------------------------------------------------------- create


def test_create_pod_end_to_end(signed, slack, people, db, rt, clock):
    view = open_create_modal(signed, slack, ALICE)

    # The modal opened at once (before users.info), then got Alice's timezone.
    methods = [call.method for call in slack.calls]
    assert methods.index("views.open") < methods.index("users.info")
    opened = slack.calls_to("views.open")[0].params["view"]
    assert "Looking up your timezone" in visible_text(opened)
    assert input_element(view, "timezone")["initial_value"] == "Europe/Paris"
    shown = visible_text(view)
    for label in ["New pod", "Name", "Focus", "Members", "Meets", "Day", "Time", "Timezone"]:
        assert label in shown
    assert "Channel" in shown and "3–6 works best" in shown and "like Europe/Paris" in shown

    response = signed.view_submission(ALICE, view, GOOD_FORM)
    assert response.status == 200 and not response.problems
    # Acked at once with "working…", then the form became the confirmation.
    assert "Checking the members" in visible_text(response.json()["view"])
    confirmed = saved_modal(slack, ALICE)
    assert "*Platform Leads* is set up" in confirmed

    pod = pod_named(db, "Platform Leads")
    assert (pod.focus_kind, pod.focus_text) == ("function", "Leading without authority")
    assert (pod.interval_weeks, pod.weekday, pod.local_time) == (2, 1, time(15, 0))
    assert pod.timezone == "Europe/Paris" and pod.created_by == ALICE
    assert active_members(db, pod.id) == {ALICE, BOB, CAROL}
    # No channel picked: a group DM with exactly the members.
    (opened_dm,) = slack.calls_to("conversations.open")
    assert set(opened_dm.params["users"].split(",")) == {ALICE, BOB, CAROL}
    assert pod.is_group_dm and pod.channel_id == opened_dm.response["channel"]["id"]
    # First session: Tuesday 3 March 15:00 in Paris = 14:00 UTC.
    first = next_session(db, pod.id)
    assert first.starts_at == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)

    # Alice is told, in her timezone (the bot is not in #general: her DM).
    (confirmation,) = [t for t in dm_texts(slack, ALICE) if "is set up" in t]
    assert "Platform Leads" in confirmation and "Tue 3 Mar, 15:00 (Europe/Paris)" in confirmation

    # The others are told through the outbox, once, in their own timezone.
    with db.transaction() as tx:
        keys = set(tx.scalars(select(OutboxMessage.dedupe_key)))
    assert {f"pod-added:{pod.id}:{BOB}", f"pod-added:{pod.id}:{CAROL}"} <= keys
    assert f"pod-added:{pod.id}:{ALICE}" not in keys
    run_once(rt, clock())
    (to_bob,) = [t for t in dm_texts(slack, BOB) if "added you" in t]
    assert f"<@{ALICE}> added you to the coaching pod *Platform Leads*" in to_bob
    assert "Tue 3 Mar, 14:00 (Europe/London)" in to_bob
    (to_carol,) = [t for t in dm_texts(slack, CAROL) if "added you" in t]
    assert "Tue 3 Mar, 09:00 (America/New_York)" in to_carol

    # And the pod is listed.
    signed.command(DAVE, "pod list")
    listed = visible_text(last_reply(slack, DAVE))
    assert "Platform Leads" in listed and "every 2 weeks on Tuesday at 15:00 Europe/Paris" in listed
    assert slack.problems == []


def test_known_timezone_is_prefilled_without_asking_slack_first(signed, slack, people, db):
    create_pod(signed, slack, ALICE)
    calls_before = len(slack.calls_to("users.info"))
    updates_before = len(slack.calls_to("views.update"))
    view = open_create_modal(signed, slack, ALICE)
    assert input_element(view, "timezone")["initial_value"] == "Europe/Paris"
    assert len(slack.calls_to("users.info")) == calls_before
    assert len(slack.calls_to("views.update")) == updates_before  # no lookup this time


def test_a_picked_channel_is_used_and_no_group_dm_opened(signed, slack, people, db):
    create_pod(signed, slack, ALICE, channel="C0PODS", name="Channel Pod")
    pod = pod_named(db, "Channel Pod")
    assert pod.channel_id == "C0PODS" and not pod.is_group_dm
    assert slack.calls_to("conversations.open") == []
    (intro,) = slack.messages_to("C0PODS")
    assert "*Channel Pod* meets here" in visible_text(intro)


@pytest.mark.parametrize(
    ("channel", "problem"),
    [
        ({"bot_member": False}, "Add me with `/invite @Coachbot` in it"),
        ({"is_archived": True}, "That channel is archived"),
    ],
    ids=["bot-not-invited", "archived"],
)
def test_a_channel_the_bot_cannot_post_in_is_shown_under_channel(
    signed, slack, people, db, channel, problem
):
    slack.add_channel("C0QUIET", "quiet", members=list(PEOPLE), **channel)
    view = open_create_modal(signed, slack, ALICE)
    signed.view_submission(ALICE, view, {**GOOD_FORM, "channel": "C0QUIET"})
    assert problem in problem_under(slack, ALICE, "channel")
    assert input_element(modal_of(slack, ALICE), "name")["initial_value"] == "Platform Leads"
    assert count(db, Pod) == 0
    assert slack.messages_to("C0QUIET") == []


def test_timezone_names_in_any_casing_are_accepted(signed, slack, people, db):
    create_pod(signed, slack, ALICE, timezone="america/new_york")
    assert pod_named(db, "Platform Leads").timezone == "America/New_York"


def problem_under(slack, user_id, block_id):
    """The problem the form shows under an input once Slack was asked (after the ack)."""
    view = modal_of(slack, user_id)
    ids = [block.get("block_id") for block in view["blocks"]]
    assert f"{block_id}_problem" in ids, visible_text(view)
    assert ids.index(f"{block_id}_problem") == ids.index(block_id) + 1
    return visible_text([view["blocks"][ids.index(f"{block_id}_problem")]])


INVALID = [
    pytest.param({"name": "   "}, "name", "Give the pod a name", id="blank-name"),
    pytest.param({"name": "platform LEADS"}, "name", "already a pod called", id="taken-name"),
    pytest.param({"members": [ALICE]}, "members", "at least 2 people", id="one-member"),
    pytest.param(
        {"members": [ALICE, BOB, CAROL, *[f"U0X{i:02d}" for i in range(10)]]},
        "members",
        "at most 12 people",
        id="thirteen-members",
    ),
    pytest.param(
        {"members": [ALICE, ROBOT]}, "members", "Bots can't be pod members", id="bot-after-ack"
    ),
    pytest.param(
        {"members": [ALICE, "U0NOBODY"]}, "members", "couldn't find", id="unknown-after-ack"
    ),
    pytest.param(
        {"timezone": "Europe/Pariss"}, "timezone", "Did you mean Europe/Paris?", id="typo-tz"
    ),
    pytest.param({"timezone": "Paris"}, "timezone", "Did you mean Europe/Paris?", id="city-tz"),
    pytest.param({"timezone": "Mars/Olympus"}, "timezone", "like Europe/Paris", id="bad-tz"),
    pytest.param({"time": "25:00"}, "time", "Pick a time", id="bad-time"),
    pytest.param({"weekday": None}, "weekday", "Pick the day", id="no-day"),
    pytest.param(
        {"members": [ALICE, BOB, CAROL, DAVE, ERIN, *[f"U0X{i:02d}" for i in range(4)]]},
        "channel",
        "group DM, which holds at most 8 people",
        id="group-dm-too-big",
    ),
]


@pytest.mark.parametrize(("changes", "block_id", "message"), INVALID)
def test_every_validation_error_is_inline_and_nothing_is_written(
    signed, slack, people, db, request, changes, block_id, message
):
    for i in range(10):
        slack.add_user(f"U0X{i:02d}", f"extra{i}", tz="UTC")
    if "already" in message:
        create_pod(signed, slack, BOB, name="Platform Leads", members=[BOB, CAROL])
    pods_before = count(db, Pod)
    outbox_before = count(db, OutboxMessage)
    dm_calls_before = len(slack.calls_to("conversations.open"))

    view = open_create_modal(signed, slack, ALICE)
    response = signed.view_submission(ALICE, view, {**GOOD_FORM, **changes}, client_checks=False)
    assert response.status == 200 and not response.problems, response.problems

    if "after-ack" in request.node.callspec.id:  # Slack had to be asked: shown in the form
        assert message in problem_under(slack, ALICE, block_id)
    else:  # the database could tell: refused before the ack, inline
        errors = slack.view_errors(view["id"])
        assert message in errors.get(block_id, ""), errors
    assert modal_of(slack, ALICE)["id"] == view["id"]  # still open, with the error
    assert count(db, Pod) == pods_before
    assert count(db, OutboxMessage) == outbox_before
    assert len(slack.calls_to("conversations.open")) == dm_calls_before


def test_all_problems_are_shown_at_once(signed, slack, people, db):
    view = open_create_modal(signed, slack, ALICE)
    signed.view_submission(
        ALICE,
        view,
        {**GOOD_FORM, "members": [ALICE], "timezone": "Nowhere", "time": "99:99"},
        client_checks=False,
    )
    assert set(slack.view_errors(view["id"])) == {"members", "timezone", "time"}
    assert count(db, Pod) == 0


def test_database_problems_show_with_the_form_problems_then_slacks(signed, slack, people, db):
    create_pod(signed, slack, BOB, members=[BOB, CAROL])
    view = open_create_modal(signed, slack, ALICE)
    bad = {**GOOD_FORM, "name": "PLATFORM LEADS", "members": [ALICE, ROBOT], "time": "7"}
    response = signed.view_submission(ALICE, view, bad, client_checks=False)
    assert not response.problems
    assert set(slack.view_errors(view["id"])) == {"name", "time"}  # before the ack
    signed.view_submission(ALICE, view, {**bad, "name": "Robots", "time": "10:00"})
    assert "Bots can't be pod members: Robot" in problem_under(slack, ALICE, "members")
    assert count(db, Pod) == 1
    # Fixed in the form shown again: saved.
    signed.view_submission(ALICE, modal_of(slack, ALICE), {"members": [ALICE, BOB]})
    saved_modal(slack, ALICE)
    assert count(db, Pod) == 2
    assert slack.problems == []


def test_slack_client_refuses_more_than_twelve_members(signed, slack, people):
    view = open_create_modal(signed, slack, ALICE)
    assert input_element(view, "members")["max_selected_items"] == 12
    with pytest.raises(SubmissionBlocked):
        signed.view_submission(ALICE, view, {**GOOD_FORM, "members": [f"U{i}" for i in range(13)]})


def test_group_dm_failure_is_an_inline_error_on_channel(signed, slack, people, db):
    view = open_create_modal(signed, slack, ALICE)
    slack.fail("conversations.open", "user_disabled")
    signed.view_submission(ALICE, view, GOOD_FORM)
    assert "Pick a channel instead" in problem_under(slack, ALICE, "channel")
    assert count(db, Pod) == 0


def test_create_with_words_after_it_gets_usage(signed, slack, people):
    signed.command(ALICE, "pod create Platform")
    assert "takes no name" in visible_text(last_reply(slack, ALICE))
    assert slack.open_views(ALICE) == []


# --------------------------------------------------------------------------- edit


def test_edit_opens_prefilled_and_reschedules(signed, slack, people, db, rt, clock):
    create_pod(signed, slack, ALICE)
    pod = pod_named(db, "Platform Leads")
    first = next_session(db, pod.id)

    signed.command(BOB, "pod edit platform leads")
    view = modal_of(slack, BOB)
    assert visible_text(view).startswith("Edit pod")
    assert input_element(view, "name")["initial_value"] == "Platform Leads"
    assert input_element(view, "focus_text")["initial_value"] == "Leading without authority"
    assert input_element(view, "focus_kind")["initial_option"]["value"] == "function"
    assert set(input_element(view, "members")["initial_users"]) == {ALICE, BOB, CAROL}
    assert input_element(view, "cadence")["initial_option"]["value"] == "2"
    assert input_element(view, "weekday")["initial_option"]["value"] == "1"
    assert input_element(view, "time")["initial_time"] == "15:00"
    assert input_element(view, "timezone")["initial_value"] == "Europe/Paris"

    signed.view_submission(
        BOB, view, {"weekday": "3", "time": "17:30", "members": [ALICE, BOB, DAVE]}
    )
    assert "Upcoming sessions moved to the new time" in saved_modal(slack, BOB, "is updated")
    pod = pod_named(db, "Platform Leads")
    assert (pod.weekday, pod.local_time) == (3, time(17, 30))
    assert active_members(db, pod.id) == {ALICE, BOB, DAVE}
    moved = next_session(db, pod.id)
    assert moved.id == first.id  # the same row, moved: Thursday 5 March 17:30 Paris
    assert moved.starts_at == datetime(2026, 3, 5, 16, 30, tzinfo=UTC)
    # New people: a new group DM with exactly them.
    assert set(slack.calls_to("conversations.open")[-1].params["users"].split(",")) == {
        ALICE,
        BOB,
        DAVE,
    }
    (confirmation,) = [t for t in dm_texts(slack, BOB) if "is updated" in t]
    assert "Thu 5 Mar, 16:30 (Europe/London)" in confirmation

    with db.transaction() as tx:
        keys = set(tx.scalars(select(OutboxMessage.dedupe_key)))
    assert f"pod-added:{pod.id}:{DAVE}" in keys
    assert any(key.startswith(f"pod-removed:{pod.id}:{CAROL}") for key in keys)
    run_once(rt, clock())
    assert any("took you off the pod *Platform Leads*" in t for t in dm_texts(slack, CAROL))


def test_edit_keeps_the_group_dm_when_people_do_not_change(signed, slack, people, db):
    create_pod(signed, slack, ALICE)
    pod = pod_named(db, "Platform Leads")
    signed.command(ALICE, "pod edit Platform Leads")
    signed.view_submission(ALICE, modal_of(slack, ALICE), {"focus_text": "New focus"})
    edited = pod_named(db, "Platform Leads")
    assert edited.focus_text == "New focus" and edited.channel_id == pod.channel_id
    assert len(slack.calls_to("conversations.open")) == 1


def test_edit_can_rename_but_not_onto_another_pod(signed, slack, people, db):
    create_pod(signed, slack, ALICE)
    create_pod(signed, slack, BOB, name="Second", members=[BOB, CAROL])
    signed.command(BOB, "pod edit second")
    view = modal_of(slack, BOB)
    signed.view_submission(BOB, view, {"name": "PLATFORM leads"})
    assert "already a pod called" in slack.view_errors(view["id"])["name"]
    signed.view_submission(BOB, view, {"name": "Second Wind"})
    assert pod_named(db, "Second Wind").name_key == "second wind"


def test_edit_by_someone_outside_the_pod_is_refused(signed, slack, people, db):
    create_pod(signed, slack, ALICE)
    signed.command(ERIN, "pod edit Platform Leads")
    assert "Only members of *Platform Leads* and program admins" in visible_text(
        last_reply(slack, ERIN)
    )
    assert slack.open_views(ERIN) == []


def test_a_program_admin_outside_the_pod_can_edit(signed, slack, people, db):
    create_pod(signed, slack, ALICE)
    signed.command(ADMIN, "pod edit Platform Leads")
    view = modal_of(slack, ADMIN)
    signed.view_submission(ADMIN, view, {"cadence": "1"})
    saved_modal(slack, ADMIN, "is updated")
    assert pod_named(db, "Platform Leads").interval_weeks == 1


def test_edit_of_unknown_pod_suggests_close_names(signed, slack, people, db):
    create_pod(signed, slack, ALICE)
    signed.command(ALICE, "pod edit Platfrom Leads")
    reply = visible_text(last_reply(slack, ALICE))
    assert "There is no pod called “Platfrom Leads”" in reply
    assert "Did you mean *Platform Leads*?" in reply
    assert "/coach pod edit NAME" in reply


# --------------------------------------------------------------------------- list


def test_list_shows_times_in_the_viewers_timezone_and_join_buttons(signed, slack, people, db):
    create_pod(signed, slack, ALICE)
    create_pod(
        signed, slack, ERIN, name="Tokyo Builders", members=[ERIN, DAVE], timezone="Asia/Tokyo"
    )

    signed.command(BOB, "pod list")
    reply = last_reply(slack, BOB)
    text = visible_text(reply)
    assert "Platform Leads" in text and "Function: Leading without authority" in text
    assert "every 2 weeks on Tuesday at 15:00 Europe/Paris" in text
    assert "3 members" in text and "2 members" in text
    assert "Next session: Tue 3 Mar, 14:00 (Europe/London)" in text
    assert "you're in" in text
    tokyo = pod_named(db, "Tokyo Builders")
    # Bob is in Platform Leads: one Join button, for the other pod.
    assert buttons(reply) == [("Join", "pod_join", str(tokyo.id))]

    signed.press(BOB, reply, "Join")
    assert "You joined *Tokyo Builders*" in visible_text(last_reply(slack, BOB))
    assert BOB in active_members(db, tokyo.id)
    assert slack.problems == []


def test_list_with_no_pods_points_to_create(signed, slack, people):
    signed.command(ALICE, "pod list")
    assert "/coach pod create" in visible_text(last_reply(slack, ALICE))


def test_list_of_many_pods_stays_within_slacks_block_limit(signed, slack, people, db):
    for i in range(45):
        insert_pod(db, f"Pod {i:02d}", members=[CAROL])
    signed.command(ALICE, "pod list")
    reply = last_reply(slack, ALICE)
    assert len(reply["blocks"]) <= 50
    text = visible_text(reply)
    assert "Showing 40 of 45 pods (5 more)" in text and "/coach pod join NAME" in text
    assert slack.problems == []


def test_pods_of_other_workspaces_are_invisible(signed, slack, people, db):
    insert_pod(db, "Elsewhere", team_id="T0OTHER", members=[DAVE])
    signed.command(ALICE, "pod list")
    assert "Elsewhere" not in visible_text(last_reply(slack, ALICE))
    signed.command(ALICE, "pod join Elsewhere")
    assert "There is no pod called “Elsewhere”" in visible_text(last_reply(slack, ALICE))
    # Same name in this workspace is free.
    create_pod(signed, slack, ALICE, name="Elsewhere")
    assert count(db, Pod, Pod.name_key == "elsewhere") == 2


# --------------------------------------------------------------------------- join / leave


def test_join_and_leave_by_name(signed, slack, people, db):
    create_pod(signed, slack, ALICE)
    pod = pod_named(db, "Platform Leads")

    signed.command(DAVE, "pod join platform LEADS")
    reply = visible_text(last_reply(slack, DAVE))
    assert "You joined *Platform Leads*" in reply
    assert "Tue 3 Mar, 09:00 (America/New_York)" in reply
    assert DAVE in active_members(db, pod.id)
    # A group DM pod moves to a group DM that includes the newcomer.
    assert set(slack.calls_to("conversations.open")[-1].params["users"].split(",")) == {
        ALICE,
        BOB,
        CAROL,
        DAVE,
    }
    assert pod_named(db, "Platform Leads").channel_id != pod.channel_id

    signed.command(DAVE, "pod join Platform Leads")
    assert "You're already in *Platform Leads*" in visible_text(last_reply(slack, DAVE))

    signed.command(DAVE, "pod leave Platform Leads")
    assert "You left *Platform Leads*" in visible_text(last_reply(slack, DAVE))
    assert DAVE not in active_members(db, pod.id)

    signed.command(DAVE, "pod leave Platform Leads")
    assert "You're not in *Platform Leads*" in visible_text(last_reply(slack, DAVE))

    # Rejoining opens a second period; the first stays closed, for history.
    signed.command(DAVE, "pod join Platform Leads")
    assert DAVE in active_members(db, pod.id)
    assert count(db, PodMembership, PodMembership.pod_id == pod.id) == 5
    assert (
        count(db, PodMembership, PodMembership.pod_id == pod.id, PodMembership.left_at.is_(None))
        == 4
    )
    assert slack.problems == []


def test_unknown_names_get_closest_matches_and_usage(signed, slack, people, db):
    create_pod(signed, slack, ALICE)
    create_pod(signed, slack, BOB, name="Platform Builders", members=[BOB, CAROL])
    signed.command(DAVE, "pod join platfrom")
    reply = visible_text(last_reply(slack, DAVE))
    assert "There is no pod called “platfrom”" in reply
    assert "*Platform Leads*" in reply and "*Platform Builders*" in reply
    assert "/coach pod join NAME" in reply

    signed.command(DAVE, "pod leave Zebra")
    reply = visible_text(last_reply(slack, DAVE))
    assert "There is no pod called “Zebra”" in reply and "/coach pod list" in reply


def test_missing_name_and_unknown_verbs_get_usage(signed, slack, people):
    signed.command(ALICE, "pod join")
    assert "Name the pod: `/coach pod join NAME`" in visible_text(last_reply(slack, ALICE))
    signed.command(ALICE, "pod jion Platform")
    reply = visible_text(last_reply(slack, ALICE))
    assert "Unknown pod command `jion`" in reply and "Did you mean `/coach pod join`?" in reply
    signed.command(ALICE, "pod")
    assert "/coach pod create" in visible_text(last_reply(slack, ALICE))


def test_join_refused_when_the_pod_is_full(signed, slack, people, db):
    crowd = [f"U0F{i:02d}" for i in range(12)]
    insert_pod(db, "Crowded", members=crowd, channel_id="C0PODS")
    signed.command(ALICE, "pod join crowded")
    assert "*Crowded* is full (12 people at most)" in visible_text(last_reply(slack, ALICE))
    assert ALICE not in active_members(db, pod_named(db, "Crowded").id)

    signed.command(ALICE, "pod list")
    reply = last_reply(slack, ALICE)
    assert "full" in visible_text(reply) and buttons(reply) == []


def test_join_refused_when_the_group_dm_cannot_grow(signed, slack, people, db):
    insert_pod(
        db,
        "Chatty",
        members=[f"U0G{i:02d}" for i in range(8)],
        channel_id="G0CHATTY",
        is_group_dm=True,
    )
    signed.command(ALICE, "pod join Chatty")
    reply = visible_text(last_reply(slack, ALICE))
    assert "group DM, which holds at most 8 people" in reply
    assert "/coach pod edit Chatty" in reply


def test_join_reassigns_roles_of_the_next_session(signed, slack, people, db, clock):
    create_pod(signed, slack, ALICE, channel="C0PODS")
    pod = pod_named(db, "Platform Leads")
    first = next_session(db, pod.id)
    with db.transaction() as tx:
        tx.get(PodSession, first.id).held_at = first.starts_at
    clock.set(first.ends_at + timedelta(minutes=1))
    run_once(signed.bot.rt, clock())  # the pod has met: the next session is scheduled
    signed.command(DAVE, "pod join Platform Leads")
    with db.transaction() as tx:
        pod_session = tx.scalar(
            select(PodSession).where(PodSession.pod_id == pod.id, PodSession.starts_at > clock())
        )
    assert pod_session.id != first.id
    with db.transaction() as tx:
        row = tx.get(PodSession, pod_session.id)
        buddies = {
            tx.get(Member, b.newcomer_member_id).user_id: tx.get(Member, b.buddy_member_id).user_id
            for b in row.buddies
        }
        coach = tx.get(Member, row.coach_member_id).user_id
    # Dave joins a pod that has already met: a newcomer with a buddy who isn't the coach.
    assert set(buddies) == {DAVE}
    assert buddies[DAVE] not in (DAVE, coach)


def test_confirmation_is_ephemeral_where_the_command_was_typed(signed, slack, people, db):
    signed.command(ALICE, "pod create", channel_id="C0PODS")
    view = modal_of(slack, ALICE)
    signed.view_submission(ALICE, view, {**GOOD_FORM, "channel": "C0PODS"})
    (confirmation,) = [e for e in slack.ephemerals(ALICE) if e["channel"] == "C0PODS"]
    text = visible_text(confirmation)
    assert "*Platform Leads* is set up" in text and "in <#C0PODS>" in text
    assert "First session: Tue 3 Mar, 15:00 (Europe/Paris)" in text
    assert all("is set up" not in t for t in dm_texts(slack, ALICE))


LOUD = "<!channel> Hackers <!here>"


def test_a_pod_name_never_pings_anyone(signed, slack, people, db, rt, clock):
    signed.command(ALICE, "pod create", channel_id="C0PODS")
    signed.view_submission(
        ALICE, modal_of(slack, ALICE), {**GOOD_FORM, "name": LOUD, "channel": "C0PODS"}
    )
    escaped = "&lt;!channel&gt; Hackers &lt;!here&gt;"
    (intro,) = slack.messages_to("C0PODS")
    confirmation = [e for e in slack.ephemerals(ALICE) if "is set up" in visible_text(e)]
    run_once(rt, clock())
    (added,) = [m for m in slack.dms(BOB) if "added you" in visible_text(m)]
    shown = [intro, added, confirmation[-1], modal_of(slack, ALICE)]
    for surface in shown:
        raw = str({"text": surface.get("text"), "blocks": surface.get("blocks")})
        assert "<!channel>" not in raw and "<!here>" not in raw, raw
        assert escaped in raw and "&amp;lt;" not in raw, raw
