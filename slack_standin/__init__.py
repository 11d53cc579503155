"""A loopback Slack stand-in (Web API, response URLs, file uploads) and a signed
Slack-side client, shared by the tests and the sandbox.

with SlackStandIn() as slack:
    slack.add_user("U1", "alice")
    sim = SlackClientSim(bot_base_url, signing_secret, slack)
    sim.command("U1", "help")
    assert "Usage" in visible_text(slack.ephemerals("U1")[-1])
"""

from slack_standin.blockcheck import (
    buttons,
    message_block_problems,
    view_problems,
    visible_text,
)
from slack_standin.server import ApiError, RecordedCall, SlackStandIn
from slack_standin.signing import (
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
