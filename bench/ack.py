"""Ack latency benchmark: signed `/coach help` and `/coach checkin` over HTTP.

    python -m bench ack                      # 200 requests a round, a temporary SQLite file
    python -m bench ack --requests 50        # a quicker run
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python -m bench ack

The production set-up — `coachbot web` (gunicorn with bot/gunicorn_config.py, the
Procfile's `web`) — and the reference — a bare Bolt app that only acks
(bench/bare_bolt.py), served by the same gunicorn configuration — run side by side in
the same run, against the Slack stand-in answering every Web API call in 50 ms. A
third server, `bare+wake`, is that bare app with Coachbot's wake-on-ack runner
(bot/ack_runner.py): the floor, without Bolt's 10 ms polling for the ack. The
signed requests come from a separate load process (keep-alive connections, one a
thread); it asks this process, which runs the stand-in, for each request's trigger_id
and response_url, as Slack would issue them when a person types the command.

Figures: p50, p95 and p99 of the time to the HTTP answer (the ack), errors (any
answer but 200, or no answer), and for check-ins how many opened their modal (a
views.open Slack accepted); `cpu/req` is the server processes' CPU time per request,
to tell CPU from waiting. At concurrency 20 the line also gives the whole machine's CPU
per request (server, stand-in, load process, database) and the latency that alone
makes by Little's law on this many cores. Targets: p50 within 1.5x of bare Bolt; p99 under
300 ms at concurrency 20; every check-in opens its modal; no errors.
BENCH_DATABASE_URL's database is emptied.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

LATENCY_SECONDS = 0.05
P50_RATIO_TARGET = 1.5
P99_TARGET_MS = 300.0
TEAM = "T0001"
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench"
KINDS = ("help", "checkin")
MEMBERS_PER_POD = 4
SETTLE_SECONDS = 20.0
HELP_MARK = b"/coach checkin"
BARE = "bare Bolt"
WAKING_BARE = "bare+wake"  # bare Bolt with Coachbot's wake-on-ack runner: the floor


@dataclass
class Round:
    app: str
    kind: str
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    modals: int | None = None
    expected_modals: int = 0
    cpu_ms: float = 0.0  # the server's CPU time (all its processes) per request
    box_cpu_ms: float = 0.0  # the whole machine's: server, stand-in, load, database
    helped: int = 0  # answers that carried the help text

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile, in ms (nan without answers)."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.4999)))
        return ordered[rank - 1]


# --------------------------------------------------------------------- the load process


def _load(
    url: str, kind: str, users: list[str], concurrency: int, tickets: Connection
) -> tuple[list[float], list[str], int]:
    """Runs in the load process: `len(users)` signed `/coach KIND` commands, `concurrency`
    at a time, each thread on its own keep-alive connection. Returns the latencies of
    the 200 answers (ms), a description of every error, and how many answers carried
    the help (Coachbot answers `/coach help` in the ack itself)."""
    from slack_sdk.signature import SignatureVerifier

    verifier = SignatureVerifier(SIGNING_SECRET)
    host, port = url.removeprefix("http://").split(":")
    ticket_lock = threading.Lock()
    work = iter(users)
    work_lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    results_lock = threading.Lock()
    helped = [0]

    def ticket(user_id: str) -> tuple[str, str]:
        with ticket_lock:
            tickets.send(user_id)
            return tickets.recv()

    def one(connection: http.client.HTTPConnection, user_id: str) -> None:
        trigger_id, response_url = ticket(user_id)
        body = urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM,
                "team_domain": "coachbot-bench",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": "/coach",
                "text": kind,
                "api_app_id": "A0001",
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": trigger_id,
            }
        )
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": verifier.generate_signature(timestamp=timestamp, body=body),
        }
        started = time.perf_counter()
        try:
            connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
            answer = connection.getresponse()
            shown = answer.read()
            elapsed = (time.perf_counter() - started) * 1000
        except (OSError, http.client.HTTPException) as error:
            connection.close()  # reconnects on the next request
            with results_lock:
                errors.append(f"{type(error).__name__}: {error}")
            return
        with results_lock:
            if answer.status == 200:
                latencies.append(elapsed)
                helped[0] += HELP_MARK in shown
            else:
                errors.append(f"HTTP {answer.status}")

    def worker() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        while True:
            with work_lock:
                user_id = next(work, None)
            if user_id is None:
                break
            one(connection, user_id)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, helped[0]


def _load_process(
    url: str, kind: str, users: list[str], concurrency: int, tickets: Connection
) -> None:
    tickets.send(("done", _load(url, kind, users, concurrency, tickets)))


def run_load(slack: Any, url: str, kind: str, users: list[str], concurrency: int) -> Round:
    """One round from a fresh load process; this process answers its ticket requests."""
    ours, theirs = get_context("spawn").Pipe()
    process = get_context("spawn").Process(
        target=_load_process, args=(url, kind, users, concurrency, theirs), daemon=True
    )
    process.start()
    result: Any = None
    while result is None:
        message = ours.recv()
        if isinstance(message, tuple) and message[0] == "done":
            result = message[1]
        else:
            trigger_id = slack.new_trigger_id(message)
            response_url = slack.new_response_url(channel_id="C0GENERAL", user_id=message)
            ours.send((trigger_id, response_url))
    process.join(timeout=10)
    latencies, errors, helped = result
    return Round("", kind, concurrency, latencies, errors, helped=helped)


# --------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes (master and workers)."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def start_server(name: str, argv: list[str], env: dict[str, str], workdir: Path) -> Server:
    port = free_port()
    log = workdir / f"{name}.log"
    env = {**env, "PORT": str(port)}
    argv = [a.replace("{port}", str(port)) for a in argv]
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, env=env, cwd=workdir, stdout=sink, stderr=sink)
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: {name} exited at start:\n{log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise SystemExit(f"bench: {name} never listened:\n{log.read_text()[-2000:]}")


# --------------------------------------------------------------------- the world


def prepare_database(url: str | None, workdir: Path) -> str:
    from sqlalchemy import text

    from bot.db import Database
    from bot.settings import normalize_database_url

    url = normalize_database_url(url) if url else f"sqlite:///{workdir / 'bench.db'}"
    db = Database.from_url(url)
    if not db.is_sqlite:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.upgrade()
    db.engine.dispose()
    return url


def seed_pods(url: str, users: list[str], now: datetime) -> None:
    """Pods of four, each with its next session scheduled: every user's `/coach checkin`
    opens the check-in modal."""
    from bot.db import Database
    from bot.services import sessions
    from models import Member, Pod, PodMembership

    db = Database.from_url(url)
    joined = now - timedelta(days=60)
    with db.transaction() as tx:
        pod_ids = []
        for first in range(0, len(users), MEMBERS_PER_POD):
            group = users[first : first + MEMBERS_PER_POD]
            pod = Pod(
                team_id=TEAM,
                name=f"Bench {first // MEMBERS_PER_POD}",
                name_key=f"bench {first // MEMBERS_PER_POD}",
                weekday=(now.weekday() + 2) % 7,
                local_time=clock_time(15, 0),
                timezone="UTC",
                channel_id=None,
                created_by=group[0],
                created_at=joined,
            )
            tx.add(pod)
            tx.flush()
            pod_ids.append(pod.id)
            for user_id in group:
                member = Member(
                    team_id=TEAM,
                    user_id=user_id,
                    display_name=user_id.lower(),
                    real_name=user_id,
                    tz="UTC",
                    ground_rules_agreed_at=joined,
                    profile_refreshed_at=now,
                    created_at=joined,
                )
                tx.add(member)
                tx.flush()
                tx.add(
                    PodMembership(
                        team_id=TEAM, pod_id=pod.id, member_id=member.id, joined_at=joined
                    )
                )
        tx.flush()
        sessions.schedule_upcoming(tx, now, pod_ids)
    db.engine.dispose()


# --------------------------------------------------------------------- measuring


def wait_for(condition: Callable[[], bool], timeout: float = SETTLE_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def measure(slack: Any, server: Server, kind: str, users: list[str], concurrency: int) -> Round:
    views_before = len(slack.calls_to("views.open"))
    cpu_before = server.cpu_seconds()
    box_before = machine_busy_seconds()
    result = run_load(slack, server.url, kind, users, concurrency)
    result.app = server.name
    if kind == "checkin" and server.name == "coachbot":
        expected = len(result.latencies_ms)

        def opened() -> int:
            return sum(call.ok for call in slack.calls_to("views.open")[views_before:])

        wait_for(lambda: opened() >= expected)
        result.modals, result.expected_modals = opened(), len(users)
        calls = slack.calls_to("views.open")[views_before:]
        result.errors += [f"views.open {c.response.get('error')}" for c in calls if not c.ok]
    elif kind == "help" and server.name == "coachbot" and result.helped < len(result.latencies_ms):
        result.errors.append(f"no help in {len(result.latencies_ms) - result.helped} acks")
    result.cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / max(1, len(users))
    result.box_cpu_ms = (machine_busy_seconds() - box_before) * 1000 / max(1, len(users))
    return result


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used (all cores), from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_bound_ms(r: Round) -> float:
    """Little's law: with `concurrency` requests always in flight and each costing
    box_cpu_ms of CPU somewhere on the machine, a saturated machine answers them in
    about concurrency x box_cpu_ms / cores each, however the ack path is written (an
    estimate: box_cpu_ms also holds work done after the round's last ack)."""
    return r.concurrency * r.box_cpu_ms / (os.cpu_count() or 1)


def report(rounds: list[Round], header: str) -> bool:
    print(header)
    print(
        f"{'command':<14}{'conc':>5}  {'app':<10}{'p50':>9}{'p95':>9}{'p99':>9}"
        f"{'errors':>8}{'cpu/req':>9}  {'modals':<10}vs bare p50"
    )
    met = True
    bare = {(r.kind, r.concurrency): r for r in rounds if r.app == BARE}
    floor = {(r.kind, r.concurrency): r for r in rounds if r.app == WAKING_BARE}
    for r in rounds:
        p50, p95, p99 = r.percentile(50), r.percentile(95), r.percentile(99)
        notes = []
        line = (
            f"/coach {r.kind:<7}{r.concurrency:>5}  {r.app:<10}"
            f"{p50:>7.1f}ms{p95:>7.1f}ms{p99:>7.1f}ms{len(r.errors):>8}{r.cpu_ms:>7.1f}ms  "
        )
        modals = "" if r.modals is None else f"{r.modals}/{r.expected_modals}"
        line += f"{modals:<10}"
        if r.app == WAKING_BARE:
            line += f"the floor: {p50 / bare[(r.kind, r.concurrency)].percentile(50):.2f}x"
        if r.app == "coachbot":
            reference = bare[(r.kind, r.concurrency)].percentile(50)
            ratio = p50 / reference
            line += f"{ratio:.2f}x (target <= {P50_RATIO_TARGET}x"
            line += f"; {p50 / floor[(r.kind, r.concurrency)].percentile(50):.1f}x the floor)"
            notes.append(ratio <= P50_RATIO_TARGET)
            if r.concurrency >= 20:
                line += f"; p99 target < {P99_TARGET_MS:.0f} ms"
                notes.append(p99 < P99_TARGET_MS)
                mean = sum(r.latencies_ms) / max(1, len(r.latencies_ms))
                line += (
                    f"; mean {mean:.0f} ms; machine CPU {r.box_cpu_ms:.1f} ms/req, "
                    f"which alone makes ~{cpu_bound_ms(r):.0f} ms"
                )
            if r.modals is not None:
                notes.append(r.modals == r.expected_modals)
            notes.append(not r.errors)
            line += "  ok" if all(notes) else "  MISSED"
            met = met and all(notes)
        print(line)
        for error in sorted(set(r.errors))[:3]:
            print(f"    error: {error} (x{r.errors.count(error)})")
    return met


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench ack", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests a round (200)")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[1, 20], help="in-flight requests (1 20)"
    )
    parser.add_argument("--users", type=int, default=200, help="pod members sending (200)")
    args = parser.parse_args(argv)

    from bot import gunicorn_config
    from slack_standin.server import SlackStandIn

    workers = gunicorn_config.worker_count(os.environ.get(gunicorn_config.WORKERS_VARIABLE))
    threads = gunicorn_config.thread_count(os.environ.get(gunicorn_config.THREADS_VARIABLE))
    users = [f"UB{i:05d}" for i in range(args.users)]
    slack = SlackStandIn(bot_token=BOT_TOKEN, team_id=TEAM).start()
    for user_id in users:
        slack.add_user(user_id, user_id.lower(), tz="UTC")
    slack.set_latency("*", LATENCY_SECONDS)

    with tempfile.TemporaryDirectory(prefix="coachbot-bench-ack-") as tmp:
        workdir = Path(tmp)
        database_url = prepare_database(os.environ.get("BENCH_DATABASE_URL"), workdir)
        seed_pods(database_url, users, datetime.now(UTC))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(workdir),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
            gunicorn_config.WORKERS_VARIABLE: str(workers),
            gunicorn_config.THREADS_VARIABLE: str(threads),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        gunicorn = [sys.executable, "-m", "gunicorn", "--config", "python:bot.gunicorn_config"]
        servers = []
        try:
            servers.append(
                start_server(
                    BARE,
                    [*gunicorn, "--bind", "127.0.0.1:{port}", "bench.bare_bolt:application"],
                    env,
                    workdir,
                )
            )
            servers.append(
                start_server(
                    WAKING_BARE,
                    [*gunicorn, "--bind", "127.0.0.1:{port}", "bench.bare_bolt:application"],
                    {**env, "BARE_BOLT_WAKES_ON_ACK": "1"},
                    workdir,
                )
            )
            servers.append(
                start_server("coachbot", [sys.executable, "-m", "bot.cli", "web"], env, workdir)
            )
            for server in servers:  # warm every worker: imports, connections
                for kind in KINDS:
                    run_load(slack, server.url, kind, users[: 4 * workers * threads], threads)
            rounds = []
            for concurrency in args.concurrency:
                for kind in KINDS:
                    for server in servers:
                        sample = (users * (args.requests // len(users) + 1))[: args.requests]
                        rounds.append(measure(slack, server, kind, sample, concurrency))
        finally:
            for server in servers:
                server.stop()
            slack.stop()
        logged_errors = [
            line
            for server in servers
            for line in server.log.read_text(errors="replace").splitlines()
            if " ERROR " in line or " CRITICAL " in line
        ]
        backend = "SQLite file" if database_url.startswith("sqlite") else "PostgreSQL"
        header = (
            f"ack latency: {args.requests} signed requests a round; gunicorn gthread, "
            f"{workers} workers x {threads} threads; Web API answering in "
            f"{LATENCY_SECONDS * 1000:.0f} ms; {backend}; {os.cpu_count()} cores"
        )
        met = report(rounds, header)
        if logged_errors:
            met = False
            print(f"server errors logged: {len(logged_errors)}, the first: {logged_errors[0]}")
        late = [p for p in slack.problems if "late" in p.lower() or "ack" in p.lower()]
        if late:
            print(f"stand-in problems: {late[:3]}")
        print("all targets met" if met else "targets MISSED")
