"""Bad input, fuzzed with hypothesis, through the running bot's signed endpoint:
`/coach` text, the values of every modal that keeps what a person typed, and malformed
payloads. Whatever arrives: no 5xx, no traceback and no apology shown (bad input gets a
clear answer), nothing half-written, and nothing the bot posts afterwards (DMs, channel
messages, ephemerals, in `text` and in blocks alike) can ping anyone: `<!channel>`,
`<!here>`, `<!everyone>`, `<!subteam^…>` and `<@U…>` typed by a person come out escaped.

The bot and its database live for the whole test; each example starts from a quiet Slack
stand-in (`slack.reset()`), so what is checked is what that example caused.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import ids
from bot.sender import OutboxSender
from bot.tick import tick
from bot.ui.answers import SORRY
from models import Base
from slack_standin.blockcheck import visible_text
from slack_standin.signing import values_by_label
from tests.test_checkin_support import ADMIN, ALICE, BOB, POD_CHANNEL, TEAM, modal_on_screen

FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ---------------------------------------------------------------- nasty text

MARKUP = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<!subteam^S0FUZZ>",
    "<!subteam^S0FUZZ|@team>",
    "<@U0FUZZ1>",
    "<@U0FUZZ2|bob>",
    "<@W0FUZZ3>",
    "<#C0FUZZ|general>",
    "<https://evil.example|click me>",
    "<mailto:a@b.example|mail>",
    "&lt;!channel&gt;",
    "@channel",
    "*bold* _it_ ~s~ `code` ```block```",
    "> quoted",
]
ODD = ["\x00", "\x07", "\x1b[31m", "\u202e", "\u200b", "\ufeff", "\r\n", "\t", "🙂", "ß", "İ"]

piece = st.one_of(
    st.sampled_from(MARKUP),
    st.sampled_from(ODD),
    st.text(max_size=20),
)
nasty = st.one_of(
    st.lists(piece, min_size=1, max_size=8).map("".join),
    st.sampled_from(MARKUP).map(lambda m: (m + " ") * (10_000 // (len(m) + 1))),
    st.just("x" * 10_000),
)

PING = re.compile(r"<!(channel|here|everyone|subteam)|<@[UW]0FUZZ", re.IGNORECASE)


def notifying_strings(value: Any) -> Iterator[str]:
    """Every string Slack would parse for mentions: not plain_text objects."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return
        for key, item in value.items():
            if key not in ("action_id", "block_id", "value", "url", "image_url", "callback_id"):
                yield from notifying_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from notifying_strings(item)
    elif isinstance(value, str):
        yield value


def posted(slack) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Every message the bot put in front of anyone in this example."""
    messages = [
        {k: call.params.get(k) for k in ("text", "blocks", "attachments")}
        for call in slack.calls
        if call.method in ("chat.postMessage", "chat.postEphemeral", "chat.update")
    ]
    messages += [r["payload"] for r in slack.responses]
    messages += slack.ephemerals(ALICE) + slack.ephemerals(BOB) + slack.ephemerals(ADMIN)
    return messages


def assert_nobody_pinged(slack) -> None:  # type: ignore[no-untyped-def]
    for message in posted(slack):
        for text in notifying_strings(message):
            assert not PING.search(text), f"a ping in what the bot posted: {text[:300]!r}"


def assert_no_apology_or_traceback(slack) -> None:  # type: ignore[no-untyped-def]
    shown = [visible_text(m) for m in posted(slack)]
    for user_id in (ALICE, BOB, ADMIN):
        for view in slack.open_views(user_id):
            shown.append(visible_text(view))
            shown += list(slack.view_errors(view["id"]).values())
    assert not any("Traceback" in text or 'File "' in text for text in shown)
    assert not any(SORRY in text for text in shown), [t[:200] for t in shown if SORRY in t]


def counts(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with db.engine.connect() as connection:
        return {
            table.name: len(connection.execute(table.select()).all())
            for table in Base.metadata.sorted_tables
            if table.name not in ("request_receipts", "slack_event_receipts", "members")
        }


def deliver(rt, clock) -> None:  # type: ignore[no-untyped-def]
    OutboxSender(rt.db, rt.client, clock=clock).drain()


# ---------------------------------------------------------------- /coach text

SUBCOMMANDS = [
    "",
    "kudos <@U0BOB|bob> #courage ",
    "kudos <@U0BOB|bob> ",
    "pod join ",
    "pod edit ",
    "pod leave ",
    "pod cancel ",
    "pod ",
    "prompts ",
    "pause until ",
    "skip ",
    "growth ",
    "my-data ",
    "stats ",
    "calendar ",
    "checkin ",
    "reflect ",
    "experiments ",
    "welcome ",
    "admin ",
    "help ",
]


@FUZZ
@example(prefix="pod join ", text="Growth\x00")
@example(prefix="prompts ", text="<!channel> " * 900)  # long text is not fuzzy-matched
@example(prefix="pause until ", text="<!here>")
@example(prefix="", text="<!channel>")
@given(prefix=st.sampled_from(SUBCOMMANDS), text=nasty)
def test_any_coach_text_gets_an_answer_and_pings_nobody(
    signed, slack, rt, clock, world, prefix, text
):
    slack.reset()
    response = signed.command(ALICE, prefix + text)
    assert response.status == 200, response.body[:300]
    deliver(rt, clock)
    assert slack.ephemerals(ALICE) or slack.open_views(ALICE), "no answer"
    assert_no_apology_or_traceback(slack)
    assert_nobody_pinged(slack)


# ---------------------------------------------------------------- every modal's values


def submit(signed, slack, user_id: str, values: dict[str, Any]):  # type: ignore[no-untyped-def]
    view = modal_on_screen(slack, user_id)
    before = counts(signed.bot.rt.db)
    response = signed.view_submission(user_id, view, values, client_checks=False)
    assert response.status == 200, response.body[:300]
    errors = response.json().get("errors") if response.body else None
    if errors:  # refused inline: nothing written
        assert counts(signed.bot.rt.db) == before
    return errors


@FUZZ
@given(intent=nasty, exploration=nasty, experiment=nasty)
def test_checkin_values_reach_the_pods_channel_escaped(
    signed, slack, rt, clock, world, intent, exploration, experiment
):
    slack.reset()
    clock.set(world.starts_at - timedelta(hours=23))
    signed.command(ALICE, "checkin")
    values = {"intent": intent, "exploration": exploration, "experiment": experiment}
    submit(signed, slack, ALICE, {**values, "share": ["share"]})
    tick(rt.db, clock())
    deliver(rt, clock)
    assert_no_apology_or_traceback(slack)
    assert_nobody_pinged(slack)


@FUZZ
@example(text="\x00 <!channel> \x00")  # PostgreSQL refuses NUL in text: dropped on the way in
@given(text=nasty)
def test_kudos_modal_text_reaches_the_recipient_escaped(signed, slack, rt, clock, world, text):
    slack.reset()
    clock.advance(days=1)  # the daily kudos limit never decides
    signed.block_action(ALICE, ids.HOME_KUDOS_ACTION)
    submit(signed, slack, ALICE, {"recipients": [BOB], "value": "Courage", "text": text})
    deliver(rt, clock)
    assert_no_apology_or_traceback(slack)
    assert_nobody_pinged(slack)


@FUZZ
@given(name=nasty, focus=nasty)
def test_pod_names_and_focus_are_posted_escaped(signed, slack, rt, clock, world, name, focus):
    slack.reset()
    signed.command(ALICE, "pod create")
    form = {
        "name": name,
        "focus_kind": "function",
        "focus_text": focus,
        "members": [ALICE, BOB],
        "cadence": "1",
        "weekday": "2",
        "time": "15:00",
        "channel": POD_CHANNEL,
    }
    submit(signed, slack, ALICE, form)
    signed.command(BOB, "pod list")
    deliver(rt, clock)
    assert_no_apology_or_traceback(slack)
    assert_nobody_pinged(slack)


@FUZZ
@given(themes=nasty, prompts=nasty)
def test_playbooks_are_posted_escaped(signed, slack, rt, clock, world, themes, prompts):
    slack.reset()
    signed.block_action(ALICE, ids.PLAYBOOK_OPEN_ACTION, value=str(world.pod_id))
    submit(signed, slack, ALICE, {"themes": themes, "prompts": prompts})
    deliver(rt, clock)
    assert_no_apology_or_traceback(slack)
    assert_nobody_pinged(slack)


@FUZZ
@given(text=nasty)
def test_tactics_reach_the_admins_and_the_library_escaped(signed, slack, rt, clock, world, text):
    slack.reset()
    signed.command(BOB, "prompts add")
    view = modal_on_screen(slack, BOB)
    values = values_by_label(view, {"Where does it fit?": "Giving hard feedback"})
    values.update(kind="question", text=text)
    submit(signed, slack, BOB, values)
    deliver(rt, clock)
    for message in slack.dms(ADMIN):
        if ids.TACTIC_APPROVE_ACTION in json.dumps(message):
            signed.press(ADMIN, message, "Approve")
    signed.command(ALICE, "prompts hard feedback")
    deliver(rt, clock)
    assert_no_apology_or_traceback(slack)
    assert_nobody_pinged(slack)


@FUZZ
@given(insight=nasty, action=nasty)
def test_reflection_values_never_fail(signed, slack, rt, clock, world, insight, action):
    slack.reset()
    signed.command(ALICE, "reflect")
    submit(signed, slack, ALICE, {"insight": insight, "action": action, "share": ["share"]})
    signed.app_home_opened(ALICE)
    assert_no_apology_or_traceback(slack)
    assert_nobody_pinged(slack)


# ---------------------------------------------------------------- malformed payloads

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
KINDS = ["block_actions", "view_submission", "view_closed", "shortcut", "message_action", "x"]
ACTION_IDS = [
    ids.EXPERIMENT_TRIED_ACTION,
    ids.WE_MET_ACTION,
    ids.POD_JOIN_ACTION,
    ids.LEARNING_WITHDRAW_ACTION,
    ids.PULSE_SCORE_ACTIONS[0],
    ids.TACTIC_APPROVE_ACTION,
    f"{ids.KUDOS_VALUE_ACTION}-1",
    "no_such_action",
]
CALLBACKS = [
    ids.CHECKIN_CALLBACK,
    ids.REFLECTION_CALLBACK,
    ids.KUDOS_CALLBACK,
    ids.POD_FORM_CALLBACK,
    ids.TACTIC_CALLBACK,
    ids.PLAYBOOK_CALLBACK,
    ids.EXPERIMENT_NOTE_CALLBACK,
    ids.MY_DATA_DELETE_CALLBACK,
    ids.PROGRAM_SETTINGS_CALLBACK,
    "no_such_view",
]


def some_object(*keys: str) -> st.SearchStrategy[dict[str, Any]]:
    """An object with some of `keys`, each holding anything."""
    return st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys))


@st.composite
def malformed_payload(draw) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    payload: dict[str, Any] = {"type": draw(st.sampled_from(KINDS))}
    if draw(st.booleans()):
        payload["team"] = draw(st.one_of(st.just({"id": TEAM}), some_object("id", "domain")))
    if draw(st.booleans()):
        user = st.just({"id": ALICE, "team_id": TEAM})
        payload["user"] = draw(st.one_of(user, some_object("id", "team_id", "name")))
    if draw(st.booleans()):
        action = {"action_id": draw(st.sampled_from(ACTION_IDS)), "value": draw(json_values)}
        payload["actions"] = draw(st.one_of(st.just([action]), json_values))
    if draw(st.booleans()):
        view = {
            "type": "modal",
            "id": "V0FUZZ",
            "callback_id": draw(st.sampled_from(CALLBACKS)),
            "private_metadata": draw(st.one_of(st.text(max_size=30), json_values)),
            "state": {"values": draw(json_values)},
        }
        payload["view"] = draw(st.one_of(st.just(view), json_values))
    # No response_url: the bot would answer there, and only loopback may be reached.
    for key in ("trigger_id", "callback_id", "container", "message"):
        if draw(st.booleans()):
            payload[key] = draw(json_values)
    return payload


def assert_no_5xx_nor_traceback(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status < 500, (response.status, response.body[:300])
    assert "Traceback" not in response.body and 'File "' not in response.body


@FUZZ
@given(payload=malformed_payload())
def test_malformed_interactions_are_never_a_5xx(signed, slack, rt, world, payload):
    slack.reset()
    response = signed.sim.send(f"payload={quote(json.dumps(payload))}")
    signed.bot.settle()
    assert_no_5xx_nor_traceback(response)
    assert_no_apology_or_traceback(slack)


@FUZZ
@example(kind="block_actions", key="user", value=False)
@given(
    kind=st.sampled_from(KINDS),
    key=st.sampled_from(["user", "team"]),
    value=json_values.filter(lambda value: not isinstance(value, dict | type(None))),
)
def test_a_user_or_team_that_is_no_object_is_never_a_5xx(signed, slack, world, kind, key, value):
    response = signed.sim.send(f"payload={quote(json.dumps({'type': kind, key: value}))}")
    signed.bot.settle()
    assert_no_5xx_nor_traceback(response)


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(["team_id", "user_id", "channel_id", "text", "trigger_id", "command"]),
        st.text(max_size=20),
    ),
)
def test_malformed_commands_are_never_a_5xx(signed, slack, rt, world, fields):
    slack.reset()
    body = {"command": "/coach", **fields}
    response = signed.sim.send(urlencode(body))
    signed.bot.settle()
    assert_no_5xx_nor_traceback(response)


EVENT_TYPES = ["app_home_opened", "user_change", "app_uninstalled", "tokens_revoked", "x"]
event_objects = st.fixed_dictionaries(
    {"type": st.sampled_from(EVENT_TYPES)},
    optional={
        "user": st.one_of(st.just(ALICE), json_values),
        "tab": json_values,
        "tokens": json_values,
        "view": json_values,
    },
)


def send_event(signed, event: Any, team: Any):  # type: ignore[no-untyped-def]
    envelope = {
        "type": "event_callback",
        "team_id": team,
        "event_id": f"EvFUZZ{uuid.uuid4().hex}",
        "event": event,
    }
    response = signed.sim.send(json.dumps(envelope), "application/json")
    signed.bot.settle()
    return response


@FUZZ
@given(event=event_objects, team=st.one_of(st.just(TEAM), st.text(max_size=10)))
def test_malformed_events_are_never_a_5xx(signed, slack, rt, world, event, team):
    slack.reset()
    assert_no_5xx_nor_traceback(send_event(signed, event, team))
    assert_no_apology_or_traceback(slack)


@FUZZ
@example(event=None)
@given(event=json_values.filter(lambda value: not isinstance(value, dict)))
def test_an_event_that_is_no_object_is_never_a_5xx(signed, slack, rt, world, event):
    assert_no_5xx_nor_traceback(send_event(signed, event, TEAM))
