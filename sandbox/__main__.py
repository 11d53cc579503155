"""`python -m sandbox`: the sandbox, with or without Slack credentials."""

import sys

from sandbox.launch import main

main(["--sandbox", *sys.argv[1:]])
