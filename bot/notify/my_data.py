"""Delivering a person's own data: the export file uploaded into their DM (the
person is waiting for it and the outbox sender does not speak the upload flow, so
the command runs it after the ack), and the DM confirming a deletion (through the
outbox, committed with the deletion)."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.ui import my_data as my_data_ui
from models.my_data_views import MyDataDeleted, MyDataExport

logger = logging.getLogger(__name__)


def deliver_export(client: WebClient, user_id: str, data: MyDataExport) -> bool:
    """Uploads the export into the DM with `user_id`, its owner; False when Slack
    refused or could not be reached."""
    try:
        channel_id = str(client.conversations_open(users=user_id)["channel"]["id"])
        client.files_upload_v2(
            channel=channel_id,
            content=my_data_ui.export_json(data).encode("utf-8"),
            filename=my_data_ui.FILENAME,
            title=my_data_ui.FILE_TITLE,
            initial_comment=my_data_ui.file_comment(),
        )
    except SlackApiError as error:
        logger.warning("data export for %s failed: %s", user_id, error.response.get("error"))
        return False
    except SlackRequestError as error:
        logger.warning("data export for %s failed: %s", user_id, error)
        return False
    return True


def enqueue_deleted_dm(tx: Session, team_id: str, done: MyDataDeleted, now: datetime) -> bool:
    """The DM confirming a deletion; one per person and instant."""
    message = my_data_ui.deleted_dm(done)
    return outbox.post_message(
        tx,
        team_id=team_id,
        dedupe_key=f"my-data-deleted:{team_id}:{done.user_id}:{now.isoformat()}",
        channel=done.user_id,
        text=message["text"],
        blocks=message["blocks"],
        not_before=now,
    )
