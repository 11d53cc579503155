"""`pip install .` into a fresh virtual environment, then `coachbot` from elsewhere.

How, and why it is honest and fast: pip builds Coachbot from a copy of the source
(the same PEP 517 build a person's `pip install .` runs, build isolation included)
into a new venv with `--no-deps`. Downloading and compiling the dependencies again would
take minutes, so the venv gets them from the project's `.venv` — but only the
distributions Coachbot's wheel declares (`Requires-Dist`, transitively, extras
followed), each linked into one directory the venv reads through a `.pth`. An import
of anything undeclared fails here as it would for a person. Then `coachbot db
upgrade`, `coachbot run` and `coachbot web` run from another directory with only the
venv's `bin` on PATH (no `.venv`, no repo on sys.path), and the program content is read
from the venv's site-packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from slack_standin.server import visible_text
from slack_standin.signing import SlackClientSim
from tests.support.harness import BOT_TOKEN, SIGNING_SECRET
from tests.test_cli_processes import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "bot", "handlers", "models", "migrations", "prompts")
SOURCES += ("slack_standin",)


def declared_closure(requirements: list[str]) -> dict[str, metadata.Distribution]:
    """The installed distributions these requirements pull in, transitively."""
    found: dict[str, metadata.Distribution] = {}
    pending = [(Requirement(text), "") for text in requirements]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        key = requirement.name.lower().replace("_", "-")
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            raise AssertionError(f"{requirement} is declared but not installed in .venv") from None
        assert dist.version in requirement.specifier or not requirement.specifier, requirement
        extras = sorted(requirement.extras)
        seen = (key, tuple(extras))
        if seen in found:
            continue
        found[seen] = dist  # type: ignore[index]
        for text in dist.requires or []:
            for wanted in ["", *extras]:
                pending.append((Requirement(text), wanted))
    return {name: dist for (name, _extras), dist in found.items()}  # type: ignore[misc]


def link_dependencies(dists: dict[str, metadata.Distribution], into: Path) -> None:
    """Links each distribution's top-level files (packages, modules, .libs, .dist-info)."""
    into.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for dist in dists.values():
        for file in dist.files or []:
            top = file.parts[0]
            if top in ("..", "__pycache__") or top.endswith(".pth"):
                continue
            target = into / top
            if not target.exists() and (site / top).exists():
                target.symlink_to(site / top)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=ignore)
        else:
            shutil.copy2(origin, source / name)
    env_dir = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", env_dir], check=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q"]
        + ["--no-warn-script-location", str(source)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    requires = subprocess.run(
        [
            python,
            "-c",
            "from importlib.metadata import requires; print(*requires('coachbot'), sep='\\n')",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()
    runtime = [r for r in requires if "extra ==" not in r]
    assert any(r.startswith("tzdata") for r in runtime), "tzdata must be a dependency"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    link_dependencies(declared_closure(runtime), work / "deps")
    (site / "coachbot-dependencies.pth").write_text(f"{work / 'deps'}\n")
    return env_dir


def in_venv(venv: Path, tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), **(extra or {})}


def test_the_installed_package_carries_its_content_and_migrations(venv, tmp_path):
    probe = (
        "import bot, migrations, prompts\n"
        "from bot.program_content.loader import prompts_dir, get_content\n"
        "print(bot.__file__); print(prompts_dir()); print(len(get_content().scenarios))\n"
    )
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe],
        env=in_venv(venv, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    bot_file, content_dir, scenarios = result.stdout.splitlines()
    assert bot_file.startswith(str(venv)) and content_dir.startswith(str(venv))
    assert sorted(p.name for p in Path(content_dir).glob("*.yaml")) == sorted(
        p.name for p in (ROOT / "prompts").glob("*.yaml")
    )
    assert int(scenarios) > 0


def serving(venv, tmp_path, slack, command: str, extra: dict[str, str]):
    port = free_port()
    env = in_venv(
        venv,
        tmp_path,
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'installed.db'}",
            "PORT": str(port),
            **extra,
        },
    )
    if command == "web":
        upgrade = subprocess.run(
            [str(venv / "bin" / "coachbot"), "db", "upgrade"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert upgrade.returncode == 0, upgrade.stderr
    process = subprocess.Popen(
        [str(venv / "bin" / "coachbot"), command],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, port


def answers_a_signed_help(process, port: int, slack) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.stderr.read()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            assert time.monotonic() < deadline, "never became healthy"
            time.sleep(0.2)
    sim = SlackClientSim(f"http://127.0.0.1:{port}", SIGNING_SECRET, slack)
    assert sim.command("U0INSTALL", "help").status == 200
    deadline = time.monotonic() + 15
    while not slack.ephemerals("U0INSTALL") and time.monotonic() < deadline:
        time.sleep(0.05)
    (reply,) = slack.ephemerals("U0INSTALL")
    assert "/coach pod create" in visible_text(reply)


def test_coachbot_run_from_another_directory_serves(venv, tmp_path, slack):
    process, port = serving(venv, tmp_path, slack, "run", {})
    try:
        answers_a_signed_help(process, port, slack)
    finally:
        stop(process)
    logged = process.stderr.read()
    assert "Traceback" not in logged
    # At INFO the libraries keep quiet: the scheduler's jobs, alembic's migrations.
    assert "apscheduler" not in logged and "alembic" not in logged
    assert "INFO coachbot: Coachbot listens on http://0.0.0.0:" in logged


def test_coachbot_web_runs_the_venvs_gunicorn_and_serves(venv, tmp_path, slack):
    assert not shutil.which("gunicorn", path="/usr/bin:/bin")
    extra = {"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"}
    process, port = serving(venv, tmp_path, slack, "web", extra)
    try:
        answers_a_signed_help(process, port, slack)
    finally:
        stop(process)
    assert "Traceback" not in process.stderr.read()


def test_nothing_undeclared_is_importable(venv, tmp_path):
    """The dependency directory holds the declared closure only: pytest, for one, is not."""
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import pytest"],
        env=in_venv(venv, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "No module named 'pytest'" in result.stderr
    assert os.path.isdir(venv / "bin")
