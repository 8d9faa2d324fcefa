"""Serving an ASGI app on a real loopback port inside the test's event loop."""

from __future__ import annotations

import asyncio
import ctypes
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp


def die_with_parent() -> None:
    """For `preexec_fn`: the child gets SIGKILL when the test process dies, so a killed test run
    never leaves workers behind that steal the next run's jobs (Linux prctl PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def serving(
    app: ASGIApp, *, lifespan: str = "on", port: int | None = None
) -> AsyncIterator[str]:
    """`app` on http://127.0.0.1:PORT until the block ends; yields that base URL."""
    port = port or free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan=lifespan,
        log_config=None,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
