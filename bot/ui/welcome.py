"""Block Kit for the welcome packet, the ground rules consent and its reminder.

Pure functions: data in, dict out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import ids
from bot.ui.blocks import (
    SECTION_TEXT_LIMIT,
    button,
    context,
    divider,
    header,
    section,
)
from bot.ui.dates import local_date_with_year
from models.content_views import WelcomeView
from models.program_content import WelcomePacket

Blocks = list[dict[str, Any]]


def text_sections(text: str, title: str | None = None) -> Blocks:
    """`text` in as many sections as it needs (each within Slack's 3000 characters),
    cut between paragraphs or lines where it can."""
    pieces = [f"*{title}*"] if title else []
    pieces += text.splitlines() or [""]
    blocks: Blocks = []
    current = ""
    for piece in pieces:
        while len(piece) > SECTION_TEXT_LIMIT:
            if current:
                blocks.append(section(current))
                current = ""
            blocks.append(section(piece[:SECTION_TEXT_LIMIT]))
            piece = piece[SECTION_TEXT_LIMIT:]
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > SECTION_TEXT_LIMIT:
            blocks.append(section(current))
            current = piece
        else:
            current = candidate
    if current.strip():
        blocks.append(section(current))
    return blocks


def _agree_button() -> dict[str, Any]:
    return button(
        "I agree to the ground rules", ids.GROUND_RULES_AGREE_ACTION, "agree", style="primary"
    )


def agreed_block(agreed_at: datetime, tz: str, confirmation: str | None = None) -> dict:
    """What replaces the agree button once the person agreed."""
    thanks = f"{confirmation} " if confirmation else ""
    on = local_date_with_year(agreed_at, tz)
    block = context(f":white_check_mark: {thanks}You agreed to the ground rules on {on}.")
    block["block_id"] = ids.GROUND_RULES_CONSENT_BLOCK
    return block


def consent_block(packet: WelcomePacket) -> dict[str, Any]:
    return section(
        packet.consent.text, block_id=ids.GROUND_RULES_CONSENT_BLOCK, accessory=_agree_button()
    )


def welcome_packet(view: WelcomeView, *, just_agreed: bool = False) -> dict[str, Any]:
    """The whole welcome packet: purpose, rhythm, pillars, newcomers, privacy,
    first steps, values, ground rules, and the agree button (or when they agreed).
    The agree button's block (`ids.GROUND_RULES_CONSENT_BLOCK`, also in the prep DM
    reminder) is replaced by the confirmation once the person agreed."""
    packet, texts, agreed_at, tz = view.packet, view.texts, view.agreed_at, view.tz
    rhythm = "\n".join(f"• *{step.when}*: {_flat(step.what)}" for step in packet.rhythm)
    pillars = "\n".join(
        f"*{number}. {item.name}*: _{item.question}_\n{_flat(item.description)}"
        for number, item in enumerate(packet.pillars, start=1)
    )
    privacy = "\n".join(f"• *{item.title}*: {_flat(item.text)}" for item in packet.privacy)
    steps = "\n".join(
        f"{number}. {_flat(step)}" for number, step in enumerate(packet.first_steps, start=1)
    )
    blocks: Blocks = [
        header(packet.title),
        section(_flat(packet.purpose)),
        section("*How it works*\n" + rhythm),
        section("*The three pillars of a session*\n" + pillars),
        section("*New to a pod?*\n" + _flat(packet.newcomers)),
        section("*Your words stay yours*\n" + privacy),
        section("*First steps*\n" + steps),
        divider(),
        header(texts.values_title),
        *text_sections(texts.values_text),
        divider(),
        header(texts.ground_rules_title),
        *text_sections(texts.ground_rules_text),
        divider(),
    ]
    if agreed_at is None:
        blocks.append(consent_block(packet))
    else:
        confirmation = _flat(packet.consent.confirmation) if just_agreed else None
        blocks.append(agreed_block(agreed_at, tz, confirmation))
    fallback = (
        f"{packet.title}. Please read the ground rules and press "
        "“I agree to the ground rules” before your first session."
        if agreed_at is None
        else f"{packet.title}. You agreed to the ground rules on "
        f"{local_date_with_year(agreed_at, tz)}."
    )
    return {"text": fallback, "blocks": blocks}


def consent_reminder_blocks() -> Blocks:
    """A gentle reminder, once, in a member's first prep DM when they haven't agreed
    to the ground rules yet. It points to `/coach welcome` (the packet with the
    agree button) and adds no button of its own, so the prep DM keeps one action."""
    block = context(
        ":handshake: *One small thing before your first session:* please read the ground "
        "rules and agree to them. `/coach welcome` shows them, with the button. They're "
        "what let everyone bring real problems to the pod."
    )
    block["block_id"] = ids.GROUND_RULES_CONSENT_BLOCK
    return [block]


def with_consent_recorded(
    blocks: Blocks, agreed_at: datetime, tz: str, confirmation: str
) -> Blocks | None:
    """The message's blocks with the agree button replaced by the confirmation, or
    None when the message has no agree button."""
    if not any(block.get("block_id") == ids.GROUND_RULES_CONSENT_BLOCK for block in blocks):
        return None
    return [
        agreed_block(agreed_at, tz, confirmation)
        if block.get("block_id") == ids.GROUND_RULES_CONSENT_BLOCK
        else block
        for block in blocks
    ]


def agreed_message(agreed_at: datetime, tz: str, confirmation: str) -> dict[str, Any]:
    on = local_date_with_year(agreed_at, tz)
    text = f"{confirmation} You agreed to the ground rules on {on}."
    return {"text": text, "blocks": [section(f":white_check_mark: {text}")]}


def already_agreed_message(agreed_at: datetime, tz: str) -> dict[str, Any]:
    text = (
        f"You already agreed to the ground rules on {local_date_with_year(agreed_at, tz)}, "
        "so there's nothing more to do. Thank you!"
    )
    return {"text": text, "blocks": [section(text)]}


def _flat(text: str) -> str:
    """Folded YAML paragraphs as one line each (blank lines kept as breaks)."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()
