"""Session themes: each pod rotates through the theme list in order, without
repeats until the list is exhausted; a pod's playbook may replace the list and
add prompts of its own."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.content import get_content, get_theme, suggest_questions
from models import CheckIn, Pod, PodPlaybook, PodSession, SessionStatus

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
    themed_so_far = session.scalar(
        select(func.count())
        .select_from(PodSession)
        .where(
            PodSession.pod_id == pod.id,
            PodSession.status != SessionStatus.CANCELLED,
            PodSession.theme_key.is_not(None),
        )
    )
    return keys[(themed_so_far or 0) % len(keys)]


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
    """Questions for the coach brief: the pod's own prompts first (rotating from
    session to session), then questions that fit the theme and the scenarios the
    members chose in their check-ins."""
    scenario_keys = session.scalars(
        select(CheckIn.scenario_key)
        .where(CheckIn.session_id == pod_session.id, CheckIn.scenario_key.is_not(None))
        .order_by(CheckIn.created_at)
    ).all()
    own = _pod_prompts(session.get(PodPlaybook, pod_session.pod_id), pod_session.id)
    chosen = own[:n]
    theme_key = pod_session.theme_key
    if theme_key and theme_key.startswith(CUSTOM_PREFIX):
        theme_key = None
    chosen += suggest_questions(
        get_content(),
        theme_key,
        list(dict.fromkeys(scenario_keys)),
        n - len(chosen),
        exclude=chosen,
    )
    return chosen


def _pod_prompts(playbook: PodPlaybook | None, rotation: int) -> list[str]:
    if playbook is None or not playbook.prompts:
        return []
    prompts = [str(prompt) for prompt in playbook.prompts]
    start = rotation % len(prompts)
    return (prompts[start:] + prompts[:start])[:1]
