"""The one toolkit every surface uses: who sent a payload, answering them
privately on the surface they used, opening and updating modals, reading a
modal's state, the pressed button's value, private metadata, the submission
path, the program-admin policy and the App Home refresh.

Handlers are thin: parse with these, call a service in one transaction, answer
with a ui builder. Nothing here that can wait on Slack runs before `ack()`.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import directory
from bot.runtime import Runtime
from bot.services import home as home_service
from bot.services import members as members_service
from bot.services.refusals import FormProblems, Refusal
from bot.ui import answers
from bot.ui import home as home_ui

logger = logging.getLogger(__name__)

Message = Mapping[str, Any]
Answer = Callable[[Message | str], None]
Outcome = TypeVar("Outcome")

SORRY = answers.SORRY


# --------------------------------------------------------------------- who sent it


@dataclass(frozen=True)
class Sender:
    team_id: str
    user_id: str


def sender_of(body: Mapping[str, Any]) -> Sender:
    """The person and workspace behind any payload: a command, an action, a view
    submission, a shortcut or an event."""
    user = body.get("user")
    if isinstance(user, dict):
        user_id = str(user.get("id", ""))
    else:
        user_id = str(body.get("user_id") or user or (body.get("event") or {}).get("user") or "")
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        team_id = str(team["id"])
    elif isinstance(user, dict) and user.get("team_id"):
        team_id = str(user["team_id"])
    else:
        team_id = str(body.get("team_id") or "")
    return Sender(team_id=team_id, user_id=user_id)


# --------------------------------------------------------------------- slash commands


@dataclass(frozen=True)
class SlashCommand:
    """A parsed `/coach` invocation: `name` is the subcommand, `args` the rest."""

    team_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    response_url: str
    name: str
    args: str

    @property
    def words(self) -> list[str]:
        return self.args.split()

    @property
    def sender(self) -> Sender:
        return Sender(team_id=self.team_id, user_id=self.user_id)


@dataclass
class CommandContext:
    command: SlashCommand
    rt: Runtime
    client: WebClient
    respond: Respond

    def reply(self, message: Message | str) -> None:
        """An ephemeral answer to the person who typed the command."""
        self.respond(response_type="ephemeral", replace_original=False, **as_message(message))

    def refuse(self, refusal: Refusal) -> None:
        self.reply(refusal_message(refusal))


SubcommandHandler = Callable[[CommandContext], None]


def closest_word(word: str, known: Iterable[str]) -> str | None:
    """The known subcommand or verb a mistyped word most likely meant, if any."""
    matches = difflib.get_close_matches(word.lower(), list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def parse_command(body: Mapping[str, Any]) -> SlashCommand:
    text = (body.get("text") or "").strip()
    name, _, args = text.partition(" ")
    return SlashCommand(
        team_id=str(body.get("team_id") or ""),
        user_id=str(body.get("user_id") or ""),
        channel_id=str(body.get("channel_id") or ""),
        trigger_id=str(body.get("trigger_id") or ""),
        response_url=str(body.get("response_url") or ""),
        name=name.lower(),
        args=unescape_slack_text(args.strip()),
    )


def unescape_slack_text(text: str) -> str:
    """Slack sends a typed `&`, `<` or `>` as an HTML entity (mentions and links
    stay `<…>` tokens); the services see what the person typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --------------------------------------------------------------------- answering


def as_message(message: Message | str) -> dict[str, Any]:
    return {"text": message} if isinstance(message, str) else dict(message)


def answerer(
    body: Mapping[str, Any], client: WebClient, respond: Respond | None, title: str = "Coachbot"
) -> Answer:
    """How to tell the person something privately on the surface they used: an
    ephemeral reply through the response_url for messages, a small modal for the
    App Home (it has no response_url), an ephemeral or a DM as the last resort.
    Call it only after `ack()`."""

    def answer(message: Message | str) -> None:
        payload = as_message(message)
        if body.get("response_url") and respond is not None:
            try:
                respond(response_type="ephemeral", replace_original=False, **payload)
                return
            except Exception:
                logger.warning("response_url answer failed", exc_info=True)
        info = answers.info_modal(title, payload)
        if open_modal(client, body.get("trigger_id"), info) is not None:
            return
        user_id = sender_of(body).user_id
        channel = body.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        try:
            if channel_id:
                client.chat_postEphemeral(channel=channel_id, user=user_id, **payload)
            else:
                client.chat_postMessage(channel=user_id, **payload)
        except SlackApiError as error:
            logger.warning("could not answer %s: %s", user_id, error.response.get("error"))

    return answer


def refusal_message(refusal: Refusal) -> dict[str, Any]:
    return answers.refusal_message(
        refusal.message, suggestions=refusal.suggestions, usage=refusal.usage
    )


def refuse(answer: Answer, refusal: Refusal) -> None:
    answer(refusal_message(refusal))


# --------------------------------------------------------------------- modals


def open_modal(
    client: WebClient, trigger_id: str | None, view: Mapping[str, Any]
) -> dict[str, Any] | None:
    """views.open inside the trigger's window; None when Slack refused (an
    expired or used trigger and the like)."""
    if not trigger_id:
        return None
    try:
        return client.views_open(trigger_id=trigger_id, view=dict(view))["view"]
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        return None


def push_modal(client: WebClient, body: Mapping[str, Any], view: Mapping[str, Any]) -> dict | None:
    """views.push on top of the modal the pressed button is on; None when Slack refused."""
    try:
        return client.views_push(trigger_id=body.get("trigger_id"), view=dict(view))["view"]
    except SlackApiError as error:
        logger.warning("views.push failed: %s", error.response.get("error"))
        return None


def dm_quietly(client: WebClient, user_id: str, message: Mapping[str, Any]) -> None:
    """A DM sent after the ack (a confirmation); a refusal from Slack is only logged."""
    try:
        client.chat_postMessage(channel=user_id, **message)
    except SlackApiError as error:
        logger.warning("could not DM %s: %s", user_id, error.response.get("error"))


def update_modal(client: WebClient, view: Mapping[str, Any], new_view: Mapping[str, Any]) -> bool:
    """views.update of an open modal (guarded by its hash); False when Slack refused."""
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=dict(new_view))
        return True
    except (SlackApiError, KeyError) as error:
        reason = error.response.get("error") if isinstance(error, SlackApiError) else error
        logger.info("views.update failed: %s", reason)
        return False


def read_form(view: Mapping[str, Any]) -> dict[str, Any]:
    """{block_id: value} from a modal's state: text, a date or time, the chosen
    option's value, the list of ticked or chosen values, the picked users or
    conversation. Block ids are the form's field names."""
    values = (view.get("state") or {}).get("values") or {}
    fields: dict[str, Any] = {}
    for block_id, elements in values.items():
        if isinstance(elements, dict) and elements:
            fields[block_id] = _element_value(next(iter(elements.values())) or {})
    return fields


def _element_value(element: Mapping[str, Any]) -> Any:
    kind = element.get("type")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "timepicker":
        return element.get("selected_time")
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return [o.get("value") for o in element.get("selected_options") or []]
    if kind in ("static_select", "radio_buttons", "external_select"):
        return (element.get("selected_option") or {}).get("value")
    if kind == "multi_users_select":
        return list(element.get("selected_users") or [])
    if kind == "users_select":
        return element.get("selected_user")
    if kind in ("conversations_select", "channels_select"):
        return element.get("selected_conversation") or element.get("selected_channel")
    if kind in ("multi_conversations_select", "multi_channels_select"):
        return list(element.get("selected_conversations") or element.get("selected_channels") or [])
    return element.get("value")


class ModalMetadata(BaseModel):
    """A modal's private metadata; each modal subclasses it with its own fields.
    Unreadable metadata (an old or tampered form) loads as None."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    def dumps(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def loads(cls, raw: str | None) -> Self | None:
        try:
            return cls.model_validate_json(raw or "{}")
        except ValidationError:
            return None

    @classmethod
    def of(cls, view: Mapping[str, Any]) -> Self | None:
        return cls.loads(view.get("private_metadata"))


# --------------------------------------------------------------------- buttons


def pressed_action(body: Mapping[str, Any]) -> dict[str, Any]:
    found = body.get("actions") or [{}]
    return found[0] if isinstance(found[0], dict) else {}


def pressed_value(body: Mapping[str, Any]) -> str | None:
    """The pressed button's value, or the chosen option's for a select."""
    action = pressed_action(body)
    if action.get("value") is not None:
        return str(action["value"])
    chosen = action.get("selected_option") or {}
    return str(chosen["value"]) if chosen.get("value") is not None else None


def as_int(raw: Any) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


def pressed_id(body: Mapping[str, Any], answer: Answer, where_to_go: str = "") -> int | None:
    """The id a button carries as its value; a button that no longer carries a
    usable one gets a plain answer (and None)."""
    value = as_int(pressed_value(body))
    if value is None:
        answer(f"That button is out of date. {where_to_go}".strip())
    return value


# --------------------------------------------------------------------- submissions


def submit(
    ack: Ack,
    save: Callable[[], Outcome],
    *,
    error_field: str,
) -> tuple[bool, Outcome | None]:
    """The one submission path for fast forms (database work only, no Slack call
    before the ack): run `save` (a service call in one transaction); a refusal
    becomes inline errors, anything unexpected the apology on the form. Returns
    (saved, outcome); confirmations go after, since the ack has been sent."""
    try:
        outcome = save()
    except FormProblems as problems:
        ack(response_action="errors", errors=problems.errors)
        return False, None
    except Refusal as refusal:
        ack(response_action="errors", errors={refusal.field or error_field: refusal.message})
        return False, None
    except Exception:
        logger.exception("form submission failed")
        ack(response_action="errors", errors={error_field: SORRY})
        return False, None
    ack()
    return True, outcome


def submit_slowly(
    ack: Ack,
    client: WebClient,
    body: Mapping[str, Any],
    *,
    working: Mapping[str, Any],
    work: Callable[[], Mapping[str, Any]],
    failed: Callable[[str], Mapping[str, Any]],
) -> None:
    """For forms whose checks need Slack (users.info, posting in a channel): ack at
    once with a "working…" view, then do the work and show its result with
    views.update. `work` returns the view to show (the form again with its
    problems, or the confirmation); a refusal or an unexpected error shows
    `failed(message)`.

    The working view carries a fresh external_id and the outcome is put in place
    by it: were the outcome ready before Slack applied the ack, the update would
    be overwritten by "working…"; by external_id it waits (`not_found`) instead."""
    import time
    import uuid

    marker = f"working-{uuid.uuid4().hex}"
    ack(response_action="update", view={**working, "external_id": marker})
    try:
        result = work()
    except Refusal as refusal:
        result = failed(refusal.message)
    except Exception:
        logger.exception("form submission failed")
        result = failed(SORRY)
    for pause in (0.0, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6):
        time.sleep(pause)
        try:
            client.views_update(external_id=marker, view=dict(result))
            return
        except SlackApiError as error:
            if error.response.get("error") != "not_found":
                logger.info("views.update failed: %s", error.response.get("error"))
                break
    logger.warning("could not show the outcome of a form to %s", sender_of(body).user_id)


# --------------------------------------------------------------------- policy


def is_program_admin(rt: Runtime, sender: Sender, *, fresh: bool = True) -> bool:
    """The one program-admin policy: listed in COACHBOT_ADMINS, or a Slack
    workspace admin or owner. `fresh` re-reads the profile from users.info when
    stale (call it after the ack); otherwise only what is stored is used."""
    if sender.user_id in rt.settings.admin_user_ids:
        return True
    if fresh:
        member = directory.refresh_member(rt, sender.team_id, sender.user_id)
    else:
        with rt.db.transaction() as tx:
            member = members_service.find(tx, sender.team_id, sender.user_id)
    return members_service.is_program_admin(member, rt.settings.admin_user_ids)


# --------------------------------------------------------------------- App Home and profiles


def publish_home(rt: Runtime, client: WebClient, sender: Sender) -> None:
    """Build and publish the person's Home tab; failures are logged, never raised."""
    try:
        with rt.db.transaction() as tx:
            data = home_service.home_data(tx, sender.team_id, sender.user_id, rt.now())
        client.views_publish(user_id=sender.user_id, view=home_ui.home_view(data))
    except SlackApiError as error:
        logger.warning("views.publish failed: %s", error.response.get("error"))
    except Exception:
        logger.exception("could not build the Home tab of %s", sender.user_id)


def fresh_timezone(rt: Runtime, sender: Sender) -> str:
    """The person's timezone, refreshed from users.info when stale (UTC for someone
    Slack doesn't know). Call it only after the ack: users.info can be slow."""
    member = directory.refresh_member(rt, sender.team_id, sender.user_id)
    return member.tz if member is not None else "UTC"


def refresh_profile_quietly(rt: Runtime, sender: Sender) -> str | None:
    """Refresh a known member's profile (timezone, names) from users.info when
    stale, and return their timezone (None for someone unknown or on failure).
    Call it only after the ack and any modal is open: users.info can be slow."""
    try:
        with rt.db.transaction() as tx:
            member = members_service.find(tx, sender.team_id, sender.user_id)
        if member is None:
            return None
        if not members_service.needs_refresh(member, rt.now()):
            return member.tz
        member = directory.refresh_member(rt, sender.team_id, sender.user_id)
        return member.tz if member is not None else None
    except Exception:
        logger.warning("profile refresh for %s failed", sender.user_id, exc_info=True)
    return None


def payload_shape_problem(body: Any) -> str | None:
    """What makes a signed payload unlike anything Slack sends, or None."""
    if not isinstance(body, dict):
        return "not an object"
    for key in ("user", "team", "channel", "container", "message", "view", "enterprise"):
        if key in body and body[key] is not None and not isinstance(body[key], dict | str):
            return f"{key} is no object"
    if "actions" in body:
        actions = body["actions"]
        if not isinstance(actions, list) or not actions:
            return "actions is no list"
        if not all(isinstance(action, dict) for action in actions):
            return "an action is no object"
    view = body.get("view")
    if isinstance(view, str) or (isinstance(view, dict) and not isinstance(view.get("type"), str)):
        return "a view without a type"
    if body.get("type") == "event_callback" and "event" in body:
        event = body["event"]
        if not isinstance(event, dict):
            return "event is no object"
        for key in ("message", "previous_message"):
            if key in event and not isinstance(event[key], dict | None):
                return f"event {key} is no object"
    return None
