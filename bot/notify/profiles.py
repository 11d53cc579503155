"""Onboarding many people at once and the skills map's chart: the Slack side.

An import (a CSV file or a Slack user group) asks Slack who each row is (users.info,
users.lookupByEmail, usergroups.users.list), writes the good rows in one transaction
(bot.services.people_import) and puts one invitation DM per person in the outbox, with
a dedupe key per person so a re-import never invites anyone twice.

The skills map's chart goes to the admin's DM through Slack's upload flow, run
directly after the ack like the quarterly review's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlalchemy.orm import Session

from bot.notify import outbox
from bot.runtime import Runtime
from bot.services import people_import, profiles, skills_map
from bot.services.members import SlackProfile
from bot.services.people_import import ImportRefused, ImportRow, Resolved
from bot.ui import profile as profile_ui
from bot.ui import skills_map as skills_ui
from models.profile_views import ImportProblem, ImportResult, SkillsMap

logger = logging.getLogger(__name__)

LOOKUP_THREADS = 4
LOOKUP_ONE_BY_ONE = 20
"""Up to this many rows are looked up one by one (users.info, users.lookupByEmail);
more are matched against the paged users.list."""
DIRECTORY_PAGE = 200
NOT_FOUND = ("user_not_found", "users_not_found")
SCOPE_NEEDED = {
    "users.lookupByEmail": "users:read.email",
    "usergroups.list": "usergroups:read",
    "usergroups.users.list": "usergroups:read",
    "users.info": "users:read",
    "users.list": "users:read",
}


@dataclass(frozen=True)
class ImportOutcome:
    result: ImportResult
    invited: int


def invite_key(team_id: str, user_id: str) -> str:
    return f"profile_invite:{team_id}:{user_id}"


def enqueue_invites(tx: Session, team_id: str, user_ids: Sequence[str], now: datetime) -> int:
    """One DM a person, ever: "check your profile and opt in". Returns how many were new."""
    message = profile_ui.invite_message()
    invited = 0
    for user_id in user_ids:
        invited += outbox.post_message(
            tx,
            team_id=team_id,
            dedupe_key=invite_key(team_id, user_id),
            channel=user_id,
            text=message["text"],
            blocks=message["blocks"],
            not_before=now,
        )
    return invited


# --------------------------------------------------------------------------- Slack lookups


def _refused(method: str, error: str) -> ImportRefused:
    scope = SCOPE_NEEDED.get(method)
    if error == "missing_scope" and scope:
        return ImportRefused(
            f"Slack refused {method}: the app needs the {scope} scope. Reinstall the app "
            "with the current manifest (`coachbot manifest`). Nothing was imported."
        )
    return ImportRefused(f"Slack refused {method} ({error}). Nothing was imported.")


def _lookup(client: WebClient, row: ImportRow) -> SlackProfile | ImportProblem:
    method = "users.info" if row.slack_id else "users.lookupByEmail"
    try:
        if row.slack_id:
            response = client.users_info(user=row.slack_id)
        else:
            response = client.users_lookupByEmail(email=row.email or "")
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        if code in NOT_FOUND:
            what = (
                f"Slack has no user {row.slack_id}"
                if row.slack_id
                else f"no Slack user has the e-mail {row.email}"
            )
            return ImportProblem(row.line, row.who, what)
        raise _refused(method, code) from error
    return SlackProfile.from_users_info(response["user"])


def _directory(client: WebClient) -> tuple[dict[str, SlackProfile], dict[str, SlackProfile]]:
    """The whole workspace from users.list, by user id and by e-mail (when Slack shares
    e-mails): a few paged calls instead of one call a row."""
    by_id: dict[str, SlackProfile] = {}
    by_email: dict[str, SlackProfile] = {}
    cursor = None
    while True:
        try:
            response = client.users_list(limit=DIRECTORY_PAGE, cursor=cursor)
        except SlackApiError as error:
            raise _refused("users.list", str(error.response.get("error"))) from error
        for user in response.get("members") or []:
            person = SlackProfile.from_users_info(user)
            by_id[person.user_id] = person
            email = str((user.get("profile") or {}).get("email") or "").lower()
            if email:
                by_email[email] = person
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return by_id, by_email


def resolve(
    client: WebClient, rows: Sequence[ImportRow]
) -> tuple[list[Resolved], list[ImportProblem]]:
    """Who each row is, in Slack; rows Slack doesn't know become problems. A refusal
    that is not about one row (a missing scope, say) stops the whole import.

    A few rows are looked up one by one; many are matched against users.list (paged),
    with users.lookupByEmail for e-mails the listing did not show."""
    if not rows:
        return [], []
    found: list[SlackProfile | ImportProblem | None] = [None] * len(rows)
    if len(rows) > LOOKUP_ONE_BY_ONE:
        by_id, by_email = _directory(client)
        for index, row in enumerate(rows):
            if row.slack_id:
                found[index] = by_id.get(row.slack_id) or ImportProblem(
                    row.line, row.who, f"Slack has no user {row.slack_id}"
                )
            elif row.email:
                found[index] = by_email.get(row.email)
    missing = [index for index, person in enumerate(found) if person is None]
    if missing:
        threads = min(LOOKUP_THREADS, len(missing))
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="import-lookup") as pool:
            looked_up = list(pool.map(lambda index: _lookup(client, rows[index]), missing))
        for index, person in zip(missing, looked_up, strict=True):
            found[index] = person
    resolved: list[Resolved] = []
    problems: list[ImportProblem] = []
    for row, person in zip(rows, found, strict=True):
        if isinstance(person, SlackProfile):
            resolved.append(Resolved(row=row, profile=person))
        elif person is not None:
            problems.append(person)
    return resolved, problems


def _apply(
    rt: Runtime,
    team_id: str,
    resolved: Sequence[Resolved],
    problems: Sequence[ImportProblem],
    source: str,
) -> ImportOutcome:
    now = rt.now()
    with rt.db.transaction() as tx:
        result = people_import.apply_import(tx, team_id, resolved, problems, now, source=source)
        invited = enqueue_invites(tx, team_id, result.invite, now)
    return ImportOutcome(result=result, invited=invited)


def import_csv(rt: Runtime, team_id: str, text: str, source: str = "the file") -> ImportOutcome:
    """A CSV import, end to end. Raises ImportRefused when the file as a whole is
    unusable (nothing is written then)."""
    with rt.db.transaction() as tx:
        level_names = profiles.levels(tx, team_id)
    parsed = people_import.parse_csv(text, level_names)
    resolved, unknown = resolve(rt.client, parsed.rows)
    return _apply(rt, team_id, resolved, [*parsed.problems, *unknown], source)


def usergroups(client: WebClient) -> list[tuple[str, str, int]]:
    """The workspace's user groups as (id, name, member count), by name."""
    try:
        response = client.usergroups_list(include_count=True)
    except SlackApiError as error:
        raise _refused("usergroups.list", str(error.response.get("error"))) from error
    groups = [
        (
            str(g["id"]),
            str(g.get("name") or g.get("handle") or g["id"]),
            int(g.get("user_count") or 0),
        )
        for g in response.get("usergroups") or []
        if not g.get("date_delete")
    ]
    return sorted(groups, key=lambda g: g[1].casefold())


def import_usergroup(
    rt: Runtime, team_id: str, usergroup_id: str, source: str | None = None
) -> ImportOutcome:
    """Everyone in a Slack user group gets a profile (kept as is when they have one)."""
    try:
        response = rt.client.usergroups_users_list(usergroup=usergroup_id)
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        if code in ("no_such_subteam", "invalid_usergroup"):
            raise ImportRefused(
                f"Slack has no user group {usergroup_id}: pick one from the list."
            ) from error
        raise _refused("usergroups.users.list", code) from error
    user_ids = [str(u) for u in response.get("users") or []]
    if not user_ids:
        raise ImportRefused("That user group has nobody in it: nothing to import.")
    rows = [ImportRow(line=None, slack_id=user_id) for user_id in user_ids]
    resolved, unknown = resolve(rt.client, rows)
    return _apply(rt, team_id, resolved, unknown, source or f"user group {usergroup_id}")


# --------------------------------------------------------------------------- skills map


def skills_map_facts(rt: Runtime, team_id: str) -> SkillsMap:
    with rt.db.transaction() as tx:
        return skills_map.skills_map(tx, team_id)


def post_skills_chart(client: WebClient, facts: SkillsMap, user_id: str) -> bool:
    """Uploads the skills map's chart to the admin's DM; False when there is nothing
    to draw or Slack refused (logged)."""
    from bot.skills_chart import skills_chart

    png = skills_chart(facts)
    if png is None:
        return False
    try:
        channel_id = str(client.conversations_open(users=user_id)["channel"]["id"])
        client.files_upload_v2(
            channel=channel_id,
            content=png,
            filename="coachbot-skills-map.png",
            title=skills_ui.chart_title(facts),
            alt_txt=skills_ui.chart_alt_text(facts),
            initial_comment=skills_ui.summary_text(facts),
        )
    except SlackApiError as error:
        logger.warning("skills map upload failed: %s", error.response.get("error"))
        return False
    except SlackRequestError as error:
        logger.warning("skills map upload failed: %s", error)
        return False
    return True
