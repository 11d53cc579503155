"""The page's HTML: layout, member switcher, conversations, the clock and the modal.

Kept as small functions over :mod:`sandbox.render`; every value is escaped once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sandbox.render import Surface, Viewer, blocks_html, e, file_html, mrkdwn_html, view_html
from sandbox.world import Conversation, Person, Sandbox

DEFAULT_BANNER = (
    "No Slack credentials are configured, so this is the real Coachbot talking to a Slack "
    "stand-in on your machine, with a demo program and a clock you move. Put "
    "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET in .env and `make run` starts it in your "
    "workspace instead."
)
FORCED_BANNER = (
    "Started with --sandbox: this is the real Coachbot talking to a Slack stand-in on your "
    "machine, with a demo program and a clock you move. Nothing reaches your workspace."
)

CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#1d1c1d;background:#f8f8f8}
a{color:#1264a3}
.banner{background:#fff4d6;border-bottom:1px solid #e8c66b;padding:8px 16px;font-size:14px}
.banner strong{margin-right:6px}
.topbar{display:flex;flex-wrap:wrap;gap:12px 24px;align-items:center;padding:10px 16px;
 background:#3f0e40;color:#fff}
.topbar form{display:inline-flex;gap:6px;align-items:center;margin:0}
.topbar select,.topbar input{font:inherit;padding:3px 6px;border-radius:4px;border:0}
.clock{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.clock .now{font-weight:600;margin-right:6px}
.layout{display:flex;min-height:calc(100vh - 110px)}
nav{width:240px;background:#fff;border-right:1px solid #ddd;padding:12px 0;flex-shrink:0}
nav a{display:block;padding:4px 16px;color:#1d1c1d;text-decoration:none}
nav a.active{background:#1164a3;color:#fff}
nav h4{margin:12px 16px 4px;font-size:12px;text-transform:uppercase;color:#616061}
main{flex:1;padding:16px 24px;max-width:980px}
main h2{margin:0 0 12px;font-size:20px}
.notice{background:#fdecea;border:1px solid #e0a4a0;padding:8px 12px;border-radius:6px;
 margin-bottom:12px}
.message{background:#fff;border:1px solid #e4e4e4;border-radius:8px;padding:10px 14px;
 margin-bottom:10px}
.message.ephemeral{background:#f4f9ff;border-color:#b6d4f2}
.meta{font-size:13px;color:#616061;margin-bottom:4px;display:flex;gap:8px;
 align-items:center;flex-wrap:wrap}
.meta strong{color:#1d1c1d;font-size:15px}
.tag{background:#e8e8e8;border-radius:3px;padding:0 4px;font-size:11px;font-weight:600}
.block{margin:6px 0}
.block.header{font-size:18px;margin:8px 0}
.block.section{display:flex;gap:12px;justify-content:space-between}
.block.section .main{flex:1}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:6px 16px;margin-top:6px}
.block.context{font-size:13px;color:#616061;display:flex;gap:8px;flex-wrap:wrap;
 align-items:center}
.block.context img{width:20px;height:20px;border-radius:4px}
hr.divider{border:0;border-top:1px solid #e4e4e4}
.block.actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.block.image img,.file img{max-width:100%;border-radius:6px;border:1px solid #ddd}
figure{margin:6px 0}figcaption{font-size:12px;color:#616061}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
code{background:#f6f6f6;border:1px solid #e4e4e4;border-radius:3px;padding:0 3px;
 color:#c01343;font-size:13px}
pre{background:#f6f6f6;border:1px solid #e4e4e4;border-radius:4px;padding:8px;
 white-space:pre-wrap}
blockquote{margin:4px 0;padding-left:10px;border-left:4px solid #ddd}
ul,ol{margin:4px 0;padding-left:22px}
form.inline{display:inline-flex;gap:6px;align-items:center;margin:0}
.btn{font:inherit;font-size:14px;font-weight:600;padding:4px 12px;border-radius:4px;
 border:1px solid #bbb;background:#fff;color:#1d1c1d;cursor:pointer;text-decoration:none;
 display:inline-block}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.btn.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
.btn.small{font-size:12px;padding:2px 8px}
.btn.link{border:0;background:none;color:#1264a3;font-weight:400;font-size:12px;padding:0}
.composer{margin-top:16px;display:flex;gap:8px;align-items:center;background:#fff;
 border:1px solid #bbb;border-radius:8px;padding:8px 10px}
.composer span{font-weight:600;color:#616061}
.composer input{flex:1;font:inherit;border:0;outline:0}
.empty{color:#616061;font-style:italic}
.modal-backdrop{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;
 align-items:flex-start;justify-content:center;overflow:auto;padding:40px 12px}
.modal{background:#fff;border-radius:10px;width:min(620px,100%);
 box-shadow:0 8px 30px rgba(0,0,0,.3)}
.modal header{padding:14px 20px;border-bottom:1px solid #e4e4e4}
.modal header h2{margin:0;font-size:20px}
.modal-body{padding:12px 20px;max-height:70vh;overflow:auto}
.modal footer{padding:12px 20px;border-top:1px solid #e4e4e4;display:flex;
 justify-content:flex-end;gap:8px}
.block.input{margin:12px 0}
.block.input .label{display:block;font-weight:700;margin-bottom:4px}
.optional{font-weight:400;color:#616061}
.block.input input[type=text],.block.input input[type=number],.block.input input[type=email],
.block.input input[type=url],.block.input textarea,.block.input select{width:100%;font:inherit;
 padding:6px 8px;border:1px solid #bbb;border-radius:4px}
.block.input.has-error input,.block.input.has-error textarea,.block.input.has-error select{
 border-color:#e01e5a}
.hint{font-size:13px;color:#616061;margin-top:2px}
.error{color:#e01e5a;font-size:13px;margin-top:4px}
.choices .choice{display:block;margin:2px 0}
.acting{display:inline-flex;gap:6px;align-items:center}
.unknown{color:#999}
"""


def viewer_for(sandbox: Sandbox, person: Person) -> Viewer:
    people = sandbox.people()
    names = {p.user_id: p.name for p in people}
    names[sandbox.slack.bot_user_id] = "Coachbot"
    channels = sandbox.slack.channel_names()
    return Viewer(
        user_id=person.user_id,
        tz=person.tz,
        now=sandbox.clock(),
        names=names,
        channels=channels,
        people=[(p.user_id, p.name) for p in people],
        conversations=sorted(channels.items(), key=lambda item: item[1]),
    )


def page_url(user_id: str, conversation: str) -> str:
    return "/?" + urlencode({"as": user_id, "c": conversation})


def render_page(
    sandbox: Sandbox,
    person: Person,
    conversations: Sequence[Conversation],
    chosen: str,
    *,
    notice: str = "",
    banner: str = DEFAULT_BANNER,
) -> str:
    viewer = viewer_for(sandbox, person)
    back = page_url(person.user_id, chosen)
    if chosen == "home":
        title = "Coachbot · Home"
        content = _home(sandbox, viewer, back)
    else:
        conversation = next(c for c in conversations if c.id == chosen)
        title = _conversation_title(conversation)
        content = _conversation(sandbox, viewer, conversation, back)
    modal = _modal(sandbox, viewer, back)
    notice_html = f'<div class="notice" role="alert">{e(notice)}</div>' if notice else ""
    return _document(
        title,
        f'<div class="banner" role="status"><strong>Sandbox</strong> {e(banner)}</div>'
        f"{_topbar(sandbox, viewer, person, chosen)}"
        f'<div class="layout">{_nav(person, conversations, chosen)}'
        f"<main><h2>{e(title)}</h2>{notice_html}{content}"
        f"{_composer(person, chosen, back)}</main></div>{modal}",
    )


def error_page(title: str, detail: str) -> str:
    return _document(
        title,
        f'<main><h2>{e(title)}</h2><p>{e(detail)}</p><p><a href="/">Back to the sandbox</a></p>'
        "</main>",
    )


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} — Coachbot sandbox</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


def _topbar(sandbox: Sandbox, viewer: Viewer, person: Person, chosen: str) -> str:
    options = "".join(
        f'<option value="{e(p.user_id)}"{" selected" if p.user_id == person.user_id else ""}>'
        f"{e(p.name)} · {e(p.tz)}{' · admin' if p.is_admin else ''}</option>"
        for p in sandbox.people()
    )
    switcher = (
        '<form method="get" action="/" class="switcher"><label for="as">Acting as</label>'
        f'<select id="as" name="as" onchange="this.form.submit()">{options}</select>'
        '<button class="btn small" type="submit">Switch</button></form>'
    )
    now = sandbox.clock()
    local = now.astimezone(viewer.zone)
    hidden = (
        f'<input type="hidden" name="as" value="{e(person.user_id)}">'
        f'<input type="hidden" name="back" value="{e(page_url(person.user_id, chosen))}">'
    )
    moves = "".join(
        f'<form method="post" action="/clock">{hidden}'
        f'<button class="btn small" type="submit" name="move" value="{value}">{label}</button>'
        "</form>"
        for value, label in (
            ("hour", "+1 hour"),
            ("day", "+1 day"),
            ("session", "To the next session"),
            ("digest", "To the digest"),
        )
    )
    jump = (
        f'<form method="post" action="/clock">{hidden}<input type="hidden" name="move" '
        f'value="to"><input type="datetime-local" name="to" aria-label="Move the clock to" '
        f'value="{local:%Y-%m-%dT%H:%M}"><button class="btn small" type="submit">Go</button>'
        "</form>"
    )
    clock = (
        f'<div class="clock"><span class="now" id="clock-now">{_when(local)} '
        f"({e(viewer.tz)})</span>{moves}{jump}</div>"
    )
    return f'<div class="topbar">{switcher}{clock}</div>'


def _when(instant: datetime) -> str:
    return e(f"{instant:%a} {instant.day} {instant:%b %Y, %H:%M}")


def _nav(person: Person, conversations: Sequence[Conversation], chosen: str) -> str:
    def link(target: str, label: str) -> str:
        css = ' class="active" aria-current="page"' if target == chosen else ""
        return f'<a href="{e(page_url(person.user_id, target))}"{css}>{e(label)}</a>'

    apps = link("home", "Coachbot · Home") + link(conversations[0].id, "Coachbot · Messages")
    channels = "".join(link(c.id, _conversation_title(c)) for c in conversations[1:])
    return f"<nav><h4>Apps</h4>{apps}<h4>Channels</h4>{channels}</nav>"


def _conversation_title(conversation: Conversation) -> str:
    if conversation.kind == "dm":
        return "Coachbot · Messages"
    if conversation.kind == "mpim":
        return f"Group DM · {conversation.name}"
    prefix = "🔒 " if conversation.kind == "private" else "#"
    return f"{prefix}{conversation.name}"


def _home(sandbox: Sandbox, viewer: Viewer, back: str) -> str:
    home = sandbox.home(viewer.user_id)
    if home is None:
        return '<p class="empty">Coachbot has not published a Home tab for you yet.</p>'
    surface = Surface("home", user=viewer.user_id, view_id=home["id"], back=back)
    return f'<div class="home">{blocks_html(home.get("blocks"), viewer, surface)}</div>'


def _conversation(sandbox: Sandbox, viewer: Viewer, conversation: Conversation, back: str) -> str:
    messages = sandbox.messages(conversation.id, viewer.user_id)
    if not messages:
        return '<p class="empty">No messages here yet.</p>'
    return "".join(_message(m, viewer, conversation, back) for m in messages)


def _message(message: dict[str, Any], viewer: Viewer, conversation: Conversation, back: str) -> str:
    ephemeral = bool(message.get("is_ephemeral"))
    surface = Surface(
        "message",
        user=viewer.user_id,
        channel=message.get("channel") or conversation.id,
        ts=message["ts"],
        back=back,
    )
    author = viewer.name_of(message.get("user") or "")
    tags = ['<span class="tag">APP</span>'] if message.get("bot_id") else []
    arrived = message.get("arrived")
    if isinstance(arrived, datetime):
        tags.append(f"<time>{_when(arrived.astimezone(viewer.zone))}</time>")
    if message.get("edited"):
        tags.append('<span class="edited">(edited)</span>')
    if ephemeral:
        tags.append('<span class="only-you">Only visible to you</span>')
    if message.get("thread_ts") and message.get("thread_ts") != message.get("ts"):
        tags.append('<span class="thread">↳ reply in thread</span>')
    blocks = message.get("blocks") or []
    body = (
        blocks_html(blocks, viewer, surface)
        if blocks
        else f'<div class="text">{mrkdwn_html(str(message.get("text") or ""), viewer)}</div>'
    )
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            body += blocks_html(attachment.get("blocks"), viewer, surface)
            if attachment.get("text"):
                body += f"<div>{mrkdwn_html(str(attachment['text']), viewer)}</div>"
    files = "".join(file_html(f) for f in message.get("files") or [] if isinstance(f, dict))
    shortcut = ""
    if not ephemeral:
        shortcut = (
            f'<form method="post" action="/action" class="inline">'
            f'<input type="hidden" name="as" value="{e(viewer.user_id)}">'
            f'<input type="hidden" name="surface" value="message">'
            f'<input type="hidden" name="channel" value="{e(surface.channel)}">'
            f'<input type="hidden" name="ts" value="{e(surface.ts)}">'
            f'<input type="hidden" name="back" value="{e(back)}">'
            '<button class="btn link" type="submit" name="shortcut" value="1">'
            "⋯ Save as insight</button></form>"
        )
    css = "message ephemeral" if ephemeral else "message"
    return (
        f'<article class="{css}" data-ts="{e(message["ts"])}"><div class="meta">'
        f"<strong>{e(author)}</strong>{''.join(tags)}</div>{body}{files}{shortcut}</article>"
    )


def _modal(sandbox: Sandbox, viewer: Viewer, back: str) -> str:
    view = sandbox.modal(viewer.user_id)
    if view is None:
        return ""
    errors = {
        **sandbox.client_errors.get(view["id"], {}),
        **sandbox.slack.view_errors(view["id"]),
    }
    surface = Surface("modal", user=viewer.user_id, view_id=view["id"], errors=errors, back=back)
    return view_html(view, viewer, surface)


def _composer(person: Person, chosen: str, back: str) -> str:
    return (
        '<form class="composer" method="post" action="/command">'
        f'<input type="hidden" name="as" value="{e(person.user_id)}">'
        f'<input type="hidden" name="c" value="{e(chosen)}">'
        f'<input type="hidden" name="back" value="{e(back)}">'
        '<span>/coach</span><input type="text" name="text" aria-label="Command" '
        'placeholder="help, checkin, reflect, kudos @Name thanks! #value, pod list…" '
        'autocomplete="off">'
        '<button class="btn primary" type="submit">Send</button></form>'
    )
