"""The sandbox page: a small WSGI app, server-rendered HTML, plain forms.

GET  /?as=USER&c=CONVERSATION   the page as USER sees it ("home" = App Home)
POST /command                   type ``/coach …``
POST /action                    press a button or pick from a select (block_actions)
POST /submit, /close            a modal's Submit and Close
POST /clock                     move the simulated clock and run the scheduler's pass
GET  /file/ID                   an uploaded file (the quarterly chart)

Every POST answers with a redirect back to the page, which shows the result (and a
one-line notice when something was refused). Nothing the bot or the page raises is
shown as a traceback: it is logged to the terminal and the page says what happened.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

from bot import ids
from sandbox import page
from sandbox.render import input_name
from sandbox.world import GENERAL_CHANNEL, ClockError, Sandbox
from slack_standin.blockcheck import surface_blocks
from slack_standin.signing import SubmissionBlocked

log = logging.getLogger("coachbot.sandbox")

MAX_BODY = 1_000_000
LIST_ELEMENTS = frozenset(
    {
        "checkboxes",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
COMMAND = "/coach"
CLOCK_MOVES = {"hour": timedelta(hours=1), "day": timedelta(days=1)}

Start = Callable[..., Any]


class Refused(Exception):
    """Something the person tried that Slack would not do either: said on the page."""


class SandboxWeb:
    def __init__(self, sandbox: Sandbox, *, banner: str = page.DEFAULT_BANNER) -> None:
        self.sandbox = sandbox
        self.banner = banner

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Start) -> Iterable[bytes]:
        try:
            return self.route(environ, start_response)
        except Exception as error:  # the page never shows a traceback
            log.exception("sandbox page failed on %s", environ.get("PATH_INFO"))
            body = page.error_page(
                "Something went wrong in the sandbox",
                f"{type(error).__name__}: {error}. The details are in the terminal.",
            )
            return _respond(start_response, "500 Internal Server Error", body)

    def route(self, environ: dict[str, Any], start_response: Start) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO") or "/"
        if method == "GET" and path == "/":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            shown = self.render(_one(query, "as"), _one(query, "c"))
            return _respond(start_response, "200 OK", shown)
        if method == "GET" and path.startswith("/file/"):
            return self.serve_file(path.removeprefix("/file/"), start_response)
        if method == "GET" and path == "/healthz":
            return _respond(start_response, "200 OK", "ok", "text/plain; charset=utf-8")
        actions = {
            "/command": self.command,
            "/action": self.action,
            "/submit": self.submit,
            "/close": self.close,
            "/clock": self.move_clock,
        }
        if path in actions:
            if method != "POST":
                return _respond(start_response, "405 Method Not Allowed", "POST only", "text/plain")
            form = _read_form(environ)
            user = self.sandbox.person(_one(form, "as")).user_id
            back = _safe_back(_one(form, "back"), user)
            try:
                back = actions[path](user, form) or back
            except Refused as refusal:
                self.sandbox.notices[user] = str(refusal)
            return _redirect(start_response, back)
        return _respond(start_response, "404 Not Found", page.error_page("Not found", path))

    # ------------------------------------------------------------------ the page

    def render(self, user_id: str | None, conversation: str | None) -> str:
        sandbox = self.sandbox
        person = sandbox.person(user_id)
        conversations = sandbox.conversations(person.user_id)
        chosen = conversation or "home"
        if chosen != "home" and chosen not in {c.id for c in conversations}:
            chosen = "home"
        if chosen == "home":
            sandbox.open_home(person.user_id)
        return page.render_page(
            sandbox,
            person,
            conversations,
            chosen,
            notice=sandbox.notices.pop(person.user_id, ""),
            banner=self.banner,
        )

    def serve_file(self, file_id: str, start_response: Start) -> Iterable[bytes]:
        found = self.sandbox.file(file_id)
        if found is None or found.get("content") is None:
            return _respond(start_response, "404 Not Found", page.error_page("No such file", ""))
        kind = mimetypes.guess_type(str(found.get("filename") or ""))[0]
        content: bytes = found["content"]
        start_response(
            "200 OK",
            [
                ("Content-Type", kind or "application/octet-stream"),
                ("Content-Length", str(len(content))),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [content]

    # ------------------------------------------------------------------ acting

    def command(self, user: str, form: dict[str, list[str]]) -> str | None:
        """Slash commands are typed in a conversation; from App Home they go to the
        person's DM with Coachbot (its Messages tab), where the answer shows."""
        typed = (_one(form, "text") or "").strip()
        channel = _one(form, "c") or ""
        shown_in = None
        if channel in ("", "home"):
            channel = self.sandbox.slack.im_channel(user)
            shown_in = "/?" + urlencode({"as": user, "c": channel})
        if typed.startswith("/"):
            name, _, rest = typed.partition(" ")
            if name != COMMAND:
                raise Refused(
                    f"{name} is not a valid command. In Slack, all messages that start "
                    'with the "/" character are interpreted as commands. Try /coach help.'
                )
            typed = rest.strip()
        elif not typed:
            raise Refused("Type a /coach command, like /coach help.")
        self.sandbox.command(user, channel, self.escaped(typed))
        return shown_in

    def escaped(self, typed: str) -> str:
        """The command text as Slack sends it for a command with ``should_escape``:
        ``&``, ``<`` and ``>`` escaped, and @people and #channels typed by name turned
        into ``<@U…|handle>`` and ``<#C…|name>``."""
        tokens: dict[str, str] = {}
        for record in self.sandbox.slack.people():
            mention = f"<@{record['id']}|{record['name']}>"
            names = (record["name"], record["real_name"], record["profile"].get("display_name"))
            tokens.update({f"@{n.casefold()}": mention for n in names if n})
        for channel_id, name in self.sandbox.slack.channel_names().items():
            tokens[f"#{name.casefold()}"] = f"<#{channel_id}|{name}>"
        text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if not tokens:
            return text
        labels = sorted(tokens, key=len, reverse=True)
        pattern = re.compile(
            r"(?<![\w@#])(" + "|".join(re.escape(label) for label in labels) + r")(?![\w-])",
            re.IGNORECASE,
        )
        return pattern.sub(lambda m: tokens[m.group(1).casefold()], text)

    def action(self, user: str, form: dict[str, list[str]]) -> None:
        block_id, _, action_id = (_one(form, "act") or "").partition("|")
        kind = _one(form, "surface")
        sandbox = self.sandbox
        try:
            if kind == "modal":
                view = self._open_view(user, form)
                selected = _selection(view, block_id, action_id, form)
                state = _state(view, form)
                with sandbox.acting():
                    sandbox.sim.block_action(
                        user, action_id, block_id=block_id, view=view, state=state, **selected
                    )
            elif kind == "home":
                home = sandbox.home(user)
                if home is None:
                    raise Refused("App Home is not there yet: open it first.")
                selected = _selection(home, block_id, action_id, form)
                with sandbox.acting():
                    sandbox.sim.block_action(
                        user, action_id, block_id=block_id, view=home, **selected
                    )
            elif kind == "message":
                channel, ts = _one(form, "channel") or "", _one(form, "ts") or ""
                message = sandbox.slack.message(channel, ts)
                if message is None:
                    raise Refused("That message is gone: it was deleted.")
                if form.get("shortcut"):
                    with sandbox.acting():
                        sandbox.sim.shortcut_message(
                            user, ids.SAVE_AS_INSIGHT_CALLBACK, message, channel_id=channel
                        )
                    return
                selected = _selection(message, block_id, action_id, form)
                with sandbox.acting():
                    sandbox.sim.block_action(
                        user, action_id, block_id=block_id, message=message, **selected
                    )
            else:
                raise Refused("That control belongs to nothing on the page any more.")
        except LookupError:
            raise Refused(
                "That button or option is no longer on screen: the message or form changed."
            ) from None

    def submit(self, user: str, form: dict[str, list[str]]) -> None:
        sandbox = self.sandbox
        view = self._open_view(user, form)
        values = _state(view, form)
        sandbox.client_errors.pop(view["id"], None)
        try:
            with sandbox.acting():
                sandbox.sim.view_submission(user, view, values)
        except SubmissionBlocked as blocked:
            # Slack's own client refuses to send it: show its complaints inline.
            sandbox.client_errors[view["id"]] = _client_errors(view, str(blocked))
        except LookupError as error:
            raise Refused(str(error)) from None

    def close(self, user: str, form: dict[str, list[str]]) -> None:
        view = self._open_view(user, form)
        self.sandbox.client_errors.pop(view["id"], None)
        with self.sandbox.acting():
            self.sandbox.sim.view_closed(user, view)

    def _open_view(self, user: str, form: dict[str, list[str]]) -> dict[str, Any]:
        view_id = _one(form, "view_id") or ""
        on_screen = self.sandbox.modal(user)
        if on_screen is None or on_screen["id"] != view_id:
            raise Refused("That form is no longer open.")
        return on_screen

    def move_clock(self, user: str, form: dict[str, list[str]]) -> None:
        sandbox = self.sandbox
        move = _one(form, "move") or ""
        try:
            if move in CLOCK_MOVES:
                sandbox.advance(CLOCK_MOVES[move])
            elif move == "session":
                found = sandbox.next_session(user)
                if found is None:
                    raise Refused("No session is scheduled: create a pod with /coach pod create.")
                starts, ends = found
                now = sandbox.clock()
                # Before the session: to its start. During it: to just after its end.
                sandbox.advance_to(starts if starts > now else ends + timedelta(minutes=1))
            elif move == "digest":
                sandbox.advance_to(sandbox.next_digest() + timedelta(minutes=1))
            elif move == "to":
                sandbox.advance_to(_local_instant(_one(form, "to"), sandbox.person(user).tz))
            else:
                raise Refused("Pick how far to move the clock.")
        except ClockError as error:
            raise Refused(str(error)) from None


# ---------------------------------------------------------------------- form values


def _one(values: dict[str, list[str]], key: str) -> str | None:
    found = values.get(key)
    return found[-1] if found else None


def _read_form(environ: dict[str, Any]) -> dict[str, list[str]]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(min(length, MAX_BODY)) if length > 0 else b""
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)


def _safe_back(back: str | None, user: str) -> str:
    """Only back to the page itself (never elsewhere), as the acting person."""
    if back:
        url = urlsplit(back)
        if not url.scheme and not url.netloc and url.path == "/":
            query = parse_qs(url.query)
            query["as"] = [user]
            return "/?" + urlencode({k: v[-1] for k, v in query.items()})
    return "/?" + urlencode({"as": user})


def _inputs(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in surface_blocks(view) if b.get("type") == "input" and b.get("block_id")]


def _state(view: dict[str, Any], form: dict[str, list[str]]) -> dict[str, Any]:
    """``{block_id: value}`` for every input of the modal, from the posted form (an
    unticked checkbox or an emptied field counts: it overrides the initial value)."""
    values: dict[str, Any] = {}
    for block in _inputs(view):
        element = block.get("element") or {}
        kind = element.get("type", "")
        posted = form.get(input_name(block["block_id"]), [])
        values[block["block_id"]] = _value(kind, posted)
    return values


def _value(kind: str, posted: list[str]) -> Any:
    if kind in LIST_ELEMENTS:
        return [v for v in posted if v]
    value = posted[-1] if posted else ""
    if value == "":
        return None
    if kind == "datetimepicker":
        try:
            return int(datetime.fromisoformat(value).timestamp())
        except ValueError:
            return None
    return value


def _selection(
    surface: dict[str, Any], block_id: str, action_id: str, form: dict[str, list[str]]
) -> dict[str, Any]:
    """The ``selected=`` for a select-like element; nothing for a button."""
    for block in surface_blocks(surface):
        if block.get("block_id") != block_id:
            continue
        for element in _elements_of(block):
            if element.get("action_id") != action_id:
                continue
            kind = element.get("type", "")
            if kind == "button":
                return {}
            name = f"sel:{block_id}:{action_id}"
            posted = form.get(name) or form.get(input_name(block_id)) or []
            chosen = _value(kind, posted)
            if chosen is None or chosen == []:
                if kind in LIST_ELEMENTS:
                    return {"selected": []}
                raise Refused("Pick something first.")
            return {"selected": chosen}
    raise LookupError(f"no {action_id} in {block_id}")


def _elements_of(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = [e for e in block.get("elements") or [] if isinstance(e, dict)]
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            found.append(block[key])
    return found


def _client_errors(view: dict[str, Any], complaints: str) -> dict[str, str]:
    """SubmissionBlocked's "Label: problem; …" as inline errors by block_id."""
    by_label = {(b.get("label") or {}).get("text", ""): b["block_id"] for b in _inputs(view)}
    errors: dict[str, str] = {}
    for complaint in complaints.split("; "):
        label, _, problem = complaint.rpartition(": ")
        block_id = by_label.get(label)
        if block_id is not None:
            errors[block_id] = (
                "Please fill out this field." if problem == "required" else f"This is {problem}."
            )
    return errors


def _local_instant(value: str | None, tz: str) -> datetime:
    if not value:
        raise Refused("Pick a date and time to move the clock to.")
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(f"{value!r} is not a date and time.") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(tz))
    return local


# ---------------------------------------------------------------------- HTTP answers


def _respond(
    start_response: Start, status: str, body: str, content_type: str = "text/html; charset=utf-8"
) -> Iterable[bytes]:
    payload = body.encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [payload]


def _redirect(start_response: Start, location: str) -> Iterable[bytes]:
    start_response("303 See Other", [("Location", location), ("Content-Length", "0")])
    return [b""]


def make_app(sandbox: Sandbox, **options: Any) -> SandboxWeb:
    return SandboxWeb(sandbox, **options)


__all__ = ["GENERAL_CHANNEL", "Refused", "SandboxWeb", "make_app"]
