"""Try Coachbot without Slack: the real bot against the Slack stand-in, on a local SQLite
file with a demo program, and a web page to act as any member and move the clock.

The bot does not know about this package: it is built exactly as in production and
only sees SLACK_API_URL (the stand-in), its credentials and its runtime clock.
`make run` starts it when no Slack credentials are configured (sandbox.launch).
"""
