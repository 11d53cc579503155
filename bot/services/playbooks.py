"""Pod playbooks: a pod's own themes and prompts, kept beside the shipped content
(which is never modified). Members of the pod and program admins may edit them.

Saving themes changes the pod's rotation from its next session nobody has been
reminded of yet; clearing them restores the shipped rotation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.content import get_content
from bot.services import pods as pods_service
from bot.services import themes
from models import Pod, PodPlaybook
from models.content_forms import PlaybookForm


class PlaybookProblem(Exception):
    """A playbook request that cannot be done; str() is the answer to show."""


@dataclass(frozen=True)
class PlaybookView:
    pod_id: int
    pod_name: str
    themes: tuple[str, ...]
    prompts: tuple[str, ...]
    shipped_themes: tuple[str, ...]


@dataclass(frozen=True)
class PlaybookSaved:
    pod_name: str
    themes: tuple[str, ...]
    prompts: tuple[str, ...]
    next_theme: str | None
    """The title of the next session's theme, when one is scheduled."""


def shipped_theme_titles() -> tuple[str, ...]:
    return tuple(theme.title for theme in get_content().themes)


def _editable_pod(session: Session, team_id: str, pod_id: int, user_id: str, is_admin: bool) -> Pod:
    pod = pods_service.get_pod(session, team_id, pod_id)
    if pod is None:
        raise PlaybookProblem("That pod no longer exists, so there is no playbook to edit.")
    if not pods_service.can_edit(pod, user_id, is_admin):
        raise PlaybookProblem(
            f"Only members of {pod.name} and program admins can edit its playbook. "
            f"Join it first with `/coach pod join {pod.name}`."
        )
    return pod


def is_member(session: Session, team_id: str, pod_id: int, user_id: str) -> bool:
    pod = pods_service.get_pod(session, team_id, pod_id)
    return pod is not None and pods_service.is_pod_member(pod, user_id)


def open_playbook(
    session: Session, *, team_id: str, pod_id: int, user_id: str, is_admin: bool
) -> PlaybookView:
    pod = _editable_pod(session, team_id, pod_id, user_id, is_admin)
    playbook = session.get(PodPlaybook, pod.id)
    return PlaybookView(
        pod_id=pod.id,
        pod_name=pod.name,
        themes=tuple(str(t) for t in (playbook.themes if playbook else [])),
        prompts=tuple(str(p) for p in (playbook.prompts if playbook else [])),
        shipped_themes=shipped_theme_titles(),
    )


def save_playbook(
    session: Session,
    *,
    team_id: str,
    pod_id: int,
    user_id: str,
    is_admin: bool,
    form: PlaybookForm,
    now: datetime,
) -> PlaybookSaved:
    """Stores the pod's themes and prompts (an empty form removes the playbook) and
    re-themes the upcoming sessions nobody has been reminded of yet."""
    pod = _editable_pod(session, team_id, pod_id, user_id, is_admin)
    playbook = session.get(PodPlaybook, pod.id)
    if not form.themes and not form.prompts:
        if playbook is not None:
            session.delete(playbook)
    else:
        if playbook is None:
            playbook = PodPlaybook(team_id=team_id, pod_id=pod.id, created_at=now)
            session.add(playbook)
        playbook.themes = list(form.themes)
        playbook.prompts = list(form.prompts)
        playbook.updated_by = user_id
    session.flush()
    upcoming = themes.retheme_upcoming(session, pod, now)
    next_theme = themes.theme_title(upcoming[0].theme_key) if upcoming else None
    return PlaybookSaved(
        pod_name=pod.name, themes=form.themes, prompts=form.prompts, next_theme=next_theme
    )
