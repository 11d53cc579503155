"""What the session pulse services return and the ui reads: one person's answer as
recorded (or not), and a re-pairing request for the program admins."""

from __future__ import annotations

from dataclasses import dataclass

# As models.pulse (PodFit, the usefulness range), without SQLAlchemy for the ui.
FINE, DIFFERENT = "fine", "different"
LOWEST_SCORE, HIGHEST_SCORE = 1, 5


@dataclass(frozen=True)
class ScoreAnswer:
    """A usefulness score pressed. `recorded` False: the session's week had closed."""

    session_id: int
    score: int
    recorded: bool


@dataclass(frozen=True)
class RepairingRequest:
    """A member asked for a different pod; no reason is asked or kept. They are
    named to the admins because the request is theirs and acting on it needs it."""

    team_id: str
    pod_id: int
    pod_name: str
    member_id: int
    user_id: str
    admin_user_ids: tuple[str, ...]


@dataclass(frozen=True)
class PodFitAnswer:
    """Pressed "Fine" or "I'd like a different pod". `request` is set for the latter."""

    session_id: int
    pod_name: str
    fit: str
    """FINE or DIFFERENT."""
    recorded: bool
    request: RepairingRequest | None = None
