"""`tipdesk serve` as `make run` starts it: a real uvicorn process answering on a real port."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.servers import die_with_parent
from tipdesk.db import database
from tipdesk.editors.models import Editor
from tipdesk.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_migrates_creates_the_first_admin_and_answers_health(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "tipdesk", "serve", "--port", str(port)],
            preexec_fn=die_with_parent,
            env={**cli_env, "TIPDESK_LOG_LEVEL": "info"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        response = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, log.read_text()
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
    finally:
        server.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so its exit tells why.
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    printed = log.read_text()
    assert "Application shutdown complete" in printed
    assert "e-mail:   admin@localhost" in printed
    assert "password: " in printed
    assert asyncio.run(_must_change("admin@localhost", cli_env)), "the console password stays"
    assert "worker" in printed and "started" in printed


async def _must_change(email: str, env: dict[str, str]) -> bool:
    async with database(Settings.from_env(env, env_file=None)):
        return (await Editor.get(email=email)).must_change_password
