"""/coach prompts through the signed endpoint: scenario matching, pillar questions,
primers, the first-session script, and community tactics from contribution to
"from the community" (admins' review DMs through the outbox and the sender)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.program_content import get_content
from bot.scheduler import run_once
from models import CommunityTactic, TacticStatus
from slack_standin.server import buttons, visible_text
from slack_standin.signing import SubmissionBlocked
from tests.support.harness import build_test_runtime

ADMIN, SLACK_ADMIN = "U0ADMIN", "U0OWNER"
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
TACTIC = "Ask what they would say if they knew the other person would thank them for it."


@pytest.fixture
def rt(db, slack, clock):
    return build_test_runtime(db, slack.api_url, clock, COACHBOT_ADMINS=ADMIN)


@pytest.fixture
def people(slack):
    slack.add_user(ADMIN, "admin", real_name="Ada Admin", tz="Europe/Berlin")
    slack.add_user(SLACK_ADMIN, "owner", real_name="Olga Owner", is_owner=True)
    slack.add_user(ALICE, "alice", real_name="Alice Archer", tz="Europe/Paris")
    slack.add_user(BOB, "bob", real_name="Bob Baker")
    slack.add_user(CAROL, "carol", real_name="Carol Contributor", display_name="caro")
    return slack


def reply(signed, slack, user_id, text):
    before = len(slack.ephemerals(user_id))
    response = signed.command(user_id, text)
    assert response.status == 200 and not response.problems, response.problems
    shown = slack.ephemerals(user_id)
    assert len(shown) == before + 1, f"/coach {text} answered {len(shown) - before} times"
    return shown[-1]


def text_of(signed, slack, user_id, text):
    return visible_text(reply(signed, slack, user_id, text))


# --------------------------------------------------------------------------- listing


def test_prompts_lists_every_scenario_with_its_summary_and_the_usage(signed, slack, people):
    shown = text_of(signed, slack, ALICE, "prompts")
    for scenario in get_content().scenarios:
        assert scenario.name in shown
        assert " ".join(scenario.summary.split()) in shown
    assert "/coach prompts [SCENARIO]" in shown
    assert "/coach prompts add" in shown
    assert "/coach prompts primers" in shown


@pytest.mark.parametrize(
    "typed",
    [
        "hard-feedback",  # the key
        "Giving hard feedback",  # the name
        "GIVING HARD FEEDBACK",  # any case
        "giving hard feedbak",  # a typo
        "  feedback ",  # an alias, with spaces
    ],
)
def test_a_scenario_by_key_name_case_typo_or_alias(signed, slack, people, typed):
    scenario = next(s for s in get_content().scenarios if s.key == "hard-feedback")
    shown = text_of(signed, slack, ALICE, f"prompts {typed}")
    assert scenario.name in shown
    for pillar in ("intent", "exploration", "experiment"):
        for prompt in scenario.prompts.for_pillar(pillar):
            assert prompt in shown
    assert "Intent" in shown and "Exploration" in shown and "Experiment" in shown
    assert "From the community" not in shown


def test_no_match_offers_the_closest_scenarios_and_the_usage(signed, slack, people):
    shown = text_of(signed, slack, ALICE, "prompts team")
    assert "I couldn't find a scenario matching “team”" in shown
    assert "A cross-functional conflict" in shown
    assert "Working with a new team" in shown
    assert "Usage:" in shown and "/coach prompts [SCENARIO]" in shown
    assert "Launching a new initiative" not in shown


def test_nothing_close_lists_every_scenario(signed, slack, people):
    shown = text_of(signed, slack, ALICE, "prompts quantum physics")
    assert "I couldn't find a scenario matching “quantum physics”" in shown
    for scenario in get_content().scenarios:
        assert scenario.name in shown


def test_typed_text_is_shown_escaped(signed, slack, people):
    shown = text_of(signed, slack, ALICE, "prompts <!channel> zzzz")
    assert "<!channel>" not in shown
    assert "&lt;!channel&gt;" in shown


def test_pillar_questions_primers_and_first_session_script(signed, slack, people):
    content = get_content()
    intent = text_of(signed, slack, ALICE, "prompts intent")
    assert "Intent questions" in intent
    for question in content.questions.intent:
        assert question.text in intent
    primers = text_of(signed, slack, ALICE, "prompts primers")
    for primer in content.primers:
        assert primer.title in primers
        assert primer.tips[0] in primers
    script = text_of(signed, slack, ALICE, "prompts first session")
    assert content.first_session.title in script
    for step in content.first_session.steps:
        assert step.title in script
    assert "0–5 min" in script


# --------------------------------------------------------------------------- contributing


def open_contribution(signed, slack, user_id=CAROL, extra=""):
    response = signed.command(user_id, f"prompts add{extra}")
    assert response.status == 200 and not response.problems, response.problems
    (view,) = slack.open_views(user_id)
    return view


def contribute(signed, slack, user_id=CAROL, text=TACTIC, tag="Giving hard feedback"):
    view = open_contribution(signed, slack, user_id)
    response = signed.view_submission(
        user_id,
        view,
        by_label={
            "What are you sharing?": "question",
            "Your question, tactic or reframe": text,
            "Where does it fit?": tag,
        },
    )
    assert response.status == 200 and not response.problems, response.problems
    assert slack.open_views(user_id) == [], slack.view_errors(view["id"])


def the_tactic(db) -> CommunityTactic:
    with db.transaction() as tx:
        tactic = tx.scalar(select(CommunityTactic))
        assert tactic is not None
        tx.expunge(tactic)
        return tactic


def review_dm(slack, user_id):
    found = [m for m in slack.dms(user_id) if "for the library" in visible_text(m)]
    assert len(found) == 1, [visible_text(m) for m in slack.dms(user_id)]
    return found[0]


def test_the_contribution_modal_offers_kinds_and_pillar_or_scenario_tags(signed, slack, people):
    view = open_contribution(signed, slack)
    shown = visible_text(view)
    for label in ("Question", "Tactic", "Reframe", "Session pillar", "Scenario", "Intent"):
        assert label in shown
    for scenario in get_content().scenarios:
        assert scenario.name in shown
    assert "Your name is never shown" in shown


def test_contribute_review_approve_and_it_shows_from_the_community(
    signed, slack, people, rt, clock, db
):
    signed.command(SLACK_ADMIN, "welcome")  # a Slack owner the bot knows about
    contribute(signed, slack)
    tactic = the_tactic(db)
    assert tactic.status == TacticStatus.PENDING
    assert tactic.contributor_member_id is not None
    thanks = visible_text(slack.dms(CAROL)[-1])
    assert "Thank you for sharing" in thanks and "/coach prompts hard-feedback" in thanks

    run_once(rt, clock())
    for admin in (ADMIN, SLACK_ADMIN):
        dm = review_dm(slack, admin)
        shown = visible_text(dm)
        assert TACTIC in shown and "Giving hard feedback" in shown
        for trace in ("carol", "Carol", "caro", CAROL):
            assert trace not in shown
        assert [b[0] for b in buttons(dm)] == ["Approve", "Decline"]
    assert "From the community" not in text_of(signed, slack, BOB, "prompts hard feedback")

    response = signed.press(ADMIN, review_dm(slack, ADMIN), "Approve")
    assert not response.problems
    decided = visible_text(review_dm(slack, ADMIN))
    assert f"Approved by <@{ADMIN}>" in decided
    assert buttons(review_dm(slack, ADMIN)) == []
    assert the_tactic(db).status == TacticStatus.APPROVED

    run_once(rt, clock())  # the other admin's DM shows the outcome too
    assert buttons(review_dm(slack, SLACK_ADMIN)) == []
    assert "Approved by" in visible_text(review_dm(slack, SLACK_ADMIN))

    shown = text_of(signed, slack, BOB, "prompts giving hard feedback")
    assert "From the community" in shown
    assert TACTIC in shown
    for trace in ("carol", "Carol", "caro", CAROL):
        assert trace not in shown
    assert TACTIC not in text_of(signed, slack, BOB, "prompts new project")


def test_a_pillar_tag_shows_with_the_pillar_questions(signed, slack, people, rt, clock):
    contribute(signed, slack, text="What would make this easy?", tag="Experiment")
    run_once(rt, clock())
    signed.press(ADMIN, review_dm(slack, ADMIN), "Approve")
    shown = text_of(signed, slack, ALICE, "prompts experiment")
    assert "From the community" in shown and "What would make this easy?" in shown
    assert "What would make this easy?" not in text_of(signed, slack, ALICE, "prompts intent")


def test_someone_who_is_not_an_admin_cannot_decide(signed, slack, people, rt, clock, db):
    contribute(signed, slack)
    tactic = the_tactic(db)
    response = signed.block_action(BOB, "tactic_approve", value=str(tactic.id))
    assert not response.problems
    assert "Only program admins can approve or decline" in visible_text(slack.ephemerals(BOB)[-1])
    assert the_tactic(db).status == TacticStatus.PENDING


def test_the_first_decision_wins(signed, slack, people, rt, clock, db):
    signed.command(SLACK_ADMIN, "welcome")
    contribute(signed, slack)
    run_once(rt, clock())
    owner_dm = review_dm(slack, SLACK_ADMIN)
    signed.press(ADMIN, review_dm(slack, ADMIN), "Decline")
    assert "Declined by" in visible_text(review_dm(slack, ADMIN))

    signed.press(SLACK_ADMIN, owner_dm, "Approve")  # before the outcome reached them
    shown = visible_text(review_dm(slack, SLACK_ADMIN))
    assert f"already declined by <@{ADMIN}>" in shown and "nothing changed" in shown
    tactic = the_tactic(db)
    assert tactic.status == TacticStatus.DECLINED and tactic.reviewed_by == ADMIN
    assert TACTIC not in text_of(signed, slack, BOB, "prompts hard feedback")


def test_contribution_form_errors_are_inline_and_nothing_is_stored(signed, slack, people, db):
    view = open_contribution(signed, slack, extra=" Ask about the first step")
    assert "Ask about the first step" in visible_text(view)
    with pytest.raises(SubmissionBlocked):
        signed.view_submission(CAROL, view, by_label={"Your question, tactic or reframe": ""})
    signed.view_submission(
        CAROL,
        view,
        by_label={"Your question, tactic or reframe": "x" * 301},
        client_checks=False,
    )
    errors = slack.view_errors(view["id"])
    assert "300 characters or fewer" in errors["text"]
    assert "question, a tactic or a reframe" in errors["kind"]
    assert "pillar or a scenario" in errors["tag"]
    assert slack.open_views(CAROL) != []
    with db.transaction() as tx:
        assert tx.scalar(select(CommunityTactic)) is None


def test_a_form_slack_would_not_open_gets_a_plain_answer(signed, slack, people):
    slack.fail("views.open", "expired_trigger_id")
    signed.command(CAROL, "prompts add")
    assert slack.open_views(CAROL) == []
    assert "Please run the command again" in visible_text(slack.ephemerals(CAROL)[-1])
