"""One effect per request, on every write path.

Every view submission and every button that writes (handlers/*.py), and the Events API
events that write, are sent twice: once the second copy after the first was handled (a
second click on a button still on screen, a retried submission), once both copies at the
same instant (a double-click). The second copy is a new request (new timestamp and
signature), so the replay guard does not stop it: the write path itself must.

"One effect as a person sees it": the database ends as after one request (same rows,
same values: the clock does not move), nobody gets a second message (DMs and channel
posts, through the outbox or directly). The second click may be answered (privately,
in place of the first answer where there is a message to replace): it says what is so,
it changes nothing.

The write paths (callback / action id → test id):
  views    CHECKIN_CALLBACK checkin · REFLECTION_CALLBACK reflection ·
           EXPERIMENT_NOTE_CALLBACK experiment-note · REFLECTION_REMINDER_CALLBACK
           reminder-set · KUDOS_CALLBACK kudos-modal · POD_FORM_CALLBACK pod-create ·
           PLAYBOOK_CALLBACK playbook · TACTIC_CALLBACK tactic · MY_DATA_DELETE_CALLBACK
           my-data-delete · PROGRAM_SETTINGS_CALLBACK admin-settings · RITUALS_CALLBACK
           rituals
  buttons  WE_MET we-met · EXPERIMENT_TRIED/NOT_YET/DROP experiment-* ·
           LEARNING_WITHDRAW withdraw · REFLECTION_REMINDER_STOP reminder-stop ·
           KUDOS_VALUE kudos-value · POD_JOIN pod-join · TACTIC_APPROVE/DECLINE tactic-* ·
           PULSE_SCORE pulse-score · PULSE_POD_FINE/DIFFERENT pulse-pod-* ·
           GROUND_RULES_AGREE ground-rules · CALENDAR_ROTATE calendar-rotate ·
           SHOWCASE_SIGN_UP showcase-sign-up · DIGEST_POST_NOW digest-post-now
  events   app_home_opened, user_change, app_uninstalled (Slack's retry: same event_id)
Slash commands are typed, not clicked: a replayed one is tests/test_replay.py's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import ids
from bot.sender import OutboxSender
from bot.services import reflections
from bot.ui import my_data as my_data_ui
from bot.ui.answers import SORRY
from models import Base, CommunityTactic, PodSession
from slack_standin.blockcheck import visible_text
from tests.conftest import _empty_all_tables
from tests.support.harness import build_test_runtime
from tests.test_checkin_support import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    DAN,
    TEAM,
    World,
    add_people,
    build_world,
    checkin_values,
    make_experiment,
    modal_on_screen,
)

IGNORED_TABLES = {"request_receipts", "slack_event_receipts"}
POSTS = {"chat.postMessage", "files.uploadV2", "files.completeUploadExternal", "chat.update"}
PUBLIC_URL = "https://coach.example.com"


@pytest.fixture
def rt(db, slack, clock):  # type: ignore[no-untyped-def]
    """The test runtime with a public URL (the calendar feed needs one)."""
    return build_test_runtime(db, slack.api_url, clock, PUBLIC_URL=PUBLIC_URL)


# ---------------------------------------------------------------- what a person sees


@dataclass(frozen=True)
class Effects:
    rows: dict[str, list[str]]
    posts: list[tuple[str, str]]
    answers: list[str]

    @property
    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.rows.items()}


def snapshot(rt, slack, clock, user_id: str) -> Effects:  # type: ignore[no-untyped-def]
    OutboxSender(rt.db, rt.client, clock=clock).drain()
    rows: dict[str, list[str]] = {}
    with rt.db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name not in IGNORED_TABLES:
                rows[table.name] = sorted(
                    repr(tuple(r)) for r in connection.execute(table.select())
                )
    posts = [
        (call.method, str(call.params.get("channel") or call.params.get("channel_id")))
        for call in slack.calls
        if call.method in POSTS and call.ok
    ]
    answers = [visible_text(message) for message in slack.ephemerals(user_id)]
    return Effects(rows, posts, answers)


# ---------------------------------------------------------------- sending a request twice


class Scene:
    """One write path's set-up, then its request, sent once or twice."""

    def __init__(self, signed, slack, rt, clock, world: World, mode: str) -> None:  # type: ignore[no-untyped-def]
        self.signed, self.slack, self.rt, self.clock, self.world = signed, slack, rt, clock, world
        self.mode = mode
        self.actor = ALICE
        self.after_first: Effects | None = None

    @contextmanager
    def doubled(self) -> Iterator[None]:
        """The next request the Slack side sends goes out twice (mode permitting)."""
        sim = self.signed.sim
        original = sim._request
        if self.mode == "once":
            yield
            return

        def twice(method, path, data, headers):  # type: ignore[no-untyped-def]
            sim._request = original  # only this request is doubled
            timestamp = str(int(headers["X-Slack-Request-Timestamp"]) + 1)
            again = {
                **headers,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": sim.sign(data.decode(), timestamp),
            }
            if self.mode == "one after the other":
                first = original(method, path, data, headers)
                self.signed.bot.settle()
                self.after_first = snapshot(self.rt, self.slack, self.clock, self.actor)
                original(method, path, data, again)
                return first
            results: dict[str, Any] = {}
            start = threading.Barrier(2)

            def send(name: str, with_headers: dict[str, str]) -> None:
                start.wait()
                results[name] = original(method, path, data, with_headers)

            threads = [
                threading.Thread(target=send, args=("first", headers)),
                threading.Thread(target=send, args=("second", again)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return results["first"]

        sim._request = twice
        try:
            yield
        finally:
            sim._request = original

    def submit(self, user_id: str, view: dict[str, Any], values=None, by_label=None) -> None:  # type: ignore[no-untyped-def]
        self.actor = user_id
        with self.doubled():
            self.signed.view_submission(user_id, view, values, by_label=by_label)

    def click(self, user_id: str, action_id: str, value: str | None = None, **where: Any) -> None:
        self.actor = user_id
        with self.doubled():
            self.signed.block_action(user_id, action_id, value=value, **where)

    def press(self, user_id: str, surface: dict[str, Any], text: str, **options: Any) -> None:
        self.actor = user_id
        with self.doubled():
            self.signed.press(user_id, surface, text, **options)

    def event(self, event: dict[str, Any]) -> None:
        """Slack's retry of an event: the same event id, with X-Slack-Retry-Num."""
        self.signed.event(event, event_id="EvONCE")
        if self.mode == "once":
            return
        self.after_first = snapshot(self.rt, self.slack, self.clock, self.actor)
        self.signed.event(event, event_id="EvONCE", retry_num=1, retry_reason="http_timeout")


# ---------------------------------------------------------------- the write paths

Path = Callable[[Scene], None]


def checkin(s: Scene) -> None:
    s.signed.command(ALICE, "checkin")
    s.submit(ALICE, modal_on_screen(s.slack, ALICE), checkin_values())


def reflection(s: Scene) -> None:
    s.signed.command(ALICE, "reflect")
    values = {"insight": "Ask first.", "action": "Ask one question.", "share": ["share"]}
    s.submit(ALICE, modal_on_screen(s.slack, ALICE), values)


def _experiment(s: Scene) -> int:
    return make_experiment(
        s.rt.db, ALICE, "Say no once with a reason.", date(2026, 3, 1), created_at=s.clock()
    )


def experiment_note(s: Scene) -> None:
    s.signed.block_action(ALICE, ids.EXPERIMENT_ADD_NOTE_ACTION, value=str(_experiment(s)))
    s.submit(ALICE, modal_on_screen(s.slack, ALICE), {"note": "They said yes to half."})


def reminder_set(s: Scene) -> None:
    s.signed.block_action(CAROL, ids.REFLECTION_REMINDER_SET_ACTION)
    s.submit(CAROL, modal_on_screen(s.slack, CAROL), {"weekday": "2", "time": "08:00"})


def kudos_modal(s: Scene) -> None:
    s.signed.block_action(ALICE, ids.HOME_KUDOS_ACTION)
    form = {"recipients": [BOB], "value": "Courage", "text": "you said no to the deadline"}
    s.submit(ALICE, modal_on_screen(s.slack, ALICE), form)


def pod_create(s: Scene) -> None:
    s.signed.command(DAN, "pod create")
    form = {
        "name": "Platform Leads",
        "focus_kind": "function",
        "focus_text": "Leading without authority",
        "members": [DAN, BOB],
        "cadence": "2",
        "weekday": "1",
        "time": "15:00",
    }
    s.submit(DAN, modal_on_screen(s.slack, DAN), form)


def playbook(s: Scene) -> None:
    s.signed.block_action(ALICE, ids.PLAYBOOK_OPEN_ACTION, value=str(s.world.pod_id))
    s.submit(ALICE, modal_on_screen(s.slack, ALICE), {"themes": "Hiring well\nRunning 1:1s"})


def tactic(s: Scene) -> None:
    s.signed.command(CAROL, "prompts add")
    by_label = {
        "What are you sharing?": "question",
        "Your question, tactic or reframe": "What would you try if you knew it would work?",
        "Where does it fit?": "Giving hard feedback",
    }
    s.submit(CAROL, modal_on_screen(s.slack, CAROL), by_label=by_label)


def my_data_delete(s: Scene) -> None:
    reflection(Scene(s.signed, s.slack, s.rt, s.clock, s.world, "once"))
    s.signed.command(ALICE, "my-data delete")
    confirm = {ids.MY_DATA_CONFIRM_BLOCK: [my_data_ui.CONFIRM_VALUE]}
    s.submit(ALICE, modal_on_screen(s.slack, ALICE), confirm)


def admin_settings(s: Scene) -> None:
    s.signed.command(ADMIN, "admin")
    s.submit(
        ADMIN,
        modal_on_screen(s.slack, ADMIN),
        by_label={"Prep reminder, hours before a session": "48"},
    )


def rituals(s: Scene) -> None:
    s.signed.command(ADMIN, "admin")
    s.signed.press(ADMIN, modal_on_screen(s.slack, ADMIN), "Rituals")
    values = {
        "showcase_on": ["on"],
        "showcase_week": "last",
        "showcase_weekday": "3",
        "showcase_time": "15:00",
    }
    s.submit(ADMIN, modal_on_screen(s.slack, ADMIN), values)


def we_met(s: Scene) -> None:
    s.clock.set(s.world.starts_at + timedelta(minutes=10))
    s.click(ALICE, ids.WE_MET_ACTION, str(s.world.session_id))


def experiment_button(action_id: str) -> Path:
    def resolve(s: Scene) -> None:
        s.click(ALICE, action_id, str(_experiment(s)))

    return resolve


def withdraw(s: Scene) -> None:
    with s.rt.db.transaction() as tx:
        saved = reflections.submit_reflection(
            tx,
            TEAM,
            ALICE,
            None,
            reflections.SOURCE_COMMAND,
            {"insight": "Silence is an answer.", "action": "Wait.", "share": ["share"]},
            s.clock(),
        )
    s.click(ALICE, ids.LEARNING_WITHDRAW_ACTION, str(saved.reflection_id))


def reminder_stop(s: Scene) -> None:
    s.signed.block_action(CAROL, ids.REFLECTION_REMINDER_SET_ACTION)
    s.signed.view_submission(
        CAROL, modal_on_screen(s.slack, CAROL), {"weekday": "2", "time": "08:00"}
    )
    s.click(CAROL, ids.REFLECTION_REMINDER_STOP_ACTION)


def kudos_value(s: Scene) -> None:
    s.signed.command(ALICE, "kudos <@U0BOB|bob> thanks for the review")
    s.press(ALICE, s.slack.ephemerals(ALICE)[-1], "Courage")


def pod_join(s: Scene) -> None:
    s.click(DAN, ids.POD_JOIN_ACTION, str(s.world.pod_id))


def _pending_tactic(s: Scene) -> int:
    tactic(Scene(s.signed, s.slack, s.rt, s.clock, s.world, "once"))
    with s.rt.db.transaction() as tx:
        return tx.scalar(select(CommunityTactic.id))


def tactic_review(action_id: str) -> Path:
    def review(s: Scene) -> None:
        s.click(ADMIN, action_id, str(_pending_tactic(s)))

    return review


def _after_the_session(s: Scene) -> int:
    with s.rt.db.transaction() as tx:
        session = tx.get(PodSession, s.world.session_id)
        session.held_at = session.ends_at
    s.clock.set(s.world.ends_at + timedelta(minutes=5))
    return s.world.session_id


def pulse_score(s: Scene) -> None:
    s.click(ALICE, ids.PULSE_SCORE_ACTIONS[3], f"{_after_the_session(s)}:4")


def pulse_fit(action_id: str) -> Path:
    def fit(s: Scene) -> None:
        s.click(ALICE, action_id, str(_after_the_session(s)))

    return fit


def ground_rules(s: Scene) -> None:
    s.signed.command(ALICE, "welcome")
    s.press(ALICE, s.slack.ephemerals(ALICE)[-1], "I agree to the ground rules")


def calendar_rotate(s: Scene) -> None:
    s.signed.command(ALICE, "calendar")
    s.press(ALICE, s.slack.ephemerals(ALICE)[-1], "Rotate link")


def showcase_sign_up(s: Scene) -> None:
    rituals(Scene(s.signed, s.slack, s.rt, s.clock, s.world, "once"))
    s.click(BOB, ids.SHOWCASE_SIGN_UP_ACTION, "2026-03-25")


def digest_post_now(s: Scene) -> None:
    s.slack.add_channel("C0DIGEST", "coaching-digest")
    with s.rt.db.transaction() as tx:
        from models import ProgramSettings

        tx.add(ProgramSettings(team_id=TEAM, digest_channel_id="C0DIGEST", updated_at=s.clock()))
    s.signed.command(ADMIN, "admin")
    s.press(ADMIN, modal_on_screen(s.slack, ADMIN), "Post digest now")


def home_opened(s: Scene) -> None:
    s.actor = BOB
    s.event({"type": "app_home_opened", "user": BOB, "tab": "home"})


def user_change(s: Scene) -> None:
    user = {**s.slack.user(BOB), "team_id": TEAM, "deleted": True}
    s.event({"type": "user_change", "user": user})


def app_uninstalled(s: Scene) -> None:
    s.event({"type": "app_uninstalled"})


PATHS: dict[str, Path] = {
    "checkin": checkin,
    "reflection": reflection,
    "experiment-note": experiment_note,
    "reminder-set": reminder_set,
    "kudos-modal": kudos_modal,
    "pod-create": pod_create,
    "playbook": playbook,
    "tactic": tactic,
    "my-data-delete": my_data_delete,
    "admin-settings": admin_settings,
    "rituals": rituals,
    "we-met": we_met,
    "experiment-tried": experiment_button(ids.EXPERIMENT_TRIED_ACTION),
    "experiment-not-yet": experiment_button(ids.EXPERIMENT_NOT_YET_ACTION),
    "experiment-drop": experiment_button(ids.EXPERIMENT_DROP_ACTION),
    "withdraw": withdraw,
    "reminder-stop": reminder_stop,
    "kudos-value": kudos_value,
    "pod-join": pod_join,
    "tactic-approve": tactic_review(ids.TACTIC_APPROVE_ACTION),
    "tactic-decline": tactic_review(ids.TACTIC_DECLINE_ACTION),
    "pulse-score": pulse_score,
    "pulse-pod-fine": pulse_fit(ids.PULSE_POD_FINE_ACTION),
    "pulse-pod-different": pulse_fit(ids.PULSE_POD_DIFFERENT_ACTION),
    "ground-rules": ground_rules,
    "calendar-rotate": calendar_rotate,
    "showcase-sign-up": showcase_sign_up,
    "digest-post-now": digest_post_now,
    "event-home-opened": home_opened,
    "event-user-change": user_change,
    "event-app-uninstalled": app_uninstalled,
}


def _run(path: Path, signed, slack, rt, clock, world: World, mode: str) -> tuple[Scene, Effects]:  # type: ignore[no-untyped-def]
    scene = Scene(signed, slack, rt, clock, world, mode)
    path(scene)
    signed.bot.settle()
    return scene, snapshot(rt, slack, clock, scene.actor)


@pytest.mark.parametrize("name", list(PATHS))
def test_a_second_copy_after_the_first_changes_nothing(name, signed, slack, rt, clock, world):
    scene, after = _run(PATHS[name], signed, slack, rt, clock, world, "one after the other")
    first = scene.after_first
    assert first is not None, "the path never sent its request"
    assert after.rows == first.rows
    assert after.posts == first.posts


DOUBLE_CLICKS = [name for name in PATHS if not name.startswith("event-")]


@pytest.mark.parametrize("name", DOUBLE_CLICKS)
def test_a_double_click_has_the_effect_of_one_click(name, signed, slack, rt, clock, world, db):
    start = clock()
    _, doubled = _run(PATHS[name], signed, slack, rt, clock, world, "at the same instant")
    # The same path once, from the same start, for comparison.
    _empty_all_tables(db)
    slack.reset()
    clock.set(start)
    add_people(slack)
    fresh = build_world(db, clock())
    _, once = _run(PATHS[name], signed, slack, rt, clock, fresh, "once")
    assert doubled.counts == once.counts
    assert len(doubled.posts) == len(once.posts)
    assert not any(SORRY in answer for answer in doubled.answers), doubled.answers


# ---------------------------------------------------------------- forged requests: no effect

FORGERIES = {
    "forged signature": {"signature": "v0=" + "0" * 64},
    "wrong secret": {"secret": "not-the-signing-secret"},
    "stale timestamp": {"timestamp": 1_000_000_000},
}


def _everything(db) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("forgery", list(FORGERIES))
@pytest.mark.parametrize("kind", ["command", "button", "view submission", "event"])
def test_a_forged_request_gets_401_and_writes_nothing(forgery, kind, signed, slack, rt, world):
    options = FORGERIES[forgery]
    if kind == "view submission":
        signed.command(ALICE, "reflect")
        view = modal_on_screen(slack, ALICE)
    before, calls = _everything(rt.db), len(slack.calls)
    if kind == "command":
        response = signed.command(ALICE, "kudos <@U0BOB|bob> #courage forged", **options)
    elif kind == "button":
        response = signed.block_action(DAN, ids.POD_JOIN_ACTION, value=str(world.pod_id), **options)
    elif kind == "view submission":
        values = {"insight": "Forged.", "action": "Forged.", "share": []}
        response = signed.view_submission(ALICE, view, values, **options)
    else:
        response = signed.event({"type": "app_uninstalled"}, **options)
    assert response.status == 401
    assert _everything(rt.db) == before
    assert slack.calls[calls:] == []
