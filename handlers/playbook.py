"""The pod playbook: "Edit playbook" on the pod edit modal pushes the playbook
modal; submitting it saves the pod's own themes and prompts."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.runtime import Runtime
from bot.services import playbooks, receipts
from bot.ui import playbook as playbook_ui
from handlers.toolkit import (
    ModalMetadata,
    as_int,
    is_program_admin,
    open_modal,
    pressed_value,
    read_form,
    sender_of,
    submit,
)
from models.content_views import PlaybookSaved
from models.library_forms import parse_playbook

logger = logging.getLogger(__name__)


class PlaybookMetadata(ModalMetadata):
    pod_id: int


def register(app: App, rt: Runtime) -> None:
    @app.action(ids.PLAYBOOK_OPEN_ACTION)
    def open_playbook(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        sender = sender_of(body)
        pod_id = as_int(pressed_value(body))
        if pod_id is None:
            view = playbook_ui.refusal_modal("That button is out of date. Open the pod again.")
        else:
            with rt.db.transaction() as tx:
                member = playbooks.is_member(tx, sender.team_id, pod_id, sender.user_id)
            # Members may edit anyway: Slack is asked about admins only for the others.
            is_admin = not member and is_program_admin(rt, sender)
            try:
                with rt.db.transaction() as tx:
                    book = playbooks.open_playbook(
                        tx,
                        team_id=sender.team_id,
                        pod_id=pod_id,
                        user_id=sender.user_id,
                        is_admin=is_admin,
                    )
                metadata = PlaybookMetadata(pod_id=book.pod_id).dumps()
                view = playbook_ui.playbook_modal(book, metadata)
            except playbooks.PlaybookRefusal as refusal:
                view = playbook_ui.refusal_modal(refusal.message)
        if (body.get("container") or {}).get("type") == "view":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            open_modal(client, body.get("trigger_id"), view)

    @app.view(ids.PLAYBOOK_CALLBACK)
    def save(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        form, errors = parse_playbook(read_form(view))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        sender = sender_of(body)
        metadata = PlaybookMetadata.of(view)
        is_admin = is_program_admin(rt, sender, fresh=False)

        def save_playbook() -> PlaybookSaved:
            with rt.db.transaction() as tx:
                return playbooks.save_playbook(
                    tx,
                    team_id=sender.team_id,
                    pod_id=metadata.pod_id if metadata else -1,
                    user_id=sender.user_id,
                    is_admin=is_admin,
                    form=form,
                    now=rt.now(),
                )

        saved, playbook = submit(ack, save_playbook, error_field="themes")
        if not saved or playbook is None:
            return
        with rt.db.transaction() as tx:
            if not receipts.first_confirmation(tx, view.get("id"), sender.team_id, rt.now()):
                return  # a second copy of this submission: confirmed once already
        try:
            client.chat_postMessage(channel=sender.user_id, **playbook_ui.saved_message(playbook))
        except SlackApiError as error:
            reason = error.response.get("error")
            logger.warning("could not confirm a playbook to %s: %s", sender.user_id, reason)
