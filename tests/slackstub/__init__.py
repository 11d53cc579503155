"""Test-side Slack: a loopback Web API stand-in and a signed Slack-side client.

with SlackStandIn() as slack:
    slack.add_user("U1", "alice")
    sim = SlackClientSim(bot_base_url, signing_secret, slack)
    sim.command("U1", "help")
    assert "Usage" in visible_text(slack.ephemerals("U1")[-1])
"""

from tests.slackstub.blockcheck import (
    buttons,
    message_block_problems,
    view_problems,
    visible_text,
)
from tests.slackstub.server import ApiError, RecordedCall, SlackStandIn
from tests.slackstub.signing import (
    SendOptions,
    SimResponse,
    SlackClientSim,
    SubmissionBlocked,
    build_state_values,
    values_by_label,
)

__all__ = [
    "ApiError",
    "RecordedCall",
    "SendOptions",
    "SimResponse",
    "SlackClientSim",
    "SlackStandIn",
    "SubmissionBlocked",
    "build_state_values",
    "buttons",
    "message_block_problems",
    "values_by_label",
    "view_problems",
    "visible_text",
]
