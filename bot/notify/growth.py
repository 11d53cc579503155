"""Delivering a growth summary to its owner: the short summary in their DM, then the
Markdown file uploaded into that DM through Slack's upload flow
(files.getUploadURLExternal → the bytes → files.completeUploadExternal).

A file upload is a three-step exchange the outbox sender does not speak, and the
person is waiting for it, so the command runs it directly (after the ack).
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.ui import growth as growth_ui
from models.growth_views import GrowthSummary

logger = logging.getLogger(__name__)


def deliver_summary(client: WebClient, user_id: str, summary: GrowthSummary) -> bool:
    """DMs the summary and its file to `user_id`, the summary's owner; False when
    Slack refused or could not be reached."""
    try:
        channel_id = str(client.conversations_open(users=user_id)["channel"]["id"])
        client.chat_postMessage(channel=channel_id, **growth_ui.summary_dm(summary))
        client.files_upload_v2(
            channel=channel_id,
            content=growth_ui.growth_markdown(summary).encode("utf-8"),
            filename=growth_ui.filename(summary),
            title=growth_ui.file_title(summary),
            initial_comment=growth_ui.file_comment(summary),
        )
    except SlackApiError as error:
        logger.warning("growth summary for %s failed: %s", user_id, error.response.get("error"))
        return False
    except SlackRequestError as error:
        logger.warning("growth summary for %s failed: %s", user_id, error)
        return False
    return True
