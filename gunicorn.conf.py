"""gunicorn reads this file from the working directory: `gunicorn bot.wsgi:application`
run from the repo uses the same configuration as `coachbot web` (the Procfile's `web`),
which lives in the package so an installed Coachbot has it too."""

from bot.gunicorn_config import *  # noqa: F403
