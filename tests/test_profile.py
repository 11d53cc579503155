"""`/coach profile` through the signed endpoint and the Slack stand-in: the modal (team,
level, skills offered and sought, days and a local time window, opting in, the private
"please don't put me with…" list), saving it, bad input as inline errors that write
nothing, and the profile in the person's own data export and deletion."""

from __future__ import annotations

import json
from datetime import time

import pytest
from sqlalchemy import select

from bot import ids
from models import Member, MemberProfile
from slack_standin.blockcheck import visible_text

pytestmark = pytest.mark.usefixtures("no_slack_refusals")

TEAM = "T0001"
ANA, BO, CY = "U0ANA", "U0BO", "U0CY"
LEVEL_OUTSIDE = {"text": {"type": "plain_text", "text": "Emperor"}, "value": "Emperor"}


@pytest.fixture
def people(slack):  # type: ignore[no-untyped-def]
    slack.add_user(ANA, "ana", tz="Asia/Tokyo")
    slack.add_user(BO, "bo", tz="America/New_York")
    slack.add_user(CY, "cy", tz="Europe/Berlin")


def open_profile(signed, slack, user_id=ANA):  # type: ignore[no-untyped-def]
    response = signed.command(user_id, "profile")
    assert response.status == 200
    views = slack.open_views(user_id)
    assert views, f"no modal open; problems: {slack.problems}"
    return views[-1]


def block(view, block_id):  # type: ignore[no-untyped-def]
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def profile_of(db, user_id=ANA) -> MemberProfile | None:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return tx.scalar(
            select(MemberProfile)
            .join(Member, Member.id == MemberProfile.member_id)
            .where(Member.user_id == user_id)
        )


FULL = {
    "team_name": "Payments engineering",
    "level": "Senior",
    "focus": "Growing into a tech lead role",
    "offers": ["Feedback", "Hiring"],
    "offers_other": "SQL, facilitation",
    "growth": ["Delegation", "Public speaking"],
    "weekdays": ["1", "3"],
    "window_start": "09:30",
    "window_end": "12:00",
    "match_opt_in": ["yes"],
    "avoid": [BO],
}


def test_profile_opens_a_modal_with_every_field(signed, slack, people):
    view = open_profile(signed, slack)
    assert view["title"]["text"] == "My profile"
    text = visible_text(view)
    for label in (
        "Team or function",
        "Level",
        "Skills I can offer",
        "Other skills I can offer",
        "Growth areas",
        "Other growth areas",
        "Days I can meet",
        "From",
        "Until",
        "Match me into a pod",
        "Please don't put me with…",
    ):
        assert label in text, label
    levels = [o["value"] for o in block(view, "level")["element"]["options"]]
    assert levels[:3] == ["Early career", "Mid-level", "Senior"]
    assert block(view, "offers")["element"]["type"] == "multi_static_select"
    assert block(view, "weekdays")["element"]["type"] == "checkboxes"
    assert [o["text"]["text"] for o in block(view, "weekdays")["element"]["options"]][0] == (
        "Monday"
    )
    assert block(view, "window_start")["element"]["type"] == "timepicker"
    assert block(view, "avoid")["element"]["type"] == "multi_users_select"
    assert "only the matcher reads this list" in block(view, "avoid")["hint"]["text"]


def test_saving_a_profile_stores_it_and_confirms_by_dm(signed, slack, db, people):
    view = open_profile(signed, slack)
    response = signed.view_submission(ANA, view, values=FULL)
    assert response.status == 200 and response.body == ""
    profile = profile_of(db)
    assert profile is not None
    assert profile.team_name == "Payments engineering"
    assert profile.level == "Senior"
    assert profile.offers == ["Feedback", "Hiring", "SQL", "facilitation"]
    assert profile.growth == ["Delegation", "Public speaking"]
    assert profile.weekdays == [1, 3]
    assert (profile.window_start, profile.window_end) == (time(9, 30), time(12, 0))
    assert profile.match_opt_in is True
    assert profile.avoid_user_ids == [BO]
    assert profile.focus == "Growing into a tech lead role"

    (dm,) = slack.dms(ANA)
    text = visible_text(dm)
    assert "Your profile is saved" in text
    assert "Tuesday, Thursday, 09:30–12:00 (Asia/Tokyo)" in text
    assert "You're in for matching" in text
    # The private list shows as a count only, never the names on it.
    assert "1 person (only the matcher reads it)" in text
    assert BO not in json.dumps(dm)


def test_the_profile_opens_again_as_saved(signed, slack, db, people):
    signed.view_submission(ANA, open_profile(signed, slack), values=FULL)
    view = open_profile(signed, slack)
    assert block(view, "team_name")["element"]["initial_value"] == "Payments engineering"
    assert block(view, "level")["element"]["initial_option"]["value"] == "Senior"
    chosen = [o["value"] for o in block(view, "offers")["element"]["initial_options"]]
    assert chosen == ["Feedback", "Hiring"]
    assert block(view, "offers_other")["element"]["initial_value"] == "SQL, facilitation"
    days = [o["value"] for o in block(view, "weekdays")["element"]["initial_options"]]
    assert days == ["1", "3"]
    assert block(view, "window_start")["element"]["initial_time"] == "09:30"
    assert block(view, "avoid")["element"]["initial_users"] == [BO]
    assert block(view, "match_opt_in")["element"]["initial_options"][0]["value"] == "yes"
    # Saved again unchanged: still one profile.
    signed.view_submission(ANA, view, values={})
    with db.transaction() as tx:
        assert len(list(tx.scalars(select(MemberProfile)))) == 1


def test_the_window_is_in_the_persons_slack_timezone(signed, slack, db, people):
    open_profile(signed, slack)
    with db.transaction() as tx:
        member = tx.scalar(select(Member).where(Member.user_id == ANA))
        assert member is not None and member.tz == "Asia/Tokyo"
    slack.close_view(ANA, slack.open_views(ANA)[-1]["id"])
    view = open_profile(signed, slack)
    assert "Asia/Tokyo" in block(view, "window_start")["hint"]["text"]


def test_opting_in_without_availability_is_refused_inline(signed, slack, db, people):
    view = open_profile(signed, slack)
    response = signed.view_submission(
        ANA, view, values={"team_name": "Design", "match_opt_in": ["yes"]}
    )
    errors = response.json()["errors"]
    assert "Tick at least one day you can meet" in errors["weekdays"]
    assert "Pick when your window starts and ends" in errors["window_start"]
    assert profile_of(db) is None
    assert slack.dms(ANA) == []


def test_a_window_that_ends_before_it_starts_is_refused(signed, slack, db, people):
    view = open_profile(signed, slack)
    values = FULL | {"window_start": "14:00", "window_end": "10:00"}
    errors = signed.view_submission(ANA, view, values=values).json()["errors"]
    assert errors == {
        "window_end": "The window ends at 10:00, before it starts at 14:00. "
        "Pick an end after the start."
    }
    assert profile_of(db) is None


def test_half_a_window_is_refused(signed, slack, db, people):
    view = open_profile(signed, slack)
    values = {"weekdays": ["0"], "window_start": "14:00"}
    errors = signed.view_submission(ANA, view, values=values).json()["errors"]
    assert errors == {
        "window_end": "Pick both ends of the window: when it starts and when it ends."
    }


def test_a_level_outside_the_list_is_refused(signed, slack, db, people):
    view = open_profile(signed, slack)
    values = FULL | {"level": LEVEL_OUTSIDE}
    errors = signed.view_submission(ANA, view, values=values, client_checks=False).json()["errors"]
    assert set(errors) == {"level"}
    assert "“Emperor” is not one of the program's levels" in errors["level"]
    assert "Early career" in errors["level"]
    assert profile_of(db) is None


def test_yourself_on_your_own_list_is_refused(signed, slack, db, people):
    view = open_profile(signed, slack)
    errors = signed.view_submission(ANA, view, values=FULL | {"avoid": [ANA, BO]}).json()["errors"]
    assert errors == {"avoid": "That list is for other people: take yourself off it."}
    assert profile_of(db) is None


def test_too_many_skills_are_refused(signed, slack, db, people):
    view = open_profile(signed, slack)
    many = ", ".join(f"Skill {n}" for n in range(16))
    errors = signed.view_submission(ANA, view, values=FULL | {"offers_other": many}).json()[
        "errors"
    ]
    assert "Pick at most 15 skills" in errors["offers_other"]
    assert profile_of(db) is None


def test_profile_takes_nothing_after_it(signed, slack, people):
    signed.command(ANA, "profile please")
    assert slack.open_views(ANA) == []
    (reply,) = slack.ephemerals(ANA) or slack.responses
    assert "takes nothing after it" in visible_text(reply)


def test_my_data_export_has_my_profile_and_private_list(signed, slack, db, people):
    signed.view_submission(ANA, open_profile(signed, slack), values=FULL)
    signed.command(ANA, "my-data export")
    (message,) = [m for m in slack.dms(ANA) if m.get("files")]
    uploaded = slack.uploaded_file(message["files"][0]["id"])
    data = json.loads(uploaded["content"].decode("utf-8"))
    matching = data["profile"]["matching_profile"]
    assert matching["team_or_function"] == "Payments engineering"
    assert matching["please_dont_put_me_with"] == [BO]
    assert matching["weekdays"] == [1, 3] and matching["window_start"] == "09:30:00"
    assert matching["match_me_into_a_pod"] is True


def test_nobody_elses_export_shows_my_private_list(signed, slack, db, people):
    signed.view_submission(ANA, open_profile(signed, slack), values=FULL)
    signed.view_submission(BO, open_profile(signed, slack, BO), values={"team_name": "Ops"})
    signed.command(BO, "my-data export")
    (message,) = [m for m in slack.dms(BO) if m.get("files")]
    content = slack.uploaded_file(message["files"][0]["id"])["content"].decode("utf-8")
    assert json.loads(content)["profile"]["matching_profile"]["please_dont_put_me_with"] == []
    assert ANA not in content


def test_my_data_delete_removes_my_profile(signed, slack, db, people):
    signed.view_submission(ANA, open_profile(signed, slack), values=FULL)
    signed.command(ANA, "my-data delete")
    view = slack.open_views(ANA)[-1]
    signed.view_submission(ANA, view, values={ids.MY_DATA_CONFIRM_BLOCK: ["yes"]})
    with db.transaction() as tx:
        assert list(tx.scalars(select(MemberProfile))) == []
