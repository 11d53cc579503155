"""The pod playbook: "Edit playbook" on the pod edit modal pushes the playbook
modal; submitting it saves the pod's own themes and prompts."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import directory
from bot.runtime import Runtime
from bot.services import members as members_service
from bot.services import playbooks
from bot.ui import playbook as playbook_ui
from handlers.errors import SORRY
from handlers.welcome import team_of
from models.content_forms import parse_playbook

log = logging.getLogger(__name__)


def _may_edit(rt: Runtime, team_id: str, pod_id: int, user_id: str) -> bool:
    """Whether to treat the person as a program admin here: only asked of Slack
    when they are not a member of the pod (members may edit anyway)."""
    with rt.db.transaction() as session:
        if playbooks.is_member(session, team_id, pod_id, user_id):
            return False
    return directory.is_program_admin(rt, team_id, user_id)


def _known_admin(rt: Runtime, team_id: str, user_id: str) -> bool:
    """Program admin from what we know already (no Slack call)."""
    with rt.db.transaction() as session:
        member = members_service.find(session, team_id, user_id)
        return members_service.is_program_admin(member, rt.settings.admin_user_ids) or (
            user_id in rt.settings.admin_user_ids
        )


def register(app: App, rt: Runtime) -> None:
    @app.action(playbook_ui.PLAYBOOK_OPEN_ACTION)
    def open_playbook(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = team_of(body), body["user"]["id"]
        raw = ((body.get("actions") or [{}])[0]).get("value") or ""
        try:
            pod_id = int(raw)
            is_admin = _may_edit(rt, team_id, pod_id, user_id)
            with rt.db.transaction() as session:
                book = playbooks.open_playbook(
                    session, team_id=team_id, pod_id=pod_id, user_id=user_id, is_admin=is_admin
                )
            view = playbook_ui.playbook_modal(
                book.pod_id, book.pod_name, book.themes, book.prompts, book.shipped_themes
            )
        except ValueError:
            view = playbook_ui.refusal_modal("That button is out of date. Open the pod again.")
        except playbooks.PlaybookProblem as problem:
            view = playbook_ui.refusal_modal(str(problem))
        if (body.get("container") or {}).get("type") == "view":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(playbook_ui.PLAYBOOK_CALLBACK)
    def save(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        values = view["state"]["values"]
        fields = {
            name: ((values.get(name) or {}).get(name) or {}).get("value")
            for name in ("themes", "prompts")
        }
        form, errors = parse_playbook(fields)
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        team_id, user_id = team_of(body), body["user"]["id"]
        pod_id = playbook_ui.pod_id_from_metadata(view.get("private_metadata"))
        is_admin = _known_admin(rt, team_id, user_id)
        try:
            with rt.db.transaction() as session:
                saved = playbooks.save_playbook(
                    session,
                    team_id=team_id,
                    pod_id=pod_id if pod_id is not None else -1,
                    user_id=user_id,
                    is_admin=is_admin,
                    form=form,
                    now=rt.now(),
                )
        except playbooks.PlaybookProblem as problem:
            ack(response_action="errors", errors={"themes": str(problem)})
            return
        except Exception:
            log.exception("could not save a playbook")
            ack(response_action="errors", errors={"themes": SORRY})
            return
        ack()
        try:
            client.chat_postMessage(
                channel=user_id,
                **playbook_ui.saved_message(
                    saved.pod_name, saved.themes, saved.prompts, saved.next_theme
                ),
            )
        except SlackApiError as error:
            log.warning(
                "could not confirm a playbook to %s: %s", user_id, error.response.get("error")
            )
