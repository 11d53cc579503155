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
from sqlalchemy.orm import Session, aliased

from bot.program_content import get_content, get_theme, suggest_questions
from models import CheckIn, Pod, PodPlaybook, PodSession, SessionStatus
from models.program_content import Theme, phrase_key
from models.session_views import NO_THEME_TITLE

CUSTOM_PREFIX = "custom:"


def pod_theme_keys(playbook: PodPlaybook | None) -> list[str]:
    """The pod's rotation: its playbook's own themes, else the shipped list."""
    if playbook is not None and playbook.themes:
        return [CUSTOM_PREFIX + str(title) for title in playbook.themes]
    return [theme.key for theme in get_content().themes]


def theme_for_new_session(tx: Session, pod: Pod) -> str | None:
    """The theme key for the pod's next session: the next one in its rotation.

    Cancelled sessions don't use up a theme: their theme comes round again."""
    return themes_for_new_sessions(tx, [pod])[pod.id]


def themes_for_new_sessions(tx: Session, pods: list[Pod]) -> dict[int, str | None]:
    """`theme_for_new_session` for many pods in two statements, whatever their number."""
    pod_ids = [pod.id for pod in pods]
    if not pod_ids:
        return {}
    playbooks = {
        playbook.pod_id: playbook
        for playbook in tx.scalars(select(PodPlaybook).where(PodPlaybook.pod_id.in_(pod_ids)))
    }
    latest_use: dict[int, dict[str, tuple[datetime, int]]] = {pod_id: {} for pod_id in pod_ids}
    for pod_id, theme_key, starts_at, session_id in tx.execute(
        select(
            PodSession.pod_id,
            PodSession.theme_key,
            func.max(PodSession.starts_at),
            func.max(PodSession.id),
        )
        .where(
            PodSession.pod_id.in_(pod_ids),
            PodSession.status != SessionStatus.CANCELLED,
            PodSession.theme_key.is_not(None),
        )
        .group_by(PodSession.pod_id, PodSession.theme_key)
    ):
        latest_use[pod_id][theme_key] = (starts_at, session_id)
    chosen: dict[int, str | None] = {}
    for pod_id in pod_ids:
        keys = pod_theme_keys(playbooks.get(pod_id))
        used = {key: when for key, when in latest_use[pod_id].items() if key in keys}
        if not keys:
            chosen[pod_id] = None
        elif not used:
            chosen[pod_id] = keys[0]
        else:
            last = max(used, key=lambda key: used[key])
            chosen[pod_id] = keys[(keys.index(last) + 1) % len(keys)]
    return chosen


def retheme_upcoming(tx: Session, pod: Pod, now: datetime) -> list[PodSession]:
    """After the pod's rotation changed (playbook saved or cleared): the sessions
    nobody has been reminded of yet take their themes from the new rotation."""
    upcoming = list(
        tx.scalars(
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
    tx.flush()
    for pod_session in upcoming:
        pod_session.theme_key = theme_for_new_session(tx, pod)
        tx.flush()
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
        return NO_THEME_TITLE
    if theme_key.startswith(CUSTOM_PREFIX):
        return theme_key.removeprefix(CUSTOM_PREFIX)
    theme = get_theme(get_content(), theme_key)
    return theme.title if theme else theme_key


def brief_questions(tx: Session, pod_session: PodSession, n: int = 3) -> list[str]:
    """Questions for the coach brief: the pod's own prompts first (one per session,
    taking turns), then questions that fit the theme and the scenarios the members
    chose in their check-ins, one per pillar where the bank allows."""
    return brief_questions_for(tx, [pod_session], n)[pod_session.id]


def brief_questions_for(
    tx: Session, pod_sessions: list[PodSession], n: int = 3
) -> dict[int, list[str]]:
    """`brief_questions` for many sessions in three statements, whatever their number."""
    if not pod_sessions:
        return {}
    session_ids = [pod_session.id for pod_session in pod_sessions]
    scenarios: dict[int, list[str]] = {session_id: [] for session_id in session_ids}
    for session_id, scenario_key in tx.execute(
        select(CheckIn.session_id, CheckIn.scenario_key)
        .where(CheckIn.session_id.in_(session_ids), CheckIn.scenario_key.is_not(None))
        .order_by(CheckIn.created_at, CheckIn.id)
    ):
        if scenario_key not in scenarios[session_id]:
            scenarios[session_id].append(scenario_key)
    playbooks = {
        playbook.pod_id: playbook
        for playbook in tx.scalars(
            select(PodPlaybook).where(
                PodPlaybook.pod_id.in_({pod_session.pod_id for pod_session in pod_sessions})
            )
        )
    }
    turns = _turns(tx, [s.id for s in pod_sessions if s.pod_id in playbooks])
    questions: dict[int, list[str]] = {}
    for pod_session in pod_sessions:
        chosen: list[str] = []
        playbook = playbooks.get(pod_session.pod_id)
        if n > 0 and playbook is not None and playbook.prompts:
            prompts = [str(prompt) for prompt in playbook.prompts]
            chosen.append(prompts[turns.get(pod_session.id, 0) % len(prompts)])
        shipped = _shipped_theme(pod_session.theme_key)
        chosen += suggest_questions(
            get_content(),
            shipped.key if shipped else None,
            scenarios[pod_session.id],
            n - len(chosen),
            exclude=chosen,
        )
        questions[pod_session.id] = chosen[:n]
    return questions


def _turns(tx: Session, session_ids: list[int]) -> dict[int, int]:
    """For each session: how many of its pod's sessions (not cancelled) came before it."""
    if not session_ids:
        return {}
    earlier = aliased(PodSession)
    count_earlier = (
        select(func.count())
        .where(
            earlier.pod_id == PodSession.pod_id,
            earlier.status != SessionStatus.CANCELLED,
            earlier.starts_at < PodSession.starts_at,
        )
        .correlate(PodSession)
        .scalar_subquery()
    )
    rows = tx.execute(select(PodSession.id, count_earlier).where(PodSession.id.in_(session_ids)))
    return {session_id: int(count) for session_id, count in rows}
