"""`tipdesk serve` as `make run` starts it: a real uvicorn process answering on a real port."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import die_with_parent, free_port
from tipdesk.db import database
from tipdesk.editors.models import Editor
from tipdesk.request_limits import BODY_DEADLINE
from tipdesk.settings import Settings


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
        # No TIPDESK_PUBLIC_URL: the links readers get lead to the port actually served.
        form = httpx.get(f"http://127.0.0.1:{port}/tip", timeout=5)
        assert f'href="http://127.0.0.1:{port}/privacy"' in form.text
    finally:
        server.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so its exit tells why.
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    printed = log.read_text()
    assert f"Tipdesk is serving on http://127.0.0.1:{port}: the board at" in printed
    assert f"sandbox phone: http://127.0.0.1:{port}/sandbox" in printed
    assert "Application shutdown complete" in printed
    assert "e-mail:   admin@localhost" in printed
    assert "password: " in printed
    assert asyncio.run(_must_change("admin@localhost", cli_env)), "the console password stays"
    assert "worker" in printed and "started" in printed


@pytest.mark.slow
def test_half_open_webhooks_and_unsigned_floods_do_not_stop_health(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    with _desk(cli_env, tmp_path) as (port, server):
        half_open: list[socket.socket] = []
        try:
            head = (
                "POST /webhooks/whatsapp HTTP/1.1\r\nHost: desk\r\nContent-Length: 4900000\r\n"
                "X-Hub-Signature-256: sha256=" + "0" * 64 + "\r\n\r\n"
            ).encode()
            for _ in range(400):
                peer = socket.create_connection(("127.0.0.1", port))
                peer.sendall(head + b"{")
                half_open.append(peer)
            started = time.monotonic()
            assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
            assert time.monotonic() - started < 2
            # Unsigned: refused before the body is read, so none of the 4.9 MB is ever held.
            rss_before = _vm_kib(server.pid, "VmRSS")
            unsigned = (
                b"POST /webhooks/whatsapp HTTP/1.1\r\nHost: desk\r\nContent-Length: 4900000\r\n\r\n"
            )
            for _ in range(100):
                with socket.create_connection(("127.0.0.1", port)) as flood:
                    flood.settimeout(5)  # today's main waits for a body that never comes
                    flood.sendall(unsigned)
                    assert flood.recv(64).startswith(b"HTTP/1.1 401")
            assert _vm_kib(server.pid, "VmRSS") - rss_before < 50_000
        finally:
            for peer in half_open:
                peer.close()


@pytest.mark.slow
def test_a_body_trickled_a_byte_a_second_gets_408_at_the_deadline(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    with _desk(cli_env, tmp_path) as (port, _server):
        head = (
            "POST /webhooks/whatsapp HTTP/1.1\r\nHost: desk\r\nContent-Length: 1000\r\n"
            "X-Hub-Signature-256: sha256=" + "0" * 64 + "\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(head)
            started = time.monotonic()
            slow.settimeout(1)
            answer = b""
            while time.monotonic() - started < BODY_DEADLINE + 2 and not answer:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    slow.sendall(b"{")
                with contextlib.suppress(TimeoutError):
                    answer = slow.recv(4096)
            elapsed = time.monotonic() - started
            slow.settimeout(5)
            rest = _read_to_close(slow)
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert BODY_DEADLINE - 1 < elapsed < BODY_DEADLINE + 2
        assert b'"code":"request_timeout"' in answer + rest
        assert b"connection: close" in (answer + rest).lower()


@pytest.mark.slow
def test_a_150_mb_streamed_form_gets_413_and_the_server_stays_small(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    with _desk(cli_env, tmp_path) as (port, server):
        rss_before = _vm_kib(server.pid, "VmRSS")
        chunk = b"%x\r\n%s\r\n" % (65536, b"a" * 65536)
        sent, answer = 0, b""
        with socket.create_connection(("127.0.0.1", port)) as peer:
            peer.sendall(
                b"POST /login HTTP/1.1\r\nHost: desk\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
            )
            peer.settimeout(0)
            while sent < 150 * 1024 * 1024 and not answer:
                with contextlib.suppress(BlockingIOError, InterruptedError):
                    answer = peer.recv(4096)
                try:
                    peer.settimeout(5)
                    peer.sendall(chunk)
                    peer.settimeout(0)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += 65536
        assert answer.startswith(b"HTTP/1.1 413"), answer
        # What the kernel's socket buffers took on top of the desk's 16 KB cap.
        assert sent < 16 * 1024 * 1024
        assert _vm_kib(server.pid, "VmRSS") - rss_before < 30_000


def _read_to_close(peer: socket.socket) -> bytes:
    """What the server still sends until it closes the connection (a timeout fails the test)."""
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := peer.recv(4096):
            received += chunk
    return received


@contextlib.contextmanager
def _desk(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A `tipdesk serve` answering /health on a free port, stopped afterwards."""
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "tipdesk", "serve", "--port", str(port)],
            preexec_fn=die_with_parent,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("tipdesk serve did not answer /health") from None
                time.sleep(0.2)
        yield port, server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _vm_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


async def _must_change(email: str, env: dict[str, str]) -> bool:
    async with database(Settings.from_env(env, env_file=None)):
        return (await Editor.get(email=email)).must_change_password
