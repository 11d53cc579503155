"""`/coach growth [QUARTER]` through the signed endpoint and the Slack stand-in: the
person's own quarter as a DM and a Markdown file uploaded into that DM, and nothing
of anyone else's, whoever asks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models import CheckIn, Experiment, ExperimentStatus, Kudos, PodSession, Reflection
from slack_standin.blockcheck import visible_text
from tests.test_checkin_support import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    DAN,
    TEAM,
    add_people,
    last_ephemeral,
    make_member,
    make_pod,
)

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

ALICE_INTENT = "How do I push back on scope creep without losing trust?"
ALICE_INSIGHT = "Naming the trade-off out loud made the no land softly"
ALICE_ACTION = "Open the next planning meeting with the trade-offs"
ALICE_EXPERIMENT = "Decline one request this week with a reason"
ALICE_OUTCOME = "They thanked me for being clear"
ALICE_OLD_INSIGHT = "Summer insight from the third quarter"
BOB_INTENT = "Bob wonders how to delegate the release"
BOB_INSIGHT = "Bob learned that silence hides disagreement"
BOB_KUDOS_TEXT = "Alice praised Bob for his patience"
KUDOS_TO_ALICE = "you said no to the deadline & kept the team calm"
PRIVATE_KUDOS = "thank you for the quiet help <3"
ADMIN_INSIGHT = "The admin's own insight about delegation"


def at(month: int, day: int, hour: int = 15) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def a_quarter_of_growth(db) -> None:
    """Growth (Alice, Bob, Carol) in 2026 Q4: Alice coached one session (held by
    "We met") and checked in and reflected for the next; Bob has words of his own."""
    with db.transaction() as tx:
        alice, bob = make_member(tx, ALICE, NOW), make_member(tx, BOB, NOW)
        carol, admin = make_member(tx, CAROL, NOW), make_member(tx, ADMIN, NOW)
        pod = make_pod(tx, "Growth", [ALICE, BOB, CAROL], NOW)

        def session(starts_at: datetime, **fields) -> PodSession:
            row = PodSession(
                team_id=TEAM,
                pod_id=pod.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=45),
                created_at=starts_at - timedelta(days=7),
                **fields,
            )
            tx.add(row)
            tx.flush()
            return row

        session(at(10, 6), coach_member_id=alice.id, held_at=at(10, 6, 16))
        second = session(at(10, 13), coach_member_id=bob.id)
        session(at(10, 20))  # nobody came: not held
        upcoming = session(at(11, 24), coach_member_id=alice.id)
        tx.add_all(
            [
                CheckIn(team_id=TEAM, session_id=second.id, member_id=alice.id,
                        intent=ALICE_INTENT, created_at=at(10, 13, 9)),
                CheckIn(team_id=TEAM, session_id=second.id, member_id=bob.id,
                        intent=BOB_INTENT, created_at=at(10, 13, 9)),
                Reflection(team_id=TEAM, member_id=alice.id, session_id=second.id,
                           insight=ALICE_INSIGHT, action=ALICE_ACTION, created_at=at(10, 13, 17)),
                Reflection(team_id=TEAM, member_id=bob.id, session_id=second.id,
                           insight=BOB_INSIGHT, action="Ask more", created_at=at(10, 13, 17)),
                Reflection(team_id=TEAM, member_id=alice.id, insight=ALICE_OLD_INSIGHT,
                           action="Rest", created_at=at(9, 2)),
                Reflection(team_id=TEAM, member_id=admin.id, insight=ADMIN_INSIGHT,
                           action="Delegate", created_at=at(11, 2)),
                Experiment(team_id=TEAM, member_id=alice.id, session_id=second.id,
                           text=ALICE_EXPERIMENT, due_date=date(2026, 10, 20),
                           status=ExperimentStatus.TRIED, resolved_at=at(10, 19),
                           outcome_note=ALICE_OUTCOME, created_at=at(10, 13, 9)),
                Experiment(team_id=TEAM, member_id=bob.id, text="Bob's own experiment",
                           due_date=date(2026, 10, 20), created_at=at(10, 13, 9)),
                Kudos(team_id=TEAM, giver_member_id=bob.id, receiver_member_id=alice.id,
                      value="Courage", text=KUDOS_TO_ALICE, created_at=at(10, 14)),
                Kudos(team_id=TEAM, giver_member_id=carol.id, receiver_member_id=alice.id,
                      value="Generosity", text=PRIVATE_KUDOS, is_private=True,
                      created_at=at(11, 3)),
                Kudos(team_id=TEAM, giver_member_id=alice.id, receiver_member_id=bob.id,
                      value="Curiosity", text=BOB_KUDOS_TEXT, created_at=at(10, 15)),
            ]
        )  # fmt: skip
        assert upcoming.id


@pytest.fixture
def growth_world(db, slack, clock):
    add_people(slack)
    clock.set(NOW)
    a_quarter_of_growth(db)


def the_file(slack, user_id: str) -> tuple[dict, str]:
    """The one file uploaded into the person's DM and its text."""
    (message,) = [m for m in slack.dms(user_id) if m.get("files")]
    (shared,) = message["files"]
    uploaded = slack.uploaded_file(shared["id"])
    return {**uploaded, "comment": message.get("text", "")}, uploaded["content"].decode("utf-8")


def summary_dm_text(slack, user_id: str) -> str:
    (message,) = [m for m in slack.dms(user_id) if not m.get("files")]
    return visible_text(message)


# --------------------------------------------------------------------------- my quarter


def test_my_growth_comes_as_a_dm_and_a_markdown_file(
    growth_world, signed, slack, no_slack_refusals
):
    response = signed.command(ALICE, "growth")
    assert response.status == 200
    assert last_ephemeral(slack, ALICE) == "Your growth summary for 2026 Q4 is in your DMs."

    dm = summary_dm_text(slack, ALICE)
    assert "Your growth — 2026 Q4" in dm
    assert "so far" in dm
    assert "1 attended, 1 coached" in dm.replace("*", "")
    assert "1 committed, 1 tried" in dm.replace("*", "")
    assert ALICE_INSIGHT in dm
    assert "you said no to the deadline &amp; kept the team calm" in dm  # escaped once
    assert "&amp;amp;" not in dm

    uploaded, markdown = the_file(slack, ALICE)
    assert uploaded["filename"] == "growth-2026-Q4.md"
    assert uploaded["title"] == "Growth summary — 2026 Q4"
    assert uploaded["channel"] == slack.im_channel(ALICE)
    assert "2026 Q4" in uploaded["comment"]
    assert markdown.startswith("# Growth summary — 2026 Q4\n")
    for words in (ALICE_INTENT, ALICE_INSIGHT, ALICE_ACTION, ALICE_EXPERIMENT, ALICE_OUTCOME):
        assert words in markdown
    assert "**Courage** from bob" in markdown
    assert "you said no to the deadline & kept the team calm" in markdown  # as written
    assert "**Generosity** from carol" in markdown and PRIVATE_KUDOS in markdown
    assert "Tue 6 Oct 2026 · Growth — coached" in markdown
    assert "Tue 13 Oct 2026 · Growth — attended" in markdown
    assert "Tue 20 Oct 2026" not in markdown  # not held
    assert "24 Nov" not in markdown.split("## Sessions")[1]  # not yet held
    assert ALICE_OLD_INSIGHT not in markdown  # another quarter
    for words in (BOB_INTENT, BOB_INSIGHT, BOB_KUDOS_TEXT, "Bob's own experiment", ADMIN_INSIGHT):
        assert words not in markdown and words not in dm
    assert slack.dms(BOB) == [] and slack.dms(ADMIN) == []


def test_a_named_quarter_in_any_accepted_spelling(growth_world, signed, slack, no_slack_refusals):
    signed.command(ALICE, "growth q3 2026")
    assert last_ephemeral(slack, ALICE) == "Your growth summary for 2026 Q3 is in your DMs."
    uploaded, markdown = the_file(slack, ALICE)
    assert uploaded["filename"] == "growth-2026-Q3.md"
    assert ALICE_OLD_INSIGHT in markdown
    assert ALICE_INSIGHT not in markdown
    assert "so far" not in markdown


# --------------------------------------------------------------------------- bad input


def test_a_malformed_quarter_gets_the_usage(growth_world, signed, slack, no_slack_refusals):
    signed.command(ALICE, "growth last quarter")
    text = last_ephemeral(slack, ALICE)
    assert "is not a quarter" in text and "2026Q4" in text
    assert "/coach growth [QUARTER]" in text
    assert slack.dms(ALICE) == []
    assert slack.calls_to("files.getUploadURLExternal") == []


@pytest.mark.parametrize("asker", [ALICE, ADMIN])
def test_naming_someone_is_refused_for_everyone(
    growth_world, signed, slack, no_slack_refusals, asker
):
    signed.command(asker, f"growth <@{BOB}|bob> 2026Q4")
    text = last_ephemeral(slack, asker)
    assert "Growth summaries are only ever for yourself" in text
    assert "/coach growth [QUARTER]" in text
    assert slack.dms(asker) == [] and slack.dms(BOB) == []
    assert slack.calls_to("files.getUploadURLExternal") == []


def test_an_empty_quarter_is_said_plainly_without_a_file(
    growth_world, signed, slack, no_slack_refusals
):
    signed.command(DAN, "growth")
    text = last_ephemeral(slack, DAN)
    assert "nothing of yours in 2026 Q4 so far" in text
    assert slack.dms(DAN) == []
    assert slack.calls_to("files.getUploadURLExternal") == []

    signed.command(ALICE, "growth 2027Q1")
    assert "2027 Q1 hasn't started yet" in last_ephemeral(slack, ALICE)
    assert slack.dms(ALICE) == []


def test_an_admin_gets_only_their_own_summary(growth_world, signed, slack, no_slack_refusals):
    signed.command(ADMIN, "growth 2026-Q4")
    assert last_ephemeral(slack, ADMIN) == "Your growth summary for 2026 Q4 is in your DMs."
    _, markdown = the_file(slack, ADMIN)
    dm = summary_dm_text(slack, ADMIN)
    assert ADMIN_INSIGHT in markdown
    assert "0 attended, 0 coached" in dm.replace("*", "")
    for words in (ALICE_INTENT, ALICE_INSIGHT, BOB_INSIGHT, KUDOS_TO_ALICE, PRIVATE_KUDOS):
        assert words not in markdown and words not in dm
    assert slack.dms(ALICE) == []


def test_when_slack_refuses_the_upload_the_person_is_told(growth_world, signed, slack):
    slack.fail("files.completeUploadExternal", "internal_error")
    signed.command(ALICE, "growth")
    assert "didn't let me send your growth summary" in last_ephemeral(slack, ALICE)
