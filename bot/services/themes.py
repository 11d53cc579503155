"""Session themes: each pod rotates through the theme list in order, without
repeats until the list is exhausted; a pod's playbook may replace the list and
add prompts of its own.

The next theme is the one after the pod's most recent (not cancelled) session
theme that is in the pod's current list, or the list's first when there is none.
So a cancelled session gives its theme back, a playbook list starts at its top,
and clearing the playbook resumes the shipped rotation where the pod left it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.content import get_content, get_theme, suggest_questions
from models import CheckIn, Pod, PodPlaybook, PodSession, SessionStatus
from models.content import Theme, phrase_key

CUSTOM_PREFIX = "custom:"


def pod_theme_keys(playbook: PodPlaybook | None) -> list[str]:
    """The pod's rotation: its playbook's own themes, else the shipped list."""
    if playbook is not None and playbook.themes:
        return [CUSTOM_PREFIX + str(title) for title in playbook.themes]
    return [theme.key for theme in get_content().themes]


def theme_for_new_session(session: Session, pod: Pod) -> str | None:
    """The theme key for the pod's next session: the next one in its rotation.

    Cancelled sessions don't use up a theme: their theme comes round again."""
    keys = pod_theme_keys(session.get(PodPlaybook, pod.id))
    if not keys:
        return None
    last = session.scalar(
        select(PodSession.theme_key)
        .where(
            PodSession.pod_id == pod.id,
            PodSession.status != SessionStatus.CANCELLED,
            PodSession.theme_key.in_(keys),
        )
        .order_by(PodSession.starts_at.desc(), PodSession.id.desc())
        .limit(1)
    )
    if last is None:
        return keys[0]
    return keys[(keys.index(last) + 1) % len(keys)]


def retheme_upcoming(session: Session, pod: Pod, now: datetime) -> list[PodSession]:
    """After the pod's rotation changed (playbook saved or cleared): the sessions
    nobody has been reminded of yet take their themes from the new rotation."""
    upcoming = list(
        session.scalars(
            select(PodSession)
            .where(
                PodSession.pod_id == pod.id,
                PodSession.status == SessionStatus.SCHEDULED,
                PodSession.starts_at > now,
                PodSession.prep_enqueued_at.is_(None),
            )
            .order_by(PodSession.starts_at, PodSession.id)
        )
    )
    for pod_session in upcoming:
        pod_session.theme_key = None
    session.flush()
    for pod_session in upcoming:
        pod_session.theme_key = theme_for_new_session(session, pod)
        session.flush()
    return upcoming


def _shipped_theme(theme_key: str | None) -> Theme | None:
    """The shipped theme a key stands for; a playbook theme titled like a shipped
    one ("Delegation") borrows its tags, so the brief's questions fit it."""
    if not theme_key:
        return None
    content = get_content()
    if not theme_key.startswith(CUSTOM_PREFIX):
        return get_theme(content, theme_key)
    wanted = phrase_key(theme_key.removeprefix(CUSTOM_PREFIX))
    return next(
        (t for t in content.themes if wanted in (phrase_key(t.title), phrase_key(t.key))),
        None,
    )


def theme_title(theme_key: str | None) -> str:
    if not theme_key:
        return "Open conversation"
    if theme_key.startswith(CUSTOM_PREFIX):
        return theme_key.removeprefix(CUSTOM_PREFIX)
    theme = get_theme(get_content(), theme_key)
    return theme.title if theme else theme_key


def theme_description(theme_key: str | None) -> str | None:
    if not theme_key or theme_key.startswith(CUSTOM_PREFIX):
        return None
    theme = get_theme(get_content(), theme_key)
    return theme.description if theme else None


def brief_questions(session: Session, pod_session: PodSession, n: int = 3) -> list[str]:
    """Questions for the coach brief: the pod's own prompts first (one per session,
    taking turns), then questions that fit the theme and the scenarios the members
    chose in their check-ins, one per pillar where the bank allows."""
    if n <= 0:
        return []
    scenario_keys = session.scalars(
        select(CheckIn.scenario_key)
        .where(CheckIn.session_id == pod_session.id, CheckIn.scenario_key.is_not(None))
        .order_by(CheckIn.created_at, CheckIn.id)
    ).all()
    playbook = session.get(PodPlaybook, pod_session.pod_id)
    chosen: list[str] = []
    if playbook is not None and playbook.prompts:
        prompts = [str(prompt) for prompt in playbook.prompts]
        chosen.append(prompts[_turn(session, pod_session) % len(prompts)])
    shipped = _shipped_theme(pod_session.theme_key)
    chosen += suggest_questions(
        get_content(),
        shipped.key if shipped else None,
        [key for key in dict.fromkeys(scenario_keys) if key],
        n - len(chosen),
        exclude=chosen,
    )
    return chosen[:n]


def _turn(session: Session, pod_session: PodSession) -> int:
    """How many of the pod's sessions (not cancelled) came before this one."""
    earlier = session.scalar(
        select(func.count())
        .select_from(PodSession)
        .where(
            PodSession.pod_id == pod_session.pod_id,
            PodSession.status != SessionStatus.CANCELLED,
            PodSession.starts_at < pod_session.starts_at,
        )
    )
    return int(earlier or 0)
