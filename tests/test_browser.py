"""The sandbox in a real browser: headless Chromium (Debian's package, /usr/bin/chromium)
driven by Playwright, against the sandbox page serving the real bot.

A member runs `/coach checkin`, fills and submits the modal, moves the clock past the
session, reflects from the end-of-session DM, finds the insight in App Home, moves
to the digest and reads it in the digest channel. Screenshots of each step go to the
test's tmp directory (printed on failure).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.web import make_app
from sandbox.world import LoopbackServer, Sandbox

CHROMIUM = os.environ.get("SANDBOX_CHROMIUM", "/usr/bin/chromium")
START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # a Tuesday morning
INTENT = "How do I say no to a senior stakeholder without souring things?"
EXPERIMENT = "Decline one meeting this week, kindly"
INSIGHT = "Naming the trade-off out loud made the no easy to hear."
ACTION = "Open my next 1:1 with the trade-off"


def _playwright():  # type: ignore[no-untyped-def]
    """Playwright's sync API, or a skip (a failure in CI, where it must run)."""
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "playwright is not installed (.venv/bin/pip install playwright)"
    if missing is None and not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    return sync_playwright


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(tmp_path / "sandbox.db", start=START).start()
    page_server = LoopbackServer(make_app(sandbox)).start()
    yield sandbox, page_server.base_url
    page_server.stop()
    sandbox.stop()


@pytest.fixture
def browser_page(tmp_path: Path):  # type: ignore[no-untyped-def]
    sync_playwright = _playwright()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(30_000)
        yield page
        browser.close()


class Shots:
    def __init__(self, page, folder: Path) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def test_checkin_reflect_home_and_digest_in_a_browser(browser_page, served, tmp_path):
    sandbox, base_url = served
    page = browser_page
    shots = Shots(page, tmp_path / "screenshots")
    artifacts = os.environ.get("SANDBOX_SCREENSHOTS")
    member = next(p for p in sandbox.people() if not p.is_admin and sandbox.next_session(p.user_id))

    try:
        # The page: a banner says it is the sandbox; the member's App Home.
        page.goto(f"{base_url}/?as={member.user_id}&c=home")
        assert "real Coachbot" in page.locator(".banner").inner_text()
        assert page.locator("#as").input_value() == member.user_id
        assert "Your next session" in page.locator("main").inner_text()
        shots("home")

        # /coach checkin opens the three-pillar form; fill it in and save.
        page.get_by_label("Command").fill("/coach checkin")
        page.get_by_role("button", name="Send").click()
        modal = page.locator("form.modal")
        assert "Check in" in modal.locator("header").inner_text()
        modal.locator('textarea[name="in:intent"]').fill(INTENT)
        modal.locator('input[name="in:experiment"]').fill(EXPERIMENT)
        shots("checkin-form")
        modal.get_by_role("button", name="Save").click()
        page.wait_for_selector("form.modal", state="detached")
        page.get_by_role("link", name="Coachbot · Home").click()
        assert EXPERIMENT in page.locator("main").inner_text()  # Home lists it now
        shots("checked-in")

        # Past the session: to its start, then (pressed during it) past its end.
        clock = page.locator("#clock-now")
        before = clock.inner_text()
        page.get_by_role("button", name="To the next session").click()
        at_the_start = clock.inner_text()
        assert at_the_start != before
        page.get_by_role("button", name="To the next session").click()
        assert clock.inner_text() != at_the_start
        shots("after-the-session")

        # The end-of-session DM: Reflect, and the reflection form.
        page.get_by_role("link", name="Coachbot · Messages").click()
        end_dm = (
            page.locator("article.message")
            .filter(has=page.get_by_role("button", name="Reflect"))
            .last
        )
        assert "Reflect" in end_dm.inner_text()
        shots("end-of-session-dm")
        end_dm.get_by_role("button", name="Reflect").click()
        modal = page.locator("form.modal")
        assert "Reflect" in modal.locator("header").inner_text()
        modal.locator('textarea[name="in:insight"]').fill(INSIGHT)
        modal.locator('textarea[name="in:action"]').fill(ACTION)
        shots("reflection-form")
        modal.get_by_role("button", name="Save").click()
        page.wait_for_selector("form.modal", state="detached")

        # App Home shows the insight.
        page.get_by_role("link", name="Coachbot · Home").click()
        assert INSIGHT in page.locator("main").inner_text()
        shots("home-with-insight")

        # The weekly digest in the digest channel.
        page.get_by_role("button", name="To the digest").click()
        page.get_by_role("link", name="#coaching-digest").click()
        digest = page.locator("article.message").filter(has_text="This week in peer coaching")
        assert digest.count() >= 1
        assert "This week in peer coaching" in digest.last.inner_text()
        shots("digest")
    finally:
        if artifacts:
            shutil.copytree(shots.folder, artifacts, dirs_exist_ok=True)
        print(f"screenshots: {shots.folder}")
