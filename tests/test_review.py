"""The quarterly review: the quarter's facts (K_count, an empty quarter, a malformed
quarter), the chart and CSV the CLI writes, and the upload to the digest channel
through the Slack stand-in's upload flow."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import report_cli
from bot.charts import PNG_MAGIC
from bot.notify.review import post_review
from bot.services import review
from bot.services.refusals import Refusal
from bot.ui import review as review_ui
from models import CommunityTactic, Kudos, ProgramSettings, TacticStatus
from models.velocity_views import Quarter
from tests.test_checkin_support import ALICE, BOB, CAROL, DAN, TEAM, make_member, make_pod
from tests.test_stats import experiment, reflect, session_at

DIGEST = "C0DIGEST"
APRIL = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
SECRET_TACTIC_AUTHOR = DAN


def q1_with_data(db, people=(ALICE, BOB, CAROL)) -> None:
    """2026 Q1: sessions in two weeks, insights, experiments tried, kudos, tactics."""
    with db.transaction() as tx:
        pod = make_pod(tx, "Growth", list(people), APRIL)
        first = session_at(tx, pod.id, datetime(2026, 1, 6, 15, tzinfo=UTC), we_met=True)
        second = session_at(tx, pod.id, datetime(2026, 2, 3, 15, tzinfo=UTC))
        reflect(tx, people[0], datetime(2026, 1, 6, 16, tzinfo=UTC), session=first)
        reflect(tx, people[1], datetime(2026, 2, 3, 16, tzinfo=UTC), session=second)
        reflect(tx, people[1], datetime(2026, 2, 4, 9, tzinfo=UTC))
        experiment(
            tx,
            people[0],
            datetime(2026, 1, 6, tzinfo=UTC),
            date(2026, 1, 13),
            tried_at=datetime(2026, 1, 9, tzinfo=UTC),
        )
        experiment(
            tx,
            people[1],
            datetime(2026, 1, 30, tzinfo=UTC),
            date(2026, 2, 6),
            tried_at=datetime(2026, 2, 5, tzinfo=UTC),
        )
        reflect(tx, people[0], datetime(2025, 12, 31, 23, tzinfo=UTC))  # Q4 2025
        giver, receiver = make_member(tx, people[0], APRIL), make_member(tx, people[1], APRIL)
        for value, count in (("curiosity", 2), ("courage", 1)):
            for _ in range(count):
                tx.add(
                    Kudos(
                        team_id=TEAM,
                        giver_member_id=giver.id,
                        receiver_member_id=receiver.id,
                        value=value,
                        text="Thanks for asking the hard question",
                        created_at=datetime(2026, 2, 10, tzinfo=UTC),
                    )
                )
        author = make_member(tx, SECRET_TACTIC_AUTHOR, APRIL)
        for text, status, reviewed in (
            ("Ask <what> would make this easy?", TacticStatus.APPROVED, datetime(2026, 3, 1)),
            ("Name the assumption out loud", TacticStatus.APPROVED, datetime(2025, 12, 1)),
            ("Pending idea", TacticStatus.PENDING, None),
        ):
            tx.add(
                CommunityTactic(
                    team_id=TEAM,
                    contributor_member_id=author.id,
                    kind="question",
                    text=text,
                    status=status,
                    reviewed_at=reviewed.replace(tzinfo=UTC) if reviewed else None,
                )
            )


def facts_of(db, quarter="2026Q1", now=APRIL):
    with db.transaction() as tx:
        return review.review_facts(tx, TEAM, quarter, now)


# --------------------------------------------------------------------------- quarters


@pytest.mark.parametrize(
    "text", ["2026Q4", "2026-Q4", "q4 2026", "Q4 2026", " 2026q4 ", "2026 Q4", "q4-2026"]
)
def test_quarters_are_read_in_the_usual_spellings(text):
    quarter = review.parse_quarter(text)
    assert quarter == Quarter(2026, 4)
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2027, 1, 1))


@pytest.mark.parametrize("text", ["2026Q5", "Q4", "2026", "last quarter", "", "20260Q1", "1999Q1"])
def test_a_malformed_quarter_is_refused_with_the_format(text):
    with pytest.raises(Refusal) as refused:
        review.parse_quarter(text)
    assert "2026Q4" in refused.value.message


def test_review_facts_refuses_a_malformed_quarter(db):
    with pytest.raises(review.NotAQuarter):
        facts_of(db, "Q9 2026")


def test_the_previous_quarter_is_the_last_one_ended():
    assert review.previous_quarter(date(2026, 1, 15)) == Quarter(2025, 4)
    assert review.previous_quarter(date(2026, 5, 15)) == Quarter(2026, 1)


# --------------------------------------------------------------------------- facts


def test_a_quarters_facts(db):
    q1_with_data(db)
    facts = facts_of(db)
    assert facts.withheld is None and facts.has_data
    v = facts.velocity
    assert v.sessions_held == 2
    assert v.insights == 3  # the one on 31 Dec belongs to 2025 Q4
    assert v.tried == 2 and (v.due_tried, v.due) == (2, 2)
    assert v.median_days_to_tried == 4.5
    assert facts.kudos_by_value == (("curiosity", 2), ("courage", 1))
    assert facts.new_tactics == ("Ask <what> would make this easy?",)
    assert facts.weeks[0].start == date(2026, 1, 1)  # the quarter's first days, clipped
    assert facts.weeks[1].start == date(2026, 1, 5)
    assert facts.weeks[-1].start == date(2026, 3, 30)
    assert len(facts.weeks) == 14
    week_of_6_jan = facts.weeks[1]
    assert (week_of_6_jan.sessions_held, week_of_6_jan.insights, week_of_6_jan.tried) == (1, 1, 1)


def test_the_summary_has_counts_and_no_contributor(db):
    q1_with_data(db)
    text = review_ui.summary_text(facts_of(db))
    assert "Quarterly review — 2026 Q1" in text
    assert "2 sessions held" in text and "3 insights captured" in text
    assert "2 experiments tried" in text
    assert "Curiosity 2, Courage 1" in text
    assert "“Ask &lt;what&gt; would make this easy?”" in text  # escaped for Slack
    assert "Name the assumption" not in text and "Pending idea" not in text
    assert not re.search(r"\bdan\b", text, re.IGNORECASE)


def test_an_empty_quarter_says_so(db):
    q1_with_data(db)
    facts = facts_of(db, "2026Q3", now=datetime(2026, 10, 2, tzinfo=UTC))
    assert facts.withheld is None and not facts.has_data
    assert "No data this quarter" in review_ui.summary_text(facts)


def test_two_people_show_no_numbers_three_do(db):
    q1_with_data(db, people=(ALICE, BOB))
    facts = facts_of(db)
    assert facts.withheld is not None and "fewer than 3" in facts.withheld
    assert facts.velocity is None and facts.kudos_by_value == () and facts.new_tactics == ()
    assert "No numbers" in review_ui.summary_text(facts)
    with db.transaction() as tx:
        pod_id = make_pod(tx, "Second", [CAROL], APRIL).id
        assert pod_id
    assert facts_of(db).withheld is None


def test_the_current_quarter_counts_up_to_now(db):
    q1_with_data(db)
    facts = facts_of(db, now=datetime(2026, 1, 8, 12, tzinfo=UTC))
    assert [week.start for week in facts.weeks] == [date(2026, 1, 1), date(2026, 1, 5)]
    assert facts.velocity.sessions_held == 1


# --------------------------------------------------------------------------- the CLI's files


def test_the_report_writes_a_png_and_a_csv(db, rt, tmp_path, capsys):
    q1_with_data(db)
    rt.clock = lambda: APRIL
    code = report_cli.run_report(["--quarter", "2026-q1", "--out", str(tmp_path)], rt)
    assert code == 0
    chart = tmp_path / "coachbot-review-2026Q1.png"
    table = tmp_path / "coachbot-review-2026Q1.csv"
    assert chart.read_bytes().startswith(PNG_MAGIC)
    rows = list(csv.reader(table.open(encoding="utf-8")))
    assert rows[0] == ["week", "sessions_held", "insights", "experiments_tried"]
    assert rows[1] == ["2026-01-01", "0", "0", "0"]
    assert rows[2] == ["2026-01-05", "1", "1", "1"]
    assert rows[6] == ["2026-02-02", "1", "2", "1"]
    assert len(rows) == 15
    printed = capsys.readouterr().out
    assert "Quarterly review — 2026 Q1" in printed and str(chart) in printed
    assert "&lt;" not in printed  # plain text on a terminal


def test_an_empty_quarter_writes_no_chart(db, rt, tmp_path, capsys):
    q1_with_data(db)
    rt.clock = lambda: APRIL
    facts, paths = report_cli.write_report(rt, TEAM, "2025Q3", tmp_path)
    assert not facts.has_data
    assert [path.suffix for path in paths] == [".csv"]
    assert not list(tmp_path.glob("*.png"))


def test_a_malformed_quarter_on_the_command_line_writes_nothing(db, rt, tmp_path, capsys):
    q1_with_data(db)
    code = report_cli.run_report(["--quarter", "Q5-2026", "--out", str(tmp_path)], rt)
    assert code == 2
    assert "2026Q4" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_no_program_set_up_is_said_plainly(db, rt, tmp_path, capsys):
    code = report_cli.run_report(["--quarter", "2026Q1", "--out", str(tmp_path)], rt)
    assert code == 2
    assert "No program is set up yet" in capsys.readouterr().err


# --------------------------------------------------------------------------- the upload


def with_digest_channel(db, slack) -> None:
    slack.add_channel(DIGEST, "coaching-digest")
    with db.transaction() as tx:
        tx.add(ProgramSettings(team_id=TEAM, digest_channel_id=DIGEST))


def test_post_review_uploads_the_chart_to_the_digest_channel(db, rt, slack):
    q1_with_data(db)
    with_digest_channel(db, slack)
    rt.clock = lambda: APRIL
    answer = post_review(rt, rt.client, TEAM, "2026Q1")
    assert answer == f"Posted the 2026 Q1 review to <#{DIGEST}>."
    methods = [call.method for call in slack.calls]
    assert methods.index("files.getUploadURLExternal") < methods.index(
        "files.completeUploadExternal"
    )
    (message,) = slack.messages_to(DIGEST)
    assert "Quarterly review — 2026 Q1" in message["text"]
    (shared,) = message["files"]
    uploaded = slack.uploaded_file(shared["id"])
    assert uploaded["channel"] == DIGEST
    assert uploaded["filename"] == "coachbot-review-2026Q1.png"
    assert uploaded["content"].startswith(PNG_MAGIC)
    assert slack.failed_calls() == []


def test_post_review_defaults_to_the_last_quarter_ended(db, rt, slack):
    q1_with_data(db)
    with_digest_channel(db, slack)
    rt.clock = lambda: APRIL + timedelta(days=3)
    assert "2026 Q1" in post_review(rt, rt.client, TEAM)


def test_post_review_without_a_digest_channel_says_so(db, rt, slack):
    q1_with_data(db)
    rt.clock = lambda: APRIL
    answer = post_review(rt, rt.client, TEAM, "2026Q1")
    assert "no digest channel" in answer.lower() and "/coach admin" in answer
    assert slack.calls_to("files.getUploadURLExternal") == []


def test_post_review_of_an_empty_quarter_posts_nothing(db, rt, slack):
    q1_with_data(db)
    with_digest_channel(db, slack)
    rt.clock = lambda: APRIL
    answer = post_review(rt, rt.client, TEAM, "2025Q2")
    assert "No data this quarter" in answer and "Nothing was posted" in answer
    assert slack.messages_to(DIGEST) == []
    assert slack.calls_to("files.getUploadURLExternal") == []


def test_post_review_of_a_malformed_quarter_is_refused(db, rt, slack):
    answer = post_review(rt, rt.client, TEAM, "soon")
    assert "2026Q4" in answer
    assert slack.calls_to("files.getUploadURLExternal") == []


def test_a_refused_upload_is_explained(db, rt, slack):
    q1_with_data(db)
    slack.add_channel(DIGEST, "coaching-digest", bot_member=False)
    with db.transaction() as tx:
        tx.add(ProgramSettings(team_id=TEAM, digest_channel_id=DIGEST))
    rt.clock = lambda: APRIL
    answer = post_review(rt, rt.client, TEAM, "2026Q1")
    assert "Slack refused the upload (not_in_channel)" in answer
