"""The sandbox without a browser: the Block Kit renderer, the page's WSGI app over a
running sandbox (the real bot over signed HTTP against the stand-in), bad input, the
clock, restarts, and the launcher's choice between the bot and the sandbox."""

from __future__ import annotations

import ast
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from sandbox import launch
from sandbox.render import Surface, Viewer, blocks_html, file_html, mrkdwn_html, view_html
from sandbox.web import make_app
from sandbox.world import EMPTY_CAST, Sandbox
from slack_standin.blockcheck import message_block_problems, view_problems

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tuesday
LONDON = Viewer(
    user_id="U1",
    tz="Europe/London",
    now=datetime(2026, 3, 3, 12, tzinfo=UTC),
    names={"U1": "Alice Smith", "U2": "Bob Jones"},
    channels={"C1": "pod-growth"},
    people=[("U1", "Alice Smith"), ("U2", "Bob Jones"), ("U3", "Carol Wu")],
    conversations=[("C1", "pod-growth"), ("C2", "coaching-digest")],
)
MESSAGE = Surface("message", user="U1", channel="D1", ts="1.000100", back="/?as=U1&c=D1")
MODAL = Surface("modal", user="U1", view_id="V1", back="/?as=U1&c=home")


def text_of(fragment: str) -> str:
    """The words a person reads in an HTML fragment."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


# --------------------------------------------------------------------------- mrkdwn


def test_mrkdwn_formats_like_slack_and_escapes_once():
    shown = mrkdwn_html(
        "*Bold* and _italic_ and ~gone~ and `code` &lt;b&gt; &amp; <https://example.com|a link>",
        LONDON,
    )
    assert "<strong>Bold</strong>" in shown
    assert "<em>italic</em>" in shown
    assert "<del>gone</del>" in shown
    assert "<code>code</code>" in shown
    assert "&lt;b&gt; &amp;" in shown  # Slack's entities shown as the characters, escaped once
    assert '<a href="https://example.com" target="_blank" rel="noopener">a link</a>' in shown


def test_mentions_show_names_and_dates_show_in_the_viewers_zone():
    # 1 Mar 2026 15:00 UTC (GMT in London, 10:00 in New York).
    token = "<!date^1772377200^{date_short_pretty} at {time}|1 Mar 2026>"
    shown = mrkdwn_html(f"<@U2> and <@U9> in <#C1> on {token} <!here>", LONDON)
    assert text_of(shown) == "@Bob Jones and @U9 in #pod-growth on Mar 1st at 15:00 @here"
    new_york = Viewer(user_id="U2", tz="America/New_York", now=LONDON.now)
    assert "Mar 1st at 10:00" in text_of(mrkdwn_html(token, new_york))
    today = "<!date^1772539200^{date_pretty}|x>"  # 3 Mar 2026 12:00 UTC = LONDON.now
    assert text_of(mrkdwn_html(today, LONDON)) == "today"


def test_lists_quotes_and_line_breaks():
    shown = mrkdwn_html("Your pods:\n• Growth\n• Platform\n&gt; a quote\nafter", LONDON)
    assert "<ul><li>Growth</li><li>Platform</li></ul>" in shown
    assert "<blockquote>a quote</blockquote>" in shown
    assert shown.startswith("Your pods:") and shown.endswith("after")


def test_people_text_cannot_inject_html_or_scripts():
    shown = mrkdwn_html(
        '<javascript:alert(1)|click> &lt;script&gt;alert(1)&lt;/script&gt; "quoted"', LONDON
    )
    assert "<script" not in shown and "<a " not in shown
    assert "&lt;script&gt;" in shown
    plain = blocks_html(
        [{"type": "header", "text": {"type": "plain_text", "text": "<img src=x onerror=1>"}}],
        LONDON,
        MESSAGE,
    )
    assert "<img" not in plain and "&lt;img src=x onerror=1&gt;" in plain


# --------------------------------------------------------------------------- blocks


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


MESSAGE_BLOCKS = [
    {"type": "header", "text": plain("Your coach brief")},
    {
        "type": "section",
        "block_id": "summary",
        "text": mrkdwn("*Growth* · Tue 3 Mar, 15:00"),
        "accessory": {
            "type": "button",
            "action_id": "pod_join",
            "text": plain("Join"),
            "value": "7",
            "style": "primary",
        },
    },
    {"type": "section", "fields": [mrkdwn("*Coach*\n<@U1>"), mrkdwn("*Theme*\nDelegation")]},
    {
        "type": "context",
        "elements": [
            {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "avatar"},
            mrkdwn("Only you see this"),
        ],
    },
    {"type": "divider"},
    {
        "type": "image",
        "image_url": "https://example.com/chart.png",
        "alt_text": "Learning velocity",
        "title": plain("This quarter"),
    },
    {
        "type": "actions",
        "block_id": "buttons",
        "elements": [
            {"type": "button", "action_id": "reflect_open", "text": plain("Reflect"), "value": "1"},
            {
                "type": "button",
                "action_id": "my_data_delete",
                "text": plain("Delete"),
                "style": "danger",
                "confirm": {
                    "title": plain("Delete everything?"),
                    "text": mrkdwn("This cannot be undone."),
                    "confirm": plain("Delete"),
                    "deny": plain("Keep"),
                },
            },
            {
                "type": "button",
                "action_id": "calendar_add",
                "text": plain("Add to calendar"),
                "url": "https://calendar.example.com/add",
            },
            {
                "type": "static_select",
                "action_id": "pick",
                "placeholder": plain("Pick one"),
                "options": [
                    {"text": plain("One"), "value": "1"},
                    {"text": plain("Two"), "value": "2"},
                ],
            },
        ],
    },
]


def test_message_blocks_render_readably_with_working_buttons():
    assert message_block_problems(MESSAGE_BLOCKS) == []  # real Block Kit, as Slack accepts it
    shown = blocks_html(MESSAGE_BLOCKS, LONDON, MESSAGE)
    words = text_of(shown)
    for expected in [
        "Your coach brief",
        "Growth · Tue 3 Mar, 15:00",
        "Coach @Alice Smith",
        "Theme Delegation",
        "Only you see this",
        "This quarter",
        "Reflect",
        "Add to calendar",
    ]:
        assert expected in words
    assert '<h3 class="block header">' in shown
    assert '<div class="fields">' in shown
    assert '<hr class="block divider">' in shown
    assert '<img src="https://example.com/chart.png" alt="Learning velocity"' in shown
    # Each button posts its block and action ids back, with the message it sits on.
    assert 'name="act" value="buttons|reflect_open"' in shown
    assert 'name="act" value="summary|pod_join"' in shown
    assert 'name="ts" value="1.000100"' in shown and 'name="channel" value="D1"' in shown
    assert 'class="btn primary"' in shown and 'class="btn danger"' in shown
    assert "return confirm(&#x27;Delete everything? This cannot be undone.&#x27;)" in shown
    assert '<a class="btn" href="https://calendar.example.com/add"' in shown
    assert '<select name="sel:buttons:pick"' in shown and ">Go</button>" in shown


MODAL_VIEW = {
    "type": "modal",
    "callback_id": "everything",
    "title": plain("Every input"),
    "submit": plain("Save"),
    "close": plain("Cancel"),
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": plain("Name"),
            "element": {
                "type": "plain_text_input",
                "action_id": "name",
                "initial_value": "Growth",
                "max_length": 80,
            },
            "hint": plain("Unique in this workspace"),
        },
        {
            "type": "input",
            "block_id": "intent",
            "label": plain("Intent"),
            "element": {"type": "plain_text_input", "action_id": "intent", "multiline": True},
        },
        {
            "type": "input",
            "block_id": "due",
            "label": plain("Due"),
            "element": {"type": "datepicker", "action_id": "due", "initial_date": "2026-03-10"},
        },
        {
            "type": "input",
            "block_id": "time",
            "label": plain("Time"),
            "element": {"type": "timepicker", "action_id": "time", "initial_time": "15:00"},
        },
        {
            "type": "input",
            "block_id": "weekday",
            "label": plain("Day"),
            "element": {
                "type": "static_select",
                "action_id": "weekday",
                "initial_option": {"text": plain("Tuesday"), "value": "1"},
                "options": [
                    {"text": plain("Monday"), "value": "0"},
                    {"text": plain("Tuesday"), "value": "1"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "members",
            "label": plain("Members"),
            "element": {
                "type": "multi_users_select",
                "action_id": "members",
                "initial_users": ["U1", "U3"],
            },
        },
        {
            "type": "input",
            "block_id": "channel",
            "optional": True,
            "label": plain("Channel"),
            "element": {
                "type": "conversations_select",
                "action_id": "channel",
                "initial_conversation": "C2",
            },
        },
        {
            "type": "input",
            "block_id": "share",
            "optional": True,
            "label": plain("Sharing"),
            "element": {
                "type": "checkboxes",
                "action_id": "share",
                "options": [{"text": mrkdwn("Share *anonymously*"), "value": "yes"}],
                "initial_options": [{"text": mrkdwn("Share *anonymously*"), "value": "yes"}],
            },
        },
        {
            "type": "input",
            "block_id": "rating",
            "label": plain("How useful?"),
            "element": {
                "type": "radio_buttons",
                "action_id": "rating",
                "options": [
                    {"text": plain("Not much"), "value": "1"},
                    {"text": plain("Very"), "value": "5"},
                ],
            },
        },
    ],
}


def test_modal_inputs_render_as_form_fields_with_their_initial_values():
    assert view_problems(MODAL_VIEW) == []
    errors = Surface(**{**MODAL.__dict__, "errors": {"intent": "Say what you want to work on."}})
    shown = view_html(MODAL_VIEW, LONDON, errors)
    assert '<form class="modal" method="post" action="/submit"' in shown
    assert '<input type="text" name="in:name" id="in:name" maxlength="80" value="Growth">' in shown
    assert '<textarea name="in:intent"' in shown
    assert '<input type="date" name="in:due" id="in:due" value="2026-03-10">' in shown
    assert '<input type="time" name="in:time" id="in:time" value="15:00">' in shown
    assert '<option value="1" selected>Tuesday</option>' in shown
    assert '<select name="in:members" id="in:members" multiple' in shown
    assert '<option value="U1" selected>Alice Smith</option>' in shown
    assert '<option value="U2">Bob Jones</option>' in shown
    assert '<option value="C2" selected>#coaching-digest</option>' in shown
    assert 'type="checkbox" name="in:share"' in shown and "checked" in shown
    assert "<strong>anonymously</strong>" in shown
    assert shown.count('type="radio" name="in:rating"') == 2
    # Labels, hints, (optional), the inline error, Cancel and Save.
    words = text_of(shown)
    for expected in [
        "Every input",
        "Unique in this workspace",
        "Channel (optional)",
        "Say what you want to work on.",
        "Cancel",
        "Save",
    ]:
        assert expected in words
    assert 'class="block input has-error" data-block="intent"' in shown


def test_uploaded_files_show_as_images_or_downloads():
    chart = file_html({"id": "F1", "name": "review-2026Q4.png", "title": "Quarterly review"})
    assert '<img src="/file/F1" alt="Quarterly review">' in chart
    data = file_html({"id": "F2", "name": "my-data.json", "title": "Your data"})
    assert '<a href="/file/F2" download="my-data.json">Your data</a>' in data


def test_unknown_blocks_and_elements_are_named_not_dropped():
    shown = blocks_html([{"type": "video", "title": plain("x")}], LONDON, MESSAGE)
    assert "[video block]" in shown


# --------------------------------------------------------------------------- the page


class Page:
    """The sandbox's WSGI app called in-process, following redirects like a browser."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.app = make_app(sandbox)

    def call(self, method: str, path: str, query: str = "", form: dict | None = None):
        body = urlencode(form or {}, doseq=True).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        answer: dict = {}

        def start_response(status, headers):  # type: ignore[no-untyped-def]
            answer.update(status=status, headers=dict(headers))

        content = b"".join(self.app(environ, start_response))
        return answer["status"], answer["headers"], content.decode("utf-8", "replace")

    def get(self, user: str, conversation: str = "home") -> str:
        status, _, html = self.call("GET", "/", urlencode({"as": user, "c": conversation}))
        assert status == "200 OK", html
        return html

    def post(self, path: str, user: str, conversation: str = "home", **form) -> str:
        back = "/?" + urlencode({"as": user, "c": conversation})
        status, headers, _ = self.call(
            "POST", path, form={"as": user, "c": conversation, "back": back, **form}
        )
        assert status == "303 See Other"
        location = headers["Location"]
        assert location.startswith("/?")
        status, _, html = self.call("GET", "/", location.removeprefix("/?"))
        assert status == "200 OK", html
        return html


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory):
    running = Sandbox(tmp_path_factory.mktemp("sandbox") / "sandbox.db", start=START).start()
    yield running
    running.stop()


@pytest.fixture
def page(sandbox: Sandbox) -> Page:
    return Page(sandbox)


@pytest.fixture
def member(sandbox: Sandbox) -> str:
    return next(p.user_id for p in sandbox.people() if not p.is_admin)


def test_the_demo_program_and_the_page(sandbox, page, member):
    people = sandbox.people()
    assert len(people) == 12
    assert len({p.tz for p in people}) == 3  # 12 people across three timezones
    html = page.get(member)
    words = text_of(html)
    assert "Sandbox" in words and "real Coachbot" in words
    assert html.count('<option value="U') >= 12  # the member switcher
    assert "Your next session" in words  # their App Home, published by the bot
    assert "#pod-" in words and "#coaching-digest" in words
    assert "Tue 1 Dec 2026" in words  # the clock, in their timezone
    assert "Traceback" not in html


def test_a_typo_after_coach_gets_the_bots_own_answer(page, member):
    dm = page.sandbox.slack.im_channel(member)
    words = text_of(page.post("/command", member, dm, text="/coach chekin"))
    assert "Unknown command" in words and "Did you mean /coach checkin" in words
    assert "Only visible to you" in words


def test_another_slash_command_or_nothing_gets_slacks_answer(page, member):
    words = text_of(page.post("/command", member, text="/cocah help"))
    assert "/cocah is not a valid command" in words
    words = text_of(page.post("/command", member, text="   "))
    assert "Type a /coach command" in words


def test_a_modal_shows_the_clients_and_the_bots_errors_inline(page, member, sandbox):
    html = page.post("/command", member, text="checkin")
    view = sandbox.modal(member)
    assert view is not None and 'action="/submit"' in html
    # Slack's client does not send a form with a required field empty.
    html = page.post("/submit", member, view_id=view["id"], **{"in:intent": ""})
    assert "Please fill out this field." in text_of(html)
    assert sandbox.modal(member)["id"] == view["id"]
    # The bot refuses a due date in the past, inline under the field.
    html = page.post(
        "/submit", member, view_id=view["id"], **{"in:intent": "x", "in:due_date": "2026-11-01"}
    )
    assert "That date has passed" in text_of(html)
    assert 'data-block="due_date"' in html
    # Cancel closes it.
    page.post("/close", member, view_id=view["id"])
    assert sandbox.modal(member) is None


def test_buttons_reach_the_bot_and_stale_ones_are_explained(page, member, sandbox):
    home = sandbox.home(member)
    html = page.post(
        "/action", member, surface="home", view_id=home["id"], act=_act(home, "Check in")
    )
    assert "Check in" in text_of(html) and sandbox.modal(member) is not None
    page.post("/close", member, view_id=sandbox.modal(member)["id"])
    words = text_of(
        page.post("/action", member, surface="message", channel="D000", ts="9.9", act="x|y")
    )
    assert "That message is gone" in words
    words = text_of(page.post("/submit", member, view_id="V0NOPE"))
    assert "That form is no longer open" in words


def _act(view: dict, label: str) -> str:
    for block in view["blocks"]:
        for element in block.get("elements", []) + [block.get("accessory") or {}]:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return f"{block['block_id']}|{element['action_id']}"
    raise LookupError(label)


def test_the_clock_moves_forward_only(page, member, sandbox):
    before = sandbox.clock()
    page.post("/clock", member, move="hour")
    assert sandbox.clock() == before + timedelta(hours=1)
    words = text_of(page.post("/clock", member, move="to", to="2020-01-01T09:00"))
    assert "The clock only moves forward" in words
    assert sandbox.clock() == before + timedelta(hours=1)
    words = text_of(page.post("/clock", member, move="to", to="next tuesday"))
    assert "is not a date and time" in words


def test_the_page_never_shows_a_traceback(page, member, sandbox, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the stand-in fell over")

    monkeypatch.setattr(sandbox, "command", broken)
    status, _, html = page.call(
        "POST", "/command", form={"as": member, "c": "home", "text": "help"}
    )
    assert status.startswith("500")
    assert "Something went wrong" in html and "the stand-in fell over" in html
    assert "Traceback" not in html and 'File "' not in html
    status, _, html = page.call("GET", "/nowhere")
    assert status.startswith("404") and "Traceback" not in html
    # An unknown person or conversation falls back to someone real, on Home.
    assert "Your next session" in text_of(page.get("U0NOBODY", "C0NOWHERE"))


def test_a_restart_carries_on_with_the_same_clock_and_people(tmp_path):
    path = tmp_path / "sandbox.db"
    with Sandbox(path, start=START) as first:
        first.advance(timedelta(hours=2))
        people = [p.user_id for p in first.people()]
    with Sandbox(path, start=START) as second:
        assert second.clock() == START + timedelta(hours=2)
        assert [p.user_id for p in second.people()] == people


def test_an_empty_sandbox_has_people_to_act_as_and_no_sessions(tmp_path):
    with Sandbox(tmp_path / "empty.db", empty=True, start=START) as empty:
        page = Page(empty)
        assert [p.user_id for p in empty.people()][0] == EMPTY_CAST[0][0]
        assert len(empty.people()) == len(EMPTY_CAST)
        words = text_of(page.post("/clock", EMPTY_CAST[1][0], move="session"))
        assert "No session is scheduled" in words


# --------------------------------------------------------------------------- launcher


def test_credentials_in_the_environment_or_dotenv_run_the_bot(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    assert not launch.credentials_configured({}, dotenv)
    assert launch.credentials_configured({"SLACK_BOT_TOKEN": "xoxb-1"}, dotenv)
    dotenv.write_text("SLACK_BOT_TOKEN=xoxb-from-file\n")
    assert launch.credentials_configured({}, dotenv)
    dotenv.write_text("SLACK_BOT_TOKEN=\n")
    assert not launch.credentials_configured({}, dotenv)

    chosen = []
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(launch, "run_bot", lambda: chosen.append("bot"))
    monkeypatch.setattr(launch, "run_sandbox", lambda args, reason: chosen.append(reason))
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    launch.main([])
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    launch.main([])
    launch.main(["--sandbox"])
    assert chosen == [
        "No Slack credentials: SLACK_BOT_TOKEN is not set (environment or .env).",
        "bot",
        "Started with --sandbox.",
    ]


def test_the_terminal_banner_says_sandbox_and_where_to_go():
    text = launch.banner("http://localhost:3000/", Path("/tmp/x.db"), "No Slack credentials.")
    assert "Coachbot sandbox" in text and "http://localhost:3000/" in text
    assert "No Slack credentials." in text


# --------------------------------------------------------------------------- separation


def test_the_bot_knows_nothing_of_the_sandbox():
    """No module of bot/, handlers/ or models/ imports the sandbox (or the stand-in)."""
    offenders = []
    for package in ("bot", "handlers", "models"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text()
            if "sandbox" not in source and "slack_standin" not in source:
                continue
            for node in ast.walk(ast.parse(source, str(path))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                offenders += [
                    f"{path.relative_to(ROOT)}: {name}"
                    for name in names
                    if name.split(".")[0] in ("sandbox", "slack_standin")
                ]
    assert offenders == []


def test_a_dispatching_select_in_a_modal_keeps_what_was_typed(page, member, sandbox):
    page.post("/command", member, text="checkin")
    view = sandbox.modal(member)
    scenario = next(b for b in view["blocks"] if b.get("dispatch_action"))
    element = scenario["element"]
    html = page.post(
        "/action",
        member,
        surface="modal",
        view_id=view["id"],
        act=f"{scenario['block_id']}|{element['action_id']}",
        **{
            f"in:{scenario['block_id']}": element["options"][0]["value"],
            "in:intent": "What I typed before picking",
        },
    )
    # The bot got the pick and the typed text as the view's state, and updated the form.
    assert "Prompts for" in text_of(html)
    assert "What I typed before picking" in html
    page.post("/close", member, view_id=sandbox.modal(member)["id"])


def test_commands_typed_on_home_answer_in_the_dm_and_mentions_become_ids(page, sandbox):
    giver, receiver = sandbox.people()[1:3]
    html = page.post(
        "/command",
        giver.user_id,
        text=f"/coach kudos @{receiver.name} for the clear notes #respect",
    )
    # Like Slack, the command is typed in the Messages tab; the answer shows there.
    assert 'aria-current="page">Coachbot · Messages' in html
    assert "Only visible to you" in text_of(html)
    # Slack's escaping: the name typed after @ arrives as the person's user id.
    (kudos,) = [m for m in sandbox.slack.dms(receiver.user_id) if "kudos" in m["text"]]
    assert f"<@{giver.user_id}>" in kudos["text"] and "clear notes" in kudos["text"]
    receiver_sees = text_of(page.get(receiver.user_id, sandbox.slack.im_channel(receiver.user_id)))
    assert f"@{giver.name} gave you kudos for Respect" in receiver_sees


def test_command_text_is_escaped_as_slack_sends_it(page, sandbox):
    person = sandbox.people()[3]
    sent = page.app.escaped(f"kudos @{person.name.upper()} & co <b> in #coaching-digest #respect")
    assert sent == (
        f"kudos <@{person.user_id}|{sandbox.slack.user(person.user_id)['name']}> &amp; co "
        "&lt;b&gt; in <#CDIGEST0001|coaching-digest> #respect"
    )


def test_save_as_insight_on_a_message_opens_the_bots_form(page, sandbox):
    giver, receiver = sandbox.people()[4:6]
    thanks = f"kudos @{receiver.name} for the steady notes #respect"
    page.post("/command", giver.user_id, text=thanks)
    dm = sandbox.slack.im_channel(receiver.user_id)
    (kudos,) = [m for m in sandbox.slack.messages_to(dm) if "kudos" in m["text"]]
    html = page.post(
        "/action",
        receiver.user_id,
        dm,
        surface="message",
        channel=dm,
        ts=kudos["ts"],
        shortcut="1",
    )
    view = sandbox.modal(receiver.user_id)
    assert view is not None and 'form class="modal"' in html
    # The bot's reflection form, with the message's words as the insight to edit.
    assert "Insight" in text_of(html) and "for the steady notes" in html
    page.post("/close", receiver.user_id, view_id=view["id"])
