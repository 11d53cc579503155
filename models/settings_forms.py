"""Form input of `/coach admin`: the program settings and the rituals, validated by
pydantic before anything is written. Field names are the modals' block_ids.

The `...Values` dataclasses are what the modals open with (the current settings)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from models.form_input import parse_form
from models.forms import TIMEZONE_EXAMPLE, timezone_name

PREP_LEAD_MIN_HOURS = 1
PREP_LEAD_MAX_HOURS = 168
PROGRAM_TEXT_MAX = 3000
"""Slack's limit for one plain_text_input."""
K_TEXT_MIN, K_TEXT_MAX = 3, 50
K_COUNT_MIN, K_COUNT_MAX = 2, 50
KUDOS_LIMIT_MIN, KUDOS_LIMIT_MAX = 1, 50
RITUAL_TEXT_MAX = 1000
SHOWCASE_WEEKS = ("1", "2", "3", "4", "last")
LAST_WEEK = -1
"""`Ritual.week_of_month` of a showcase on the last such weekday of the month."""

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _program_text(value: Any, what: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = "\n".join(line.rstrip() for line in value.strip().splitlines())
    if len(text) > PROGRAM_TEXT_MAX:
        raise ValueError(
            f"Keep the {what} to {PROGRAM_TEXT_MAX:,} characters or fewer "
            f"(it has {len(text):,} now)."
        )
    return text


def _whole_number(value: Any, low: int, high: int, problem: str) -> int:
    text = str(value).strip() if isinstance(value, str | int) else ""
    try:
        number = int(text)
    except ValueError:
        raise ValueError(problem) from None
    if not low <= number <= high:
        raise ValueError(problem)
    return number


def _weekday(value: Any, problem: str) -> int:
    try:
        day = int(value)
    except (TypeError, ValueError):
        day = -1
    if not 0 <= day <= 6:
        raise ValueError(problem)
    return day


def _time(value: Any, problem: str) -> time:
    if isinstance(value, time):
        return value
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(problem)
    return time(int(match.group(1)), int(match.group(2)))


def _users(value: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for u in (value or []) if isinstance(u, str) and u))


LEAD_PROBLEM = (
    f"Enter a whole number of hours from {PREP_LEAD_MIN_HOURS} to {PREP_LEAD_MAX_HOURS} "
    "(a week), like 24."
)
K_TEXT_PROBLEM = (
    f"Enter a whole number from {K_TEXT_MIN} to {K_TEXT_MAX}: shared learnings need at least "
    f"{K_TEXT_MIN} different people before any of them is shown."
)
K_COUNT_PROBLEM = (
    f"Enter a whole number from {K_COUNT_MIN} to {K_COUNT_MAX}: groups smaller than this are "
    "merged in the numbers."
)
KUDOS_LIMIT_PROBLEM = (
    f"Enter a whole number of kudos a day from {KUDOS_LIMIT_MIN} to {KUDOS_LIMIT_MAX}, like 5."
)
DIGEST_DAY_PROBLEM = "Pick the day the digest goes out."
DIGEST_TIME_PROBLEM = "Pick the time the digest goes out, like 09:00."


class ProgramSettingsForm(BaseModel):
    """Program settings: prep reminder lead time, the program's texts (empty means the
    shipped one), the digest's channel and schedule, the anonymity thresholds, the
    kudos limit and the leaders (exactly the people picked)."""

    model_config = ConfigDict(frozen=True)

    prep_lead_hours: int
    values_text: str | None = None
    ground_rules_text: str | None = None
    digest_channel: str | None = None
    digest_weekday: int
    digest_time: time
    digest_timezone: str
    k_text: int
    k_count: int
    kudos_daily_limit: int
    leaders: tuple[str, ...] = ()

    @field_validator("prep_lead_hours", mode="before")
    @classmethod
    def _lead(cls, value: Any) -> int:
        return _whole_number(value, PREP_LEAD_MIN_HOURS, PREP_LEAD_MAX_HOURS, LEAD_PROBLEM)

    @field_validator("values_text", mode="before")
    @classmethod
    def _values(cls, value: Any) -> str | None:
        return _program_text(value, "values statement")

    @field_validator("ground_rules_text", mode="before")
    @classmethod
    def _rules(cls, value: Any) -> str | None:
        return _program_text(value, "ground rules")

    @field_validator("digest_channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> str | None:
        return value.strip() if isinstance(value, str) and value.strip() else None

    @field_validator("digest_weekday", mode="before")
    @classmethod
    def _digest_weekday(cls, value: Any) -> int:
        return _weekday(value, DIGEST_DAY_PROBLEM)

    @field_validator("digest_time", mode="before")
    @classmethod
    def _digest_time(cls, value: Any) -> time:
        return _time(value, DIGEST_TIME_PROBLEM)

    @field_validator("digest_timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> str:
        return timezone_name(value)

    @field_validator("k_text", mode="before")
    @classmethod
    def _k_text(cls, value: Any) -> int:
        return _whole_number(value, K_TEXT_MIN, K_TEXT_MAX, K_TEXT_PROBLEM)

    @field_validator("k_count", mode="before")
    @classmethod
    def _k_count(cls, value: Any) -> int:
        return _whole_number(value, K_COUNT_MIN, K_COUNT_MAX, K_COUNT_PROBLEM)

    @field_validator("kudos_daily_limit", mode="before")
    @classmethod
    def _kudos_limit(cls, value: Any) -> int:
        return _whole_number(value, KUDOS_LIMIT_MIN, KUDOS_LIMIT_MAX, KUDOS_LIMIT_PROBLEM)

    @field_validator("leaders", mode="before")
    @classmethod
    def _leaders(cls, value: Any) -> tuple[str, ...]:
        return _users(value)


MISSING_FIELD = {
    "prep_lead_hours": LEAD_PROBLEM,
    "digest_weekday": DIGEST_DAY_PROBLEM,
    "digest_time": DIGEST_TIME_PROBLEM,
    "digest_timezone": f"Enter the program's timezone, like {TIMEZONE_EXAMPLE}.",
    "k_text": K_TEXT_PROBLEM,
    "k_count": K_COUNT_PROBLEM,
    "kudos_daily_limit": KUDOS_LIMIT_PROBLEM,
}


def parse_program_settings(
    fields: dict[str, Any],
) -> tuple[ProgramSettingsForm | None, dict[str, str]]:
    return parse_form(
        ProgramSettingsForm, fields, missing=MISSING_FIELD, fallback_field="prep_lead_hours"
    )


@dataclass(frozen=True)
class ProgramSettingsValues:
    """What the settings modal opens with."""

    prep_lead_hours: int
    values_text: str
    ground_rules_text: str
    digest_channel: str | None
    digest_weekday: int
    digest_time: time
    digest_timezone: str
    k_text: int
    k_count: int
    kudos_daily_limit: int
    leaders: tuple[str, ...]


# --------------------------------------------------------------------------- rituals


def _ritual_text(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > RITUAL_TEXT_MAX:
        raise ValueError(f"Keep the text to {RITUAL_TEXT_MAX:,} characters or fewer.")
    return text


def _ticked(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return "on" in value
    return value in (True, "on")


class RitualsForm(BaseModel):
    """The rituals modal: a monthly showcase and weekly office hours, each on or off.
    What is switched on needs its day and time (and office hours a host); what is off
    is kept as typed so it opens prefilled next time."""

    model_config = ConfigDict(frozen=True)

    showcase_on: bool = False
    showcase_week: int | None = None
    showcase_weekday: int | None = None
    showcase_time: time | None = None
    showcase_text: str = ""
    office_on: bool = False
    office_weekday: int | None = None
    office_time: time | None = None
    office_host: str | None = None
    office_text: str = ""

    @field_validator("showcase_on", "office_on", mode="before")
    @classmethod
    def _on(cls, value: Any) -> bool:
        return _ticked(value)

    @field_validator("showcase_week", mode="before")
    @classmethod
    def _week(cls, value: Any) -> int | None:
        if value in (None, ""):
            return None
        if value == "last" or value == LAST_WEEK:
            return LAST_WEEK
        if str(value) not in SHOWCASE_WEEKS:
            raise ValueError("Pick the week of the month: the 1st to the 4th, or the last.")
        return int(value)

    @field_validator("showcase_weekday", "office_weekday", mode="before")
    @classmethod
    def _day(cls, value: Any) -> int | None:
        return None if value in (None, "") else _weekday(value, "Pick a day of the week.")

    @field_validator("showcase_time", "office_time", mode="before")
    @classmethod
    def _at(cls, value: Any) -> time | None:
        return None if value in (None, "") else _time(value, "Pick a time, like 15:00.")

    @field_validator("office_host", mode="before")
    @classmethod
    def _host(cls, value: Any) -> str | None:
        return value if isinstance(value, str) and value else None

    @field_validator("showcase_text", "office_text", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return _ritual_text(value)


def _incomplete(form: RitualsForm) -> dict[str, str]:
    problems: dict[str, str] = {}
    if form.showcase_on:
        if form.showcase_week is None:
            problems["showcase_week"] = "Pick the week of the month for the showcase."
        if form.showcase_weekday is None:
            problems["showcase_weekday"] = "Pick the day of the showcase."
        if form.showcase_time is None:
            problems["showcase_time"] = "Pick the time of the showcase, like 15:00."
    if form.office_on:
        if form.office_weekday is None:
            problems["office_weekday"] = "Pick the day of office hours."
        if form.office_time is None:
            problems["office_time"] = "Pick the time of office hours, like 12:00."
        if form.office_host is None:
            problems["office_host"] = "Pick who hosts office hours."
    return problems


def parse_rituals(fields: dict[str, Any]) -> tuple[RitualsForm | None, dict[str, str]]:
    """The form, or the inline errors: a bad value, or a ritual switched on without
    its day, time or host."""
    form, errors = parse_form(RitualsForm, fields, missing={}, fallback_field="showcase_on")
    if form is None:
        return None, errors
    problems = _incomplete(form)
    return (None, problems) if problems else (form, {})


@dataclass(frozen=True)
class RitualValues:
    """One ritual as the rituals modal shows it (and as its confirmation reads)."""

    on: bool
    weekday: int
    local_time: time
    text: str = ""
    week_of_month: int | None = None
    host_user_id: str | None = None
