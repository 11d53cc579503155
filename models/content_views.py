"""Facts about what people read and add beside the shipped program content (a
contribution to the prompts library, a pod's playbook, the program's texts),
returned by services and shown by the ui. Plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.program_content import WelcomePacket


@dataclass(frozen=True)
class TacticInfo:
    """A contribution as people may see it: never who wrote it."""

    id: int
    kind: str
    text: str
    pillar: str | None
    scenario_key: str | None
    scenario_name: str | None
    """The tagged scenario's name, when it still exists in the shipped content."""
    status: str
    reviewed_by: str | None
    reviewed_at: datetime | None


@dataclass(frozen=True)
class PlaybookView:
    """A pod's playbook, as the playbook modal opens with it."""

    pod_id: int
    pod_name: str
    themes: tuple[str, ...]
    prompts: tuple[str, ...]
    shipped_themes: tuple[str, ...]


@dataclass(frozen=True)
class PlaybookSaved:
    pod_name: str
    themes: tuple[str, ...]
    prompts: tuple[str, ...]
    next_theme: str | None
    """The title of the next session's theme, when one is scheduled."""


@dataclass(frozen=True)
class ProgramTexts:
    """What the welcome packet shows; `*_custom` says whether an admin edited it."""

    values_title: str
    values_text: str
    values_custom: bool
    ground_rules_title: str
    ground_rules_text: str
    ground_rules_custom: bool


@dataclass(frozen=True)
class WelcomeView:
    """The welcome packet for one member: the shipped packet, the program's current
    texts, and when they agreed to the ground rules (None: not yet)."""

    packet: WelcomePacket
    texts: ProgramTexts
    agreed_at: datetime | None
    tz: str
