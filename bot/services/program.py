"""Program settings: one row per workspace, every default when there is none.

The values statement and the ground rules are shipped in prompts/; an admin may
replace either with their own text. An empty field (or the shipped text sent
back unchanged) stores nothing, so the shipped text applies, and follows any
later change to the shipped files.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy.orm import Session

from bot.program_content import get_content
from bot.services.refusals import Refusal
from models import ProgramSettings
from models.content_views import ProgramTexts
from models.program import DEFAULT_K_COUNT, DEFAULT_K_TEXT, DEFAULT_PREP_LEAD_HOURS
from models.program_content import Content
from models.settings_forms import ProgramSettingsForm


def defaults(team_id: str) -> ProgramSettings:
    """A settings object (not added to `tx`) holding every default."""
    return ProgramSettings(
        team_id=team_id,
        prep_lead_hours=DEFAULT_PREP_LEAD_HOURS,
        digest_channel_id=None,
        digest_weekday=4,
        digest_time=time(9, 0),
        digest_timezone="UTC",
        k_text=DEFAULT_K_TEXT,
        k_count=DEFAULT_K_COUNT,
        values_text=None,
        ground_rules_text=None,
    )


def get_settings(tx: Session, team_id: str) -> ProgramSettings:
    """The workspace's settings; the defaults (unsaved) when it never saved any."""
    return tx.get(ProgramSettings, team_id) or defaults(team_id)


# --------------------------------------------------------------------------- texts


def default_values_text(content: Content | None = None) -> str:
    """The shipped values statement as editable text (Slack mrkdwn)."""
    values = (content or get_content()).values
    lines = [values.intro, ""]
    lines += [f"• *{value.name}*: {' '.join(value.meaning.split())}" for value in values.values]
    return "\n".join(lines)


def default_ground_rules_text(content: Content | None = None) -> str:
    """The shipped ground rules as editable text (Slack mrkdwn)."""
    rules = (content or get_content()).ground_rules
    lines = [rules.intro, ""]
    lines += [
        f"{number}. *{rule.title}*: {' '.join(rule.text.split())}"
        for number, rule in enumerate(rules.rules, start=1)
    ]
    return "\n".join(lines)


def texts(settings: ProgramSettings, content: Content | None = None) -> ProgramTexts:
    content = content or get_content()
    return ProgramTexts(
        values_title=content.values.title,
        values_text=settings.values_text or default_values_text(content),
        values_custom=bool(settings.values_text),
        ground_rules_title=content.ground_rules.title,
        ground_rules_text=settings.ground_rules_text or default_ground_rules_text(content),
        ground_rules_custom=bool(settings.ground_rules_text),
    )


def program_texts(tx: Session, team_id: str) -> ProgramTexts:
    return texts(get_settings(tx, team_id))


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _custom_or_none(text: str | None, default: str) -> str | None:
    if text is None or _same_text(text, default):
        return None
    return text


# --------------------------------------------------------------------------- writing


class AdminsOnly(Refusal):
    """Only program admins may change the program's settings."""


def update_settings(
    tx: Session, team_id: str, form: ProgramSettingsForm, now: datetime, *, is_admin: bool
) -> ProgramSettings:
    """Saves the settings form; a cleared text (or the shipped one) goes back to the
    shipped text."""
    if not is_admin:
        raise AdminsOnly("Only program admins can change these settings.", field="prep_lead_hours")
    settings = tx.get(ProgramSettings, team_id)
    if settings is None:
        settings = defaults(team_id)
        tx.add(settings)
    content = get_content()
    settings.prep_lead_hours = form.prep_lead_hours
    settings.values_text = _custom_or_none(form.values_text, default_values_text(content))
    settings.ground_rules_text = _custom_or_none(
        form.ground_rules_text, default_ground_rules_text(content)
    )
    settings.updated_at = now
    tx.flush()
    return settings
