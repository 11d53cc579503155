"""Block Kit as HTML, close enough to Slack to read and use.

Pure functions: blocks (as the bot sent them) and a :class:`Viewer` in, HTML out.
Every piece of text is escaped here, once. Interactive elements become HTML forms
that post back to the sandbox (see :mod:`sandbox.web`), which sends them to the bot
as signed Slack payloads.

Surfaces:
- a message or the Home tab: each button is its own small form; a select in an
  ``actions`` block or a section accessory comes with a "Go" button.
- a modal: one form around the whole view; inputs are named ``in:<block_id>``, and
  elements that send ``block_actions`` (buttons, accessories, ``dispatch_action``
  inputs) are submit buttons posting the form to the action route, so the bot sees
  what was typed so far as the view's state.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

__all__ = [
    "Surface",
    "Viewer",
    "blocks_html",
    "input_name",
    "mrkdwn_html",
    "text_html",
    "view_html",
]

EMOJI = {
    "wave": "👋",
    "tada": "🎉",
    "sparkles": "✨",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "warning": "⚠️",
    "calendar": "📅",
    "spiral_calendar_pad": "🗓️",
    "memo": "📝",
    "bulb": "💡",
    "seedling": "🌱",
    "star": "⭐",
    "star2": "🌟",
    "fire": "🔥",
    "clap": "👏",
    "raised_hands": "🙌",
    "pray": "🙏",
    "heart": "❤️",
    "thumbsup": "👍",
    "+1": "👍",
    "eyes": "👀",
    "bar_chart": "📊",
    "chart_with_upwards_trend": "📈",
    "trophy": "🏆",
    "medal": "🏅",
    "speech_balloon": "💬",
    "bell": "🔔",
    "hourglass": "⌛",
    "alarm_clock": "⏰",
    "books": "📚",
    "mag": "🔍",
    "lock": "🔒",
    "busts_in_silhouette": "👥",
    "handshake": "🤝",
    "rocket": "🚀",
    "muscle": "💪",
    "dart": "🎯",
    "compass": "🧭",
    "coffee": "☕",
    "pencil": "📝",
    "pencil2": "✏️",
    "point_right": "👉",
    "information_source": "ℹ️",
    "question": "❓",
    "no_entry_sign": "🚫",
}

SAFE_SCHEMES = ("http", "https", "mailto", "webcal")
TOKEN = re.compile(r"<([^<>\n]+)>")
PLACEHOLDER = "\x00{}\x00"
PLACEHOLDER_RE = re.compile("\x00(\\d+)\x00")
BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])")
STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])")
INLINE_CODE = re.compile(r"`([^`\n]+)`")
CODE_BLOCK = re.compile(r"```(.*?)```", re.DOTALL)
EMOJI_RE = re.compile(r":([a-z0-9_+\-]+):")
BULLET = re.compile(r"^\s*(?:[•◦▪‣\-]|\d+[.)])\s+")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


@dataclass(frozen=True)
class Viewer:
    """Who is looking, and what the page knows to show names and pick lists."""

    user_id: str
    tz: str = "UTC"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    names: Mapping[str, str] = field(default_factory=dict)  # user id → name
    channels: Mapping[str, str] = field(default_factory=dict)  # channel id → name
    people: Sequence[tuple[str, str]] = ()  # (user id, name) for user selects
    conversations: Sequence[tuple[str, str]] = ()  # (channel id, name) for channel selects

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.tz or "UTC")
        except (KeyError, ValueError):
            return ZoneInfo("UTC")

    def name_of(self, user_id: str) -> str:
        return self.names.get(user_id) or user_id

    def channel_name(self, channel_id: str) -> str:
        return self.channels.get(channel_id) or channel_id


@dataclass(frozen=True)
class Surface:
    """Where interactive elements send their actions.

    ``kind`` is "message" (``channel`` and ``ts``), "home" or "modal" (``view_id``).
    ``errors`` are inline errors by block_id (modals only)."""

    kind: str
    user: str = ""
    channel: str = ""
    ts: str = ""
    view_id: str = ""
    errors: Mapping[str, str] = field(default_factory=dict)
    back: str = "/"

    @property
    def in_form(self) -> bool:
        return self.kind == "modal"


def e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def input_name(block_id: str) -> str:
    return f"in:{block_id}"


# --------------------------------------------------------------------------- text


def text_html(obj: Any, viewer: Viewer) -> str:
    """A text object (plain_text or mrkdwn), or a bare string as plain text."""
    if isinstance(obj, str):
        return _emoji(e(obj))
    if not isinstance(obj, dict):
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn_html(str(obj.get("text", "")), viewer)
    return _emoji(e(obj.get("text", ""))).replace("\n", "<br>")


def plain(obj: Any) -> str:
    """The raw string of a text object (for attributes and option labels)."""
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return str(obj or "")


def mrkdwn_html(text: str, viewer: Viewer) -> str:
    """Slack mrkdwn as HTML: *bold*, _italics_, ~strike~, `code`, ```blocks```,
    > quotes, bullet lists, links, mentions as names, dates in the viewer's zone."""
    stash: list[str] = []

    def keep(fragment: str) -> str:
        stash.append(fragment)
        return PLACEHOLDER.format(len(stash) - 1)

    text = CODE_BLOCK.sub(lambda m: keep(f"<pre>{e(_unescape(m.group(1)))}</pre>"), text)
    text = INLINE_CODE.sub(lambda m: keep(f"<code>{e(_unescape(m.group(1)))}</code>"), text)
    text = TOKEN.sub(lambda m: keep(_token(m.group(1), viewer)), text)
    text = e(_unescape(text))
    text = BOLD.sub(r"<strong>\1</strong>", text)
    text = ITALIC.sub(r"<em>\1</em>", text)
    text = STRIKE.sub(r"<del>\1</del>", text)
    text = _emoji(text)
    text = _lines(text)
    # Placeholders may hold other placeholders' text only by value: one pass is enough.
    return PLACEHOLDER_RE.sub(lambda m: stash[int(m.group(1))], text)


def _unescape(text: str) -> str:
    """Slack's three entities; everything else is literal text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _emoji(text: str) -> str:
    return EMOJI_RE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def _lines(text: str) -> str:
    """Quotes and bullet lists become blocks; other line breaks stay line breaks."""
    out: list[str] = []
    items: list[str] = []
    quote: list[str] = []

    def flush() -> None:
        if items:
            out.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
            items.clear()
        if quote:
            out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
            quote.clear()

    plain_run: list[str] = []

    def flush_plain() -> None:
        if plain_run:
            out.append("<br>".join(plain_run))
            plain_run.clear()

    for line in text.split("\n"):
        bullet = BULLET.match(line)
        if bullet:
            flush_plain()
            if quote:
                flush()
            items.append(line[bullet.end() :])
        elif line.startswith("&gt; ") or line == "&gt;":
            flush_plain()
            if items:
                flush()
            quote.append(line[5:])
        else:
            flush()
            plain_run.append(line)
    flush()
    flush_plain()
    return "".join(_join(out))


def _join(parts: list[str]) -> list[str]:
    """Plain runs next to lists/quotes need no extra break; runs next to runs do."""
    joined: list[str] = []
    for part in parts:
        if joined and not _is_block(joined[-1]) and not _is_block(part):
            joined.append("<br>")
        joined.append(part)
    return joined


def _is_block(fragment: str) -> bool:
    return fragment.startswith(("<ul>", "<blockquote>"))


def _token(inner: str, viewer: Viewer) -> str:
    """One ``<…>`` token: a mention, a channel, a date, a special mention or a link."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        return f'<span class="mention">@{e(label or viewer.name_of(user_id))}</span>'
    if target.startswith("#"):
        channel_id = target[1:]
        name = label or viewer.channel_name(channel_id)
        return f'<span class="mention">#{e(name)}</span>'
    if target.startswith("!date^"):
        return e(_slack_date(target, label, viewer))
    if target.startswith("!subteam^"):
        return f'<span class="mention">{e(label or "@group")}</span>'
    if target.startswith("!"):
        word = target[1:].split("^")[0]
        return f'<span class="mention">@{e(label or word)}</span>'
    scheme = urlsplit(target).scheme.lower()
    shown = e(_unescape(label or target))
    if scheme in SAFE_SCHEMES:
        return f'<a href="{e(_unescape(target))}" target="_blank" rel="noopener">{shown}</a>'
    return e(_unescape(f"<{inner}>"))


# --------------------------------------------------------------------------- dates


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _slack_date(target: str, fallback: str, viewer: Viewer) -> str:
    """``!date^<epoch>^<format>[^<link>]`` in the viewer's timezone, as Slack shows it."""
    parts = target.split("^")
    try:
        instant = datetime.fromtimestamp(int(parts[1]), UTC).astimezone(viewer.zone)
        pattern = parts[2]
    except (IndexError, ValueError, OverflowError, OSError):
        return fallback
    today = viewer.now.astimezone(viewer.zone).date()
    day = instant.date()
    relative = {
        today: "today",
        today - timedelta(days=1): "yesterday",
        today + timedelta(days=1): "tomorrow",
    }.get(day)
    month, month_short = f"{instant:%B}", f"{instant:%b}"
    values: dict[str, Callable[[], str]] = {
        "date_num": lambda: f"{day:%Y-%m-%d}",
        "date": lambda: f"{month} {_ordinal(day.day)}, {day.year}",
        "date_short": lambda: f"{month_short} {day.day}, {day.year}",
        "date_long": lambda: f"{instant:%A}, {month} {_ordinal(day.day)}, {day.year}",
        "date_pretty": lambda: relative or f"{month} {_ordinal(day.day)}, {day.year}",
        "date_short_pretty": lambda: relative or f"{month_short} {_ordinal(day.day)}",
        "date_long_pretty": lambda: (
            relative or f"{instant:%A}, {month} {_ordinal(day.day)}, {day.year}"
        ),
        "time": lambda: f"{instant:%H:%M}",
        "time_secs": lambda: f"{instant:%H:%M:%S}",
        "day_divider_pretty": lambda: relative or f"{instant:%A}, {month} {_ordinal(day.day)}",
        "ago": lambda: _ago(viewer.now - instant),
    }
    return re.sub(
        r"\{(\w+)\}",
        lambda m: values[m.group(1)]() if m.group(1) in values else m.group(0),
        pattern,
    )


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            words = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {words}" if future else f"{words} ago"
    return "just now"


# --------------------------------------------------------------------------- blocks


def blocks_html(blocks: Any, viewer: Viewer, surface: Surface) -> str:
    if not isinstance(blocks, list):
        return ""
    return "".join(
        block_html(block, viewer, surface) for block in blocks if isinstance(block, dict)
    )


def block_html(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    kind = block.get("type")
    renderer = BLOCKS.get(str(kind))
    if renderer is None:
        return f'<div class="block unknown">[{e(kind)} block]</div>'
    return renderer(block, viewer, surface)


def _header(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    return f'<h3 class="block header">{text_html(block.get("text"), viewer)}</h3>'


def _section(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    body = ""
    if block.get("text"):
        body += f'<div class="text">{text_html(block["text"], viewer)}</div>'
    if block.get("fields"):
        cells = "".join(f"<div>{text_html(f, viewer)}</div>" for f in block["fields"])
        body += f'<div class="fields">{cells}</div>'
    accessory = block.get("accessory")
    side = ""
    if isinstance(accessory, dict):
        side = f'<div class="accessory">{element_html(accessory, block, viewer, surface)}</div>'
    return f'<div class="block section"><div class="main">{body}</div>{side}</div>'


def _context(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    parts = []
    for element in block.get("elements") or []:
        if isinstance(element, dict) and element.get("type") == "image":
            parts.append(_img(element.get("image_url"), element.get("alt_text"), "tiny"))
        else:
            parts.append(f"<span>{text_html(element, viewer)}</span>")
    return f'<div class="block context">{"".join(parts)}</div>'


def _divider(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    return '<hr class="block divider">'


def _image(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    title = block.get("title")
    caption = f"<figcaption>{text_html(title, viewer)}</figcaption>" if title else ""
    url = block.get("image_url") or (block.get("slack_file") or {}).get("url")
    return f'<figure class="block image">{_img(url, block.get("alt_text"))}{caption}</figure>'


def _img(url: Any, alt: Any, css: str = "") -> str:
    if not isinstance(url, str) or urlsplit(url).scheme.lower() not in ("http", "https", ""):
        return e(alt or "")
    return f'<img src="{e(url)}" alt="{e(alt or "")}" class="{css}">'


def _actions(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    elements = "".join(
        element_html(el, block, viewer, surface)
        for el in block.get("elements") or []
        if isinstance(el, dict)
    )
    return f'<div class="block actions">{elements}</div>'


def _input(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    block_id = str(block.get("block_id", ""))
    element = block.get("element") or {}
    label = text_html(block.get("label"), viewer)
    optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
    hint = block.get("hint")
    hint_html = f'<div class="hint">{text_html(hint, viewer)}</div>' if hint else ""
    error = surface.errors.get(block_id)
    error_html = f'<div class="error" role="alert">{e(error)}</div>' if error else ""
    control = input_control(element, block_id, viewer)
    dispatch = ""
    if block.get("dispatch_action") and surface.in_form:
        dispatch = _dispatch_button(block_id, element, "Apply")
    css = "block input has-error" if error else "block input"
    return (
        f'<div class="{css}" data-block="{e(block_id)}">'
        f'<label class="label" for="{e(input_name(block_id))}">{label}{optional}</label>'
        f"{control}{dispatch}{hint_html}{error_html}</div>"
    )


def _rich_text(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    return f'<div class="block rich">{_rich(block.get("elements"), viewer)}</div>'


def _rich(nodes: Any, viewer: Viewer) -> str:
    out = []
    for node in nodes or []:
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        if kind == "rich_text_section":
            out.append(f"<p>{_rich(node.get('elements'), viewer)}</p>")
        elif kind == "rich_text_list":
            items = "".join(
                f"<li>{_rich(item.get('elements'), viewer)}</li>"
                for item in node.get("elements") or []
                if isinstance(item, dict)
            )
            tag = "ol" if node.get("style") == "ordered" else "ul"
            out.append(f"<{tag}>{items}</{tag}>")
        elif kind == "rich_text_quote":
            out.append(f"<blockquote>{_rich(node.get('elements'), viewer)}</blockquote>")
        elif kind == "rich_text_preformatted":
            out.append(f"<pre>{_rich(node.get('elements'), viewer)}</pre>")
        elif kind == "text":
            text = e(node.get("text", "")).replace("\n", "<br>")
            style = node.get("style") or {}
            for key, tag in (("bold", "strong"), ("italic", "em"), ("strike", "del")):
                if style.get(key):
                    text = f"<{tag}>{text}</{tag}>"
            out.append(text)
        elif kind == "link":
            out.append(_token(f"{node.get('url', '')}|{node.get('text') or ''}", viewer))
        elif kind == "user":
            out.append(_token(f"@{node.get('user_id', '')}", viewer))
        elif kind == "channel":
            out.append(_token(f"#{node.get('channel_id', '')}", viewer))
        elif kind == "emoji":
            out.append(_emoji(f":{e(node.get('name', ''))}:"))
    return "".join(out)


def _markdown(block: dict[str, Any], viewer: Viewer, surface: Surface) -> str:
    return f'<div class="block markdown">{mrkdwn_html(str(block.get("text", "")), viewer)}</div>'


BLOCKS: dict[str, Callable[[dict[str, Any], Viewer, Surface], str]] = {
    "header": _header,
    "section": _section,
    "context": _context,
    "divider": _divider,
    "image": _image,
    "actions": _actions,
    "input": _input,
    "rich_text": _rich_text,
    "markdown": _markdown,
}


# --------------------------------------------------------------------------- elements


def element_html(
    element: dict[str, Any], block: dict[str, Any], viewer: Viewer, surface: Surface
) -> str:
    """An interactive element outside an input block (sends ``block_actions``)."""
    kind = element.get("type")
    block_id = str(block.get("block_id", ""))
    if kind == "image":
        return _img(element.get("image_url"), element.get("alt_text"), "accessory-image")
    if kind == "button":
        return _button(element, block_id, viewer, surface)
    if kind in ("static_select", "overflow", "radio_buttons", "checkboxes", "datepicker") or (
        kind or ""
    ).endswith("_select"):
        return _acting_control(element, block_id, viewer, surface)
    return f'<span class="unknown">[{e(kind)}]</span>'


def _button(element: dict[str, Any], block_id: str, viewer: Viewer, surface: Surface) -> str:
    label = text_html(element.get("text"), viewer)
    style = element.get("style")
    css = f"btn {e(style)}" if style in ("primary", "danger") else "btn"
    url = element.get("url")
    if isinstance(url, str) and urlsplit(url).scheme.lower() in SAFE_SCHEMES:
        return f'<a class="{css}" href="{e(url)}" target="_blank" rel="noopener">{label}</a>'
    confirm = _confirm_attr(element.get("confirm"))
    action_id = str(element.get("action_id", ""))
    if surface.in_form:
        return (
            f'<button class="{css}" type="submit" formaction="/action" formnovalidate '
            f'name="act" value="{e(block_id)}|{e(action_id)}"{confirm}>{label}</button>'
        )
    return (
        f'<form method="post" action="/action" class="inline">{_surface_fields(surface)}'
        f'<input type="hidden" name="act" value="{e(block_id)}|{e(action_id)}">'
        f'<button class="{css}" type="submit"{confirm}>{label}</button></form>'
    )


def _confirm_attr(confirm: Any) -> str:
    if not isinstance(confirm, dict):
        return ""
    words = " ".join(
        plain(confirm.get(key)) for key in ("title", "text") if confirm.get(key)
    ).replace("*", "")
    return f' onclick="return confirm({e(_js_string(words))})"'


def _js_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", " ")
    return f"'{escaped}'"


def _acting_control(
    element: dict[str, Any], block_id: str, viewer: Viewer, surface: Surface
) -> str:
    """A select, overflow, date, radio or checkbox outside an input: pick, then Go."""
    action_id = str(element.get("action_id", ""))
    name = f"sel:{block_id}:{action_id}"
    if element.get("type") == "overflow":
        element = {**element, "type": "static_select", "placeholder": {"text": "More…"}}
    control = input_control(element, block_id, viewer, name=name)
    if surface.in_form:
        return f'<span class="acting">{control}{_dispatch_button(block_id, element, "Go")}</span>'
    return (
        f'<form method="post" action="/action" class="inline acting">{_surface_fields(surface)}'
        f'<input type="hidden" name="act" value="{e(block_id)}|{e(action_id)}">'
        f'{control}<button class="btn" type="submit">Go</button></form>'
    )


def _dispatch_button(block_id: str, element: dict[str, Any], label: str) -> str:
    action_id = str(element.get("action_id", ""))
    return (
        f'<button class="btn small" type="submit" formaction="/action" formnovalidate '
        f'name="act" value="{e(block_id)}|{e(action_id)}">{e(label)}</button>'
    )


def _surface_fields(surface: Surface) -> str:
    fields = {
        "as": surface.user,
        "surface": surface.kind,
        "channel": surface.channel,
        "ts": surface.ts,
        "view_id": surface.view_id,
        "back": surface.back,
    }
    return "".join(
        f'<input type="hidden" name="{name}" value="{e(value)}">'
        for name, value in fields.items()
        if value
    )


def _options(element: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """(group label, option) for every option of a select."""
    found: list[tuple[str | None, dict[str, Any]]] = [
        (None, option) for option in element.get("options") or [] if isinstance(option, dict)
    ]
    for group in element.get("option_groups") or []:
        label = plain(group.get("label"))
        found += [(label, o) for o in group.get("options") or [] if isinstance(o, dict)]
    return found


def _selected_values(element: dict[str, Any]) -> set[str]:
    initial = element.get("initial_option")
    chosen = [initial] if isinstance(initial, dict) else list(element.get("initial_options") or [])
    return {str(option.get("value")) for option in chosen if isinstance(option, dict)}


def input_control(
    element: dict[str, Any], block_id: str, viewer: Viewer, name: str | None = None
) -> str:
    """The HTML control for an input element; its value(s) post under ``name``."""
    kind = str(element.get("type", ""))
    name = name or input_name(block_id)
    attrs = f'name="{e(name)}" id="{e(name)}"'
    placeholder = element.get("placeholder")
    if placeholder:
        attrs += f' placeholder="{e(plain(placeholder))}"'
    if kind in ("plain_text_input", "rich_text_input"):
        value = element.get("initial_value")
        value = plain(value) if isinstance(value, dict) else str(value or "")
        limits = ""
        if element.get("max_length"):
            limits += f' maxlength="{int(element["max_length"])}"'
        if element.get("multiline") or kind == "rich_text_input":
            return f'<textarea {attrs}{limits} rows="4">{e(value)}</textarea>'
        return f'<input type="text" {attrs}{limits} value="{e(value)}">'
    if kind in ("number_input", "email_text_input", "url_text_input"):
        html_type = {"number_input": "number", "email_text_input": "email"}.get(kind, "url")
        extra = ""
        if kind == "number_input":
            extra = ' step="any"' if element.get("is_decimal_allowed") else ' step="1"'
            for key, attr in (("min_value", "min"), ("max_value", "max")):
                if key in element:
                    extra += f' {attr}="{e(element[key])}"'
        value = e(element.get("initial_value") or "")
        return f'<input type="{html_type}" {attrs}{extra} value="{value}">'
    if kind == "datepicker":
        return f'<input type="date" {attrs} value="{e(element.get("initial_date") or "")}">'
    if kind == "timepicker":
        return f'<input type="time" {attrs} value="{e(element.get("initial_time") or "")}">'
    if kind == "datetimepicker":
        initial = element.get("initial_date_time")
        value = ""
        if isinstance(initial, int):
            value = datetime.fromtimestamp(initial, UTC).astimezone(viewer.zone)
            value = value.strftime("%Y-%m-%dT%H:%M")
        return f'<input type="datetime-local" {attrs} value="{e(value)}">'
    if kind in ("checkboxes", "radio_buttons"):
        return _choices(element, name, viewer, "checkbox" if kind == "checkboxes" else "radio")
    if kind in ("static_select", "multi_static_select", "external_select"):
        return _select(element, attrs, kind.startswith("multi"), _options(element))
    if kind in ("users_select", "multi_users_select"):
        initial = element.get("initial_users") or [element.get("initial_user")]
        options = [(None, _opt(name_, uid)) for uid, name_ in viewer.people]
        chosen = {str(v) for v in initial if v}
        return _select(element, attrs, kind.startswith("multi"), options, chosen)
    if kind in (
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    ):
        keys = ("initial_conversations", "initial_conversation")
        if "channels" in kind:
            keys = ("initial_channels", "initial_channel")
        initial = element.get(keys[0]) or [element.get(keys[1])]
        options = [(None, _opt(f"#{label}", cid)) for cid, label in viewer.conversations]
        chosen = {str(v) for v in initial if v}
        return _select(element, attrs, kind.startswith("multi"), options, chosen)
    return f'<span class="unknown">[{e(kind)}]</span>'


def _opt(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _select(
    element: dict[str, Any],
    attrs: str,
    multiple: bool,
    options: list[tuple[str | None, dict[str, Any]]],
    selected: set[str] | None = None,
) -> str:
    chosen = selected if selected is not None else _selected_values(element)
    prompt = plain(element.get("placeholder")) or "—"
    body = "" if multiple else f'<option value="">{e(prompt)}</option>'
    group: str | None = None
    for label, option in options:
        if label != group:
            if group is not None:
                body += "</optgroup>"
            if label is not None:
                body += f'<optgroup label="{e(label)}">'
            group = label
        value = str(option.get("value", ""))
        mark = " selected" if value in chosen else ""
        body += f'<option value="{e(value)}"{mark}>{e(plain(option.get("text")))}</option>'
    if group is not None:
        body += "</optgroup>"
    size = f' multiple size="{min(max(len(options), 2), 6)}"' if multiple else ""
    return f"<select {attrs}{size}>{body}</select>"


def _choices(element: dict[str, Any], name: str, viewer: Viewer, html_type: str) -> str:
    chosen = _selected_values(element)
    rows = []
    for index, (_, option) in enumerate(_options(element)):
        value = str(option.get("value", ""))
        mark = " checked" if value in chosen else ""
        description = option.get("description")
        more = f'<div class="hint">{text_html(description, viewer)}</div>' if description else ""
        rows.append(
            f'<label class="choice"><input type="{html_type}" name="{e(name)}" '
            f'id="{e(name)}-{index}" value="{e(value)}"{mark}> '
            f"<span>{text_html(option.get('text'), viewer)}</span>{more}</label>"
        )
    return f'<div class="choices">{"".join(rows)}</div>'


# --------------------------------------------------------------------------- views


def view_html(view: dict[str, Any], viewer: Viewer, surface: Surface, notice: str = "") -> str:
    """A modal as a form: title, blocks, Close and (when the view has one) Submit."""
    title = text_html(view.get("title"), viewer)
    close = text_html(view.get("close") or {"type": "plain_text", "text": "Cancel"}, viewer)
    submit = view.get("submit")
    submit_html = (
        f'<button class="btn primary" type="submit">{text_html(submit, viewer)}</button>'
        if submit
        else ""
    )
    notice_html = f'<div class="error" role="alert">{e(notice)}</div>' if notice else ""
    return (
        f'<div class="modal-backdrop"><form class="modal" method="post" action="/submit" '
        f'novalidate aria-label="{e(plain(view.get("title")))}">'
        f'<input type="hidden" name="as" value="{e(surface.user)}">'
        f'<input type="hidden" name="view_id" value="{e(surface.view_id)}">'
        f'<input type="hidden" name="surface" value="modal">'
        f'<input type="hidden" name="back" value="{e(surface.back)}">'
        f'<header><h2>{title}</h2></header><div class="modal-body">{notice_html}'
        f"{blocks_html(view.get('blocks'), viewer, surface)}</div>"
        f'<footer><button class="btn" type="submit" formaction="/close" formnovalidate>'
        f"{close}</button>{submit_html}</footer></form></div>"
    )


def file_html(file: dict[str, Any]) -> str:
    """An uploaded file in a message: images inline, anything else as a download."""
    file_id = str(file.get("id", ""))
    name = str(file.get("name") or file.get("title") or file_id)
    title = str(file.get("title") or name)
    url = f"/file/{file_id}"
    if name.lower().endswith(IMAGE_EXTENSIONS):
        return (
            f'<figure class="file"><img src="{e(url)}" alt="{e(title)}">'
            f"<figcaption>{e(title)}</figcaption></figure>"
        )
    return f'<div class="file">📎 <a href="{e(url)}" download="{e(name)}">{e(title)}</a></div>'
