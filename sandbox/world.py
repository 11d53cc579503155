"""The sandbox's world: the real bot, served over HTTP on loopback, talking to the
Slack stand-in, on a local SQLite file, with a simulated clock.

The bot is built exactly as in production (``bot.app.create_wsgi_app`` around the real
handlers, services, scheduler pass and outbox sender); all it is told is
``SLACK_API_URL`` (the stand-in), its token and signing secret, and the runtime clock.
People act through :class:`slack_standin.SlackClientSim`, which signs each command,
button press and modal submission as Slack does and posts it to ``/slack/events``.
Moving the clock runs the scheduler's pass (``bot.scheduler.run_once``) at each
simulated instant on the way, so reminders, end-of-session prompts, nudges and the
weekly digest arrive as they would.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sqlalchemy import select

from bot.app import create_wsgi_app
from bot.db import Database
from bot.runtime import Runtime
from bot.scheduler import run_once, tick_for
from bot.services import digest as digest_service
from bot.services import program as program_service
from bot.settings import load_settings
from bot.slack_client import build_web_client
from models import Member, Pod, PodMembership, PodSession
from slack_standin.server import SlackStandIn
from slack_standin.signing import SlackClientSim

log = logging.getLogger("coachbot.sandbox")

TEAM_ID = "T0001"
BOT_TOKEN = "xoxb-sandbox"
DEMO_PODS = 3
DEMO_MEMBERS = 12
DEMO_WEEKS = 4
DEMO_TIMEZONES = ("America/New_York", "Europe/London", "Asia/Singapore")  # 12 people, 3 zones
# How far apart the scheduler's passes are when the clock moves: every 15 minutes on
# short moves, coarser on long ones (never more than the tightest lateness window a
# scheduled message allows, 2 hours for the weekly reflection reminder).
FINE_STEP, COARSE_STEP, LONG_STEP = (
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(minutes=105),
)
SLACKBOT_ID = "USLACKBOT"
GENERAL_CHANNEL = "C0GENERAL"
DIGEST_CHANNEL = "CDIGEST0001"


class ClockError(ValueError):
    """The clock cannot go there (backwards, or too far at once)."""


# --------------------------------------------------------------------------- the stand-in


class SandboxSlack(SlackStandIn):
    """The shipped stand-in plus what the page needs to list: people and each person's
    conversations (read-only views over the stand-in's registries)."""

    def people(self) -> list[dict[str, Any]]:
        """Workspace members a person can act as: not bots, not Slackbot, not deactivated."""
        with self._lock:
            return [
                self._user_out(user_id)
                for user_id, record in self._users.items()
                if not record["is_bot"] and not record["deleted"] and user_id != SLACKBOT_ID
            ]

    def conversations_of(self, user_id: str) -> list[dict[str, Any]]:
        """Channels, private channels and group DMs ``user_id`` is in (not 1:1 DMs)."""
        with self._lock:
            return [
                {"id": c.id, "kind": c.kind, "name": c.name, "bot_member": c.bot_member}
                for c in self._conversations.values()
                if c.kind != "im" and c.has_member(user_id) and not c.is_archived
            ]

    def channel_names(self) -> dict[str, str]:
        with self._lock:
            return {c.id: c.name for c in self._conversations.values() if c.kind != "im"}

    def has_channel(self, channel_id: str) -> bool:
        with self._lock:
            return channel_id in self._conversations

    def dm_channels(self) -> list[str]:
        """The bot's open 1:1 DMs."""
        with self._lock:
            return list(self._ims.values())


# --------------------------------------------------------------------------- the clock


class SimClock:
    """The simulated "now", kept in a small JSON file beside the database so a restart
    carries on from where the clock stood (the database's history is never ahead of it)."""

    def __init__(self, start: datetime, path: Path | None = None) -> None:
        self._now = start.astimezone(UTC)
        self._path = path
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._now = instant.astimezone(UTC)
        self.save()

    def save(self) -> None:
        if self._path is not None:
            self._path.write_text(json.dumps({"now": self().isoformat()}))

    @classmethod
    def load(cls, path: Path, default: datetime) -> SimClock:
        try:
            saved = datetime.fromisoformat(json.loads(path.read_text())["now"])
        except (OSError, ValueError, KeyError, TypeError):
            saved = default
        return cls(saved if saved.tzinfo else default, path)


def wall_now() -> datetime:
    """The real time, to the minute: where a new sandbox's clock starts."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


# --------------------------------------------------------------------------- serving the bot


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool; lets the sandbox wait until every listener has finished,
    so the page shows what a request led to."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="sandbox-listener")
        self._pending: set[Future[Any]] = set()
        self._guard = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        future = super().submit(fn, *args, **kwargs)
        with self._guard:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._guard:
            self._pending.discard(future)

    def settle(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._guard:
                pending = list(self._pending)
            if not pending:
                return
            for future in pending:
                try:
                    future.result(timeout=max(0.0, deadline - time.monotonic()))
                except Exception:  # the bot logs its own failures
                    log.debug("a listener failed", exc_info=True)
        log.warning("listeners still running after %.0f s", timeout)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class LoopbackServer:
    """A WSGI app on 127.0.0.1 in a background thread, one thread a request."""

    def __init__(self, app: Any, port: int = 0, host: str = "127.0.0.1") -> None:
        self.server = make_server(
            host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self.port = self.server.server_port
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-http-{self.port}",
            daemon=True,
        )

    def start(self) -> LoopbackServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# --------------------------------------------------------------------------- the sandbox


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    tz: str
    is_admin: bool


@dataclass(frozen=True)
class Conversation:
    id: str
    name: str
    kind: str  # "dm", "channel", "private", "mpim"


class Sandbox:
    """One simulated workspace: stand-in, database, clock, the bot and a signed client.

    Every method that acts waits for the bot's listeners, then runs the scheduler's
    pass at the current simulated instant (as the real scheduler would within a
    minute), so what the page shows next is what the person would see."""

    def __init__(
        self,
        database_path: Path,
        *,
        empty: bool = False,
        start: datetime | None = None,
        extra_settings: dict[str, Any] | None = None,
    ) -> None:
        self.database_path = Path(database_path)
        self.empty = empty
        self.start_at = start
        self.extra_settings = extra_settings or {}
        self.slack = SandboxSlack(bot_token=BOT_TOKEN, team_id=TEAM_ID)
        self.signing_secret = secrets.token_hex(16)
        self.executor = TrackingExecutor()
        self._busy = threading.RLock()
        self.arrivals: dict[tuple[str, str], datetime] = {}
        self.notices: dict[str, str] = {}
        self.client_errors: dict[str, dict[str, str]] = {}
        self.db: Database
        self.clock: SimClock
        self.rt: Runtime
        self.bot: LoopbackServer
        self.sim: SlackClientSim

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Sandbox:
        fresh = not self.database_path.exists()
        self.database_path.parent.mkdir(parents=True, exist_ok=True)
        self.slack.start()
        self.db = Database.from_url(f"sqlite:///{self.database_path}")
        self.db.upgrade()
        clock_file = self.database_path.with_name(self.database_path.name + ".clock.json")
        default = self.start_at or wall_now()
        self.clock = SimClock(default, clock_file) if fresh else SimClock.load(clock_file, default)
        self.clock.save()
        self.slack.wall_clock = self.clock
        if fresh and not self.empty:
            self._seed_demo()
        self._register_workspace()
        self.rt = self._build_runtime()
        self.bot = LoopbackServer(create_wsgi_app(self.rt, listener_executor=self.executor)).start()
        self.sim = SlackClientSim(self.bot.base_url, self.signing_secret, self.slack)
        with self._busy:
            self._catch_up()
        return self

    def stop(self) -> None:
        self.bot.stop()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.slack.stop()
        self.db.engine.dispose()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _build_runtime(self) -> Runtime:
        admins = ",".join(p.user_id for p in self.people() if p.is_admin)
        settings = load_settings(
            _env_file=None,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=self.signing_secret,
            SLACK_API_URL=self.slack.api_url,
            DATABASE_URL=f"sqlite:///{self.database_path}",
            COACHBOT_ADMINS=admins,
            **self.extra_settings,
        )
        return Runtime(
            settings=settings, db=self.db, client=build_web_client(settings), clock=self.clock
        )

    # ------------------------------------------------------------------ demo program

    def _seed_demo(self) -> None:
        """The demo program (bot.seed): pods, people and weeks of history, as the bot
        itself would have written them."""
        from bot.seed import seed_demo

        seed_demo(
            self.db,
            team_id=TEAM_ID,
            pods=DEMO_PODS,
            members=DEMO_MEMBERS,
            weeks=DEMO_WEEKS,
            now=self.clock(),
            timezones=DEMO_TIMEZONES,
        )

    def _register_workspace(self) -> None:
        """Tell the stand-in who and what exists: every member the bot knows (with their
        timezone), each pod's channel with its members, and the digest channel."""
        with self.db.transaction() as tx:
            members = tx.scalars(select(Member).where(Member.team_id == TEAM_ID)).all()
            for member in members:
                if member.is_bot:
                    continue
                real = member.real_name or member.display_name or member.user_id
                self.slack.add_user(
                    member.user_id,
                    _handle(real, member.user_id),
                    real_name=real,
                    display_name=member.display_name,
                    tz=_zone_or_utc(member.tz),
                    is_admin=member.is_slack_admin,
                )
            people = [m.user_id for m in members if not m.is_bot]
            pods = tx.scalars(select(Pod).where(Pod.archived_at.is_(None))).all()
            for pod in pods:
                if not pod.channel_id or self.slack.has_channel(pod.channel_id):
                    continue
                in_pod = tx.scalars(
                    select(Member.user_id)
                    .join(PodMembership, PodMembership.member_id == Member.id)
                    .where(PodMembership.pod_id == pod.id, PodMembership.left_at.is_(None))
                ).all()
                self.slack.add_channel(
                    pod.channel_id,
                    _slug(pod.name),
                    members=in_pod,
                    is_private=bool(getattr(pod, "is_group_dm", False)),
                )
            settings = program_service.get_settings(tx, TEAM_ID)
            digest_channel = settings.digest_channel_id
        if not people:  # started empty: a small cast to act as
            for user_id, name, tz, is_admin in EMPTY_CAST:
                self.slack.add_user(
                    user_id, _handle(name, user_id), real_name=name, tz=tz, is_admin=is_admin
                )
            people = [c[0] for c in EMPTY_CAST]
        channel = digest_channel or DIGEST_CHANNEL
        if not self.slack.has_channel(channel):
            self.slack.add_channel(channel, "coaching-digest", members=people)

    # ------------------------------------------------------------------ reading

    def people(self) -> list[Person]:
        return sorted(
            (
                Person(
                    u["id"],
                    u["profile"].get("real_name") or u["real_name"] or u["name"],
                    u["tz"],
                    bool(u["is_admin"] or u["is_owner"]),
                )
                for u in self.slack.people()
            ),
            key=lambda p: (not p.is_admin, p.name),
        )

    def person(self, user_id: str | None) -> Person:
        people = self.people()
        return next((p for p in people if p.user_id == user_id), people[0])

    def conversations(self, user_id: str) -> list[Conversation]:
        """The person's DM with Coachbot first, then their channels by name."""
        dm = Conversation(self.slack.im_channel(user_id), "Coachbot", "dm")
        others = sorted(
            (
                Conversation(c["id"], c["name"], c["kind"])
                for c in self.slack.conversations_of(user_id)
            ),
            key=lambda c: (c.id == GENERAL_CHANNEL, c.name),
        )
        return [dm, *others]

    def messages(self, channel_id: str, user_id: str) -> list[dict[str, Any]]:
        """What ``user_id`` sees in a conversation: its messages and their own ephemerals,
        in order, each with the simulated time it arrived."""
        shown = [dict(m) for m in self.slack.messages_to(channel_id)]
        shown += [dict(m) for m in self.slack.ephemerals(user_id) if m.get("channel") == channel_id]
        for message in shown:
            message["arrived"] = self.arrivals.get((message.get("channel", ""), message["ts"]))
        return sorted(shown, key=lambda m: m["ts"])

    def home(self, user_id: str) -> dict[str, Any] | None:
        return self.slack.home(user_id)

    def modal(self, user_id: str) -> dict[str, Any] | None:
        """The modal on top of the person's stack, if any."""
        views = self.slack.open_views(user_id)
        return views[-1] if views else None

    def file(self, file_id: str) -> dict[str, Any] | None:
        try:
            return self.slack.uploaded_file(file_id)
        except KeyError:
            return None

    # ------------------------------------------------------------------ acting

    @contextmanager
    def acting(self) -> Iterator[None]:
        """One person's action at a time; afterwards the bot's listeners have finished
        and the scheduler's pass has run at the current simulated instant."""
        with self._busy:
            try:
                yield
            finally:
                self.executor.settle()
                self._catch_up()

    def command(self, user_id: str, channel_id: str, text: str) -> None:
        with self.acting():
            self.sim.command(user_id, text, channel_id=channel_id)

    def open_home(self, user_id: str) -> None:
        with self.acting():
            self.sim.app_home_opened(user_id)

    def _catch_up(self) -> None:
        run_once(self.rt, self.clock())
        self.executor.settle()
        self._stamp_arrivals()

    def _stamp_arrivals(self) -> None:
        now = self.clock()
        for channel_id in [*self.slack.channel_names(), *self.slack.dm_channels()]:
            for message in self.slack.messages_to(channel_id):
                self.arrivals.setdefault((channel_id, message["ts"]), now)
        for person in self.slack.people():
            for message in self.slack.ephemerals(person["id"]):
                self.arrivals.setdefault((message.get("channel") or "", message["ts"]), now)

    # ------------------------------------------------------------------ the clock

    def advance(self, delta: timedelta) -> datetime:
        return self.advance_to(self.clock() + delta)

    def advance_to(self, target: datetime) -> datetime:
        """Move the clock forward to ``target``, running the scheduler's pass at each
        step on the way (every 15 minutes of simulated time, coarser for long jumps)."""
        target = target.astimezone(UTC).replace(microsecond=0)
        with self._busy:
            now = self.clock()
            if target < now:
                raise ClockError(
                    f"The clock only moves forward: it is {now:%a %d %b %Y, %H:%M} UTC, "
                    f"and {target:%a %d %b %Y, %H:%M} UTC is in the past."
                )
            if target - now > timedelta(days=60):
                raise ClockError("That is more than 60 days ahead; move in smaller steps.")
            step = _step_for(target - now)
            instant = now
            while instant < target:
                instant = min(instant + step, target)
                self.clock.set(instant)
                # The scheduler's pass at this instant; the sender only when it found work.
                if tick_for(self.rt, instant):
                    self._catch_up()
            self._catch_up()
            return self.clock()

    def next_session(self, user_id: str | None = None) -> tuple[datetime, datetime] | None:
        """(start, end) of the next session that has not ended: of the person's pods,
        else of any pod."""
        now = self.clock()
        query = (
            select(PodSession.starts_at, PodSession.ends_at)
            .where(PodSession.ends_at > now, PodSession.cancelled_at.is_(None))
            .order_by(PodSession.starts_at)
            .limit(1)
        )
        with self.db.transaction() as tx:
            found = None
            if user_id is not None:
                found = tx.execute(
                    query.join(PodMembership, PodMembership.pod_id == PodSession.pod_id)
                    .join(Member, Member.id == PodMembership.member_id)
                    .where(Member.user_id == user_id, PodMembership.left_at.is_(None))
                ).first()
            if found is None:
                found = tx.execute(query).first()
        if found is None:
            return None
        return _aware(found[0]), _aware(found[1])

    def next_digest(self) -> datetime:
        """When the next weekly digest is due (this week's, unless it went out)."""
        now = self.clock()
        with self.db.transaction() as tx:
            settings = program_service.get_settings(tx, TEAM_ID)
            week = digest_service.week_start_of(settings, now)
            due = digest_service.due_at(settings, week)
            if due <= now and digest_service.already_out(tx, TEAM_ID, week):
                due = digest_service.due_at(settings, week + timedelta(days=7))
            return max(due, now)


EMPTY_CAST = (
    ("U0AMARA", "Amara Okafor", "Europe/London", True),
    ("U0BEN", "Ben Carter", "Europe/London", False),
    ("U0CHLOE", "Chloe Martin", "Europe/London", False),
    ("U0DIEGO", "Diego Ramos", "Europe/London", False),
    ("U0ELLA", "Ella Brooks", "America/New_York", False),
    ("U0FARID", "Farid Haddad", "America/New_York", False),
    ("U0GRACE", "Grace Kim", "America/New_York", False),
    ("U0HUGO", "Hugo Silva", "America/New_York", False),
    ("U0ISHA", "Isha Patel", "Asia/Singapore", False),
    ("U0JON", "Jon Tan", "Asia/Singapore", False),
    ("U0KEIKO", "Keiko Ito", "Asia/Singapore", False),
    ("U0LIAM", "Liam Wong", "Asia/Singapore", False),
)


def _step_for(span: timedelta) -> timedelta:
    if span <= timedelta(hours=6):
        return FINE_STEP
    if span <= timedelta(days=2):
        return COARSE_STEP
    return LONG_STEP


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _handle(real_name: str, user_id: str) -> str:
    handle = ".".join(part.lower() for part in real_name.split() if part.isalnum())
    return handle or user_id.lower()


def _slug(name: str) -> str:
    words = "".join(ch.lower() if ch.isalnum() else "-" for ch in name).split("-")
    return "pod-" + "-".join(w for w in words if w)


def _zone_or_utc(tz: str | None) -> str:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(tz or "UTC")
        return tz or "UTC"
    except (KeyError, ValueError):
        return "UTC"
