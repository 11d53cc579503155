"""`coachbot digest --preview`: this week's digest as text, for each workspace
(or the one named), without posting or marking anything."""

from __future__ import annotations

import sys

from bot.notify import digest as digest_notify
from bot.runtime import Runtime
from bot.services import review
from bot.services.refusals import Refusal


def run_digest_preview(rt: Runtime, team: str | None = None) -> int:
    """Prints the preview; 2 when there is nothing to preview (no program set up)."""
    with rt.db.transaction() as tx:
        teams = [team] if team else review.known_teams(tx)
    if not teams:
        print("coachbot: no program is set up yet: nobody has used Coachbot.", file=sys.stderr)
        return 2
    status = 0
    for team_id in teams:
        try:
            with rt.db.transaction() as tx:
                text = digest_notify.preview_text(tx, team_id, rt.now())
        except Refusal as refusal:
            print(f"coachbot: {team_id}: {refusal.message}", file=sys.stderr)
            status = 2
            continue
        if len(teams) > 1:
            print(f"== {team_id} ==")
        print(text)
    return status
