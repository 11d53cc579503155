"""Rituals (DESIGN §3): a monthly showcase and weekly office hours, one of each per
workspace, posted to the digest channel at their local time in the PROGRAM's
timezone (ProgramSettings.digest_timezone).

A ritual is due from its local time on its day until `LATE_BY_AT_MOST` after it;
later than that it is skipped for that day (a bot that was down all day does not
announce the morning's office hours in the evening). Exactly once is the outbox
dedupe key's job (kind and local date), so any number of ticks is safe.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.services import members, program
from bot.services.cadence import zone_named
from bot.services.refusals import Refusal
from models import ProgramSettings, Ritual, RitualKind
from models.settings_forms import LAST_WEEK, RitualsForm, RitualValues

Picked = TypeVar("Picked")

LATE_BY_AT_MOST = timedelta(hours=3)
DEFAULT_SHOWCASE = RitualValues(
    on=False, weekday=3, local_time=time(15, 0), week_of_month=LAST_WEEK
)
DEFAULT_OFFICE_HOURS = RitualValues(on=False, weekday=2, local_time=time(12, 0))


@dataclass(frozen=True)
class DueRitual:
    """One ritual to post now: `local_date` is its day on the program's calendar."""

    team_id: str
    kind: RitualKind
    local_date: date
    local_time: time
    timezone: str
    channel_id: str
    text: str
    host_user_id: str | None


@dataclass(frozen=True)
class RitualsSettings:
    """What the rituals modal shows and its confirmation reads."""

    showcase: RitualValues
    office_hours: RitualValues
    timezone: str
    channel_id: str | None


class AdminsOnly(Refusal):
    """Only program admins set the rituals."""


# --------------------------------------------------------------------------- when


def week_of_month_matches(week_of_month: int | None, day: date) -> bool:
    """The 1st–4th such weekday of the month, or the last one (LAST_WEEK)."""
    if week_of_month is None:
        return True
    if week_of_month == LAST_WEEK:
        return day.day + 7 > calendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1 == week_of_month


def occurs_on(ritual: Ritual, day: date) -> bool:
    if day.weekday() != ritual.weekday:
        return False
    if ritual.kind == RitualKind.SHOWCASE:
        return week_of_month_matches(ritual.week_of_month, day)
    return True


def due_rituals(tx: Session, now: datetime) -> list[DueRitual]:
    """Active rituals whose local time on their day has come (at most LATE_BY_AT_MOST
    ago) in workspaces with a digest channel. Whether one already went out is the
    outbox's dedupe key's business."""
    rituals = list(tx.scalars(select(Ritual).where(Ritual.active.is_(True)).order_by(Ritual.id)))
    if not rituals:
        return []
    teams = sorted({r.team_id for r in rituals})
    settings = {
        s.team_id: s
        for s in tx.scalars(select(ProgramSettings).where(ProgramSettings.team_id.in_(teams)))
    }
    due: list[DueRitual] = []
    for ritual in rituals:
        team_settings = settings.get(ritual.team_id) or program.defaults(ritual.team_id)
        if not team_settings.digest_channel_id:
            continue
        zone = zone_named(team_settings.digest_timezone)
        today = now.astimezone(zone).date()
        for day in (today - timedelta(days=1), today):
            if not occurs_on(ritual, day):
                continue
            at = datetime.combine(day, ritual.local_time, tzinfo=zone)
            if at <= now < at + LATE_BY_AT_MOST:
                due.append(
                    DueRitual(
                        team_id=ritual.team_id,
                        kind=ritual.kind,
                        local_date=day,
                        local_time=ritual.local_time,
                        timezone=zone.key,
                        channel_id=team_settings.digest_channel_id,
                        text=ritual.text,
                        host_user_id=ritual.host_user_id,
                    )
                )
    return due


# --------------------------------------------------------------------------- settings


def _rituals(tx: Session, team_id: str) -> dict[RitualKind, Ritual]:
    rows = tx.scalars(select(Ritual).where(Ritual.team_id == team_id).order_by(Ritual.id))
    found: dict[RitualKind, Ritual] = {}
    for row in rows:
        found.setdefault(row.kind, row)
    return found


def _values(row: Ritual | None, default: RitualValues) -> RitualValues:
    if row is None:
        return default
    return RitualValues(
        on=row.active,
        weekday=row.weekday,
        local_time=row.local_time,
        text=row.text,
        week_of_month=row.week_of_month,
        host_user_id=row.host_user_id,
    )


def current(tx: Session, team_id: str) -> RitualsSettings:
    rows = _rituals(tx, team_id)
    settings = program.get_settings(tx, team_id)
    return RitualsSettings(
        showcase=_values(rows.get(RitualKind.SHOWCASE), DEFAULT_SHOWCASE),
        office_hours=_values(rows.get(RitualKind.OFFICE_HOURS), DEFAULT_OFFICE_HOURS),
        timezone=settings.digest_timezone,
        channel_id=settings.digest_channel_id,
    )


def _store(
    tx: Session,
    team_id: str,
    row: Ritual | None,
    kind: RitualKind,
    values: RitualValues,
    now: datetime,
) -> None:
    if row is None:
        if not values.on:
            return  # nothing to keep: it opens with the defaults next time
        row = _insert_once(tx, team_id, kind, values, now)
    row.active = values.on
    row.weekday = values.weekday
    row.local_time = values.local_time
    row.week_of_month = values.week_of_month
    row.host_user_id = values.host_user_id
    row.text = values.text


def _insert_once(
    tx: Session, team_id: str, kind: RitualKind, values: RitualValues, now: datetime
) -> Ritual:
    """The ritual's row, inserted ON CONFLICT DO NOTHING: two first saves at once make
    one row (the later one's values win), not a unique-key error."""
    fields = {
        "team_id": team_id,
        "kind": kind,
        "created_at": now,
        "weekday": values.weekday,
        "local_time": values.local_time,
    }
    dialect = postgresql if tx.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Ritual).values(fields)
    tx.execute(statement.on_conflict_do_nothing(index_elements=["team_id", "kind"]))
    return tx.scalars(
        select(Ritual)
        .where(Ritual.team_id == team_id, Ritual.kind == kind)
        .execution_options(populate_existing=True)
    ).one()


def save(
    tx: Session, team_id: str, form: RitualsForm, now: datetime, *, is_admin: bool
) -> RitualsSettings:
    """Stores the two rituals (one row per kind); what is off keeps what was typed,
    what was left empty keeps its previous (or default) value."""
    if not is_admin:
        raise AdminsOnly("Only program admins can set the rituals.", field="showcase_on")
    rows = _rituals(tx, team_id)
    before = current(tx, team_id)
    showcase = RitualValues(
        on=form.showcase_on,
        weekday=_pick(form.showcase_weekday, before.showcase.weekday),
        local_time=_pick(form.showcase_time, before.showcase.local_time),
        text=form.showcase_text,
        week_of_month=_pick(form.showcase_week, before.showcase.week_of_month),
    )
    office_hours = RitualValues(
        on=form.office_on,
        weekday=_pick(form.office_weekday, before.office_hours.weekday),
        local_time=_pick(form.office_time, before.office_hours.local_time),
        text=form.office_text,
        host_user_id=form.office_host or before.office_hours.host_user_id,
    )
    _store(tx, team_id, rows.get(RitualKind.SHOWCASE), RitualKind.SHOWCASE, showcase, now)
    _store(
        tx, team_id, rows.get(RitualKind.OFFICE_HOURS), RitualKind.OFFICE_HOURS, office_hours, now
    )
    tx.flush()
    return RitualsSettings(
        showcase=showcase,
        office_hours=office_hours,
        timezone=before.timezone,
        channel_id=before.channel_id,
    )


def _pick(chosen: Picked | None, previous: Picked) -> Picked:
    return previous if chosen is None else chosen


# --------------------------------------------------------------------------- sign-up


class NotAShowcase(Refusal):
    """A sign-up button that names no showcase date."""


def showcase_date(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise NotAShowcase(
            "That button is out of date. Sign up from the latest showcase post."
        ) from None


def admins_to_tell(
    tx: Session, team_id: str, configured: Iterable[str], signed_up: str
) -> list[str]:
    """Program admins to tell about a sign-up (not the person who signed up)."""
    return [u for u in members.program_admin_ids(tx, team_id, configured) if u != signed_up]
