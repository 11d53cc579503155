"""Theme rotation per pod and the coach brief's questions (services, real database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.program_content import get_content
from bot.services import sessions as svc
from bot.services import themes
from models import CheckIn, PodPlaybook, PodSession, SessionStatus
from tests.test_sessions_factory import TEAM, make_member, make_pod

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Monday; pods meet Tuesdays 15:00 London
SHIPPED = [theme.key for theme in get_content().themes]


def sessions_of(tx, pod_id) -> list[PodSession]:
    return list(
        tx.scalars(
            select(PodSession).where(PodSession.pod_id == pod_id).order_by(PodSession.starts_at)
        )
    )


def themes_of(tx, pod_id, *, cancelled: bool = False) -> list[str | None]:
    return [
        s.theme_key
        for s in sessions_of(tx, pod_id)
        if cancelled or s.status != SessionStatus.CANCELLED
    ]


def run_weeks(tx, weeks: int, start: datetime = NOW) -> datetime:
    """Schedules, then lets a week pass, `weeks` times (what tick does over time)."""
    now = start
    for _ in range(weeks):
        svc.schedule_upcoming(tx, now)
        now += timedelta(weeks=1)
    svc.schedule_upcoming(tx, now)
    return now


def two_pods(tx):
    first = make_pod(tx, "First", [make_member(tx, u) for u in ("U1", "U2", "U3")])
    second = make_pod(tx, "Second", [make_member(tx, u) for u in ("U4", "U5", "U6")])
    return first, second


def test_each_pod_rotates_through_the_themes_in_order_without_repeats(db):
    with db.transaction() as tx:
        first, second = two_pods(tx)
        run_weeks(tx, len(SHIPPED) + 1)
        assert themes_of(tx, first.id) == [*SHIPPED, SHIPPED[0], SHIPPED[1]]
        assert themes_of(tx, second.id) == themes_of(tx, first.id)


def test_two_pods_rotate_independently(db):
    with db.transaction() as tx:
        first = make_pod(tx, "First", [make_member(tx, u) for u in ("U1", "U2")])
        now = run_weeks(tx, 3)
        second = make_pod(tx, "Second", [make_member(tx, u) for u in ("U4", "U5")])
        run_weeks(tx, 2, start=now)
        assert themes_of(tx, first.id) == SHIPPED[:6]
        assert themes_of(tx, second.id) == SHIPPED[:3]


def test_a_cancelled_session_gives_its_theme_back(db):
    with db.transaction() as tx:
        first, second = two_pods(tx)
        run_weeks(tx, 1)  # two sessions each: themes 0 and 1
        upcoming = svc.next_session_for_pod(tx, first.id, NOW + timedelta(weeks=1))
        assert upcoming.theme_key == SHIPPED[1]
        svc.cancel_session(tx, upcoming, NOW + timedelta(weeks=1), "Offsite")
        assert themes_of(tx, first.id, cancelled=True) == [SHIPPED[0], SHIPPED[1], SHIPPED[1]]
        assert themes_of(tx, first.id) == [SHIPPED[0], SHIPPED[1]]
        run_weeks(tx, 2, start=NOW + timedelta(weeks=2))
        assert themes_of(tx, first.id) == SHIPPED[:4]  # one session fewer
        assert themes_of(tx, second.id) == SHIPPED[:5]


def test_a_playbook_changes_the_rotation_of_its_pod_only(db):
    with db.transaction() as tx:
        first, second = two_pods(tx)
        now = run_weeks(tx, 2)  # themes 0, 1, and 2 scheduled
        tx.add(
            PodPlaybook(team_id=TEAM, pod_id=first.id, themes=["Hiring well", "1:1s"], prompts=[])
        )
        tx.flush()
        themes.retheme_upcoming(tx, first, now)
        now = run_weeks(tx, 3, start=now + timedelta(weeks=1))
        custom = [f"{themes.CUSTOM_PREFIX}Hiring well", f"{themes.CUSTOM_PREFIX}1:1s"]
        assert themes_of(tx, first.id) == [SHIPPED[0], SHIPPED[1], *custom, *custom, custom[0]]
        assert themes_of(tx, second.id) == SHIPPED[:7]
        assert [themes.theme_title(k) for k in themes_of(tx, first.id)[2:4]] == [
            "Hiring well",
            "1:1s",
        ]

        # Cleared: back to the shipped rotation, where the pod left it.
        tx.delete(tx.get(PodPlaybook, first.id))
        tx.flush()
        themes.retheme_upcoming(tx, first, now)
        run_weeks(tx, 1, start=now + timedelta(weeks=1))
        assert themes_of(tx, first.id)[-3:] == SHIPPED[2:5]
        assert themes_of(tx, first.id)[:6] == [SHIPPED[0], SHIPPED[1], *custom, *custom]


def test_sessions_already_announced_keep_their_theme(db):
    with db.transaction() as tx:
        first, _ = two_pods(tx)
        svc.schedule_upcoming(tx, NOW)
        (upcoming,) = sessions_of(tx, first.id)
        upcoming.prep_enqueued_at = NOW
        tx.add(PodPlaybook(team_id=TEAM, pod_id=first.id, themes=["Hiring well"], prompts=[]))
        tx.flush()
        assert themes.retheme_upcoming(tx, first, NOW) == []
        assert upcoming.theme_key == SHIPPED[0]


def test_theme_titles():
    assert themes.theme_title(SHIPPED[0]) == get_content().themes[0].title
    assert themes.theme_title("custom:Hiring well") == "Hiring well"
    assert themes.theme_title(None) == "Open conversation"


def _scheduled(tx, pod):
    svc.schedule_upcoming(tx, NOW)
    return svc.next_session_for_pod(tx, pod.id, NOW)


def test_brief_questions_fit_the_theme_and_the_chosen_scenarios(db):
    content = get_content()
    with db.transaction() as tx:
        first, _ = two_pods(tx)
        upcoming = _scheduled(tx, first)
        plain = themes.brief_questions(tx, upcoming)
        assert len(plain) == 3 and len(set(plain)) == 3

        people = sorted(m.member_id for m in first.memberships)
        tx.add(
            CheckIn(
                team_id=TEAM,
                session_id=upcoming.id,
                member_id=people[0],
                intent="How do I tell my peer their demo missed the point?",
                scenario_key="hard-feedback",
            )
        )
        tx.flush()
        with_scenario = themes.brief_questions(tx, upcoming)
        feedback = next(s for s in content.scenarios if s.key == "hard-feedback")
        scenario_prompts = {
            p
            for pillar in ("intent", "exploration", "experiment")
            for p in feedback.prompts.for_pillar(pillar)
        }
        tagged = {
            q.text for group, _, q in content.questions.all() if set(q.tags) & set(feedback.tags)
        }
        assert with_scenario != plain
        assert all(q in scenario_prompts | tagged for q in with_scenario)


def test_a_playbook_prompt_leads_that_pods_brief_only(db):
    with db.transaction() as tx:
        first, second = two_pods(tx)
        tx.add(
            PodPlaybook(
                team_id=TEAM,
                pod_id=first.id,
                themes=["Delegation"],
                prompts=["What did you notice about yourself this week?", "Who helped you?"],
            )
        )
        tx.flush()
        first_session = _scheduled(tx, first)
        second_session = svc.next_session_for_pod(tx, second.id, NOW)
        assert first_session.theme_key == "custom:Delegation"
        brief = themes.brief_questions(tx, first_session)
        assert brief[0] == "What did you notice about yourself this week?"
        assert len(brief) == 3
        other = themes.brief_questions(tx, second_session)
        assert "What did you notice about yourself this week?" not in other
        assert "Who helped you?" not in other

        # A playbook theme titled like a shipped one borrows its questions.
        delegation = next(t for t in get_content().themes if t.key == "delegation")
        tagged = {
            q.text
            for _, _, q in get_content().questions.all()
            if set(q.tags) & set(delegation.tags)
        }
        assert brief[1] in tagged
