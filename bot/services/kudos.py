"""Kudos by value (DESIGN §4 "Kudos"): recognition for one of the program's values,
to one or more people, never to oneself or a bot, with a daily limit per giver. A
kudos to several people is one row per recipient sharing a batch key; a private
one never reaches the digest."""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.program_content import get_content
from bot.services import members, program
from bot.services.cadence import zone_named
from bot.services.refusals import Refusal
from models import Kudos, Member
from models.community_views import KudosGiven
from models.kudos_forms import KUDOS_MAX_RECIPIENTS, KUDOS_TEXT_MAX
from models.program import DEFAULT_KUDOS_DAILY_LIMIT

USAGE = "kudos"
# The kudos modal's fields (models.kudos_forms.KudosForm) a refusal belongs to.
RECIPIENTS, VALUE, TEXT = "recipients", "value", "text"
DEFAULT_VALUES = ("Curiosity", "Accountability", "Generosity", "Courage")

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_TAG = re.compile(r"(?<![\w&])#([^\W\d_][\w\-]*)")
_PRIVATE = re.compile(r"(?<![\w])(?:#private|\(private\)|\[private\])(?!\w)", re.IGNORECASE)
_PRIVATE_EDGE = re.compile(r"^\s*private\b[\s:,-]*|[\s:,-]*\bprivate\s*$", re.IGNORECASE)
_BOLD_NAME = re.compile(r"^\s*(?:[•*\-–]|\d+[.)])?\s*\*([^*\n]{1,40})\*", re.MULTILINE)


class KudosRefused(Refusal):
    """A kudos that can't be given as asked."""


@dataclass(frozen=True)
class KudosRequest:
    """What `/coach kudos …` asked for. `value` is None when the text named none."""

    user_ids: tuple[str, ...]
    value: str | None
    text: str
    is_private: bool
    batch_key: str = field(default_factory=lambda: uuid.uuid4().hex)


# --------------------------------------------------------------------------- values


def program_values(tx: Session, team_id: str) -> list[str]:
    """The values kudos are given for: the names an admin's own values statement
    lists in bold (`• *Courage*: …`); otherwise the default four and the shipped
    values statement's."""
    settings = program.get_settings(tx, team_id)
    if settings.values_text:
        custom = _unique(m.group(1).strip() for m in _BOLD_NAME.finditer(settings.values_text))
        if custom:
            return custom
    shipped = [value.name for value in get_content().values.values]
    return _unique([*DEFAULT_VALUES, *shipped])


def _unique(names) -> list[str]:  # type: ignore[no-untyped-def]
    seen: dict[str, str] = {}
    for name in names:
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def match_value(word: str, values: list[str]) -> str | None:
    wanted = word.strip().lstrip("#").casefold()
    return next((v for v in values if v.casefold() == wanted), None)


# --------------------------------------------------------------------------- parsing


def parse(args: str, values: list[str]) -> KudosRequest:
    """`@someone [@more] [#value | for value] TEXT [private]`, mentions as Slack
    escapes them (`<@U123|name>`). Refuses a missing mention, an unknown #value and
    an empty or over-long text, naming the problem."""
    raw = args or ""
    user_ids = tuple(dict.fromkeys(_MENTION.findall(raw)))
    if not user_ids:
        raise KudosRefused("Mention who the kudos is for, like @someone.", usage=USAGE)
    if len(user_ids) > KUDOS_MAX_RECIPIENTS:
        raise KudosRefused(
            f"One kudos can go to at most {KUDOS_MAX_RECIPIENTS} people at a time.", usage=USAGE
        )
    text = _MENTION.sub(" ", raw)
    value = None
    for tag in _TAG.findall(text):
        if tag.casefold() == "private":
            continue
        found = match_value(tag, values)
        if found is None:
            close = difflib.get_close_matches(tag.casefold(), [v.casefold() for v in values], n=2)
            raise KudosRefused(
                f"“{tag}” is not one of the program's values: {', '.join(values)}.",
                suggestions=[v for v in values if v.casefold() in close],
                usage=USAGE,
            )
        value = value or found
    text = _TAG.sub(lambda m: "" if match_value(m.group(1), values) else m.group(0), text)
    text = " ".join(text.split())
    is_private = bool(_PRIVATE.search(text) or _PRIVATE_EDGE.search(text))
    text = _PRIVATE_EDGE.sub(" ", _PRIVATE.sub(" ", text))
    text = " ".join(text.split()).strip(" :,-")
    if value is None:
        named = {v for v in values if re.search(rf"\b{re.escape(v)}\b", text, re.IGNORECASE)}
        if len(named) == 1:
            value = named.pop()
    check_text(text)
    return KudosRequest(user_ids=user_ids, value=value, text=text, is_private=is_private)


def check_text(text: str) -> None:
    if not text.strip():
        raise KudosRefused("Say what they did: a few words are enough.", field=TEXT, usage=USAGE)
    if len(text) > KUDOS_TEXT_MAX:
        raise KudosRefused(
            f"Kudos are short: {len(text)} characters is more than {KUDOS_TEXT_MAX}.",
            field=TEXT,
            usage=USAGE,
        )


# --------------------------------------------------------------------------- giving


def given_today(tx: Session, giver: Member, now: datetime) -> int:
    """Kudos the giver gave since midnight on their own clock (one kudos to several
    people counts once)."""
    local = now.astimezone(zone_named(giver.tz))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = tx.execute(
        select(Kudos.batch_key, Kudos.id).where(
            Kudos.giver_member_id == giver.id,
            Kudos.created_at >= midnight,
        )
    ).all()
    return len({row.batch_key or f"id:{row.id}" for row in rows})


def daily_limit(tx: Session, team_id: str) -> int:
    settings = program.get_settings(tx, team_id)
    return settings.kudos_daily_limit or DEFAULT_KUDOS_DAILY_LIMIT


def give(
    tx: Session,
    team_id: str,
    giver_user_id: str,
    request: KudosRequest,
    now: datetime,
    *,
    picked_in_slack: bool = False,
) -> KudosGiven:
    """Records the kudos (one row per recipient) and returns who to tell. Recipients
    must be people the bot knows (the command refreshes them from Slack first),
    unless they were `picked_in_slack` (the modal's people picker offers only real
    people): the ones the bot hasn't met yet get a member row, their profile is read
    after the ack. Refusals name the modal field they belong to."""
    values = program_values(tx, team_id)
    value = match_value(request.value or "", values)
    if value is None:
        raise KudosRefused(
            f"Pick one of the program's values: {', '.join(values)}.", field=VALUE, usage=USAGE
        )
    check_text(request.text)
    if giver_user_id in request.user_ids:
        raise KudosRefused(
            "Kudos are for others: you can't give yourself one.", field=RECIPIENTS, usage=USAGE
        )
    found = {
        m.user_id: m
        for m in tx.scalars(
            select(Member).where(
                Member.team_id == team_id,
                Member.user_id.in_([giver_user_id, *request.user_ids]),
            )
        )
    }
    unknown = [uid for uid in request.user_ids if uid not in found]
    if unknown and not picked_in_slack:
        raise KudosRefused(
            "I can't find everyone you mentioned in this workspace: mention people with @.",
            field=RECIPIENTS,
            usage=USAGE,
        )
    bots = [found[uid] for uid in request.user_ids if uid in found and found[uid].is_bot]
    if bots:
        raise KudosRefused(
            f"Kudos are for people, and {bots[0].name} is a bot.", field=RECIPIENTS, usage=USAGE
        )
    for uid in unknown:
        found[uid] = members.get_or_create(tx, team_id, uid, now)
    giver = found.get(giver_user_id) or members.get_or_create(tx, team_id, giver_user_id, now)
    members.lock_member(tx, giver.id)  # a double submit waits here, then finds the first
    batch_key = request.batch_key
    if tx.scalar(select(Kudos.id).where(Kudos.batch_key == batch_key).limit(1)) is not None:
        raise KudosRefused("These kudos were sent already.")
    limit = daily_limit(tx, team_id)
    if given_today(tx, giver, now) >= limit:
        raise KudosRefused(
            f"You've given {limit} kudos today, the daily limit. Thank you for noticing "
            "people — there's more room tomorrow."
        )
    for uid in request.user_ids:
        tx.add(
            Kudos(
                team_id=team_id,
                giver_member_id=giver.id,
                receiver_member_id=found[uid].id,
                value=value,
                text=request.text,
                is_private=request.is_private,
                batch_key=batch_key,
                created_at=now,
            )
        )
    tx.flush()
    return KudosGiven(
        team_id=team_id,
        batch_key=batch_key,
        giver_user_id=giver_user_id,
        giver_name=giver.name,
        receiver_user_ids=request.user_ids,
        value=value,
        text=request.text,
        is_private=request.is_private,
    )
