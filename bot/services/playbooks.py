"""Pod playbooks: a pod's own themes and prompts, kept beside the shipped content
(which is never modified). Members of the pod and program admins may edit them.

Saving themes changes the pod's rotation from its next session nobody has been
reminded of yet; clearing them restores the shipped rotation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.program_content import get_content
from bot.services import pods as pods_service
from bot.services import themes
from bot.services.refusals import Refusal
from models import Pod, PodPlaybook
from models.content_views import PlaybookSaved, PlaybookView
from models.library_forms import PlaybookForm


class PlaybookRefusal(Refusal):
    """A playbook that cannot be opened or saved: the pod is gone, or the person
    may not edit it."""


def _editable_pod(tx: Session, team_id: str, pod_id: int, user_id: str, is_admin: bool) -> Pod:
    pod = pods_service.get_pod(tx, team_id, pod_id)
    if pod is None:
        raise PlaybookRefusal("That pod no longer exists, so there is no playbook to edit.")
    if not pods_service.can_edit(pod, user_id, is_admin):
        raise PlaybookRefusal(
            f"Only members of {pod.name} and program admins can edit its playbook. "
            f"Join it first with `/coach pod join {pod.name}`."
        )
    return pod


def is_member(tx: Session, team_id: str, pod_id: int, user_id: str) -> bool:
    pod = pods_service.get_pod(tx, team_id, pod_id)
    return pod is not None and pods_service.is_pod_member(pod, user_id)


def open_playbook(
    tx: Session, *, team_id: str, pod_id: int, user_id: str, is_admin: bool
) -> PlaybookView:
    pod = _editable_pod(tx, team_id, pod_id, user_id, is_admin)
    playbook = tx.get(PodPlaybook, pod.id)
    return PlaybookView(
        pod_id=pod.id,
        pod_name=pod.name,
        themes=tuple(str(t) for t in (playbook.themes if playbook else [])),
        prompts=tuple(str(p) for p in (playbook.prompts if playbook else [])),
        shipped_themes=tuple(theme.title for theme in get_content().themes),
    )


def save_playbook(
    tx: Session,
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
    pod = _editable_pod(tx, team_id, pod_id, user_id, is_admin)
    playbook = tx.get(PodPlaybook, pod.id)
    if not form.themes and not form.prompts:
        if playbook is not None:
            tx.delete(playbook)
    else:
        if playbook is None:
            playbook = PodPlaybook(team_id=team_id, pod_id=pod.id, created_at=now)
            tx.add(playbook)
        playbook.themes = list(form.themes)
        playbook.prompts = list(form.prompts)
        playbook.updated_by = user_id
    tx.flush()
    upcoming = themes.retheme_upcoming(tx, pod, now)
    next_theme = themes.theme_title(upcoming[0].theme_key) if upcoming else None
    return PlaybookSaved(
        pod_name=pod.name, themes=form.themes, prompts=form.prompts, next_theme=next_theme
    )
