"""Real headless Chromium (Debian's `chromium`) driven by Playwright, against a real uvicorn.

Playwright never downloads a browser here: it launches the system chromium by
`executable_path`. Where chromium or the playwright package is missing, the browser tests skip
and the run says so in one loud line; with TIPDESK_REQUIRE_BROWSER=1 (as `.ci/run` sets it)
the missing browser fails them instead.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.servers import serving
from tipdesk.app import create_app
from tipdesk.settings import Settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)
HAVE_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
MISSING = (
    None
    if CHROMIUM and HAVE_PLAYWRIGHT
    else "no chromium on PATH (apt-get install chromium)"
    if HAVE_PLAYWRIGHT
    else "the playwright package is not installed (pip install -e '.[dev]')"
)
_skipped: list[str] = []
WAIT_MS = 20_000
PASSWORD = "long enough password"


async def log_in(page: Any, url: str, email: str) -> None:
    """The login form, as an editor fills it in; back on the board."""
    await page.goto(f"{url}/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Wachtwoord").fill(PASSWORD)
    await page.get_by_role("button", name="Inloggen").click()
    await page.wait_for_url(f"{url}/board")


async def until(check: Callable[[], Awaitable[bool]], what: str = "the desk") -> None:
    """Poll `check` (mostly the database) until it holds, for at most WAIT_MS."""
    for _ in range(WAIT_MS // 100):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"waited in vain for {what}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped:
        terminalreporter.write_line(
            f"!!! BROWSER TESTS SKIPPED ({len(_skipped)}): {MISSING} !!!", red=True, bold=True
        )


@pytest.fixture
def chromium_path(request: pytest.FixtureRequest) -> str:
    if MISSING is None and CHROMIUM is not None:
        return CHROMIUM
    if os.environ.get("TIPDESK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TIPDESK_REQUIRE_BROWSER=1 but {MISSING}")
    _skipped.append(request.node.nodeid)
    pytest.skip(f"browser tests: {MISSING}")


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            # root in CI containers needs --no-sandbox; autoplay lets the test start media.
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass
class Desk:
    url: str
    settings: Settings
    artifacts: Path

    async def screenshot(self, page: Any, name: str) -> Path:
        path = self.artifacts / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
async def desk(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[Desk]:
    """The desk as `make run` serves it: sandbox phone, workers in the process, real uvicorn."""
    assert settings.sandbox, "the browser tests send tips through the sandbox phone"
    app = create_app(settings, workers_in_process=True)
    artifacts = ARTIFACTS / request.node.name
    artifacts.mkdir(parents=True, exist_ok=True)
    async with serving(app) as url:
        yield Desk(url, settings, artifacts)
