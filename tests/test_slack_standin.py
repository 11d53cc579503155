"""The Slack stand-in refuses what Slack refuses, and the Slack-side client signs like Slack."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs
from urllib.request import Request, urlopen
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from slack_standin import (
    SlackClientSim,
    SlackStandIn,
    SubmissionBlocked,
    buttons,
    visible_text,
)

TOKEN = "xoxb-test"
SECRET = "stub-signing-secret"


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def button(text: str, action_id: str, value: str | None = None) -> dict[str, Any]:
    element = {"type": "button", "text": plain(text), "action_id": action_id}
    return element if value is None else {**element, "value": value}


def text_input(block_id: str, label: str, **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {"type": "plain_text_input", "action_id": "value", **element},
    }


def modal(*blocks: dict[str, Any], **fields: Any) -> dict[str, Any]:
    view = {"type": "modal", "title": plain("Check-in"), "blocks": list(blocks)}
    if any(block["type"] == "input" for block in blocks):
        view["submit"] = plain("Save")
    return {**view, **fields}


def slack_error(method: Callable[..., Any], **arguments: Any) -> SlackApiError:
    """The SlackApiError a WebClient method raises (the call must fail)."""
    with pytest.raises(SlackApiError) as raised:
        method(**arguments)
    return raised.value


def error_of(method: Callable[..., Any], **arguments: Any) -> str:
    """The error code Slack answers a WebClient call with (the call must fail)."""
    return str(slack_error(method, **arguments).response["error"])


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(bot_token=TOKEN) as slack:
        slack.add_user("U1", "alice", real_name="Alice Smith", tz="America/New_York")
        slack.add_user("U2", "bob")
        slack.add_user("U3", "carol")
        slack.add_user("UGONE", "gone", deleted=True)
        slack.add_channel("CPOD", "pod-alpha", members=["U1", "U2"])
        slack.add_channel("COUT", "outside", members=["U1"], bot_member=False)
        slack.add_channel("COLD", "old", members=["U1"], is_archived=True)
        yield slack


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(token=TOKEN, base_url=standin.api_url)


# ---------------------------------------------------------------------- auth and identity


def test_auth_test_answers_bot_identity_and_bad_tokens_are_refused(
    standin: SlackStandIn, client: WebClient
) -> None:
    identity = client.auth_test()
    assert (identity["team_id"], identity["user_id"], identity["bot_id"]) == (
        "T0001",
        "UBOT",
        "B0001",
    )
    wrong = WebClient(token="xoxb-wrong", base_url=standin.api_url)
    assert error_of(wrong.auth_test) == "invalid_auth"
    anonymous = WebClient(base_url=standin.api_url)
    assert error_of(anonymous.auth_test) == "not_authed"
    assert error_of(client.api_call, api_method="coach.nothing") == "unknown_method"


# ---------------------------------------------------------------------- messages


def test_message_to_a_user_lands_in_their_dm_as_a_person_sees_it(
    standin: SlackStandIn, client: WebClient
) -> None:
    posted = client.chat_postMessage(
        channel="U1",
        text="Your session is tomorrow",
        blocks=[
            {"type": "header", "text": plain("Session tomorrow")},
            section("*Pod Alpha* at 15:00", accessory=button("Set my intent", "intent", "s1")),
            {"type": "context", "elements": [mrkdwn("Coach: <@U2>")]},
        ],
    )
    dm_id = client.conversations_open(users="U1")["channel"]["id"]
    assert posted["channel"] == dm_id and dm_id.startswith("D")
    (message,) = standin.dms("U1")
    assert message["ts"] == posted["ts"] and message["channel"] == dm_id
    seen = "Session tomorrow\n*Pod Alpha* at 15:00\nSet my intent\nCoach: <@U2>"
    assert visible_text(message) == seen
    assert buttons(message) == [("Set my intent", "intent", "s1")]
    assert standin.messages_to("U1") == standin.messages_to(dm_id)


def test_ts_values_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="CPOD", text=str(n))["ts"] for n in range(5)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 5
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


def test_fifty_blocks_pass_and_fifty_one_are_refused_without_posting(
    standin: SlackStandIn, client: WebClient
) -> None:
    client.chat_postMessage(channel="CPOD", text="ok", blocks=[section("row")] * 50)
    too_many = [section("row")] * 51
    error = slack_error(client.chat_postMessage, channel="CPOD", text="x", blocks=too_many)
    assert error.response["error"] == "invalid_blocks"
    assert any("at most 50" in problem for problem in error.response["errors"])
    assert len(standin.messages_to("CPOD")) == 1


@pytest.mark.parametrize(
    ("blocks", "complaint"),
    [
        ([section("a", block_id="b1"), section("b", block_id="b1")], "duplicate block_id"),
        ([section("")], "more than 0 characters"),
        ([section("x" * 3001)], "3000"),
        ([{"type": "header", "text": plain("h" * 151)}], "150"),
        ([{"type": "header", "text": mrkdwn("*Hi*")}], "plain_text"),
        ([{"type": "sectoin", "text": mrkdwn("typo")}], "unsupported type: sectoin"),
        ([{"type": "actions", "elements": [{"type": "buton"}]}], "unsupported element"),
        ([section("x", colour="red")], "invalid additional property: colour"),
        ([{"type": "actions", "elements": [button("b" * 76, "a")]}], "75"),
        ([{"type": "actions", "elements": [button("b", "a", "v" * 2001)]}], "2000"),
        (
            [{"type": "actions", "elements": [button("A", "same"), button("B", "same")]}],
            "action_id",
        ),
        ([{"type": "section", "fields": [mrkdwn("f" * 2001)]}], "2000"),
        ([{"type": "actions", "elements": []}], "at least 1"),
        ([{"type": "input", "label": plain("No element")}], "element"),
        ("not json", None),
    ],
)
def test_blocks_slack_refuses_are_refused(
    client: WebClient, standin: SlackStandIn, blocks: Any, complaint: str | None
) -> None:
    error = slack_error(client.chat_postMessage, channel="CPOD", text="t", blocks=blocks)
    if complaint is None:
        assert error.response["error"] == "invalid_blocks_format"
    else:
        assert error.response["error"] == "invalid_blocks"
        messages = error.response["response_metadata"]["messages"]
        assert any(complaint in message for message in messages), messages
    assert standin.messages_to("CPOD") == []


def test_text_rules(client: WebClient) -> None:
    with pytest.warns(UserWarning, match="text"):  # slack_sdk warns, Slack refuses
        assert error_of(client.chat_postMessage, channel="CPOD") == "no_text"
    too_long = "x" * 40_001
    assert error_of(client.chat_postMessage, channel="CPOD", text=too_long) == "msg_too_long"
    assert client.chat_postMessage(channel="CPOD", text="x" * 40_000)["ok"]


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("CNOPE", "channel_not_found"),
        ("UNOPE", "channel_not_found"),
        ("COUT", "not_in_channel"),
        ("COLD", "is_archived"),
        ("UGONE", "account_inactive"),
    ],
)
def test_where_the_bot_cannot_post(client: WebClient, channel: str, error: str) -> None:
    refused = slack_error(client.chat_postMessage, channel=channel, text="hello")
    assert refused.response["error"] == error


def test_conversations_open_gives_stable_im_and_mpim_ids(client: WebClient) -> None:
    first = client.conversations_open(users="U1")
    again = client.conversations_open(users="U1", return_im=True)
    assert first["channel"]["id"] == again["channel"]["id"]
    assert again["already_open"] and again["channel"]["is_im"] and again["channel"]["user"] == "U1"
    group = client.conversations_open(users="U1,U2")["channel"]["id"]
    same_people = client.conversations_open(users="U2,U1")["channel"]["id"]
    assert group.startswith("G") and group == same_people
    assert error_of(client.conversations_open, users="U1,UNOPE") == "user_not_found"


def test_chat_update_replaces_what_people_see(standin: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="CPOD", text="v1", blocks=[section("Old")])["ts"]
    client.chat_update(channel="CPOD", ts=ts, text="v2", blocks=[section("New")])
    (message,) = standin.messages_to("CPOD")
    assert (message["text"], visible_text(message), message["ts"]) == ("v2", "New", ts)

    update = client.chat_update
    empty = [section("")]
    assert error_of(update, channel="CPOD", ts=ts, text="v3", blocks=empty) == "invalid_blocks"
    assert visible_text(standin.messages_to("CPOD")[0]) == "New"
    assert error_of(update, channel="CPOD", ts="1.000001", text="x") == "message_not_found"
    assert error_of(update, channel="U1", ts=ts, text="x") == "channel_not_found"
    theirs = standin.add_message("CPOD", "U1", "written by Alice")["ts"]
    assert error_of(update, channel="CPOD", ts=theirs, text="x") == "cant_update_message"


def test_ephemeral_needs_a_member_and_is_recorded_for_that_user(
    standin: SlackStandIn, client: WebClient
) -> None:
    client.chat_postEphemeral(channel="CPOD", user="U2", text="Only Bob sees this")
    assert [e["text"] for e in standin.ephemerals("U2")] == ["Only Bob sees this"]
    assert standin.ephemerals("U1") == [] and standin.messages_to("CPOD") == []
    ephemeral = client.chat_postEphemeral
    assert error_of(ephemeral, channel="CPOD", user="U3", text="x") == "user_not_in_channel"
    assert error_of(ephemeral, channel="CPOD", user="UNOPE", text="x") == "user_not_found"


# ---------------------------------------------------------------------- faults


def test_rate_limit_answers_429_with_retry_after_and_changes_nothing(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.rate_limit("chat.postMessage", times=1, retry_after=7)
    limited = slack_error(client.chat_postMessage, channel="CPOD", text="hi")
    assert limited.response.status_code == 429
    assert limited.response.headers["Retry-After"] == "7"
    assert limited.response["error"] == "ratelimited"
    assert standin.messages_to("CPOD") == []
    assert client.chat_postMessage(channel="CPOD", text="hi")["ok"]
    assert [call.status for call in standin.calls_to("chat.postMessage")] == [429, 200]


def test_slack_sdk_retry_handler_gets_through_after_a_429(standin: SlackStandIn) -> None:
    patient = WebClient(
        token=TOKEN,
        base_url=standin.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    standin.rate_limit("chat.postMessage", retry_after=0)
    assert patient.chat_postMessage(channel="CPOD", text="once")["ok"]
    assert len(standin.messages_to("CPOD")) == 1


def test_server_error_fail_and_latency_knobs(standin: SlackStandIn, client: WebClient) -> None:
    standin.server_error("users.info", status=503)
    assert slack_error(client.users_info, user="U1").response.status_code == 503
    standin.fail("users.info", error="fatal_error", times=2)
    for _ in range(2):
        assert error_of(client.users_info, user="U1") == "fatal_error"
    standin.set_latency("users.info", 0.2)
    started = time.monotonic()
    assert client.users_info(user="U1")["ok"]
    assert time.monotonic() - started >= 0.2


def test_chaos_is_reproducible_from_its_seed(standin: SlackStandIn, client: WebClient) -> None:
    def run() -> list[int]:
        standin.reset()
        standin.chaos(seed=42, p429=0.3, p5xx=0.2, methods=["auth.test"])
        for _ in range(20):
            with contextlib.suppress(SlackApiError):
                client.auth_test()
        return [call.status for call in standin.calls]

    first = run()
    assert first == run()
    assert {429, 500, 200} <= set(first)


# ---------------------------------------------------------------------- modals and triggers


def test_trigger_ids_expire_and_open_one_view(standin: SlackStandIn, client: WebClient) -> None:
    view = modal(section("Hello"))
    now = [1000.0]
    standin.clock = lambda: now[0]
    stale = standin.new_trigger_id("U1")
    now[0] += 3.01
    assert error_of(client.views_open, trigger_id=stale, view=view) == "expired_trigger_id"
    fresh = standin.new_trigger_id("U1")
    assert client.views_open(trigger_id=fresh, view=view)["view"]["id"].startswith("V")
    assert error_of(client.views_open, trigger_id=fresh, view=view) == "exchanged_trigger_id"
    assert error_of(client.views_open, trigger_id="1.2.3", view=view) == "invalid_trigger_id"
    standin.trigger_ttl = 10.0
    slow = standin.new_trigger_id("U2")
    now[0] += 5
    assert client.views_open(trigger_id=slow, view=view)["ok"]


@pytest.mark.parametrize(
    ("view", "complaint"),
    [
        (modal(text_input("name", "Name"), submit=None), "submit is required"),
        (modal(section("x"), title=plain("A title that is far too long")), "title"),
        (modal(*[section("row")] * 101), "100"),
        (modal(section("a", block_id="x"), section("b", block_id="x")), "duplicate block_id"),
        (modal(section("x"), private_metadata="m" * 3001), "private_metadata"),
        (modal(section("x"), callback_id="c" * 256), "callback_id"),
        (modal(section("x"), title=mrkdwn("Title")), "plain_text"),
        (modal(section("x"), surprise=True), "invalid additional property: surprise"),
        ({"type": "home", "blocks": [section("x")]}, "modal"),
    ],
)
def test_views_slack_refuses_are_refused(
    standin: SlackStandIn, client: WebClient, view: dict[str, Any], complaint: str
) -> None:
    view = {key: value for key, value in view.items() if value is not None}
    trigger = standin.new_trigger_id("U1")
    error = slack_error(client.views_open, trigger_id=trigger, view=view)
    assert error.response["error"] == "invalid_arguments"
    assert any(complaint in m for m in error.response["response_metadata"]["messages"])
    assert standin.open_views("U1") == []
    assert client.views_open(trigger_id=trigger, view=modal(section("fine")))["ok"]


def test_views_update_push_and_publish(standin: SlackStandIn, client: WebClient) -> None:
    opened = client.views_open(
        trigger_id=standin.new_trigger_id("U1"), view=modal(section("one"), external_id="ext-1")
    )["view"]
    stale_hash = opened["hash"]
    same_ext = modal(section("two"), external_id="ext-1")
    updated = client.views_update(external_id="ext-1", view=same_ext)["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != stale_hash
    racing = {"view_id": opened["id"], "hash": stale_hash, "view": modal(section("3"))}
    assert error_of(client.views_update, **racing) == "hash_conflict"
    assert error_of(client.views_update, view_id="VNOPE", view=modal(section("x"))) == "not_found"
    taken = {"trigger_id": standin.new_trigger_id("U2"), "view": same_ext}
    assert error_of(client.views_open, **taken) == "duplicate_external_id"

    for depth in (2, 3):
        pushed = client.views_push(
            trigger_id=standin.new_trigger_id("U1"), view=modal(section(f"{depth}"))
        )["view"]
        assert pushed["root_view_id"] == opened["id"]
    assert [visible_text(v).split("\n")[1] for v in standin.open_views("U1")] == ["two", "2", "3"]
    fourth = {"trigger_id": standin.new_trigger_id("U1"), "view": modal(section("4"))}
    assert error_of(client.views_push, **fourth) == "push_limit_reached"

    home = {"type": "home", "blocks": [section("Your next session")]}
    client.views_publish(user_id="U2", view=home)
    assert visible_text(standin.home("U2")) == "Your next session"
    assert error_of(client.views_publish, user_id="UNOPE", view=home) == "user_not_found"
    too_big = {"type": "home", "blocks": [section("row")] * 101}
    assert error_of(client.views_publish, user_id="U2", view=too_big) == "invalid_arguments"


# ---------------------------------------------------------------------- response_url


def post_json(url: str, payload: Any) -> tuple[int, dict[str, Any]]:
    request = Request(url, data=json.dumps(payload).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except HTTPError as error:
        return error.code, json.loads(error.read())


def test_response_url_works_five_times_then_is_used_up(standin: SlackStandIn) -> None:
    url = standin.new_response_url(channel_id="CPOD", user_id="U1")
    for n in range(5):
        assert post_json(url, {"text": f"reply {n}"}) == (200, {"ok": True})
    assert post_json(url, {"text": "sixth"})[0] == 404
    assert [e["text"] for e in standin.ephemerals("U1")] == [f"reply {n}" for n in range(5)]
    assert len(standin.responses) == 5
    assert post_json(standin.base_url + "/response/T0001/0/nope", {"text": "x"})[0] == 404


def test_response_url_validates_blocks_and_replaces_the_original(
    standin: SlackStandIn, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel="CPOD", text="Join?", blocks=[section("Join Pod A?")])
    url = standin.new_response_url(channel_id="CPOD", user_id="U1", message_ts=posted["ts"])
    status, body = post_json(url, {"replace_original": True, "blocks": [section("")]})
    assert (status, body["error"]) == (400, "invalid_blocks")
    joined = {"replace_original": True, "text": "Joined", "blocks": [section("Joined")]}
    assert post_json(url, joined) == (200, {"ok": True})
    assert [visible_text(m) for m in standin.messages_to("CPOD")] == ["Joined"]
    assert post_json(url, {"delete_original": True})[0] == 200
    assert standin.messages_to("CPOD") == []


def test_response_url_expires_after_thirty_minutes(standin: SlackStandIn) -> None:
    now = [0.0]
    standin.clock = lambda: now[0]
    url = standin.new_response_url(channel_id="CPOD", user_id="U1")
    now[0] += 30 * 60 + 1
    assert post_json(url, {"text": "late"})[0] == 404


# ---------------------------------------------------------------------- files and users


def test_file_upload_flow_shares_the_file_in_the_channel(
    standin: SlackStandIn, client: WebClient
) -> None:
    result = client.files_upload_v2(
        channel="CPOD",
        content="week,insights\n1,4\n",
        filename="export.csv",
        title="My data",
        initial_comment="Your export",
    )
    file_id = result["file"]["id"]
    assert standin.uploaded_file(file_id)["content"] == b"week,insights\n1,4\n"
    (message,) = standin.messages_to("CPOD")
    assert message["text"] == "Your export"
    assert message["files"] == [{"id": file_id, "name": "export.csv", "title": "My data"}]
    ticket = client.files_getUploadURLExternal(filename="never.txt", length=3)
    complete = client.files_completeUploadExternal
    assert error_of(complete, files=[{"id": ticket["file_id"]}]) == "file_not_found"


def test_users_info_and_paginated_users_list(client: WebClient) -> None:
    alice = client.users_info(user="U1")["user"]
    assert (alice["tz"], alice["real_name"], alice["profile"]["real_name"]) == (
        "America/New_York",
        "Alice Smith",
        "Alice Smith",
    )
    assert alice["tz_offset"] in (-5 * 3600, -4 * 3600) and alice["tz_label"].startswith("Eastern")
    assert error_of(client.users_info, user="UNOPE") == "user_not_found"

    seen, cursor, pages = [], None, 0
    while True:
        page = client.users_list(limit=2, cursor=cursor)
        seen += [member["id"] for member in page["members"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(["USLACKBOT", "UBOT", "U1", "U2", "U3", "UGONE"])
    assert pages == 3
    assert error_of(client.users_list, cursor="bogus") == "invalid_cursor"


def test_reset_forgets_traffic_but_keeps_the_workspace(
    standin: SlackStandIn, client: WebClient
) -> None:
    client.chat_postMessage(channel="U1", text="hi")
    standin.rate_limit("auth.test")
    standin.reset()
    assert standin.calls == [] and standin.dms("U1") == []
    assert client.auth_test()["ok"]
    assert client.users_info(user="U1")["ok"] and client.chat_postMessage(channel="CPOD", text="x")


# ---------------------------------------------------------------------- the Slack-side signer


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.seen.append((self.path, dict(self.headers), body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@pytest.fixture
def recorder() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sim(recorder: ThreadingHTTPServer, standin: SlackStandIn) -> SlackClientSim:
    return SlackClientSim(f"http://127.0.0.1:{recorder.server_address[1]}", SECRET, standin)


def last_request(recorder: ThreadingHTTPServer) -> tuple[str, dict[str, str], bytes]:
    return recorder.seen[-1]  # type: ignore[attr-defined, no-any-return]


def is_valid(secret: str, headers: dict[str, str], body: bytes) -> bool:
    return SignatureVerifier(secret).is_valid(
        body=body.decode(),
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )


def test_command_is_signed_like_slack_with_every_field(
    sim: SlackClientSim, recorder: ThreadingHTTPServer
) -> None:
    sent = sim.command("U1", "pod list", channel_id="CPOD")
    path, headers, body = last_request(recorder)
    assert path == "/slack/events" and sent.status == 200
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert is_valid(SECRET, headers, body)
    fields = {key: values[0] for key, values in parse_qs(body.decode()).items()}
    assert fields["command"] == "/coach" and fields["text"] == "pod list"
    assert (fields["user_id"], fields["user_name"]) == ("U1", "alice")
    assert (fields["channel_id"], fields["channel_name"]) == ("CPOD", "pod-alpha")
    assert (fields["team_id"], fields["api_app_id"]) == ("T0001", "A0001")
    assert fields["trigger_id"] == sent.trigger_id and fields["response_url"] == sent.response_url
    assert {"token", "team_domain", "is_enterprise_install"} <= fields.keys()


def test_forged_requests_do_not_verify(sim: SlackClientSim, recorder: ThreadingHTTPServer) -> None:
    sim.command("U1", "help", secret="someone-elses-secret")
    assert not is_valid(SECRET, *last_request(recorder)[1:])
    sim.command("U1", "help", signature="v0=" + "0" * 64)
    assert not is_valid(SECRET, *last_request(recorder)[1:])
    sim.command("U1", "help", timestamp=int(time.time()) - 6 * 60)
    _, headers, body = last_request(recorder)
    timestamp = headers["X-Slack-Request-Timestamp"]
    signature = SignatureVerifier(SECRET).generate_signature(
        timestamp=timestamp, body=body.decode()
    )
    assert signature == headers["X-Slack-Signature"]
    assert not is_valid(SECRET, headers, body)  # correctly signed, but outside the 5-minute window
    assert sim.standin.problems == []  # forged requests are not Slack's failures


def test_event_wrapper_and_retry_headers(
    sim: SlackClientSim, recorder: ThreadingHTTPServer
) -> None:
    sim.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="Ev1", retry_num=2)
    _, headers, body = last_request(recorder)
    assert is_valid(SECRET, headers, body)
    assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("2", "http_timeout")
    envelope = json.loads(body)
    assert (envelope["type"], envelope["event_id"], envelope["event"]["user"]) == (
        "event_callback",
        "Ev1",
        "U1",
    )
    assert envelope["authorizations"][0]["user_id"] == "UBOT" and "event_time" in envelope


def test_pressing_a_visible_button_sends_its_action(
    sim: SlackClientSim, recorder: ThreadingHTTPServer, client: WebClient
) -> None:
    client.chat_postMessage(
        channel="U1",
        text="Experiment due",
        blocks=[
            section("Did you try it?"),
            {
                "type": "actions",
                "block_id": "exp-7",
                "elements": [
                    button("Tried it", "exp_tried", "7"),
                    button("Not yet", "exp_not_yet", "7"),
                ],
            },
        ],
    )
    (message,) = sim.standin.dms("U1")
    sent = sim.press("U1", message, "Not yet")
    _, headers, body = last_request(recorder)
    assert is_valid(SECRET, headers, body)
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    assert payload["type"] == "block_actions" and payload["user"]["id"] == "U1"
    (action,) = payload["actions"]
    assert (action["type"], action["action_id"], action["block_id"], action["value"]) == (
        "button",
        "exp_not_yet",
        "exp-7",
        "7",
    )
    assert payload["container"] == {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": message["channel"],
        "is_ephemeral": False,
    }
    assert payload["message"]["ts"] == message["ts"]
    assert payload["response_url"] == sent.response_url
    with pytest.raises(LookupError):
        sim.press("U1", message, "Drop")


def test_view_submission_builds_state_values_like_slack(
    sim: SlackClientSim, recorder: ThreadingHTTPServer, client: WebClient
) -> None:
    options = [
        {"text": plain("Weekly"), "value": "1"},
        {"text": plain("Fortnightly"), "value": "2"},
    ]

    def field(
        block_id: str, label: str, element: dict[str, Any], optional: bool = True
    ) -> dict[str, Any]:
        return {
            "type": "input",
            "block_id": block_id,
            "optional": optional,
            "label": plain(label),
            "element": {"action_id": "v", **element},
        }

    view = modal(
        field(
            "name", "Name", {"type": "plain_text_input", "initial_value": "Alpha"}, optional=False
        ),
        field("cadence", "Cadence", {"type": "static_select", "options": options}),
        field("members", "Members", {"type": "multi_users_select"}),
        field("owner", "Owner", {"type": "users_select"}),
        field("channel", "Channel", {"type": "conversations_select"}),
        field("day", "Day", {"type": "datepicker"}),
        field("time", "Time", {"type": "timepicker", "timezone": "Europe/Paris"}),
        field("share", "Share", {"type": "checkboxes", "options": options}),
        field("pick", "Pick", {"type": "radio_buttons", "options": options}),
        field("size", "Size", {"type": "number_input", "is_decimal_allowed": False}),
        field("note", "Note", {"type": "plain_text_input"}),
    )
    opened = client.views_open(trigger_id=sim.standin.new_trigger_id("U1"), view=view)["view"]
    sim.view_submission(
        "U1",
        opened,
        {
            "cadence": "2",
            "members": ["U1", "U2"],
            "owner": {"v": "U2"},
            "channel": "CPOD",
            "day": "2026-03-02",
            "time": "15:00",
            "share": ["1"],
            "size": 4,
        },
        by_label={"Pick": "Weekly"},
    )
    payload = json.loads(parse_qs(last_request(recorder)[2].decode())["payload"][0])
    assert payload["type"] == "view_submission"
    assert (payload["view"]["id"], payload["view"]["hash"]) == (opened["id"], opened["hash"])
    assert payload["view"]["state"]["values"] == {
        "name": {"v": {"type": "plain_text_input", "value": "Alpha"}},
        "cadence": {"v": {"type": "static_select", "selected_option": options[1]}},
        "members": {"v": {"type": "multi_users_select", "selected_users": ["U1", "U2"]}},
        "owner": {"v": {"type": "users_select", "selected_user": "U2"}},
        "channel": {"v": {"type": "conversations_select", "selected_conversation": "CPOD"}},
        "day": {"v": {"type": "datepicker", "selected_date": "2026-03-02"}},
        "time": {"v": {"type": "timepicker", "selected_time": "15:00", "timezone": "Europe/Paris"}},
        "share": {"v": {"type": "checkboxes", "selected_options": [options[0]]}},
        "pick": {"v": {"type": "radio_buttons", "selected_option": options[0]}},
        "size": {"v": {"type": "number_input", "value": "4"}},
        "note": {"v": {"type": "plain_text_input", "value": None}},
    }
    assert sim.standin.open_views("U1") == []  # the empty ack closed the modal


def test_slack_will_not_submit_an_empty_required_field_or_an_unoffered_option(
    sim: SlackClientSim, client: WebClient
) -> None:
    view = modal(text_input("intent", "Intent", max_length=10))
    opened = client.views_open(trigger_id=sim.standin.new_trigger_id("U1"), view=view)["view"]
    with pytest.raises(SubmissionBlocked, match="Intent: required"):
        sim.view_submission("U1", opened, {})
    with pytest.raises(SubmissionBlocked, match="longer than 10"):
        sim.view_submission("U1", opened, by_label={"Intent": "x" * 11})
    with pytest.raises(LookupError):
        sim.view_submission("U1", opened, by_label={"Nope": "x"})


def test_only_loopback_bots_are_reachable(standin: SlackStandIn) -> None:
    with pytest.raises(ValueError, match="loopback"):
        SlackClientSim("http://example.com", SECRET, standin)


# ---------------------------------------------------------------------- with a real Bolt app


class _QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


def bolt_app(standin: SlackStandIn) -> App:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=TOKEN, base_url=standin.api_url),
        process_before_response=True,
    )
    pod_modal = modal(text_input("name", "Name"), callback_id="pod_create")

    @app.command("/coach")
    def coach(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        if body["text"] == "pod create":
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=pod_modal)
        else:
            ack(
                text="Unknown command",
                blocks=[
                    section("Try `/coach help`"),
                    {"type": "actions", "elements": [button("Show help", "help")]},
                ],
            )

    @app.action("help")
    def show_help(ack: Any, respond: Any) -> None:
        ack()
        respond(replace_original=True, text="Here is what you can do")

    @app.view("pod_create")
    def create(ack: Any, view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        name = view["state"]["values"]["name"]["value"]["value"]
        if name == "Alpha":
            ack(response_action="errors", errors={"name": "A pod called Alpha exists"})
            return
        ack()
        client.chat_postMessage(channel=body["user"]["id"], text=f"Pod {name} created")

    return app


@pytest.fixture
def bolt_sim(standin: SlackStandIn) -> Iterator[SlackClientSim]:
    server = make_server(
        "127.0.0.1", 0, SlackRequestHandler(bolt_app(standin)), handler_class=_QuietWSGIHandler
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield SlackClientSim(f"http://127.0.0.1:{server.server_port}", SECRET, standin)
    server.shutdown()
    server.server_close()


def test_bolt_accepts_the_simulated_payloads_end_to_end(bolt_sim: SlackClientSim) -> None:
    slack = bolt_sim.standin
    assert bolt_sim.command("U1", "bogus").status == 200
    (usage,) = slack.ephemerals("U1")
    assert visible_text(usage) == "Try `/coach help`\nShow help"
    bolt_sim.press("U1", usage, "Show help")
    assert [e["text"] for e in slack.ephemerals("U1")] == ["Here is what you can do"]

    bolt_sim.command("U1", "pod create")
    (form,) = slack.open_views("U1")
    bolt_sim.view_submission("U1", form, by_label={"Name": "Alpha"})
    assert slack.view_errors(form["id"]) == {"name": "A pod called Alpha exists"}
    bolt_sim.view_submission("U1", form, by_label={"Name": "Beta"})
    assert slack.open_views("U1") == []
    assert [m["text"] for m in slack.dms("U1")] == ["Pod Beta created"]
    assert bolt_sim.command("U1", "bogus", secret="wrong").status == 401
    assert slack.problems == [] and slack.failed_calls() == []


def test_choosing_from_a_select_in_a_modal_sends_the_option_and_the_view_state(
    sim: SlackClientSim, recorder: ThreadingHTTPServer, client: WebClient
) -> None:
    weekday = {
        "type": "static_select",
        "action_id": "weekday",
        "options": [
            {"text": plain("Monday"), "value": "mon"},
            {"text": plain("Friday"), "value": "fri"},
        ],
    }
    view = modal(
        text_input("name", "Name", initial_value="Alpha"),
        {"type": "actions", "block_id": "pick", "elements": [weekday]},
    )
    opened = client.views_open(trigger_id=sim.standin.new_trigger_id("U1"), view=view)["view"]
    sim.block_action("U1", "weekday", view=opened, selected="fri")
    payload = json.loads(parse_qs(last_request(recorder)[2].decode())["payload"][0])
    assert payload["container"] == {"type": "view", "view_id": opened["id"]}
    assert payload["actions"][0]["selected_option"] == {"text": plain("Friday"), "value": "fri"}
    assert payload["view"]["state"]["values"]["name"]["value"]["value"] == "Alpha"
    assert "response_url" not in payload
    with pytest.raises(LookupError, match="not offered"):
        sim.block_action("U1", "weekday", view=opened, selected="sun")


def test_view_submission_acks_update_push_and_clear_the_stack(
    standin: SlackStandIn, client: WebClient
) -> None:
    first = client.views_open(trigger_id=standin.new_trigger_id("U1"), view=modal(section("1")))
    view_id = first["view"]["id"]

    def ack(body: dict[str, Any]) -> list[str]:
        return standin.apply_view_submission_ack("U1", view_id, json.dumps(body))

    assert ack({"response_action": "update", "view": modal(section("1b"))}) == []
    assert ack({"response_action": "push", "view": modal(section("2"))}) == []
    assert [visible_text(v).split("\n")[1] for v in standin.open_views("U1")] == ["1b", "2"]
    assert ack({"response_action": "update", "view": modal(section(""))}) != []
    assert ack({"response_action": "errors", "errors": {"nope": "x"}}) != []
    assert ack({"response_action": "clear"}) == []
    assert standin.open_views("U1") == []
    assert len(standin.problems) == 2


def test_a_command_ack_with_bad_blocks_is_a_problem_not_a_message(standin: SlackStandIn) -> None:
    body = json.dumps({"text": "Usage", "blocks": [{"type": "header", "text": mrkdwn("*x*")}]})
    assert standin.apply_command_ack("U1", "CPOD", body) != []
    assert standin.ephemerals("U1") == []
    assert standin.apply_command_ack("U1", "CPOD", "Usage: /coach help") == []
    assert [e["text"] for e in standin.ephemerals("U1")] == ["Usage: /coach help"]
