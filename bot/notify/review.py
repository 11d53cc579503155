"""Posting the quarterly review: the chart goes to the digest channel through
Slack's upload flow (files.getUploadURLExternal → the bytes to the upload URL →
files.completeUploadExternal with the channel), the summary as its comment.

Unlike the outbox messages, a file upload is a three-step exchange the sender
does not speak, so an admin's press runs it directly (after the ack).
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.services import program, review
from bot.services.refusals import Refusal
from bot.ui import review as review_ui
from bot.ui.blocks import escape
from models.velocity_views import Quarter, ReviewFacts

logger = logging.getLogger(__name__)


def chart_filename(facts: ReviewFacts) -> str:
    return f"coachbot-review-{facts.quarter.code}.png"


def review_and_channel(
    tx: Session, team_id: str, quarter: Quarter | str | None, now: datetime
) -> tuple[ReviewFacts, str | None]:
    """The review (of the last ended quarter when none is named) and the digest channel."""
    chosen = quarter if quarter is not None else review.previous_quarter(now.date())
    facts = review.review_facts(tx, team_id, chosen, now)
    return facts, program.get_settings(tx, team_id).digest_channel_id


def post_review(
    rt: Runtime, client: WebClient, team_id: str, quarter: Quarter | str | None = None
) -> str:
    """Uploads the quarter's chart with its summary to the digest channel; returns
    what to tell the admin who asked (Slack mrkdwn). Call it after the ack."""
    from bot.charts import review_chart

    try:
        with rt.db.transaction() as tx:
            facts, channel_id = review_and_channel(tx, team_id, quarter, rt.now())
    except Refusal as refusal:
        return escape(refusal.message)
    if not channel_id:
        return review_ui.no_digest_channel_answer()
    png = review_chart(facts)
    if png is None:
        return review_ui.nothing_to_post_answer(facts)
    try:
        client.files_upload_v2(
            channel=channel_id,
            content=png,
            filename=chart_filename(facts),
            title=review_ui.chart_title(facts),
            alt_txt=review_ui.chart_alt_text(facts),
            initial_comment=review_ui.summary_text(facts),
        )
    except SlackApiError as error:
        reason = str(error.response.get("error") or "unknown error")
        logger.warning("review upload to %s failed: %s", channel_id, reason)
        return review_ui.upload_failed_answer(reason)
    except SlackRequestError as error:
        logger.warning("review upload to %s failed: %s", channel_id, error)
        return review_ui.upload_failed_answer("the upload did not go through")
    return review_ui.posted_answer(facts, channel_id)
