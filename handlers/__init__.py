"""Bolt listeners by surface; `register_all` wires them into the app.

Each surface module has `register(app, rt)` for its actions, views, events and
shortcuts, and may export `COMMANDS`, the `/coach` subcommands it answers.
"""

from __future__ import annotations

from types import ModuleType

from slack_bolt import App

from bot.runtime import Runtime
from handlers import (
    admin,
    availability,
    calendar,
    checkin,
    commands,
    errors,
    events,
    experiments,
    growth,
    home,
    kudos,
    matching,
    my_data,
    playbook,
    pods,
    profile,
    prompts,
    pulse,
    reflection,
    stats,
    welcome,
)

SURFACES: list[ModuleType] = [pods, availability]
SURFACES += [checkin, reflection, experiments, home]
SURFACES += [welcome, prompts, playbook, admin]
SURFACES += [kudos, stats, growth, calendar, pulse, my_data, profile, matching]


def register_all(app: App, rt: Runtime) -> None:
    """Bolt tries listeners in the order they were added, each match costing some tens
    of microseconds before the ack: `/coach` first, then events, then the surfaces."""
    errors.register(app, rt)
    routes: dict[str, commands.SubcommandHandler] = {}
    for surface in SURFACES:
        routes.update(getattr(surface, "COMMANDS", {}))
    commands.register(app, rt, routes)
    events.register(app, rt)
    for surface in SURFACES:
        surface.register(app, rt)
