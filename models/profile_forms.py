"""Form input of `/coach profile` and of the admin's levels and skills lists, validated
by pydantic before anything is written. Field names are the modals' block_ids.

Checks that need the program's lists (a level outside the list) are the service's."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from models.form_input import parse_form

TEAM_MAX = 80
FOCUS_MAX = 200
NAME_MAX = 60
"""A level or a skill: it has to fit a select option (75) with room to spare."""
SKILLS_MAX = 15
"""Skills offered, or growth areas, per person."""
LIST_MAX = 100
"""Levels, or skills, in the program's list: a Slack select holds at most 100 options."""
AVOID_MAX = 20
OTHER_MAX = 500

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_SPACES = re.compile(r"\s+")

NO_DAYS_PROBLEM = "Tick at least one day you can meet, or untick “Match me into a pod” for now."
NO_WINDOW_PROBLEM = (
    "Pick when your window starts and ends, or untick “Match me into a pod” for now."
)
HALF_WINDOW_PROBLEM = "Pick both ends of the window: when it starts and when it ends."


def clean_name(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def split_list(text: str | None, separators: str = ",") -> list[str]:
    """`a, b,,c` → [a, b, c]; also splits on new lines."""
    if not text:
        return []
    pattern = "[" + re.escape(separators) + "\n]"
    return [name for part in re.split(pattern, text) if (name := clean_name(part))]


def merge_names(names: Iterable[str], known: Iterable[str] = ()) -> list[str]:
    """Names without repeats (any casing), spelled as the known list spells them."""
    canonical = {name.casefold(): name for name in known}
    merged: dict[str, str] = {}
    for raw in names:
        name = clean_name(raw)
        if name:
            merged.setdefault(name.casefold(), canonical.get(name.casefold(), name))
    return list(merged.values())


def check_names(names: list[str], what: str, most: int) -> list[str]:
    """Raises a ValueError naming the problem: too many, or one too long."""
    too_long = [name for name in names if len(name) > NAME_MAX]
    if too_long:
        raise ValueError(
            f"“{too_long[0][:NAME_MAX]}…” is too long: keep each {what} to {NAME_MAX} characters."
        )
    if len(names) > most:
        raise ValueError(f"Pick at most {most} {what}s (you have {len(names)}).")
    return names


def _time(value: Any) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError("Pick a time, like 15:00.")
    return time(int(match.group(1)), int(match.group(2)))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in (value or []) if isinstance(v, str) and v]


class ProfileForm(BaseModel):
    """The profile modal. `offers`/`growth` are the picked skills; `offers_other` and
    `growth_other` the free entries, comma-separated."""

    model_config = ConfigDict(frozen=True)

    team_name: str = ""
    level: str | None = None
    focus: str | None = None
    offers: tuple[str, ...] = ()
    offers_other: str = ""
    growth: tuple[str, ...] = ()
    growth_other: str = ""
    weekdays: tuple[int, ...] = ()
    window_start: time | None = None
    window_end: time | None = None
    match_opt_in: bool = False
    avoid: tuple[str, ...] = ()

    @field_validator("team_name", mode="before")
    @classmethod
    def _team(cls, value: Any) -> str:
        text = clean_name(value) if isinstance(value, str) else ""
        if len(text) > TEAM_MAX:
            raise ValueError(f"Keep your team or function to {TEAM_MAX} characters.")
        return text

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> str | None:
        return clean_name(value) or None if isinstance(value, str) else None

    @field_validator("focus", mode="before")
    @classmethod
    def _focus(cls, value: Any) -> str | None:
        text = clean_name(value) if isinstance(value, str) else ""
        if len(text) > FOCUS_MAX:
            raise ValueError(f"Keep your focus to {FOCUS_MAX} characters.")
        return text or None

    @field_validator("offers", "growth", mode="before")
    @classmethod
    def _picked(cls, value: Any) -> tuple[str, ...]:
        return tuple(_strings(value))

    @field_validator("offers_other", "growth_other", mode="before")
    @classmethod
    def _other(cls, value: Any) -> str:
        text = value.strip() if isinstance(value, str) else ""
        if len(text) > OTHER_MAX:
            raise ValueError(f"Keep this to {OTHER_MAX} characters.")
        check_names(split_list(text), "skill", SKILLS_MAX)
        return text

    @field_validator("weekdays", mode="before")
    @classmethod
    def _days(cls, value: Any) -> tuple[int, ...]:
        days: set[int] = set()
        for raw in _strings(value) if not isinstance(value, list | tuple) else value:
            try:
                day = int(raw)
            except (TypeError, ValueError):
                day = -1
            if not 0 <= day <= 6:
                raise ValueError("Tick days of the week, Monday to Sunday.")
            days.add(day)
        return tuple(sorted(days))

    @field_validator("window_start", "window_end", mode="before")
    @classmethod
    def _at(cls, value: Any) -> time | None:
        return _time(value)

    @field_validator("match_opt_in", mode="before")
    @classmethod
    def _ticked(cls, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        return bool(_strings(value))

    @field_validator("avoid", mode="before")
    @classmethod
    def _avoid(cls, value: Any) -> tuple[str, ...]:
        people = tuple(dict.fromkeys(_strings(value)))
        if len(people) > AVOID_MAX:
            raise ValueError(f"Pick at most {AVOID_MAX} people.")
        return people

    def offered_skills(self, known: Iterable[str] = ()) -> list[str]:
        return merge_names([*self.offers, *split_list(self.offers_other)], known)

    def growth_areas(self, known: Iterable[str] = ()) -> list[str]:
        return merge_names([*self.growth, *split_list(self.growth_other)], known)


def window_problems(
    opted_in: bool, weekdays: Iterable[int], start: time | None, end: time | None
) -> dict[str, str]:
    """{block_id: problem} for an availability that can't be used."""
    problems: dict[str, str] = {}
    if (start is None) != (end is None):
        problems["window_end" if end is None else "window_start"] = HALF_WINDOW_PROBLEM
    elif start is not None and end is not None and end <= start:
        problems["window_end"] = (
            f"The window ends at {end:%H:%M}, before it starts at {start:%H:%M}. "
            "Pick an end after the start."
        )
    if opted_in:
        if not list(weekdays):
            problems["weekdays"] = NO_DAYS_PROBLEM
        if start is None and end is None:
            problems["window_start"] = NO_WINDOW_PROBLEM
    return problems


def parse_profile(fields: dict[str, Any]) -> tuple[ProfileForm | None, dict[str, str]]:
    """The form, or the inline errors for every field that is wrong."""
    form, errors = parse_form(ProfileForm, fields, missing={}, fallback_field="team_name")
    if form is None:
        return None, errors
    problems = window_problems(form.match_opt_in, form.weekdays, form.window_start, form.window_end)
    for field_name in ("offers_other", "growth_other"):
        picked = form.offered_skills() if field_name == "offers_other" else form.growth_areas()
        try:
            check_names(picked, "skill", SKILLS_MAX)
        except ValueError as error:
            problems.setdefault(field_name, str(error))
    return (None, problems) if problems else (form, {})


class ProgramListsForm(BaseModel):
    """The admin's lists: levels in order, one a line; skills, one a line or
    comma-separated."""

    model_config = ConfigDict(frozen=True)

    levels: tuple[str, ...]
    skills: tuple[str, ...]

    @field_validator("levels", mode="before")
    @classmethod
    def _levels(cls, value: Any) -> tuple[str, ...]:
        text = value if isinstance(value, str) else "\n".join(_strings(value))
        names = merge_names(split_list(text, separators="\n"))
        if not names:
            raise ValueError("List at least one level, one a line, from the first step up.")
        return tuple(check_names(names, "level", LIST_MAX))

    @field_validator("skills", mode="before")
    @classmethod
    def _skills(cls, value: Any) -> tuple[str, ...]:
        text = value if isinstance(value, str) else "\n".join(_strings(value))
        names = merge_names(split_list(text, separators=","))
        if not names:
            raise ValueError("List at least one skill, one a line or comma-separated.")
        return tuple(check_names(names, "skill", LIST_MAX))


LISTS_MISSING = {
    "levels": "List at least one level, one a line, from the first step up.",
    "skills": "List at least one skill, one a line or comma-separated.",
}


def parse_program_lists(fields: dict[str, Any]) -> tuple[ProgramListsForm | None, dict[str, str]]:
    return parse_form(ProgramListsForm, fields, missing=LISTS_MISSING, fallback_field="levels")
