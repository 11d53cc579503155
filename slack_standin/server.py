"""A loopback stand-in for Slack's Web API, response_urls and file uploads.

``SlackStandIn`` answers like Slack, including Slack's refusals: every ``blocks``
and ``view`` is checked by :mod:`slack_standin.blockcheck`, trigger_ids expire
and are single-use, unknown users and channels are refused, and fault knobs
produce 429 (with ``Retry-After``), 5xx and error answers without touching state.

It records what was called and keeps what a person would see: the messages in
each channel and DM (with updates applied), ephemerals, response_url posts,
open modal stacks and Home tabs.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import itertools
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from slack_standin.blockcheck import (
    MESSAGE_TEXT_MAX,
    buttons,
    interactive_elements,
    is_view_too_large,
    message_block_problems,
    surface_blocks,
    view_problems,
    visible_text,
)

__all__ = ["ApiError", "RecordedCall", "SlackStandIn", "buttons", "surface_blocks", "visible_text"]

JSON_PARAMS = frozenset({"blocks", "view", "attachments", "files", "metadata"})
FIRST_TS_MICROS = 1_700_000_000_000_100
TS_STEP_MICROS = 100
SLACKBOT_ID = "USLACKBOT"
GENERAL_CHANNEL_ID = "C0GENERAL"
SHUTDOWN_POLL_SECONDS = 0.02
MPIM_MAX_USERS = 8
USERS_LIST_MAX = 1000
TZ_LABELS = {
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "IST": "India Standard Time",
    "JST": "Japan Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
}


class ApiError(Exception):
    """A Slack error answer: ``{"ok": false, "error": error, **extra}`` with an HTTP status."""

    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call as the stand-in saw it (token removed, JSON strings decoded)."""

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float
    started_at: float = 0.0  # when the request arrived (``at`` is when it was answered)
    retry_after: int | None = None  # the Retry-After seconds a 429 granted

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


@dataclass
class _Conversation:
    id: str
    kind: str  # "channel", "private", "im", "mpim"
    name: str
    members: list[str]
    is_archived: bool = False
    bot_member: bool = True
    everyone: bool = False  # #general: every workspace member is in it
    created: int = 1_700_000_000

    def has_member(self, user_id: str) -> bool:
        return self.everyone or user_id in self.members

    def info(self, bot_user_id: str) -> dict[str, Any]:
        info: dict[str, Any] = {
            "id": self.id,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_channel": self.kind == "channel",
            "is_group": self.kind == "private",
            "is_im": self.kind == "im",
            "is_mpim": self.kind == "mpim",
            "is_private": self.kind != "channel",
            "is_member": self.bot_member,
        }
        if self.kind == "im":
            info["user"] = next((m for m in self.members if m != bot_user_id), None)
        else:
            info["name"] = self.name
            info["num_members"] = len(self.members)
        return info


@dataclass
class _Trigger:
    issued_at: float
    user_id: str | None
    used: bool = False


@dataclass
class _ResponseUrl:
    issued_at: float
    channel_id: str | None
    user_id: str | None
    message_ts: str | None
    uses: int = 0


@dataclass
class _Upload:
    file_id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel_id: str | None = None


@dataclass
class _Fault:
    status: int
    error: str
    retry_after: int | None = None

    def answer(self) -> tuple[int, dict[str, str], dict[str, Any]]:
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        return self.status, headers, {"ok": False, "error": self.error}


@dataclass
class _Chaos:
    rng: random.Random
    p429: float
    p5xx: float
    methods: frozenset[str] | None
    retry_after: int
    p_error: float = 0.0
    errors: tuple[str, ...] = ()
    p_late: float = 0.0
    late_seconds: float = 0.0

    def draw(self, method: str) -> _Fault | None:
        if self.methods is not None and method not in self.methods:
            return None
        roll = self.rng.random()
        if roll < self.p429:
            return _Fault(429, "ratelimited", self.retry_after)
        if roll < self.p429 + self.p5xx:
            return _Fault(500, "internal_error")
        if self.errors and roll < self.p429 + self.p5xx + self.p_error:
            return _Fault(200, self.rng.choice(self.errors))
        return None

    def lateness(self, method: str) -> float:
        """Seconds to hold back an answer whose work is done (a client timeout)."""
        if not self.p_late or (self.methods is not None and method not in self.methods):
            return 0.0
        return self.late_seconds if self.rng.random() < self.p_late else 0.0


@dataclass
class _State:
    """Everything the Web API changes; guarded by SlackStandIn._lock."""

    calls: list[RecordedCall] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ephemerals: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    response_urls: dict[str, _ResponseUrl] = field(default_factory=dict)
    triggers: dict[str, _Trigger] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    view_errors: dict[str, dict[str, str]] = field(default_factory=dict)
    stacks: dict[str | None, list[str]] = field(default_factory=dict)
    homes: dict[str, str] = field(default_factory=dict)
    uploads: dict[str, _Upload] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    faults: dict[str, deque[_Fault]] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)
    chaos: _Chaos | None = None


class SlackStandIn:
    """Slack's Web API on 127.0.0.1, answering like Slack (see module docstring).

    Use as ``with SlackStandIn() as slack: WebClient(token="xoxb-test", base_url=slack.api_url)``.
    Registries (users, channels, IMs) survive :meth:`reset`; recorded traffic does not.
    """

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0001",
        app_id: str = "A0001",
        team_domain: str = "coachbot-test",
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.team_domain = team_domain
        self.trigger_ttl = 3.0
        self.response_url_ttl = 30 * 60.0
        self.response_url_max_uses = 5
        self.clock: Callable[[], float] = time.monotonic
        self.wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        # When set, message ts follow this clock (conversations.history `oldest` works
        # with a test's simulated time); else they count up from FIRST_TS_MICROS.
        self.ts_clock: Callable[[], datetime] | None = None
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._ts_micros = itertools.count(FIRST_TS_MICROS, TS_STEP_MICROS)
        self._users: dict[str, dict[str, Any]] = {}
        self._conversations: dict[str, _Conversation] = {}
        self._ims: dict[str, str] = {}
        self._mpims: dict[frozenset[str], str] = {}
        self._usergroups: dict[str, dict[str, Any]] = {}
        self._state = _State()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._register_workspace_users()
        self._register_general_channel()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SlackStandIn:
        if self._server is not None:
            return self
        server = _Server(self)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name="slack-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        """Pass as ``WebClient(base_url=...)``."""
        return f"{self.base_url}/api/"

    # ------------------------------------------------------------------ registries

    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "Europe/London",
        is_bot: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        deleted: bool = False,
        email: str | None = None,
    ) -> dict[str, Any]:
        """Register a workspace member; returns the object users.info answers with."""
        ZoneInfo(tz)  # an unknown zone is a test bug: fail here, not in users.info
        real = real_name if real_name is not None else name.replace(".", " ").title()
        display = display_name if display_name is not None else ""
        record = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real,
            "tz": tz,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
            "profile": {
                "real_name": real,
                "display_name": display,
                "real_name_normalized": real,
                "display_name_normalized": display,
                "email": email if email is not None else f"{name}@example.com",
                "first_name": real.split(" ")[0],
                "last_name": " ".join(real.split(" ")[1:]),
                "image_48": f"https://example.com/avatars/{user_id}_48.png",
                "team": self.team_id,
            },
        }
        with self._lock:
            self._users[user_id] = record
            return self._user_out(user_id)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        members: Iterable[str] = (),
        is_archived: bool = False,
        bot_member: bool = True,
        is_private: bool = False,
    ) -> dict[str, Any]:
        """Register a channel; with ``bot_member=False`` bot posts fail ``not_in_channel``."""
        member_list = list(members)
        if bot_member and self.bot_user_id not in member_list:
            member_list.append(self.bot_user_id)
        conversation = _Conversation(
            id=channel_id,
            kind="private" if is_private else "channel",
            name=name,
            members=member_list,
            is_archived=is_archived,
            bot_member=bot_member,
        )
        with self._lock:
            self._conversations[channel_id] = conversation
            return conversation.info(self.bot_user_id)

    def im_channel(self, user_id: str) -> str:
        """The id of the bot's DM ("D…") with a user, opening it if needed."""
        with self._lock:
            return self._im_for(user_id)

    def add_usergroup(
        self, usergroup_id: str, handle: str, members: Iterable[str] = (), name: str | None = None
    ) -> dict[str, Any]:
        """Register a user group (``@handle``) with these members; usergroups.list and
        usergroups.users.list answer from it."""
        with self._lock:
            self._usergroups[usergroup_id] = {
                "id": usergroup_id,
                "team_id": self.team_id,
                "is_usergroup": True,
                "name": name if name is not None else handle.replace("-", " ").title(),
                "handle": handle,
                "description": "",
                "date_delete": 0,
                "users": list(members),
            }
            return self._usergroup_out(usergroup_id, include_users=True)

    def _usergroup_out(self, usergroup_id: str, include_users: bool) -> dict[str, Any]:
        group = dict(self._usergroups[usergroup_id])
        group["user_count"] = len(group["users"])
        if not include_users:
            del group["users"]
        return copy.deepcopy(group)

    def add_message(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """Seed a message written by a person (the bot cannot update it)."""
        with self._lock:
            channel_id = self._im_for(channel) if channel in self._users else channel
            if channel_id not in self._conversations:
                raise KeyError(f"unknown channel {channel}")
            message = self._store_message(channel_id, text, blocks, thread_ts, user=user)
            return copy.deepcopy(message)

    def _register_workspace_users(self) -> None:
        self.add_user(SLACKBOT_ID, "slackbot", real_name="Slackbot", tz="America/Los_Angeles")
        self.add_user(self.bot_user_id, "coachbot", real_name="Coachbot", is_bot=True)
        self._users[self.bot_user_id]["profile"]["bot_id"] = self.bot_id

    def _register_general_channel(self) -> None:
        """#general (C0GENERAL): everyone is in it, the bot is not (it was never invited)."""
        self.add_channel(GENERAL_CHANNEL_ID, "general", bot_member=False)
        self._conversations[GENERAL_CHANNEL_ID].everyone = True

    def channel_name(self, channel_id: str) -> str:
        """The ``channel_name`` Slack sends with commands and actions."""
        with self._lock:
            conversation = self._conversations.get(channel_id)
            if conversation is None:
                return "unknown"
            if conversation.kind == "im":
                return "directmessage"
            return conversation.name if conversation.kind == "channel" else "privategroup"

    # ------------------------------------------------------------------ issued ids

    def new_trigger_id(self, user_id: str | None = None) -> str:
        """A fresh trigger_id, valid for ``trigger_ttl`` seconds and one views.open/push."""
        with self._lock:
            trigger_id = f"{next(self._ids)}.{self.team_id[1:]}.{random.getrandbits(64):016x}"
            self._state.triggers[trigger_id] = _Trigger(self.clock(), user_id)
            return trigger_id

    def new_response_url(
        self,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """A response_url on the stand-in; ``message_ts`` ties it to a message it can replace."""
        with self._lock:
            url_id = f"{self.team_id}/{next(self._ids)}/{random.getrandbits(64):016x}"
            self._state.response_urls[url_id] = _ResponseUrl(
                self.clock(), channel_id, user_id, message_ts
            )
            return f"{self.base_url}/response/{url_id}"

    # ------------------------------------------------------------------ fault knobs

    def set_latency(self, method: str, seconds: float) -> None:
        """Delay every answer of ``method`` ("*" = all methods)."""
        with self._lock:
            self._state.latency[method] = seconds

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 2) -> None:
        """The next ``times`` calls get HTTP 429, ``Retry-After`` and ``ratelimited``."""
        self._queue_faults(method, times, _Fault(429, "ratelimited", retry_after))

    def server_error(self, method: str, times: int = 1, status: int = 500) -> None:
        error = "service_unavailable" if status == 503 else "internal_error"
        self._queue_faults(method, times, _Fault(status, error))

    def fail(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        """The next ``times`` calls answer HTTP 200 ``{"ok": false, "error": error}``."""
        self._queue_faults(method, times, _Fault(200, error))

    def chaos(
        self,
        seed: int,
        p429: float = 0.1,
        p5xx: float = 0.1,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
        p_error: float = 0.0,
        errors: Iterable[str] = (),
        p_late: float = 0.0,
        late_seconds: float = 0.0,
    ) -> None:
        """Seeded random 429s and 500s on ``methods`` (all when None) until :meth:`calm`;
        with ``p_error``, Slack error codes drawn from ``errors``; with ``p_late``, a
        call is carried out but its answer held back ``late_seconds`` (past a client's
        timeout: the caller cannot know the message went out)."""
        with self._lock:
            self._state.chaos = _Chaos(
                random.Random(seed),
                p429,
                p5xx,
                frozenset(methods) if methods is not None else None,
                retry_after,
                p_error,
                tuple(errors),
                p_late,
                late_seconds,
            )

    def calm(self) -> None:
        """Drop queued faults, chaos and latency."""
        with self._lock:
            self._state.faults.clear()
            self._state.latency.clear()
            self._state.chaos = None

    def _queue_faults(self, method: str, times: int, fault: _Fault) -> None:
        with self._lock:
            self._state.faults.setdefault(method, deque()).extend([fault] * times)

    def _next_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            queue = self._state.faults.get(key)
            if queue:
                return queue.popleft()
        chaos = self._state.chaos
        return chaos.draw(method) if chaos is not None else None

    # ------------------------------------------------------------------ what tests read

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    def calls_inside_retry_after(self, grace: float = 0.0) -> list[RecordedCall]:
        """Calls that arrived while a Retry-After window granted for their method was
        open: more than ``grace`` seconds after the 429 was answered (a call already on
        its way, or started before the caller could have read the 429, cannot be
        recalled) and before its Retry-After ran out. Slack limits per method."""
        calls = self.calls
        windows: dict[str, list[tuple[float, float]]] = {}
        for call in calls:
            if call.status == 429 and call.retry_after is not None:
                windows.setdefault(call.method, []).append((call.at, call.at + call.retry_after))
        return [
            call
            for call in calls
            if any(
                granted + grace < call.started_at < until
                for granted, until in windows.get(call.method, ())
            )
        ]

    def failed_calls(self) -> list[RecordedCall]:
        """Calls Slack refused (rate limits and injected faults included)."""
        return [call for call in self.calls if not call.ok]

    def messages_to(self, channel_or_user: str) -> list[dict[str, Any]]:
        """Messages in a channel, or in the bot's DM with a user, updates applied, oldest first."""
        with self._lock:
            channel_id = self._ims.get(channel_or_user, channel_or_user)
            return copy.deepcopy(self._state.messages.get(channel_id, []))

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        """Messages in the bot's DM with ``user_id`` (App Home's Messages tab)."""
        with self._lock:
            channel_id = self._ims.get(user_id)
            return copy.deepcopy(self._state.messages.get(channel_id, [])) if channel_id else []

    def ephemerals(self, user_id: str) -> list[dict[str, Any]]:
        """Ephemeral messages shown to a user: chat.postEphemeral, response_url and command acks."""
        with self._lock:
            return copy.deepcopy([e for e in self._state.ephemerals if e["user"] == user_id])

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Accepted response_url posts: ``{"url", "channel", "user", "payload", "at"}``."""
        with self._lock:
            return copy.deepcopy(self._state.responses)

    def open_views(self, user_id: str) -> list[dict[str, Any]]:
        """The user's modal stack, bottom first (the last one is on screen)."""
        with self._lock:
            stack = self._state.stacks.get(user_id, [])
            return copy.deepcopy([self._state.views[view_id] for view_id in stack])

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message (or ephemeral) with this ts as it is now; None once deleted."""
        with self._lock:
            found = self._find_message(self._ims.get(channel, channel), ts) or next(
                (e for e in self._state.ephemerals if e["ts"] == ts), None
            )
            return copy.deepcopy(found)

    def view(self, view_id: str) -> dict[str, Any]:
        with self._lock:
            if view_id not in self._state.views:
                raise KeyError(f"no view {view_id}")
            return copy.deepcopy(self._state.views[view_id])

    def view_errors(self, view_id: str) -> dict[str, str]:
        """Inline errors on a modal from the last ``response_action: errors`` (block_id → text)."""
        with self._lock:
            return dict(self._state.view_errors.get(view_id, {}))

    def home(self, user_id: str) -> dict[str, Any] | None:
        """The user's last published Home tab view."""
        with self._lock:
            view_id = self._state.homes.get(user_id)
            return copy.deepcopy(self._state.views[view_id]) if view_id else None

    def uploaded_file(self, file_id: str) -> dict[str, Any]:
        with self._lock:
            upload = self._state.uploads[file_id]
            return {
                "id": upload.file_id,
                "filename": upload.filename,
                "title": upload.title,
                "length": upload.length,
                "content": upload.content,
                "channel": upload.channel_id,
            }

    @property
    def problems(self) -> list[str]:
        """What Slack would have shown as an error without the bot seeing a refusal:
        bad ack bodies, late acks, response_action errors on unknown blocks."""
        with self._lock:
            return list(self._state.problems)

    def user(self, user_id: str) -> dict[str, Any]:
        with self._lock:
            return self._user_out(user_id)

    def reset(self) -> None:
        """Forget recorded traffic, views, files and faults; keep users, channels and DMs."""
        with self._lock:
            self._state = _State()

    # ------------------------------------------------------------------ acks (from SlackClientSim)

    def note_problem(self, problem: str) -> None:
        with self._lock:
            self._state.problems.append(problem)

    def apply_command_ack(self, user_id: str, channel_id: str, body: str) -> list[str]:
        """Show a slash command's ack body to the user (ephemeral unless in_channel)."""
        payload = _ack_payload(body)
        if payload is None:
            return []
        with self._lock:
            try:
                self._check_message_content(payload)
            except ApiError as error:
                return self._record_problems(f"command ack refused: {error.body()}")
            self._deliver_reply(payload, channel_id, user_id, source="command_ack")
            return []

    def apply_view_submission_ack(self, user_id: str, view_id: str, body: str) -> list[str]:
        """Apply a view_submission ack: close, errors, update, push or clear."""
        payload = _ack_payload(body) or {}
        action = payload.get("response_action")
        with self._lock:
            if view_id not in self._state.views:
                return self._record_problems(f"view_submission for unknown view {view_id}")
            if action is None:
                self._close_view(user_id, view_id)
                return []
            handler = {
                "errors": self._ack_errors,
                "update": self._ack_update,
                "push": self._ack_push,
                "clear": self._ack_clear,
            }.get(action)
            if handler is None:
                return self._record_problems(f"unknown response_action {action!r}")
            return handler(user_id, view_id, payload)

    def close_view(self, user_id: str, view_id: str) -> None:
        """The person pressed Close (or Esc) on the modal."""
        with self._lock:
            if self._state.views.get(view_id, {}).get("clear_on_close"):
                self._state.stacks.pop(user_id, None)
            else:
                self._close_view(user_id, view_id)

    def _record_problems(self, *problems: str) -> list[str]:
        self._state.problems.extend(problems)
        return list(problems)

    def _ack_errors(self, user_id: str, view_id: str, payload: dict[str, Any]) -> list[str]:
        errors = payload.get("errors")
        if not isinstance(errors, dict) or not errors:
            return self._record_problems("response_action errors needs a non-empty errors object")
        input_ids = {
            block.get("block_id")
            for block in self._state.views[view_id]["blocks"]
            if block.get("type") == "input"
        }
        unknown = sorted(set(errors) - input_ids)
        if unknown:
            return self._record_problems(f"errors for blocks that are not inputs: {unknown}")
        self._state.view_errors[view_id] = {str(k): str(v) for k, v in errors.items()}
        return []

    def _ack_update(self, user_id: str, view_id: str, payload: dict[str, Any]) -> list[str]:
        view = payload.get("view")
        problems = view_problems(view)
        if problems:
            return self._record_problems(*problems)
        self._replace_view(view_id, view)
        return []

    def _ack_push(self, user_id: str, view_id: str, payload: dict[str, Any]) -> list[str]:
        view = payload.get("view")
        problems = view_problems(view)
        if problems:
            return self._record_problems(*problems)
        stack = self._state.stacks.get(user_id, [])
        if len(stack) >= 3:
            return self._record_problems("push_limit_reached")
        self._open_modal(user_id, view, stack=stack)
        return []

    def _ack_clear(self, user_id: str, view_id: str, payload: dict[str, Any]) -> list[str]:
        self._state.stacks.pop(user_id, None)
        return []

    # ------------------------------------------------------------------ HTTP entry points

    def handle_api(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """One Web API call: auth, faults, dispatch, record. Returns (status, headers, body)."""
        started_at = time.monotonic()
        with self._lock:
            delay = self._state.latency.get(method, self._state.latency.get("*", 0.0))
            chaos = self._state.chaos
            late = chaos.lateness(method) if chaos is not None else 0.0
        if delay:
            time.sleep(delay)
        with self._lock:
            status, headers, body = self._answer(method, params, token)
            self._state.calls.append(
                RecordedCall(
                    method,
                    copy.deepcopy(params),
                    status,
                    copy.deepcopy(body),
                    time.monotonic(),
                    started_at,
                    _retry_after_of(headers),
                )
            )
        if late:
            time.sleep(late)
        return status, headers, body

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if not token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        if token != self.bot_token:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        handler = self._methods().get(method)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method", "req_method": method}
        fault = self._next_fault(method)
        if fault is not None:
            return fault.answer()
        try:
            return 200, {}, {"ok": True, **handler(params)}
        except ApiError as error:
            return error.status, {}, error.body()

    def handle_response_url(self, url_id: str, raw_body: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            try:
                return 200, self._post_to_response_url(url_id, raw_body)
            except ApiError as error:
                return error.status, error.body()

    def handle_upload(self, file_id: str, content: bytes) -> tuple[int, str]:
        with self._lock:
            upload = self._state.uploads.get(file_id)
            if upload is None:
                return 404, "file_not_found"
            upload.content = content
            return 200, f"OK - {len(content)}"

    # ------------------------------------------------------------------ Web API methods

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "api.test": lambda params: {"args": params},
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "usergroups.list": self._usergroups_list,
            "usergroups.users.list": self._usergroups_users_list,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": "Coachbot Test",
            "user": "coachbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    # chat.*

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._post_target(_required(params, "channel", "channel_not_found"))
        self._check_message_content(params)
        message = self._store_message(
            channel_id,
            params.get("text") or "",
            params.get("blocks") or None,
            params.get("thread_ts"),
            attachments=params.get("attachments"),
            metadata=params.get("metadata"),
        )
        return {"channel": channel_id, "ts": message["ts"], "message": _without(message, "channel")}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _required(params, "user", "user_not_found")
        channel_id = self._post_target(_required(params, "channel", "channel_not_found"))
        self._require_user(user_id)
        conversation = self._conversations[channel_id]
        if conversation.kind in ("channel", "private") and not conversation.has_member(user_id):
            raise ApiError("user_not_in_channel")
        self._check_message_content(params)
        ephemeral = self._store_ephemeral(channel_id, user_id, params, source="chat.postEphemeral")
        return {"message_ts": ephemeral["ts"]}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(params, "cant_update_message")
        if not any(key in params for key in ("text", "blocks", "attachments")):
            raise ApiError("no_text")
        self._check_message_content(params, require_content=False)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in params:
                message[key] = (
                    _with_generated_ids(params[key] or [], self._ids)
                    if key == "blocks"
                    else params[key]
                )
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": message["channel"],
            "ts": message["ts"],
            "text": message["text"],
            "message": _without(message, "channel"),
        }

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(params, "cant_delete_message")
        self._state.messages[message["channel"]].remove(message)
        return {"channel": message["channel"], "ts": message["ts"]}

    def _own_message(self, params: dict[str, Any], not_own_error: str) -> dict[str, Any]:
        channel_id = _required(params, "channel", "channel_not_found")
        if channel_id not in self._conversations:
            raise ApiError("channel_not_found")
        ts = _required(params, "ts", "message_not_found")
        message = self._find_message(channel_id, ts)
        if message is None:
            raise ApiError("message_not_found")
        if message.get("user") != self.bot_user_id:
            raise ApiError(not_own_error)
        return message

    # conversations.*

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            conversation = self._conversations.get(params["channel"])
            if conversation is None or conversation.kind not in ("im", "mpim"):
                raise ApiError("channel_not_found")
            return {"channel": {"id": conversation.id}, "no_op": True, "already_open": True}
        user_ids = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        if not user_ids:
            raise ApiError("users_list_not_supplied")
        if len(user_ids) > MPIM_MAX_USERS:
            raise ApiError("too_many_users")
        for user_id in user_ids:
            if self._require_user(user_id)["deleted"]:
                raise ApiError("user_disabled")
        existed = self._existing_dm(user_ids)
        channel_id = self._im_for(user_ids[0]) if len(user_ids) == 1 else self._mpim_for(user_ids)
        answer: dict[str, Any] = {"channel": {"id": channel_id}}
        if _flag(params, "return_im"):
            answer["channel"] = self._conversations[channel_id].info(self.bot_user_id)
        if existed:
            answer.update(no_op=True, already_open=True)
        return answer

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        conversation = self._conversations.get(params.get("channel") or "")
        if conversation is None:
            raise ApiError("channel_not_found")
        return {"channel": conversation.info(self.bot_user_id)}

    def _conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        conversation = self._conversations.get(params.get("channel") or "")
        if conversation is None:
            raise ApiError("channel_not_found")
        page, next_cursor = _paginate(conversation.members, params, "member", default_limit=100)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first; ``oldest``/``latest`` bound ts (``inclusive``), ``cursor`` pages;
        message ``metadata`` only with ``include_all_metadata``."""
        conversation = self._conversations.get(params.get("channel") or "")
        if conversation is None:
            raise ApiError("channel_not_found")
        if conversation.kind in ("channel", "private") and not conversation.bot_member:
            raise ApiError("not_in_channel")
        inclusive = _flag(params, "inclusive")

        def micros(key: str, default: int) -> int:
            value = params.get(key)
            if value in (None, ""):
                return default
            try:
                return round(float(value) * 1_000_000)
            except (TypeError, ValueError):
                raise ApiError(f"invalid_ts_{key}") from None

        oldest, latest = micros("oldest", 0), micros("latest", 1 << 62)
        chosen = []
        for message in reversed(self._state.messages.get(conversation.id, [])):
            at = round(float(message["ts"]) * 1_000_000)
            if (oldest < at < latest) or (inclusive and at in (oldest, latest)):
                chosen.append(message)
        by_ts = {m["ts"]: m for m in chosen}
        page, next_cursor = _paginate(list(by_ts), params, "ts", default_limit=100)
        with_metadata = _flag(params, "include_all_metadata")
        hidden = {"channel"} if with_metadata else {"channel", "metadata"}
        messages = [
            {k: copy.deepcopy(v) for k, v in by_ts[ts].items() if k not in hidden} for ts in page
        ]
        return {
            "messages": messages,
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    # users.*

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _required(params, "user", "user_not_found")
        self._require_user(user_id)
        return {"user": self._user_out(user_id)}

    def _users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        user_ids = list(self._users)
        page, next_cursor = _paginate(user_ids, params, "user", default_limit=USERS_LIST_MAX)
        return {
            "members": [self._user_out(user_id) for user_id in page],
            "cache_ts": int(self.wall_clock().timestamp()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _users_lookup_by_email(self, params: dict[str, Any]) -> dict[str, Any]:
        email = str(params.get("email") or "").lower()
        for user_id, record in self._users.items():
            if record["profile"]["email"].lower() == email:
                return {"user": self._user_out(user_id)}
        raise ApiError("users_not_found")

    # usergroups.*

    def _usergroups_list(self, params: dict[str, Any]) -> dict[str, Any]:
        include_users = _flag(params, "include_users")
        return {
            "usergroups": [
                self._usergroup_out(group_id, include_users) for group_id in self._usergroups
            ]
        }

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self._usergroups.get(str(params.get("usergroup") or ""))
        if group is None:
            raise ApiError("no_such_subteam")
        return {"users": list(group["users"])}

    # views.*

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        trigger = self._usable_trigger(params)
        view = self._checked_view(params, expected_type="modal")
        trigger.used = True
        view_id = self._open_modal(trigger.user_id, view, stack=[])
        return {"view": copy.deepcopy(self._state.views[view_id])}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        trigger = self._usable_trigger(params)
        view = self._checked_view(params, expected_type="modal")
        stack = self._state.stacks.get(trigger.user_id, [])
        if len(stack) >= 3:
            raise ApiError("push_limit_reached")
        trigger.used = True
        view_id = self._open_modal(trigger.user_id, view, stack=stack)
        return {"view": copy.deepcopy(self._state.views[view_id])}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = self._view_id_from(params)
        current = self._state.views[view_id]
        if params.get("hash") and params["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._checked_view(params, expected_type=current["type"], view_id=view_id)
        self._replace_view(view_id, view)
        return {"view": copy.deepcopy(self._state.views[view_id])}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _required(params, "user_id", "user_not_found")
        self._require_user(user_id)
        view_id = self._state.homes.get(user_id)
        view = self._checked_view(params, expected_type="home", view_id=view_id)
        if view_id is not None:
            if params.get("hash") and params["hash"] != self._state.views[view_id]["hash"]:
                raise ApiError("hash_conflict")
            self._replace_view(view_id, view)
        else:
            view_id = self._create_view(view, user_id, root_view_id=None, previous_view_id=None)
            self._state.homes[user_id] = view_id
        return {"view": copy.deepcopy(self._state.views[view_id])}

    def _usable_trigger(self, params: dict[str, Any]) -> _Trigger:
        trigger_id = params.get("trigger_id") or params.get("interactivity_pointer")
        trigger = self._state.triggers.get(trigger_id or "")
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > self.trigger_ttl:
            raise ApiError("expired_trigger_id")
        return trigger

    def _checked_view(
        self, params: dict[str, Any], expected_type: str, view_id: str | None = None
    ) -> dict[str, Any]:
        """The view param if Slack would accept it for a view of ``expected_type``;
        ``view_id`` is the view being replaced (it may keep its external_id)."""
        view = params.get("view")
        if is_view_too_large(view):
            raise ApiError("view_too_large")
        problems = view_problems(view)
        if not problems and view.get("type") != expected_type:
            problems = [f"view type must be {expected_type} [json-pointer:/view/type]"]
        if problems:
            raise ApiError("invalid_arguments", response_metadata=_error_messages(problems))
        external_id = view.get("external_id")
        if external_id and self._view_by_external_id(external_id) not in (None, view_id):
            raise ApiError("duplicate_external_id")
        return view

    def _view_id_from(self, params: dict[str, Any]) -> str:
        if params.get("view_id"):
            view_id = params["view_id"]
        elif params.get("external_id"):
            view_id = self._view_by_external_id(params["external_id"])
        else:
            raise ApiError(
                "invalid_arguments",
                response_metadata=_error_messages(["view_id or external_id is required"]),
            )
        if view_id not in self._state.views:
            raise ApiError("not_found")
        return view_id

    def _view_by_external_id(self, external_id: str) -> str | None:
        for view_id, view in self._state.views.items():
            if view.get("external_id") == external_id:
                return view_id
        return None

    def _open_modal(self, user_id: str | None, view: dict[str, Any], stack: list[str]) -> str:
        root = stack[0] if stack else None
        previous = stack[-1] if stack else None
        view_id = self._create_view(view, user_id, root_view_id=root, previous_view_id=previous)
        self._state.stacks[user_id] = [*stack, view_id]
        return view_id

    def _create_view(
        self,
        view: dict[str, Any],
        user_id: str | None,
        root_view_id: str | None,
        previous_view_id: str | None,
    ) -> str:
        view_id = f"V{next(self._ids):08X}"
        self._state.views[view_id] = {
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
        }
        self._replace_view(view_id, view)
        return view_id

    def _replace_view(self, view_id: str, view: dict[str, Any]) -> None:
        record = self._state.views[view_id]
        for key in ("title", "submit", "close"):
            record.pop(key, None)
        record.update(
            {
                "type": view["type"],
                "blocks": _with_generated_ids(view.get("blocks") or [], self._ids),
                "private_metadata": view.get("private_metadata") or "",
                "callback_id": view.get("callback_id") or "",
                "external_id": view.get("external_id") or record.get("external_id") or "",
                "state": {"values": {}},
                "hash": f"{int(self.wall_clock().timestamp())}.{random.getrandbits(32):08x}",
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
            }
        )
        for key in ("title", "submit", "close"):
            if view.get(key) is not None:
                record[key] = copy.deepcopy(view[key])
        self._state.view_errors.pop(view_id, None)

    def _close_view(self, user_id: str, view_id: str) -> None:
        stack = self._state.stacks.get(user_id, [])
        if view_id in stack:
            del stack[stack.index(view_id) :]
        if not stack:
            self._state.stacks.pop(user_id, None)

    # files.*

    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        length = _int_param(params, "length", default=None)
        if not filename or length is None or length < 1:
            raise ApiError("invalid_arguments")
        file_id = f"F{next(self._ids):08X}"
        self._state.uploads[file_id] = _Upload(file_id, str(filename), length)
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise ApiError("invalid_arguments")
        uploads = [self._finished_upload(entry) for entry in files]
        channel_id = params.get("channel_id") or params.get("channels")
        if channel_id:
            channel_id = self._post_target(str(channel_id).split(",")[0])
        shared = []
        for upload, entry in zip(uploads, files, strict=True):
            upload.title = entry.get("title") or upload.filename
            upload.channel_id = channel_id
            shared.append({"id": upload.file_id, "name": upload.filename, "title": upload.title})
        if channel_id:
            self._store_message(
                channel_id,
                params.get("initial_comment") or "",
                None,
                params.get("thread_ts"),
                files=shared,
            )
        return {"files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    def _finished_upload(self, entry: Any) -> _Upload:
        file_id = entry.get("id") if isinstance(entry, dict) else None
        upload = self._state.uploads.get(file_id or "")
        if upload is None or upload.content is None:
            raise ApiError("file_not_found")
        return upload

    # ------------------------------------------------------------------ response_url

    def _post_to_response_url(self, url_id: str, raw_body: bytes) -> dict[str, Any]:
        target = self._state.response_urls.get(url_id)
        if target is None:
            raise ApiError("expired_url", status=404)
        if self.clock() - target.issued_at > self.response_url_ttl:
            raise ApiError("expired_url", status=404)
        if target.uses >= self.response_url_max_uses:
            raise ApiError("used_url", status=404)
        try:
            payload = json.loads(raw_body or b"null")
        except ValueError:
            raise ApiError("invalid_payload", status=400) from None
        if not isinstance(payload, dict):
            raise ApiError("invalid_payload", status=400)
        if not _flag(payload, "delete_original"):
            self._check_message_content(payload, status=400)
        target.uses += 1
        self._apply_response(target, payload)
        self._state.responses.append(
            {
                "url": url_id,
                "channel": target.channel_id,
                "user": target.user_id,
                "payload": copy.deepcopy(payload),
                "at": time.monotonic(),
            }
        )
        return {"ok": True}

    def _apply_response(self, target: _ResponseUrl, payload: dict[str, Any]) -> None:
        original = self._original_of(target)
        if _flag(payload, "delete_original"):
            if original is not None:
                self._remove_message(original)
            return
        if _flag(payload, "replace_original") and original is not None:
            original["text"] = payload.get("text") or ""
            original["blocks"] = _with_generated_ids(payload.get("blocks") or [], self._ids)
            return
        self._deliver_reply(payload, target.channel_id, target.user_id, source="response_url")

    def _original_of(self, target: _ResponseUrl) -> dict[str, Any] | None:
        if target.message_ts is None or target.channel_id is None:
            return None
        message = self._find_message(target.channel_id, target.message_ts)
        if message is not None:
            return message
        return next(
            (e for e in self._state.ephemerals if e["ts"] == target.message_ts),
            None,
        )

    def _remove_message(self, message: dict[str, Any]) -> None:
        if message.get("is_ephemeral"):
            self._state.ephemerals.remove(message)
        else:
            self._state.messages[message["channel"]].remove(message)

    def _deliver_reply(
        self, payload: dict[str, Any], channel_id: str | None, user_id: str | None, source: str
    ) -> None:
        if payload.get("response_type") == "in_channel" and channel_id:
            self._store_message(
                channel_id,
                payload.get("text") or "",
                payload.get("blocks"),
                payload.get("thread_ts"),
            )
        elif user_id:
            self._store_ephemeral(channel_id, user_id, payload, source=source)

    # ------------------------------------------------------------------ helpers

    def _check_message_content(
        self, params: dict[str, Any], require_content: bool = True, status: int = 200
    ) -> None:
        text = params.get("text")
        blocks = params.get("blocks")
        if require_content and not text and not blocks and not params.get("attachments"):
            raise ApiError("no_text", status=status)
        if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
            raise ApiError("msg_too_long", status=status)
        if isinstance(blocks, str):
            raise ApiError("invalid_blocks_format", status=status)
        problems = message_block_problems(blocks)
        if problems:
            raise ApiError(
                "invalid_blocks",
                status=status,
                errors=problems,
                response_metadata=_error_messages(problems),
            )

    def _post_target(self, channel: str) -> str:
        """Resolve where chat.* posts go: a conversation id, a name, or a user id (their DM)."""
        if channel in self._users:
            if self._users[channel]["deleted"]:
                raise ApiError("account_inactive")
            return self._im_for(channel)
        conversation = self._conversations.get(channel) or self._conversation_named(channel)
        if conversation is None:
            raise ApiError("channel_not_found")
        if conversation.is_archived:
            raise ApiError("is_archived")
        if not conversation.bot_member:
            raise ApiError("not_in_channel")
        if conversation.kind == "im" and any(
            self._users.get(member, {}).get("deleted") for member in conversation.members
        ):
            raise ApiError("account_inactive")
        return conversation.id

    def _conversation_named(self, name: str) -> _Conversation | None:
        wanted = name.removeprefix("#")
        return next(
            (
                c
                for c in self._conversations.values()
                if c.kind in ("channel", "private") and c.name == wanted
            ),
            None,
        )

    def _im_for(self, user_id: str) -> str:
        if user_id not in self._users:
            raise ApiError("user_not_found")
        if user_id not in self._ims:
            channel_id = f"D{next(self._ids):08X}"
            self._conversations[channel_id] = _Conversation(
                channel_id, "im", channel_id, [user_id, self.bot_user_id]
            )
            self._ims[user_id] = channel_id
        return self._ims[user_id]

    def _mpim_for(self, user_ids: list[str]) -> str:
        members = frozenset([*user_ids, self.bot_user_id])
        if members not in self._mpims:
            channel_id = f"G{next(self._ids):08X}"
            name = "mpdm-" + "--".join(sorted(self._users[u]["name"] for u in user_ids)) + "-1"
            self._conversations[channel_id] = _Conversation(
                channel_id, "mpim", name, sorted(members)
            )
            self._mpims[members] = channel_id
        return self._mpims[members]

    def _existing_dm(self, user_ids: list[str]) -> bool:
        if len(user_ids) == 1:
            return user_ids[0] in self._ims
        return frozenset([*user_ids, self.bot_user_id]) in self._mpims

    def _require_user(self, user_id: str) -> dict[str, Any]:
        record = self._users.get(user_id)
        if record is None:
            raise ApiError("user_not_found")
        return record

    def _user_out(self, user_id: str) -> dict[str, Any]:
        record = copy.deepcopy(self._users[user_id])
        local = self.wall_clock().astimezone(ZoneInfo(record["tz"]))
        offset = local.utcoffset()
        abbreviation = local.tzname() or ""
        record["tz_offset"] = int(offset.total_seconds()) if offset is not None else 0
        record["tz_label"] = TZ_LABELS.get(abbreviation, abbreviation)
        return record

    def _next_ts(self) -> str:
        micros = next(self._ts_micros)
        if self.ts_clock is not None:  # message ts follow a (test's) clock, still unique
            micros = max(micros, round(self.ts_clock().timestamp() * 1_000_000))
            self._ts_micros = itertools.count(micros + TS_STEP_MICROS, TS_STEP_MICROS)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _store_message(
        self,
        channel_id: str,
        text: str,
        blocks: list[dict[str, Any]] | None,
        thread_ts: str | None,
        user: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        author = user or self.bot_user_id
        message: dict[str, Any] = {
            "type": "message",
            "channel": channel_id,
            "ts": self._next_ts(),
            "user": author,
            "team": self.team_id,
            "text": text,
            "blocks": _with_generated_ids(blocks or [], self._ids),
            "thread_ts": thread_ts,
        }
        if author == self.bot_user_id:
            message.update(bot_id=self.bot_id, app_id=self.app_id)
        message.update({key: value for key, value in extra.items() if value is not None})
        self._state.messages.setdefault(channel_id, []).append(message)
        return message

    def _store_ephemeral(
        self, channel_id: str | None, user_id: str, payload: dict[str, Any], source: str
    ) -> dict[str, Any]:
        ephemeral = {
            "type": "message",
            "is_ephemeral": True,
            "channel": channel_id,
            "user": user_id,
            "ts": self._next_ts(),
            "text": payload.get("text") or "",
            "blocks": _with_generated_ids(payload.get("blocks") or [], self._ids),
            "thread_ts": payload.get("thread_ts"),
            "source": source,
        }
        self._state.ephemerals.append(ephemeral)
        return ephemeral

    def _find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self._state.messages.get(channel_id, []) if m["ts"] == ts), None)


# ---------------------------------------------------------------------- module helpers


def _required(params: dict[str, Any], key: str, error: str) -> str:
    value = params.get(key)
    if not value:
        raise ApiError(error)
    return str(value)


def _flag(params: dict[str, Any], key: str) -> bool:
    value = params.get(key)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def _int_param(params: dict[str, Any], key: str, default: int | None) -> int | None:
    value = params.get(key)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments") from None


def _paginate(
    items: list[str], params: dict[str, Any], kind: str, default_limit: int
) -> tuple[list[str], str]:
    """Slack-style cursor pagination over ids: the cursor encodes the next item's id."""
    limit = _int_param(params, "limit", default=None) or default_limit
    start = 0
    cursor = params.get("cursor")
    if cursor:
        try:
            decoded = base64.b64decode(str(cursor)).decode()
        except ValueError:
            raise ApiError("invalid_cursor") from None
        prefix, _, next_id = decoded.partition(":")
        if prefix != kind or next_id not in items:
            raise ApiError("invalid_cursor")
        start = items.index(next_id)
    page = items[start : start + limit]
    following = items[start + limit : start + limit + 1]
    next_cursor = base64.b64encode(f"{kind}:{following[0]}".encode()).decode() if following else ""
    return page, next_cursor


def _error_messages(problems: list[str]) -> dict[str, list[str]]:
    return {"messages": [f"[ERROR] {problem}" for problem in problems]}


def _without(message: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in message.items() if k != key}


def _ack_payload(body: str) -> dict[str, Any] | None:
    """An ack body as Slack reads it: JSON object, plain text, or nothing."""
    if not body.strip():
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return {"text": body}
    return payload if isinstance(payload, dict) else {"text": body}


def _with_generated_ids(blocks: Any, ids: Iterable[int]) -> list[dict[str, Any]]:
    """A copy of the blocks with a block_id on each block and an action_id on each
    interactive element, as Slack fills them in when the app leaves them out."""
    if not isinstance(blocks, list):
        return []
    copied: list[dict[str, Any]] = copy.deepcopy(blocks)
    counter = iter(ids)
    taken = {block.get("block_id") for block in copied}
    for block in copied:
        if not block.get("block_id"):
            block["block_id"] = _fresh_id(counter, taken)
    taken_actions = {element.get("action_id") for _, element in interactive_elements(copied)}
    for _, element in interactive_elements(copied):
        if element.get("type") not in ("plain_text", "mrkdwn", "image") and not element.get(
            "action_id"
        ):
            element["action_id"] = _fresh_id(counter, taken_actions)
    return copied


def _fresh_id(counter: Iterable[int], taken: set[Any]) -> str:
    for number in counter:
        candidate = base64.b32encode(number.to_bytes(4, "big")).decode().rstrip("=")[-5:]
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise RuntimeError("id counter exhausted")


# ---------------------------------------------------------------------- HTTP layer


def _retry_after_of(headers: dict[str, str]) -> int | None:
    value = headers.get("Retry-After")
    return int(value) if value is not None else None


class _Server(ThreadingHTTPServer):
    """Loopback only; a deep listen queue so bursts of bot calls are not refused."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, standin: SlackStandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.standin = standin


class _Handler(BaseHTTPRequestHandler):
    server_version = "SlackStandIn/1.0"
    server: _Server

    @property
    def standin(self) -> SlackStandIn:
        return self.server.standin

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._route(b"")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._route(self.rfile.read(length) if length else b"")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _route(self, body: bytes) -> None:
        url = urlsplit(self.path)
        if url.path.startswith("/api/"):
            self._api(url.path.removeprefix("/api/"), url.query, body)
        elif url.path.startswith("/response/") and self.command == "POST":
            status, answer = self.standin.handle_response_url(
                url.path.removeprefix("/response/"), body
            )
            self._send_json(status, {}, answer)
        elif url.path.startswith("/upload/") and self.command == "POST":
            status, text = self.standin.handle_upload(url.path.removeprefix("/upload/"), body)
            self._send(status, {"Content-Type": "text/plain"}, text.encode())
        else:
            self._send(404, {"Content-Type": "text/plain"}, b"not found")

    def _api(self, method: str, query: str, body: bytes) -> None:
        try:
            params = _request_params(query, self.headers.get("Content-Type") or "", body)
        except ValueError:
            self._send_json(200, {}, {"ok": False, "error": "invalid_json"})
            return
        token = params.pop("token", None)
        authorization = self.headers.get("Authorization") or ""
        if authorization.startswith("Bearer "):
            token = authorization.removeprefix("Bearer ").strip()
        status, headers, answer = self.standin.handle_api(method, params, token)
        self._send_json(status, headers, answer)

    def _send_json(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
        self._send(
            status,
            {"Content-Type": "application/json; charset=utf-8", **headers},
            json.dumps(body).encode(),
        )

    def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _request_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Query string, then a form or JSON body, with Slack's JSON-string fields decoded."""
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if body and "application/json" in content_type:
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ValueError("JSON body must be an object")
        params.update(decoded)
    elif body:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        params.update({k: v[-1] for k, v in form.items()})
    for key in JSON_PARAMS & params.keys():
        if isinstance(params[key], str) and params[key].strip()[:1] in ("[", "{"):
            # Undecodable JSON stays a string: the method refuses it in its own words.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params
