"""The admin's matching settings (pod sizes, level spread, focus, new pods' cadence,
reshuffle interval): read with defaults, saved by program admins only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.services.refusals import Refusal
from models import MatchingSettings
from models.matching_forms import MatchingSettingsForm, MatchingSettingsValues


class NotAdmin(Refusal):
    def __init__(self) -> None:
        super().__init__(
            "Only program admins can change the matching settings.", field="target_size"
        )


def current(tx: Session, team_id: str) -> MatchingSettingsValues:
    stored = tx.get(MatchingSettings, team_id)
    if stored is None:
        return MatchingSettingsValues()
    return MatchingSettingsValues(
        target_size=stored.target_size,
        min_size=stored.min_size,
        max_size=stored.max_size,
        max_level_spread=stored.max_level_spread,
        by_focus=stored.by_focus,
        cadence_weeks=stored.cadence_weeks,
        reshuffle_months=stored.reshuffle_months,
    )


def save(
    tx: Session, team_id: str, form: MatchingSettingsForm, now: datetime, *, is_admin: bool
) -> MatchingSettingsValues:
    if not is_admin:
        raise NotAdmin()
    stored = tx.get(MatchingSettings, team_id)
    if stored is None:
        stored = MatchingSettings(team_id=team_id)
        tx.add(stored)
    for field in MatchingSettingsForm.model_fields:
        setattr(stored, field, getattr(form, field))
    stored.updated_at = now
    tx.flush()
    return current(tx, team_id)
