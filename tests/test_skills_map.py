"""The skills map in `/coach admin`: how many people offer and seek each skill, the
largest gaps, as a message and a chart in the admin's DM; `coachbot skills --csv`; and
the admins' levels and skills lists, edited in a modal."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.charts import PNG_MAGIC
from bot.people_cli import run_skills
from models import Member, MemberProfile, ProgramLevel, ProgramSkill
from slack_standin.blockcheck import visible_text
from tests.support.harness import build_test_runtime

TEAM = "T0001"
ADMIN, ANA, BO, CY, DEE, EVE = "U0ADMIN", "U0ANA", "U0BO", "U0CY", "U0DEE", "U0EVE"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def rt(db, slack, clock):  # type: ignore[no-untyped-def]
    return build_test_runtime(db, slack.api_url, clock, COACHBOT_ADMINS=ADMIN)


@pytest.fixture
def admin(slack):  # type: ignore[no-untyped-def]
    slack.add_user(ADMIN, "admin")
    slack.add_user(ANA, "ana")


def add_profile(db, user_id: str, offers: list[str], growth: list[str], **member) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        person = Member(team_id=TEAM, user_id=user_id, display_name=user_id.lower(), **member)
        tx.add(person)
        tx.flush()
        tx.add(
            MemberProfile(
                team_id=TEAM,
                member_id=person.id,
                offers=offers,
                growth=growth,
                weekdays=[],
                avoid_user_ids=[],
                created_at=NOW,
                updated_at=NOW,
            )
        )


@pytest.fixture
def map_world(db):  # type: ignore[no-untyped-def]
    add_profile(db, ANA, ["Feedback", "Hiring"], ["Delegation", "Public speaking"])
    add_profile(db, BO, ["Feedback"], ["Delegation", "Strategy"])
    add_profile(db, CY, ["Mentoring"], ["Delegation", "Public speaking", "Juggling"])
    add_profile(db, DEE, ["Strategy"], ["Delegation"])
    # Deactivated in Slack: not counted.
    add_profile(db, EVE, ["Delegation"], ["Hiring"], deactivated_at=NOW)


def show_map(signed, slack):  # type: ignore[no-untyped-def]
    signed.command(ADMIN, "admin")
    (settings,) = slack.open_views(ADMIN)
    response = signed.press(ADMIN, settings, "Skills map")
    assert response.status == 200 and not response.problems
    return visible_text(slack.open_views(ADMIN)[-1]).replace("*", "")


def test_the_skills_map_shows_counts_and_the_largest_gaps(
    signed, slack, admin, map_world, no_slack_refusals
):
    shown = show_map(signed, slack)
    assert "4 people with a profile, 0 in for matching" in shown
    assert "Largest gaps" in shown
    gaps = shown.split("Largest gaps")[1].split("Every skill")[0]
    assert gaps.index("Delegation: 4 seek, 0 offer (gap 4)") < gaps.index(
        "Public speaking: 2 seek, 0 offer (gap 2)"
    )
    assert "Feedback" not in gaps  # offered, sought by nobody: no gap
    assert "Feedback: 2 offer · 0 seek" in shown
    assert "Strategy: 1 offer · 1 seek" in shown
    # Someone's own words ("Juggling", named by one person) are only counted.
    assert "Juggling" not in shown
    assert "Other skills people named: 0 offer · 1 seek" in shown
    assert ADMIN not in shown and ANA not in shown

    (chart,) = [m for m in slack.dms(ADMIN) if m.get("files")]
    assert "the largest gap is Delegation" in chart["text"]
    uploaded = slack.uploaded_file(chart["files"][0]["id"])
    assert uploaded["content"].startswith(PNG_MAGIC)
    assert uploaded["title"] == "Skills offered and sought (4 people)"


def test_an_empty_map_says_how_to_fill_it(signed, slack, admin, no_slack_refusals):
    shown = show_map(signed, slack)
    assert "No skills in any profile yet" in shown
    assert slack.calls_to("files.getUploadURLExternal") == []


def test_only_admins_see_the_map(signed, slack, admin, map_world):
    signed.block_action(ANA, "skills_map")
    shown = visible_text(slack.open_views(ANA)[-1])
    assert "Only program admins can do this." in shown
    assert "Delegation" not in shown
    assert slack.dms(ANA) == []


def test_skills_csv_exports_the_map(rt, map_world, capsys):
    assert run_skills(argparse.Namespace(csv=True, team=None), rt) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "skill,offered,sought,gap,on_program_list"
    assert lines[1] == "Delegation,0,4,4,yes"
    assert "Feedback,2,0,-2,yes" in lines
    assert "Other skills people named,0,1,1,no" in lines
    assert not any(line.startswith("Juggling") for line in lines)


def test_skills_csv_keeps_typed_names_from_running_as_formulas(rt, db, capsys):
    for user_id in (ANA, BO, CY):
        add_profile(db, user_id, ["=HYPERLINK(1)"], [])
    assert run_skills(argparse.Namespace(csv=True, team=None), rt) == 0
    assert "'=HYPERLINK(1),3,0,-3,no" in capsys.readouterr().out.splitlines()


def test_skills_csv_without_any_program_says_so(rt, capsys):
    assert run_skills(argparse.Namespace(csv=True, team=None), rt) == 2
    assert "No program is set up yet" in capsys.readouterr().err


# --------------------------------------------------------------------------- the lists


def lists_modal(signed, slack):  # type: ignore[no-untyped-def]
    signed.command(ADMIN, "admin")
    (settings,) = slack.open_views(ADMIN)
    signed.press(ADMIN, settings, "Levels and skills")
    return slack.open_views(ADMIN)[-1]


def test_admins_edit_the_levels_and_skills(signed, slack, db, admin, no_slack_refusals):
    view = lists_modal(signed, slack)
    assert view["title"]["text"] == "Levels and skills"
    levels = next(b for b in view["blocks"] if b.get("block_id") == "levels")
    assert levels["element"]["initial_value"].splitlines()[0] == "Early career"
    response = signed.view_submission(
        ADMIN,
        view,
        values={
            "levels": "Associate\nEngineer\n  engineer \nStaff\n\nPrincipal",
            "skills": "Architecture, Code review\nMentoring",
        },
    )
    assert response.status == 200 and response.body == ""
    with db.transaction() as tx:
        levels = list(tx.scalars(select(ProgramLevel.name).order_by(ProgramLevel.position)))
        skills = list(tx.scalars(select(ProgramSkill.name).order_by(ProgramSkill.id)))
    assert levels == ["Associate", "Engineer", "Staff", "Principal"]
    assert skills == ["Architecture", "Code review", "Mentoring"]
    assert "Levels and skills saved" in visible_text(slack.dms(ADMIN)[-1])

    # People pick from the new lists.
    signed.command(ANA, "profile")
    profile = slack.open_views(ANA)[-1]
    level = next(b for b in profile["blocks"] if b.get("block_id") == "level")
    assert [o["value"] for o in level["element"]["options"]] == levels
    offers = next(b for b in profile["blocks"] if b.get("block_id") == "offers")
    assert [o["value"] for o in offers["element"]["options"]] == skills


def test_empty_lists_are_refused_inline(signed, slack, db, admin, no_slack_refusals):
    view = lists_modal(signed, slack)
    response = signed.view_submission(
        ADMIN, view, values={"levels": " \n ", "skills": ", ,"}, client_checks=False
    )
    errors = response.json()["errors"]
    assert "List at least one level" in errors["levels"]
    assert "List at least one skill" in errors["skills"]
    with db.transaction() as tx:
        assert list(tx.scalars(select(ProgramLevel))) == []


def test_a_non_admin_cannot_save_the_lists(signed, slack, db, admin, monkeypatch):
    view = lists_modal(signed, slack)
    # The admin loses the role while the modal is open.
    from bot.settings import Settings

    monkeypatch.setattr(Settings, "admin_user_ids", property(lambda self: frozenset()))
    errors = signed.view_submission(ADMIN, view, values={"levels": "A\nB", "skills": "C"}).json()[
        "errors"
    ]
    assert errors == {"levels": "Only program admins can edit the levels and skills."}
    with db.transaction() as tx:
        assert list(tx.scalars(select(ProgramLevel))) == []
