"""Form input, validated by pydantic before anything is written.

Each form's field names are the modal's block_ids, so a validation error maps
straight onto Slack's inline `response_action: errors` ({block_id: message}).
Messages are written for people: they name the problem and what to do instead.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, time
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, field_validator

from models.form_input import parse_form

POD_NAME_MAX = 60
POD_FOCUS_TEXT_MAX = 150
POD_MIN_MEMBERS = 2
POD_MAX_MEMBERS = 12
POD_SIZE_HINT = "3–6 works best"
INTERVAL_WEEKS = (1, 2, 3, 4)
FOCUS_KINDS = ("function", "project", "goal")
TIMEZONE_EXAMPLE = "Europe/Paris"
CELEBRATE_VALUE = "celebrate"

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@cache
def _timezones_by_key() -> dict[str, str]:
    zones = {zone.casefold(): zone for zone in available_timezones()}
    zones.setdefault("utc", "UTC")
    return zones


def normalize_timezone(value: str) -> str | None:
    """The canonical IANA name for `value` (any casing), or None when unknown."""
    name = value.strip().replace(" ", "_")
    if not name:
        return None
    canonical = _timezones_by_key().get(name.casefold())
    if canonical is None:
        return None
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return canonical


def suggest_timezone(value: str) -> str | None:
    """A likely meant timezone: a city match ("paris") or a close spelling."""
    key = value.strip().replace(" ", "_").casefold()
    if not key:
        return None
    zones = _timezones_by_key()
    by_city = sorted(zone for k, zone in zones.items() if k.rsplit("/", 1)[-1] == key)
    if by_city:
        return by_city[0]
    close = difflib.get_close_matches(key, list(zones), n=1, cutoff=0.8)
    return zones[close[0]] if close else None


def timezone_name(value: Any) -> str:
    """The canonical IANA name for what a person typed; the inline error otherwise."""
    text = value if isinstance(value, str) else ""
    canonical = normalize_timezone(text)
    if canonical is None:
        raise ValueError(timezone_problem(text))
    return canonical


def timezone_problem(value: str) -> str:
    if not value.strip():
        return f"Enter a timezone, like {TIMEZONE_EXAMPLE}."
    suggestion = suggest_timezone(value)
    hint = f" Did you mean {suggestion}?" if suggestion else f" Use a name like {TIMEZONE_EXAMPLE}."
    return f"“{value.strip()}” is not a timezone I know.{hint}"


POD_NAME_QUOTES = "\"'“”‘’"


def normalize_pod_name(name: str) -> str:
    return " ".join(name.split())


def unquoted_pod_name(name: str) -> str:
    """The name without the quotes around it (straight or curly), spacing normalized:
    how a pod is found when its exact name is not."""
    while True:
        inner = name.strip().strip(POD_NAME_QUOTES)
        if inner == name:
            return normalize_pod_name(name)
        name = inner


class PodForm(BaseModel):
    """The pod modal (create and edit). Members are exactly the people selected:
    the creator is not added unless they pick themselves."""

    model_config = ConfigDict(frozen=True)

    name: str
    focus_kind: Literal["function", "project", "goal"]
    focus_text: str = ""
    members: tuple[str, ...]
    cadence: int
    weekday: int
    time: time
    timezone: str
    channel: str | None = None
    celebrate: bool = False

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        name = normalize_pod_name(value if isinstance(value, str) else "")
        if not name:
            raise ValueError("Give the pod a name.")
        if len(name) > POD_NAME_MAX:
            raise ValueError(f"Keep the name to {POD_NAME_MAX} characters or fewer.")
        return name

    @field_validator("focus_kind", mode="before")
    @classmethod
    def _focus_kind(cls, value: Any) -> str:
        if value not in FOCUS_KINDS:
            raise ValueError("Pick what the pod is about: a function, a project or a goal.")
        return value

    @field_validator("focus_text", mode="before")
    @classmethod
    def _focus_text(cls, value: Any) -> str:
        text = " ".join((value or "").split()) if isinstance(value, str | None) else ""
        if len(text) > POD_FOCUS_TEXT_MAX:
            raise ValueError(f"Keep the focus to one line of {POD_FOCUS_TEXT_MAX} characters.")
        return text

    @field_validator("members", mode="before")
    @classmethod
    def _members(cls, value: Any) -> tuple[str, ...]:
        users = tuple(dict.fromkeys(u for u in (value or []) if isinstance(u, str) and u))
        if len(users) < POD_MIN_MEMBERS:
            raise ValueError(f"Pick at least {POD_MIN_MEMBERS} people ({POD_SIZE_HINT}).")
        if len(users) > POD_MAX_MEMBERS:
            raise ValueError(
                f"A pod holds at most {POD_MAX_MEMBERS} people; you picked {len(users)} "
                f"({POD_SIZE_HINT})."
            )
        return users

    @field_validator("cadence", mode="before")
    @classmethod
    def _cadence(cls, value: Any) -> int:
        try:
            weeks = int(value)
        except (TypeError, ValueError):
            weeks = 0
        if weeks not in INTERVAL_WEEKS:
            raise ValueError("Pick how often the pod meets: every 1 to 4 weeks.")
        return weeks

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: Any) -> int:
        try:
            day = int(value)
        except (TypeError, ValueError):
            day = -1
        if not 0 <= day <= 6:
            raise ValueError("Pick the day the pod meets.")
        return day

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> time:
        if isinstance(value, time):
            return value
        match = _TIME.match(value.strip()) if isinstance(value, str) else None
        if not match:
            raise ValueError("Pick a time, like 15:00.")
        return time(int(match.group(1)), int(match.group(2)))

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> str:
        return timezone_name(value)

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> str | None:
        return value if isinstance(value, str) and value else None

    @field_validator("celebrate", mode="before")
    @classmethod
    def _celebrate(cls, value: Any) -> bool:
        return CELEBRATE_VALUE in value if isinstance(value, list | tuple) else bool(value)


MISSING_POD_FIELD = {
    "name": "Give the pod a name.",
    "focus_kind": "Pick what the pod is about: a function, a project or a goal.",
    "members": f"Pick at least {POD_MIN_MEMBERS} people ({POD_SIZE_HINT}).",
    "cadence": "Pick how often the pod meets: every 1 to 4 weeks.",
    "weekday": "Pick the day the pod meets.",
    "time": "Pick a time, like 15:00.",
    "timezone": f"Enter a timezone, like {TIMEZONE_EXAMPLE}.",
}


def parse_pod_form(fields: dict[str, Any]) -> tuple[PodForm | None, dict[str, str]]:
    """The form, or the inline errors for every field that is wrong."""
    return parse_form(PodForm, fields, missing=MISSING_POD_FIELD, fallback_field="name")


_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def parse_iso_date(word: str) -> date | None:
    """A YYYY-MM-DD date typed in a command, or None when the word is not one."""
    if not _ISO_DATE.match(word):
        return None
    year, month, day = (int(part) for part in word.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        return None
