"""DESIGN §4 "Digest anonymity": which shared reflections a digest may release, and
the scrubbing that makes their text safe to re-post.

Two tiers: text goes out only when it comes from at least K_text distinct authors
(default 5, never below 3); otherwise it is held over and only counted. Scrubbed
text carries no mention, special mention, e-mail address, phone number, link,
Slack id, pod name, date, weekday or clock time, and none of the display or real
names of the workspace's members; it is escaped so that it can never ping anyone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member, Pod, PodSession, Reflection
from models.program import DEFAULT_K_TEXT, MIN_K_TEXT

# A learning waits up to a quarter for more voices; the query stays a range scan.
HOLD_OVER_LIMIT = timedelta(weeks=13)

# While scrubbing, what was removed is marked by one private-use character a kind (no
# letters a name could match); the marks become words at the very end.
SOMEONE = "\ue001"
CHANNEL = "\ue002"
LINK = "\ue003"
EMAIL = "\ue004"
PHONE = "\ue005"
DAY = "\ue006"
TIME = "\ue007"
DATE = "\ue008"
POD = "\ue009"
SHOWN_AS = {
    SOMEONE: "[someone]",
    CHANNEL: "[channel]",
    LINK: "[link]",
    EMAIL: "[e-mail]",
    PHONE: "[phone]",
    DAY: "[day]",
    TIME: "[time]",
    DATE: "[date]",
    POD: "[a pod]",
}
# What a mark reads as when one of its words is also a member's name ("Link").
BLANK = "[…]"
MIN_NAME_TOKEN = 2


def effective_k_text(setting: int | None) -> int:
    """The program's K_text, never below the floor of 3."""
    return max(MIN_K_TEXT, setting if setting is not None else DEFAULT_K_TEXT)


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class Candidate:
    """A shared reflection waiting for a digest."""

    reflection_id: int
    member_id: int
    insight: str
    theme_key: str | None
    pod_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class Release:
    released: tuple[Candidate, ...]
    held: tuple[Candidate, ...]

    @property
    def held_count(self) -> int:
        return len(self.held)


def candidates(
    tx: Session, team_id: str, cutoff: datetime, *, lock: bool = False
) -> list[Candidate]:
    """Reflections their authors shared, not withdrawn, in no digest yet, written
    before `cutoff` (and within the hold-over limit). `lock` holds them until the
    transaction ends, so a concurrent withdraw waits for (and then sees) the digest."""
    statement = (
        select(
            Reflection.id,
            Reflection.member_id,
            Reflection.insight,
            PodSession.theme_key,
            PodSession.pod_id,
            Reflection.created_at,
        )
        .outerjoin(PodSession, PodSession.id == Reflection.session_id)
        .where(
            Reflection.team_id == team_id,
            Reflection.created_at >= cutoff - HOLD_OVER_LIMIT,
            Reflection.created_at < cutoff,
            Reflection.share_in_digest.is_(True),
            Reflection.withdrawn_at.is_(None),
            Reflection.digest_id.is_(None),
        )
        .order_by(Reflection.created_at, Reflection.id)
    )
    if lock:
        statement = statement.with_for_update(of=Reflection)
    rows = tx.execute(statement)
    return [
        Candidate(
            reflection_id=row.id,
            member_id=row.member_id,
            insight=row.insight,
            theme_key=row.theme_key,
            pod_id=row.pod_id,
            created_at=row.created_at,
        )
        for row in rows
    ]


def release(waiting: Sequence[Candidate], k_text: int | None) -> Release:
    """All the waiting text goes out when it comes from at least K_text distinct
    authors (one person's several reflections count once); otherwise all of it waits."""
    authors = {candidate.member_id for candidate in waiting}
    if waiting and len(authors) >= effective_k_text(k_text):
        return Release(released=tuple(waiting), held=())
    return Release(released=(), held=tuple(waiting))


def known_names(tx: Session, team_id: str) -> tuple[list[str], list[str]]:
    """(people's display and real names, pod names) of the workspace."""
    people = tx.execute(
        select(Member.display_name, Member.real_name).where(Member.team_id == team_id)
    )
    names = [name for row in people for name in row if name]
    pods = list(tx.scalars(select(Pod.name).where(Pod.team_id == team_id)))
    return names, pods


# --------------------------------------------------------------------------- scrubbing

_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
        "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff",
    ),
    None,
)
# Letters that look like Latin ones (Cyrillic, Greek), folded for matching names.
_LOOKALIKES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "і": "i",
        "ј": "j",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "ԁ": "d",
        "ɡ": "g",
        "ӏ": "l",
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "μ": "u",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
    }
)

_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
_SPECIAL = re.compile(r"[@!＠](?:here|channel|everyone)|[@!＠]group\b", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.])[@＠][\w.\-]+")
_EMAIL = re.compile(
    r"[\w.+%\-]+\s*(?:@|＠|\(at\)|\[at\]|\{at\})\s*[\w\-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\{dot\})\s*[\w\-]+)+",
    re.IGNORECASE,
)
_SPOKEN_EMAIL = re.compile(r"\b[\w.+\-]+\s+at\s+[\w\-]+(?:\s+dot\s+[\w\-]+)+\b", re.IGNORECASE)
_URL = re.compile(
    r"(?:https?|s?ftp|ssh|file|slack|git|smb|s3)://\S*|www\.\S*"
    r"|\b(?:[a-z][a-z0-9+.\-]*://|www\.|mailto:|tel:|slack:)\S*",
    re.IGNORECASE,
)
_TLDS = (
    "com|net|org|io|dev|app|co|ai|info|biz|edu|gov|uk|de|fr|eu|ca|au|jp|nl|ch|es|dk|fi|pl|"
    "br|mx|ly|gl|sh|tv|cc|xyz|site|online|tech|cloud|corp|internal|intranet|local|lan|zone|"
    "page|link|team|tools|wiki|work"
)
_BARE_HOST = re.compile(
    rf"\b(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?::\d+)?(?:[/?#]\S*)?",
    re.IGNORECASE,
)
_PATH_HOST = re.compile(r"\b(?:[a-z0-9\-]+\.)+[a-z]{2,}(?::\d+)?/\S*", re.IGNORECASE)
_GO_LINK = re.compile(r"\b(?:go|goto|wiki|jira|confluence)/\S+", re.IGNORECASE)
_IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:/\S*)?")
_LOCALHOST = re.compile(r"\blocalhost(?::\d+)?(?:/\S*)?", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)?\(?\d(?:[\s().\-/]{0,3}\d){6,}(?:\s*(?:x|ext\.?)\s*\d+)?(?!\w)"
)
_SLACK_ID = re.compile(r"\b[UWCGSBT](?=[A-Z0-9]*\d)[A-Z0-9]{6,}\b")
_CHANNEL_NAME = re.compile(r"(?<![\w&])#[a-z][\w\-.]*", re.IGNORECASE)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    rf"\b\d{{4}}[\-/.]\d{{1,2}}[\-/.]\d{{1,2}}\b"
    rf"|\b\d{{1,2}}[\-/.]\d{{1,2}}[\-/.]\d{{2,4}}\b"
    rf"|\b\d{{1,2}}/\d{{1,2}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?(?:\s+\d{{4}})?\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(
    r"(?i:\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b)"
    r"|\b(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\b\.?"
)
_TIME = re.compile(
    r"\b\d{1,2}(?:[:.h]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)"
    r"|\b\d{1,2}[:h]\d{2}(?::\d{2})?\b"
    r"|\b(?:noon|midnight)\b",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_SEPARATOR = r"[\s.\-_*·'’`~|/\\,]+"


def fold(text: str) -> tuple[str, list[int]]:
    """A lower-case, accent-free, look-alike-free copy of `text` for matching, with
    the index in `text` of each of its characters."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        plain = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
        plain = "".join(c for c in plain if not unicodedata.combining(c)).translate(_LOOKALIKES)
        for piece in plain or char:
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def _fold_plain(text: str) -> str:
    return fold(text)[0]


def name_tokens(names: Iterable[str]) -> set[str]:
    """Every word of every name (folded), each whole name run together, and the
    names as written: `Ana-María O'Neil` gives ana, maria, o, neil, oneil,
    anamariaoneil... (single letters aside)."""
    tokens: set[str] = set()
    for name in names:
        folded = _fold_plain(name.translate(_INVISIBLE)).strip()
        if not folded:
            continue
        words = [w for w in re.split(r"[^\w]+|_", folded) if w]
        tokens.update(words)
        tokens.add("".join(words))
        for first, second in zip(words, words[1:], strict=False):
            tokens.add(first + second)
        apostrophe_free = re.split(r"[^\w'’]+|_", folded)
        tokens.update(w.replace("'", "").replace("’", "") for w in apostrophe_free)
    return {t for t in tokens if len(t) >= MIN_NAME_TOKEN and not t.isdigit()}


# A digest scrubs every learning against the same names: fold them once, not per text.
@lru_cache(maxsize=8)
def _name_token_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name_tokens(names))


@lru_cache(maxsize=8)
def _pod_phrases(pods: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p for p in (_fold_plain(name).strip() for name in pods) if p)


@lru_cache(maxsize=64)
def _names_pattern(tokens: frozenset[str]) -> re.Pattern[str] | None:
    if not tokens:
        return None
    alternatives = []
    for token in sorted(tokens, key=len, reverse=True):
        alternatives.append(re.escape(token))
        if len(token) >= 3:
            # Spelled out letter by letter: "J o h n", "J.O.H.N", "J-o-h-n".
            alternatives.append(_SEPARATOR.join(re.escape(letter) for letter in token))
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


@lru_cache(maxsize=64)
def _phrases_pattern(phrases: frozenset[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alternatives = [
        r"[\W_]*".join(re.escape(word) for word in phrase.split())
        for phrase in sorted(phrases, key=len, reverse=True)
    ]
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


def _replace_folded(text: str, pattern: re.Pattern[str] | None, placeholder: str) -> str:
    """Replaces what `pattern` finds in the folded copy of `text`, in `text`."""
    if pattern is None:
        return text
    folded, origin = fold(text)
    spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded)]
    for start, end in reversed(spans):
        text = text[:start] + placeholder + text[end:]
    return text


def _slack_token(match: re.Match[str]) -> str:
    inside = match.group(1)
    if inside.startswith("@"):
        return SOMEONE
    if inside.startswith("#"):
        return CHANNEL
    if inside.startswith("!subteam") or inside.startswith("!usergroup"):
        return SOMEONE
    if inside.startswith("!"):
        return ""
    if inside.lower().startswith("mailto:"):
        return EMAIL
    if inside.lower().startswith("tel:"):
        return PHONE
    if re.match(r"[a-z][a-z0-9+.\-]*:", inside, re.IGNORECASE):
        return LINK
    return match.group(0)


def _unescape_slack(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def scrub(text: str, names: Sequence[str] = (), pods: Sequence[str] = ()) -> str:
    """`text` with nothing that names, reaches or pings anyone, escaped for mrkdwn."""
    text = unicodedata.normalize("NFKC", _unescape_slack(text or "")).translate(_INVISIBLE)
    text = _SLACK_TOKEN.sub(_slack_token, text)
    text = _URL.sub(LINK, text)
    text = _EMAIL.sub(EMAIL, text)
    text = _SPOKEN_EMAIL.sub(EMAIL, text)
    for pattern in (_PATH_HOST, _BARE_HOST, _GO_LINK, _IP, _LOCALHOST):
        text = pattern.sub(LINK, text)
    text = _SPECIAL.sub("", text)
    text = _HANDLE.sub(SOMEONE, text)
    text = _SLACK_ID.sub(SOMEONE, text)
    text = _CHANNEL_NAME.sub(CHANNEL, text)
    text = _DATE.sub(DATE, text)
    text = _TIME.sub(TIME, text)
    text = _PHONE.sub(PHONE, text)
    text = _WEEKDAY.sub(DAY, text)
    pod_phrases = _pod_phrases(tuple(pods))
    text = _replace_folded(text, _phrases_pattern(pod_phrases), POD)
    tokens = _name_token_set(tuple(names))
    text = _replace_folded(text, _names_pattern(tokens), SOMEONE)
    text = _SPACES.sub(" ", text).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for mark, shown in SHOWN_AS.items():
        if mark in text:
            words = set(re.findall(r"[^\W_]+", _fold_plain(shown)))
            text = text.replace(mark, BLANK if words & tokens else shown)
    return text


def shuffled(items: Sequence[Candidate], seed: str) -> list[Candidate]:
    """A deterministic shuffle (the same digest reads the same when composed again)
    that owes nothing to who wrote what or when."""
    import hashlib

    def key(candidate: Candidate) -> str:
        return hashlib.sha256(f"{seed}:{candidate.reflection_id}".encode()).hexdigest()

    return sorted(items, key=key)
