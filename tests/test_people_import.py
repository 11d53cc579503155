"""Onboarding many people at once: `coachbot people import FILE` (CSV) and `/coach admin`
→ Import a user group. Good rows go in, bad rows are reported by line with the reason,
a re-import updates and never duplicates, and each person is invited by DM once."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.people_cli import run_people
from bot.sender import OutboxSender
from models import Member, MemberProfile, OutboxMessage
from slack_standin.blockcheck import visible_text
from tests.support.harness import BOT_TOKEN, SIGNING_SECRET, build_test_runtime

TEAM = "T0001"
ADMIN, ANA, BO, CY, DEE, ROBOT, GONE = (
    "U0ADMIN",
    "U0ANA",
    "U0BO",
    "U0CY",
    "U0DEE",
    "U0ROBOT",
    "U0GONE",
)
ENGINEERING = "S0ENG"
BIN = Path(sys.executable).parent


@pytest.fixture
def rt(db, slack, clock):  # type: ignore[no-untyped-def]
    return build_test_runtime(db, slack.api_url, clock, COACHBOT_ADMINS=ADMIN)


@pytest.fixture
def people(slack):  # type: ignore[no-untyped-def]
    slack.add_user(ADMIN, "admin", tz="Europe/Berlin")
    slack.add_user(ANA, "ana", tz="Asia/Tokyo")
    slack.add_user(BO, "bo", tz="America/New_York", email="bo.b@example.com")
    slack.add_user(CY, "cy", tz="Europe/Berlin")
    slack.add_user(DEE, "dee", tz="Europe/Lisbon")
    slack.add_user(ROBOT, "robot", is_bot=True)
    slack.add_user(GONE, "gone", deleted=True)
    slack.add_usergroup(ENGINEERING, "engineering", [ANA, CY, DEE], name="Engineering")
    return slack


def import_file(rt, tmp_path, text: str, capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    code = run_people(argparse.Namespace(file=str(path), team=None), rt)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def profiles(db) -> dict[str, MemberProfile]:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        rows = tx.execute(
            select(Member.user_id, MemberProfile).join(
                MemberProfile, MemberProfile.member_id == Member.id
            )
        ).all()
        for _, profile in rows:
            tx.expunge(profile)
        return {user_id: profile for user_id, profile in rows}


def invites(db) -> int:  # type: ignore[no-untyped-def]
    with db.transaction() as tx:
        return int(
            tx.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "profile_invite")
            )
            or 0
        )


def deliver(rt, clock) -> None:  # type: ignore[no-untyped-def]
    OutboxSender(rt.db, rt.client, clock=clock).drain()


GOOD = (
    "slack_id,email,team,level,skills,growth_areas\n"
    f"{ANA},,Payments,Senior,Feedback; hiring ;SQL,Delegation\n"
    ",bo.b@example.com,Platform,mid-level,,Public speaking;Strategy\n"
)


def test_a_csv_import_adds_people_and_invites_each_once(
    rt, db, clock, slack, people, tmp_path, capsys
):
    code, out, err = import_file(rt, tmp_path, GOOD, capsys)
    assert (code, err) == (0, "")
    assert "2 added, 0 updated, 0 already up to date, 0 not imported." in out
    assert "2 invited by DM" in out
    found = profiles(db)
    assert set(found) == {ANA, BO}
    ana, bo = found[ANA], found[BO]
    assert (ana.team_name, ana.level) == ("Payments", "Senior")
    assert ana.offers == ["Feedback", "Hiring", "SQL"]  # spelled as the program's list
    assert ana.growth == ["Delegation"]
    assert (bo.team_name, bo.level, bo.offers) == ("Platform", "Mid-level", [])
    assert bo.growth == ["Public speaking", "Strategy"]
    assert ana.match_opt_in is False and ana.imported_at is not None
    with db.transaction() as tx:
        tz = dict(tx.execute(select(Member.user_id, Member.tz)).all())
    assert tz[ANA] == "Asia/Tokyo" and tz[BO] == "America/New_York"

    deliver(rt, clock)
    (dm,) = slack.dms(ANA)
    text = visible_text(dm)
    assert "added to the peer coaching program" in text
    assert "Match me into a pod" in text
    assert "Check my profile" in text


def test_the_invitation_button_opens_the_profile(
    rt, db, clock, signed, slack, people, tmp_path, capsys
):
    import_file(rt, tmp_path, GOOD, capsys)
    deliver(rt, clock)
    (dm,) = slack.dms(ANA)
    signed.press(ANA, dm, "Check my profile")
    (view,) = slack.open_views(ANA)
    assert view["title"]["text"] == "My profile"
    team = next(b for b in view["blocks"] if b.get("block_id") == "team_name")
    assert team["element"]["initial_value"] == "Payments"


def test_a_reimport_updates_and_never_invites_twice(rt, db, clock, slack, people, tmp_path, capsys):
    import_file(rt, tmp_path, GOOD, capsys)
    deliver(rt, clock)
    changed = GOOD.replace("Payments,Senior", "Payments,Manager")
    code, out, _ = import_file(rt, tmp_path, changed, capsys)
    assert code == 0
    assert "0 added, 1 updated, 1 already up to date, 0 not imported." in out
    assert "0 invited by DM" in out
    found = profiles(db)
    assert len(found) == 2 and found[ANA].level == "Manager"
    with db.transaction() as tx:
        assert tx.scalar(select(func.count()).select_from(MemberProfile)) == 2
    assert invites(db) == 2
    deliver(rt, clock)
    assert len(slack.dms(ANA)) == 1


def test_empty_cells_leave_the_profile_as_it_is(rt, db, slack, people, tmp_path, capsys):
    import_file(rt, tmp_path, GOOD, capsys)
    import_file(rt, tmp_path, f"slack_id,team\n{ANA},\n", capsys)
    ana = profiles(db)[ANA]
    assert (ana.team_name, ana.level, ana.offers) == (
        "Payments",
        "Senior",
        ["Feedback", "Hiring", "SQL"],
    )


def test_bad_rows_are_reported_by_line_and_the_good_ones_go_in(
    rt, db, slack, people, tmp_path, capsys
):
    text = (
        "slack_id,email,team,level,skills\n"
        f"{ANA},,Payments,Senior,Feedback\n"  # line 2: good
        f"{CY},,Payments,Emperor,\n"  # 3: level outside the list
        "not-an-id,,Ops,,\n"  # 4: malformed id
        "U0NOBODY,,Ops,,\n"  # 5: unknown to Slack
        ",nobody@example.com,Ops,,\n"  # 6: unknown e-mail
        ",,Ops,,\n"  # 7: no id at all
        f"{ANA},,Payments,,\n"  # 8: the same person again
        f"{ROBOT},,Bots,,\n"  # 9: a bot
        f"{GONE},,Gone,,\n"  # 10: deactivated
        f"{DEE},,Ops,,,extra\n"  # 11: too many cells
        ",not-an-email,Ops,,\n"  # 12
    )
    code, out, _ = import_file(rt, tmp_path, text, capsys)
    assert code == 1
    assert "1 added, 0 updated, 0 already up to date, 10 not imported." in out
    for expected in (
        f"line 3 ({CY}): level “Emperor” is not one of the program's levels",
        "line 4 (NOT-AN-ID): “NOT-AN-ID” is not a Slack user id",
        "line 5 (U0NOBODY): Slack has no user U0NOBODY",
        "line 6 (nobody@example.com): no Slack user has the e-mail nobody@example.com",
        "line 7: no slack_id or email: say who this row is",
        f"line 8 ({ANA}): the same person as line 2",
        f"line 9 ({ROBOT}): a bot, not a person",
        f"line 10 ({GONE}): deactivated in Slack",
        "line 11: 6 cells but the header has 5 columns",
        "line 12 (not-an-email): “not-an-email” is not an e-mail address",
    ):
        assert expected in out, expected
    assert set(profiles(db)) == {ANA}
    assert invites(db) == 1


def test_unknown_columns_import_nothing_and_name_the_column(
    rt, db, slack, people, tmp_path, capsys
):
    code, out, err = import_file(
        rt, tmp_path, f"slack_id,team,skils,mood\n{ANA},Payments,Feedback,happy\n", capsys
    )
    assert code == 2 and out == ""
    assert "Unknown columns “skils” (did you mean “skills”?), “mood”." in err
    assert "The columns are: slack_id, email, team, level, skills, growth_areas" in err
    assert profiles(db) == {} and invites(db) == 0


def test_a_file_without_an_id_column_imports_nothing(rt, db, slack, people, tmp_path, capsys):
    code, _, err = import_file(rt, tmp_path, "team,level\nOps,Senior\n", capsys)
    assert code == 2
    assert "needs a slack_id or an email column" in err
    assert profiles(db) == {}


def test_a_missing_file_is_named(rt, db, slack, people, tmp_path, capsys):
    code = run_people(argparse.Namespace(file=str(tmp_path / "nope.csv"), team=None), rt)
    assert code == 2
    assert "No file at" in capsys.readouterr().err


# --------------------------------------------------------------------------- user groups


def import_group_modal(signed, slack, user_id=ADMIN):  # type: ignore[no-untyped-def]
    signed.command(user_id, "admin")
    (settings,) = slack.open_views(user_id)
    response = signed.press(user_id, settings, "Import a user group")
    assert response.status == 200 and not response.problems
    return slack.open_views(user_id)[-1]


def test_an_admin_imports_a_user_group(rt, db, clock, signed, slack, people, no_slack_refusals):
    view = import_group_modal(signed, slack)
    assert view["title"]["text"] == "Import a user group"
    picker = next(b for b in view["blocks"] if b.get("block_id") == "usergroup")
    assert [o["text"]["text"] for o in picker["element"]["options"]] == ["Engineering (3 members)"]
    signed.view_submission(ADMIN, view, values={"usergroup": ENGINEERING})
    shown = visible_text(slack.open_views(ADMIN)[-1])
    assert "Imported Engineering." in shown
    assert "3 added, 0 updated, 0 already up to date, 0 not imported." in shown
    assert set(profiles(db)) == {ANA, CY, DEE}
    assert invites(db) == 3

    # Again: nobody new, nobody invited twice.
    slack.close_view(ADMIN, slack.open_views(ADMIN)[0]["id"])
    view = import_group_modal(signed, slack)
    signed.view_submission(ADMIN, view, values={"usergroup": ENGINEERING})
    shown = visible_text(slack.open_views(ADMIN)[-1])
    assert "0 added, 0 updated, 3 already up to date" in shown
    assert invites(db) == 3
    deliver(rt, clock)
    assert len(slack.dms(CY)) == 1


def test_only_admins_import_user_groups(rt, db, signed, slack, people, no_slack_refusals):
    signed.command(ANA, "admin")
    assert slack.open_views(ANA) == []  # the settings modal itself is for admins only
    # A forged press of the button is answered, and lists no group.
    signed.block_action(ANA, "usergroup_import_open")
    (view,) = slack.open_views(ANA)
    assert "Only program admins can do this." in visible_text(view)
    assert slack.calls_to("usergroups.list") == []
    assert profiles(db) == {}


# --------------------------------------------------------------------------- the command line


def test_the_command_line_imports_a_file(tmp_path, slack, people):
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'coachbot.db'}",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "coachbot"), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("db", "upgrade").returncode == 0
    (tmp_path / "people.csv").write_text(GOOD + "U0NOBODY,,Ops,,,\n", encoding="utf-8")
    result = run("people", "import", "people.csv")
    assert result.returncode == 1, result.stderr
    assert "2 added" in result.stdout
    assert "line 4 (U0NOBODY): Slack has no user U0NOBODY" in result.stdout
    assert "Traceback" not in result.stderr
    skills = run("skills", "--csv")
    assert skills.returncode == 0, skills.stderr
    lines = skills.stdout.splitlines()
    assert lines[0] == "skill,offered,sought,gap,on_program_list"
    assert "Delegation,0,1,1,yes" in lines


def test_people_already_in_for_matching_are_not_invited(rt, db, slack, people, tmp_path, capsys):
    import_file(rt, tmp_path, f"slack_id,team\n{ANA},Payments\n", capsys)
    with db.transaction() as tx:
        tx.execute(MemberProfile.__table__.update().values(match_opt_in=True))
        tx.execute(OutboxMessage.__table__.delete())
    code, out, _ = import_file(rt, tmp_path, f"slack_id,team\n{ANA},Platform\n{CY},Ops\n", capsys)
    assert code == 0
    assert "1 added, 1 updated" in out and "1 invited by DM" in out
    with db.transaction() as tx:
        invited = list(tx.scalars(select(OutboxMessage.recipient)))
    assert invited == [CY]


def test_a_large_file_is_matched_against_the_directory(rt, db, slack, people, tmp_path, capsys):
    rows = []
    for n in range(30):
        user_id = f"U0P{n:03d}"
        slack.add_user(user_id, f"person{n}", email=f"person{n}@example.com")
        rows.append(f"{user_id},,Team {n % 3}" if n % 2 else f",person{n}@example.com,Team {n % 3}")
    rows.append("U0NOBODY,,Ops")
    text = "slack_id,email,team\n" + "\n".join(rows) + "\n"
    code, out, _ = import_file(rt, tmp_path, text, capsys)
    assert code == 1
    assert "30 added, 0 updated, 0 already up to date, 1 not imported." in out
    assert "line 32 (U0NOBODY): Slack has no user U0NOBODY" in out
    assert slack.calls_to("users.info") == []
    assert slack.calls_to("users.lookupByEmail") == []
    assert 1 <= len(slack.calls_to("users.list")) <= 2
    assert profiles(db)["U0P007"].team_name == "Team 1"
