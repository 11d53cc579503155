"""Slack's side of the conversation: signed requests to the bot's ``/slack/events``.

``SlackClientSim`` builds the payloads Slack sends (slash commands, block actions,
view submissions, shortcuts, Events API callbacks), signs them exactly as Slack
does (``v0:{timestamp}:{raw body}``, HMAC-SHA256) and posts them to the bot on
loopback. What the bot answers in its ack is applied to the stand-in the way
Slack applies it: a command's ack body is shown to the user, a view_submission
ack closes, updates, pushes or shows inline errors on the modal.

Like Slack's own client it refuses what a person cannot do: press a button that
is not on screen, pick an option that is not offered, or submit a modal with an
empty required field or a too-long text (:class:`SubmissionBlocked`).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from itertools import count
from typing import Any, TypedDict, Unpack
from urllib.parse import quote, urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

from slack_standin.blockcheck import interactive_elements, surface_blocks
from slack_standin.server import SlackStandIn

__all__ = [
    "SendOptions",
    "SimResponse",
    "SlackClientSim",
    "SubmissionBlocked",
    "build_state_values",
    "values_by_label",
]

ACK_DEADLINE_SECONDS = 3.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
FORM = "application/x-www-form-urlencoded"
FORGERY_OPTIONS = frozenset({"timestamp", "secret", "signature"})
UNSET: Any = object()

# Which state key each element fills, and the element key holding its initial value.
SELECTION_KEYS = {
    "plain_text_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "number_input": "value",
    "rich_text_input": "rich_text_value",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "overflow": "selected_option",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "checkboxes": "selected_options",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
INITIAL_KEYS = {
    "value": "initial_value",
    "rich_text_value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
}
OPTION_KEYS = frozenset({"selected_option", "selected_options"})
LIST_KEYS = frozenset(
    {
        "selected_options",
        "selected_users",
        "selected_conversations",
        "selected_channels",
    }
)


class SubmissionBlocked(ValueError):
    """Slack's client would not send this: a required field is empty or a value breaks
    the element's own limits (min/max length, number range, e-mail, URL)."""


class SendOptions(TypedDict, total=False):
    """Forgery and retry knobs accepted by every sending method."""

    timestamp: str | int  # X-Slack-Request-Timestamp (default: now)
    secret: str  # sign with this secret instead of the real one
    signature: str  # send this X-Slack-Signature verbatim
    retry_num: int  # X-Slack-Retry-Num
    retry_reason: str  # X-Slack-Retry-Reason (default "http_timeout" when retry_num is set)
    extra_headers: dict[str, str]


@dataclass
class SimResponse:
    """The bot's HTTP answer plus what was sent."""

    status: int
    headers: dict[str, str]  # names lower-cased
    body: str
    elapsed: float
    payload: dict[str, Any] = field(default_factory=dict)
    trigger_id: str | None = None
    response_url: str | None = None
    problems: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


_SLACK_TOKEN = re.compile(r"<(?:[@#!][^<>]*|https?://[^<>]*|mailto:[^<>]*)>")


def as_slack_sends(typed: str) -> str:
    """Command text as Slack sends it: mentions, channels and links stay as
    tokens; every other `&`, `<` and `>` arrives as an HTML entity."""
    pieces: list[str] = []
    position = 0
    for token in _SLACK_TOKEN.finditer(typed):
        pieces.append(_escape_control(typed[position : token.start()]))
        pieces.append(token.group())
        position = token.end()
    pieces.append(_escape_control(typed[position:]))
    return "".join(pieces)


def _escape_control(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackClientSim:
    """Sends signed Slack requests to a bot on loopback (see module docstring)."""

    def __init__(
        self,
        base_url_of_bot: str,
        signing_secret: str,
        standin: SlackStandIn,
        team_id: str = "T0001",
        api_app_id: str = "A0001",
        path: str = "/slack/events",
        verification_token: str = "legacy-verification-token",
    ) -> None:
        host = urlsplit(base_url_of_bot).hostname
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"SlackClientSim only talks to loopback, not {base_url_of_bot!r}")
        self.base_url = base_url_of_bot.rstrip("/")
        self.signing_secret = signing_secret
        self.standin = standin
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.path = path
        self.verification_token = verification_token
        self._event_numbers = count(1)

    # ------------------------------------------------------------------ transport

    def sign(self, body: str, timestamp: str, secret: str | None = None) -> str:
        verifier = SignatureVerifier(secret if secret is not None else self.signing_secret)
        return verifier.generate_signature(timestamp=timestamp, body=body)

    def send(
        self, body: str, content_type: str = FORM, **options: Unpack[SendOptions]
    ) -> SimResponse:
        """POST a raw body to the bot's events path, signed as Slack signs it."""
        timestamp = str(options.get("timestamp", int(time.time())))
        signature = options.get("signature") or self.sign(body, timestamp, options.get("secret"))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if "retry_num" in options:
            headers["X-Slack-Retry-Num"] = str(options["retry_num"])
            headers["X-Slack-Retry-Reason"] = options.get("retry_reason", "http_timeout")
        headers.update(options.get("extra_headers", {}))
        return self._request("POST", self.path, body.encode(), headers)

    def get(self, path: str) -> SimResponse:
        """A plain GET (e.g. ``/healthz``)."""
        return self._request("GET", path, None, {})

    def _request(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str]
    ) -> SimResponse:
        request = urllib.request.Request(
            f"{self.base_url}{path}", data=data, headers=headers, method=method
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
                status, answer_headers, raw = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, raw = error.code, error.headers, error.read()
        return SimResponse(
            status=status,
            headers={name.lower(): value for name, value in answer_headers.items()},
            body=raw.decode("utf-8", errors="replace"),
            elapsed=time.monotonic() - started,
        )

    def _send_payload(self, payload: dict[str, Any], **options: Unpack[SendOptions]) -> SimResponse:
        response = self.send(f"payload={quote(json.dumps(payload))}", FORM, **options)
        response.payload = payload
        return response

    # ------------------------------------------------------------------ slash commands

    def command(
        self,
        user_id: str,
        text: str,
        command: str = "/coach",
        channel_id: str = "C0GENERAL",
        **options: Unpack[SendOptions],
    ) -> SimResponse:
        """The user types ``{command} {text}`` in ``channel_id``; the ack body is shown to them."""
        self._ensure_user(user_id)
        response_url = self.standin.new_response_url(channel_id=channel_id, user_id=user_id)
        trigger_id = self.standin.new_trigger_id(user_id)
        fields = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.standin.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self.standin.user(user_id)["name"],
            "command": command,
            "text": as_slack_sends(text),
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        response = self.send(urlencode(fields), FORM, **options)
        response.payload = fields
        response.trigger_id = trigger_id
        response.response_url = response_url
        response.problems = self._ack_problems(f"{command} {text}".strip(), response, options)
        if response.status == 200 and not response.problems:
            response.problems = self.standin.apply_command_ack(user_id, channel_id, response.body)
        return response

    # ------------------------------------------------------------------ block actions

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        channel_id: str | None = None,
        selected: Any = UNSET,
        state: dict[str, Any] | None = None,
        **options: Unpack[SendOptions],
    ) -> SimResponse:
        """The user interacts with element ``action_id`` on a message or view.

        With a surface the element must be on it (LookupError otherwise); its
        type decides the action's shape (``selected`` picks option values, users,
        dates…). Without a surface a button press with ``value`` is sent.
        On a view, ``state`` (``{block_id: value}`` as for :meth:`view_submission`)
        is what the person has typed into its inputs so far (default: their initial
        values), sent as the view's state the way Slack sends it.
        """
        self._ensure_user(user_id)
        view = self._current_view(view) if view is not None else None
        message = self._current_message(message) if message is not None else None
        surface = view if view is not None else message
        block, element = (
            _find_element(surface, action_id, block_id)
            if surface is not None
            else ({"block_id": block_id or "actions"}, {"type": "button", "action_id": action_id})
        )
        action = _action(block, element, value, selected)
        trigger_id = self.standin.new_trigger_id(user_id)
        payload = self._interaction_base("block_actions", user_id, trigger_id)
        payload["actions"] = [action]
        response_url = self._place_action(payload, user_id, message, view, channel_id)
        if view is not None and state:
            payload["view"]["state"] = {"values": build_state_values(view, state)}
        response = self._send_payload(payload, **options)
        response.trigger_id = trigger_id
        response.response_url = response_url
        response.problems = self._ack_problems(f"action {action_id}", response, options)
        return response

    def press(
        self,
        user_id: str,
        surface: dict[str, Any],
        button_text: str,
        *,
        value: str | None = None,
        block_id: str | None = None,
        **options: Unpack[SendOptions],
    ) -> SimResponse:
        """Press the button whose visible text is ``button_text`` on a message or view."""
        is_view = _is_view(surface)
        surface = self._current_view(surface) if is_view else self._current_message(surface)
        candidates = [
            (block, element)
            for block, element in interactive_elements(surface)
            if element.get("type") == "button"
            and element.get("text", {}).get("text") == button_text
            and (value is None or element.get("value") == value)
            and (block_id is None or block.get("block_id") == block_id)
        ]
        if len(candidates) != 1:
            shown = [
                (e.get("text", {}).get("text"), b.get("block_id"), e.get("value"))
                for b, e in interactive_elements(surface)
                if e.get("type") == "button"
            ]
            raise LookupError(
                f"{len(candidates)} buttons match {button_text!r}; on screen: {shown}"
            )
        block, element = candidates[0]
        return self.block_action(
            user_id,
            element["action_id"],
            block_id=block.get("block_id"),
            message=None if is_view else surface,
            view=surface if is_view else None,
            **options,
        )

    def _place_action(
        self,
        payload: dict[str, Any],
        user_id: str,
        message: dict[str, Any] | None,
        view: dict[str, Any] | None,
        channel_id: str | None,
    ) -> str | None:
        """Fill container/channel/message/view/response_url as Slack does for the surface."""
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = {**view, "state": {"values": build_state_values(view, {})}}
            return None
        channel = (message or {}).get("channel") or channel_id or "C0GENERAL"
        ts = (message or {}).get("ts")
        is_ephemeral = bool((message or {}).get("is_ephemeral"))
        payload["container"] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": is_ephemeral,
        }
        payload["channel"] = {"id": channel, "name": self._channel_name(channel)}
        if message is not None and not is_ephemeral:
            payload["message"] = _message_as_slack_sends(message)
        response_url = self.standin.new_response_url(
            channel_id=channel, user_id=user_id, message_ts=ts
        )
        payload["response_url"] = response_url
        return response_url

    # ------------------------------------------------------------------ modals

    def view_submission(
        self,
        user_id: str,
        view: dict[str, Any],
        values: dict[str, Any] | None = None,
        by_label: dict[str, Any] | None = None,
        client_checks: bool = True,
        **options: Unpack[SendOptions],
    ) -> SimResponse:
        """The user presses Submit on an open modal.

        ``values``: ``{block_id: {action_id: value}}`` or ``{block_id: value}``;
        ``by_label``: ``{input label: value}``. Fields not given keep their
        initial value (or stay empty). Values in simple form: a string for text,
        number, date (YYYY-MM-DD), time (HH:MM), user/channel ids and an option's
        value; a list for multi-selects and checkboxes.
        """
        self._ensure_user(user_id)
        current = self._current_view(view)
        if current["id"] not in [v["id"] for v in self.standin.open_views(user_id)[-1:]]:
            raise LookupError(f"view {current['id']} is not the modal on {user_id}'s screen")
        chosen = {**(values or {}), **values_by_label(current, by_label or {})}
        state_values = build_state_values(current, chosen)
        if client_checks:
            _check_like_slack_client(current, state_values)
        trigger_id = self.standin.new_trigger_id(user_id)
        payload = self._interaction_base("view_submission", user_id, trigger_id)
        payload["view"] = {**current, "state": {"values": state_values}}
        payload["response_urls"] = []
        response = self._send_payload(payload, **options)
        response.trigger_id = trigger_id
        response.problems = self._ack_problems(
            f"view_submission {current['id']}", response, options
        )
        if response.status == 200 and not response.problems:
            response.problems = self.standin.apply_view_submission_ack(
                user_id, current["id"], response.body
            )
        return response

    def view_closed(
        self, user_id: str, view: dict[str, Any], **options: Unpack[SendOptions]
    ) -> SimResponse | None:
        """The user closes the modal; the bot hears of it only with ``notify_on_close``."""
        current = self._current_view(view)
        self.standin.close_view(user_id, current["id"])
        if not current.get("notify_on_close"):
            return None
        payload = self._interaction_base("view_closed", user_id, None)
        payload["view"] = current
        payload["is_cleared"] = bool(current.get("clear_on_close"))
        return self._send_payload(payload, **options)

    def _current_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """The message as the person sees it now; LookupError once it was deleted."""
        if "ts" not in message or "channel" not in message:
            return message
        current = self.standin.message(message["channel"], message["ts"])
        if current is None:
            raise LookupError(f"message {message['ts']} in {message['channel']} was deleted")
        return current

    def _current_view(self, view: dict[str, Any]) -> dict[str, Any]:
        """The view as Slack holds it now (fresh hash and blocks), or as given if unknown."""
        try:
            return self.standin.view(view["id"])
        except KeyError:
            return view

    # ------------------------------------------------------------------ shortcuts

    def shortcut_message(
        self,
        user_id: str,
        callback_id: str,
        message: dict[str, Any],
        channel_id: str | None = None,
        **options: Unpack[SendOptions],
    ) -> SimResponse:
        """A message shortcut (e.g. "Save as insight") used on ``message``."""
        self._ensure_user(user_id)
        channel = channel_id or message.get("channel") or "C0GENERAL"
        trigger_id = self.standin.new_trigger_id(user_id)
        response_url = self.standin.new_response_url(channel_id=channel, user_id=user_id)
        payload = self._interaction_base("message_action", user_id, trigger_id)
        payload.update(
            callback_id=callback_id,
            action_ts=_action_ts(),
            message_ts=message.get("ts"),
            message=_message_as_slack_sends(message),
            channel={"id": channel, "name": self._channel_name(channel)},
            response_url=response_url,
        )
        response = self._send_payload(payload, **options)
        response.trigger_id = trigger_id
        response.response_url = response_url
        response.problems = self._ack_problems(f"shortcut {callback_id}", response, options)
        return response

    def shortcut_global(
        self, user_id: str, callback_id: str, **options: Unpack[SendOptions]
    ) -> SimResponse:
        self._ensure_user(user_id)
        trigger_id = self.standin.new_trigger_id(user_id)
        payload = self._interaction_base("shortcut", user_id, trigger_id)
        payload.update(callback_id=callback_id, action_ts=_action_ts())
        response = self._send_payload(payload, **options)
        response.trigger_id = trigger_id
        response.problems = self._ack_problems(f"shortcut {callback_id}", response, options)
        return response

    # ------------------------------------------------------------------ Events API

    def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        **options: Unpack[SendOptions],
    ) -> SimResponse:
        """An Events API ``event_callback``; resend with the same ``event_id`` and a
        ``retry_num`` to play Slack's retries."""
        now = int(time.time())
        envelope = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{now}.{next(self._event_numbers):06d}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._event_numbers):08d}TEST",
            "event_time": now,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.standin.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{self.team_id}-{event.get('type', 'event')}",
        }
        if retry_num is not None:
            options["retry_num"] = retry_num
        response = self.send(json.dumps(envelope), "application/json", **options)
        response.payload = envelope
        return response

    def app_home_opened(
        self, user_id: str, tab: str = "home", **options: Unpack[SendOptions]
    ) -> SimResponse:
        """The user opens the app's Home (or Messages) tab."""
        self._ensure_user(user_id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.standin.im_channel(user_id),
            "tab": tab,
        }
        home = self.standin.home(user_id)
        if home is not None:
            event["view"] = home
        return self.event(event, **options)

    def url_verification(self, challenge: str = "challenge-token") -> SimResponse:
        body = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return self.send(json.dumps(body), "application/json")

    # ------------------------------------------------------------------ shared pieces

    def _interaction_base(self, kind: str, user_id: str, trigger_id: str | None) -> dict[str, Any]:
        user = self.standin.user(user_id)
        payload: dict[str, Any] = {
            "type": kind,
            "team": {"id": self.team_id, "domain": self.standin.team_domain},
            "user": {
                "id": user_id,
                "username": user["name"],
                "name": user["name"],
                "team_id": self.team_id,
            },
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        if trigger_id is not None:
            payload["trigger_id"] = trigger_id
        return payload

    def _ack_problems(self, what: str, response: SimResponse, options: SendOptions) -> list[str]:
        """Acks Slack would show as an error: non-200 or later than 3 s (forged requests
        are not Slack's, so their refusals are expected and not recorded)."""
        if FORGERY_OPTIONS & options.keys():
            return []
        problems = []
        if response.status != 200:
            problems.append(f"{what}: HTTP {response.status} (Slack shows an error to the user)")
        if response.elapsed > ACK_DEADLINE_SECONDS:
            problems.append(f"{what}: acked after {response.elapsed:.2f}s (operation_timeout)")
        for problem in problems:
            self.standin.note_problem(problem)
        return problems

    def _ensure_user(self, user_id: str) -> None:
        """Slack only sends real members: register unknown ids with default fields."""
        try:
            self.standin.user(user_id)
        except KeyError:
            self.standin.add_user(user_id, user_id.lower())

    def _channel_name(self, channel_id: str) -> str:
        return self.standin.channel_name(channel_id)


# ---------------------------------------------------------------------- payload building


def _is_view(surface: dict[str, Any]) -> bool:
    return surface.get("type") in ("modal", "home") and "id" in surface


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _message_as_slack_sends(message: dict[str, Any]) -> dict[str, Any]:
    """A recorded message as it appears inside an interaction payload."""
    internal = ("channel", "is_ephemeral", "source")
    return {k: v for k, v in message.items() if k not in internal and v is not None}


def _find_element(
    surface: dict[str, Any], action_id: str, block_id: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    for block, element in interactive_elements(surface):
        if element.get("action_id") == action_id and block_id in (None, block.get("block_id")):
            return block, element
    shown = [(b.get("block_id"), e.get("action_id")) for b, e in interactive_elements(surface)]
    raise LookupError(f"no element {action_id!r} (block {block_id!r}) on screen; there are {shown}")


def _action(
    block: dict[str, Any], element: dict[str, Any], value: str | None, selected: Any
) -> dict[str, Any]:
    element_type = element.get("type", "button")
    action: dict[str, Any] = {
        "type": element_type,
        "block_id": block.get("block_id"),
        "action_id": element.get("action_id"),
        "action_ts": _action_ts(),
    }
    if element_type == "button":
        action["text"] = element.get("text", {"type": "plain_text", "text": ""})
        button_value = value if value is not None else element.get("value")
        if button_value is not None:
            action["value"] = button_value
        if element.get("style"):
            action["style"] = element["style"]
        return action
    key = SELECTION_KEYS.get(element_type)
    if key is None:
        raise ValueError(f"cannot act on a {element_type} element")
    chosen = selected if selected is not UNSET else value
    if chosen is None and key not in LIST_KEYS:
        raise ValueError(f"choose a value for {element_type} with selected=")
    action.update(_selection(element, key, chosen))
    return action


def values_by_label(view: dict[str, Any], by_label: dict[str, Any]) -> dict[str, Any]:
    """``{input label: value}`` → ``{block_id: value}``, as view_submission takes them."""
    labelled = {
        block.get("label", {}).get("text"): block["block_id"]
        for block in surface_blocks(view)
        if block.get("type") == "input"
    }
    unknown = sorted(set(by_label) - set(labelled))
    if unknown:
        raise LookupError(f"no input labelled {unknown}; labels are {sorted(labelled)}")
    return {labelled[label]: value for label, value in by_label.items()}


def build_state_values(view: dict[str, Any], chosen: dict[str, Any]) -> dict[str, Any]:
    """``view.state.values`` as Slack builds it: every input block's element, with the
    chosen value, else its initial value, else its empty shape."""
    input_blocks = {b["block_id"]: b for b in surface_blocks(view) if b.get("type") == "input"}
    unknown = sorted(set(chosen) - set(input_blocks))
    if unknown:
        raise LookupError(f"no input block {unknown}; inputs are {sorted(input_blocks)}")
    state: dict[str, Any] = {}
    for block_id, block in input_blocks.items():
        element = block["element"]
        action_id = element["action_id"]
        key = SELECTION_KEYS.get(element["type"])
        if key is None:
            continue
        given = _given_value(chosen.get(block_id, UNSET), action_id)
        if given is UNSET:
            value = {key: _initial_value(element, key)}
        else:
            value = _selection(element, key, given)
        state[block_id] = {action_id: {"type": element["type"], **value}}
    return state


def _given_value(entry: Any, action_id: str) -> Any:
    if isinstance(entry, dict) and set(entry) == {action_id}:
        return entry[action_id]
    return entry


def _initial_value(element: dict[str, Any], key: str) -> Any:
    initial = element.get(INITIAL_KEYS[key])
    if initial is None:
        return [] if key in LIST_KEYS else None
    return initial


def _selection(element: dict[str, Any], key: str, chosen: Any) -> dict[str, Any]:
    """The state/action fields for ``chosen`` given in simple form."""
    if key in OPTION_KEYS:
        if key == "selected_options":
            return {key: [_option(element, v) for v in chosen or []]}
        return {key: _option(element, chosen) if chosen is not None else None}
    if key in LIST_KEYS:
        return {key: list(chosen or [])}
    if key == "rich_text_value":
        return {key: _rich_text(chosen)}
    if key == "value":
        return {key: None if chosen in (None, "") else str(chosen)}
    selection = {key: chosen}
    if key == "selected_time" and element.get("timezone"):
        selection["timezone"] = element["timezone"]
    return selection


def _option(element: dict[str, Any], chosen: Any) -> dict[str, Any]:
    if isinstance(chosen, dict):
        return chosen
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    if element.get("type", "").startswith(("external", "multi_external")):
        return {"text": {"type": "plain_text", "text": str(chosen)}, "value": str(chosen)}
    for option in options:
        if option.get("value") == chosen or option.get("text", {}).get("text") == chosen:
            return option
    offered = [option.get("value") for option in options]
    raise LookupError(f"option {chosen!r} is not offered by {element.get('action_id')}: {offered}")


def _rich_text(chosen: Any) -> Any:
    if chosen is None or isinstance(chosen, dict):
        return chosen
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": chosen}]}],
    }


def _check_like_slack_client(view: dict[str, Any], state_values: dict[str, Any]) -> None:
    complaints = []
    for block in surface_blocks(view):
        if block.get("type") != "input" or block["block_id"] not in state_values:
            continue
        element = block["element"]
        value = state_values[block["block_id"]][element["action_id"]]
        label = block.get("label", {}).get("text", block["block_id"])
        complaints += [f"{label}: {c}" for c in _field_complaints(block, element, value)]
    if complaints:
        raise SubmissionBlocked("; ".join(complaints))


def _field_complaints(
    block: dict[str, Any], element: dict[str, Any], state: dict[str, Any]
) -> list[str]:
    filled = [v for k, v in state.items() if k not in ("type", "timezone")]
    is_empty = all(v in (None, [], "") for v in filled)
    if is_empty:
        return [] if block.get("optional") else ["required"]
    value = state.get("value")
    element_type = element["type"]
    if element_type == "plain_text_input":
        return _length_complaints(value or "", element)
    if element_type == "number_input":
        return _number_complaints(value or "", element)
    if element_type == "email_text_input" and "@" not in (value or ""):
        return ["not an e-mail address"]
    if element_type == "url_text_input" and not str(value).startswith(("http://", "https://")):
        return ["not a URL"]
    maximum = element.get("max_selected_items")
    chosen = next((v for v in filled if isinstance(v, list)), None)
    if maximum is not None and chosen is not None and len(chosen) > maximum:
        return [f"more than {maximum} selected"]
    return []


def _length_complaints(value: str, element: dict[str, Any]) -> list[str]:
    minimum, maximum = element.get("min_length"), element.get("max_length", 3000)
    if minimum is not None and len(value) < minimum:
        return [f"shorter than {minimum} characters"]
    if len(value) > maximum:
        return [f"longer than {maximum} characters"]
    return []


def _number_complaints(value: str, element: dict[str, Any]) -> list[str]:
    try:
        number = float(value) if element.get("is_decimal_allowed") else int(value)
    except ValueError:
        return ["not a number"]
    if "min_value" in element and number < float(element["min_value"]):
        return [f"below {element['min_value']}"]
    if "max_value" in element and number > float(element["max_value"]):
        return [f"above {element['max_value']}"]
    return []
