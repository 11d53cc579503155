"""Program settings: one row per workspace, every default when there is none.

The values statement and the ground rules are shipped in prompts/; an admin may
replace either with their own text. An empty field (or the shipped text sent
back unchanged) stores nothing, so the shipped text applies, and follows any
later change to the shipped files.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.program_content import get_content
from bot.services import members
from bot.services.refusals import Refusal
from models import Member, ProgramSettings
from models.content_views import ProgramTexts
from models.program import (
    DEFAULT_K_COUNT,
    DEFAULT_K_TEXT,
    DEFAULT_KUDOS_DAILY_LIMIT,
    DEFAULT_PREP_LEAD_HOURS,
)
from models.program_content import Content
from models.settings_forms import ProgramSettingsForm, ProgramSettingsValues


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
        kudos_daily_limit=DEFAULT_KUDOS_DAILY_LIMIT,
        values_text=None,
        ground_rules_text=None,
    )


def is_saved(tx: Session, team_id: str) -> bool:
    return tx.get(ProgramSettings, team_id) is not None


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


class NotALeader(Refusal):
    """Someone picked as a leader who cannot be one (a bot)."""


def leader_ids(tx: Session, team_id: str) -> tuple[str, ...]:
    return tuple(
        tx.scalars(
            select(Member.user_id)
            .where(Member.team_id == team_id, Member.is_leader.is_(True))
            .order_by(Member.user_id)
        )
    )


def current_values(tx: Session, team_id: str, admin_timezone: str | None) -> ProgramSettingsValues:
    """What the settings modal opens with: the saved settings, or the defaults with
    the admin's own timezone when nothing was saved yet."""
    saved = tx.get(ProgramSettings, team_id)
    settings = saved or defaults(team_id)
    program_texts_now = texts(settings)
    timezone = settings.digest_timezone if saved else (admin_timezone or "UTC")
    return ProgramSettingsValues(
        prep_lead_hours=settings.prep_lead_hours,
        values_text=program_texts_now.values_text,
        ground_rules_text=program_texts_now.ground_rules_text,
        digest_channel=settings.digest_channel_id,
        digest_weekday=settings.digest_weekday,
        digest_time=settings.digest_time,
        digest_timezone=timezone,
        k_text=settings.k_text,
        k_count=settings.k_count,
        kudos_daily_limit=settings.kudos_daily_limit,
        leaders=leader_ids(tx, team_id),
    )


def _set_leaders(tx: Session, team_id: str, user_ids: tuple[str, ...], now: datetime) -> None:
    """Exactly these people are leaders; people the bot has not met get a member row."""
    known = members.find_many(tx, team_id, list(user_ids))
    bots = [known[u] for u in user_ids if u in known and known[u].is_bot]
    if bots:
        raise NotALeader(f"{bots[0].name} is a bot, not a person: leave it out.", field="leaders")
    no_longer = [Member.team_id == team_id, Member.is_leader.is_(True)]
    if user_ids:
        no_longer.append(Member.user_id.not_in(user_ids))
    tx.execute(update(Member).where(*no_longer).values(is_leader=False))
    for user_id in user_ids:
        member = known.get(user_id) or members.get_or_create(tx, team_id, user_id, now)
        member.is_leader = True


def _settings_row(tx: Session, team_id: str) -> ProgramSettings:
    """The workspace's row, created with every default the first time: an INSERT …
    ON CONFLICT DO NOTHING, so two first saves at once make one row, not an error."""
    settings = tx.get(ProgramSettings, team_id)
    if settings is not None:
        return settings
    row = defaults(team_id)
    values = {c.key: getattr(row, c.key) for c in ProgramSettings.__table__.columns}
    values = {key: value for key, value in values.items() if value is not None}
    dialect = postgresql if tx.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ProgramSettings).values(values)
    tx.execute(statement.on_conflict_do_nothing(index_elements=["team_id"]))
    return tx.get_one(ProgramSettings, team_id, populate_existing=True)


def update_settings(
    tx: Session, team_id: str, form: ProgramSettingsForm, now: datetime, *, is_admin: bool
) -> ProgramSettings:
    """Saves the settings form; a cleared text (or the shipped one) goes back to the
    shipped text. The digest channel is stored as chosen: the digest reports a
    channel it cannot post to."""
    if not is_admin:
        raise AdminsOnly("Only program admins can change these settings.", field="prep_lead_hours")
    settings = _settings_row(tx, team_id)
    content = get_content()
    settings.prep_lead_hours = form.prep_lead_hours
    settings.values_text = _custom_or_none(form.values_text, default_values_text(content))
    settings.ground_rules_text = _custom_or_none(
        form.ground_rules_text, default_ground_rules_text(content)
    )
    settings.digest_channel_id = form.digest_channel
    settings.digest_weekday = form.digest_weekday
    settings.digest_time = form.digest_time
    settings.digest_timezone = form.digest_timezone
    settings.k_text = form.k_text
    settings.k_count = form.k_count
    settings.kudos_daily_limit = form.kudos_daily_limit
    settings.updated_at = now
    _set_leaders(tx, team_id, form.leaders, now)
    tx.flush()
    return settings
