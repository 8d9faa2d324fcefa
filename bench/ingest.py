"""Signed-webhook acknowledgements per second: Tipdesk (embedded default) against a bare
Starlette app that only checks the signature, both under uvicorn with the same server options
(`tipdesk.cli.SERVER_OPTIONS`), same load, same run.

    .venv/bin/python bench/ingest.py [REQUESTS] [CONCURRENCY]

The load tool is wrk (Debian's `wrk`) when installed, cycling through 2,000 distinct signed
bodies; the two servers take turns, ROUNDS rounds of SECONDS each (BENCH_ROUNDS, BENCH_SECONDS;
3 × 5 s by default), so load from other processes on a shared machine falls on both alike, and
the ratio is the median of the rounds' ratios. Without wrk an asyncio httpx client is used,
which on a 2-core machine is itself the bottleneck (its ratio then says little).

Tipdesk's ack includes storing the raw body and its job durably (SQLite, or PostgreSQL when
TIPDESK_DATABASE_URL is set). With workers in process (the default) the script then reports how
many bodies were parsed while the load ran and how long the rest took once it stopped.
BENCH_SERVE_ARGS=--no-workers-in-process measures the web process alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SECRET = "bench-app-secret"  # noqa: S105 - a benchmark's own test secret
TOKEN = "bench-access-token"  # noqa: S105 - a benchmark's own test token
NUMBER = "104567890123456"
ROOT = Path(__file__).parents[1]
EXTRA = os.environ.get("BENCH_SERVE_ARGS", "").split()
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def desk_env(folder: str, graph_api_url: str, **extra: str) -> dict[str, str]:
    """A benchmarked desk's environment: its own data folder, the benchmarks' WhatsApp number,
    secret and token, the Graph API at `graph_api_url`, quiet logs; `extra` on top."""
    return {
        **os.environ,
        "TIPDESK_DATA_DIR": folder,
        "TIPDESK_SECRET_KEY": secrets.token_urlsafe(32),
        "TIPDESK_WHATSAPP_APP_SECRET": SECRET,
        "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER,
        "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
        "TIPDESK_WHATSAPP_ACCESS_TOKEN": TOKEN,
        "TIPDESK_GRAPH_API_URL": graph_api_url,
        "TIPDESK_LOG_LEVEL": "warning",
        **extra,
    }


def baseline_app():  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from tipdesk.whatsapp.signature import signature_matches

    async def receive(request: Request) -> Response:
        body = await request.body()
        if not signature_matches(SECRET, body, request.headers.get("x-hub-signature-256")):
            return JSONResponse({"error": "signature"}, status_code=401)
        return JSONResponse({"status": "received"})

    return Starlette(routes=[Route("/webhooks/whatsapp", receive, methods=["POST"])])


def body(n: int) -> bytes:
    message = {
        "from": f"316{n % 500:08d}",
        "id": f"wamid.bench.{time.time_ns()}.{n}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": f"Tip nummer {n}: boom omgewaaid op de Stationsstraat"},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31851234567", "phone_number_id": NUMBER},
        "contacts": [{"profile": {"name": "Lezer"}, "wa_id": message["from"]}],
        "messages": [message],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()


async def wait_up(url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                await http.get(url)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise SystemExit(f"{url} never came up")


async def load(url: str, requests: int, concurrency: int) -> tuple[float, list[float], int]:
    from tipdesk.whatsapp.signature import sign

    bodies = [body(n) for n in range(requests)]
    latencies: list[float] = []
    failures = 0
    next_index = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:

        async def client() -> None:
            nonlocal next_index, failures
            while next_index < len(bodies):
                payload = bodies[next_index]
                next_index += 1
                headers = {
                    "content-type": "application/json",
                    "x-hub-signature-256": sign(SECRET, payload),
                }
                start = time.perf_counter()
                response = await http.post(url, content=payload, headers=headers)
                latencies.append(time.perf_counter() - start)
                failures += response.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return elapsed, latencies, failures


WRK_SCRIPT = """
local bodies = {BODIES}
local signatures = {SIGNATURES}
local counter = 0
request = function()
  counter = counter + 1
  local i = (counter % #bodies) + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = signatures[i]}, bodies[i])
end
"""


def lua_strings(values: list[str]) -> str:
    return "{" + ",".join("[==[" + v + "]==]" for v in values) + "}"


def wrk_script(folder: str) -> Path:
    from tipdesk.whatsapp.signature import sign

    bodies = [body(n) for n in range(2000)]
    script = WRK_SCRIPT.replace("{BODIES}", lua_strings([b.decode() for b in bodies]))
    script = script.replace("{SIGNATURES}", lua_strings([sign(SECRET, b) for b in bodies]))
    path = Path(folder) / "ingest.lua"
    path.write_text(script, encoding="utf-8")
    return path


def wrk_load(url: str, concurrency: int, script: Path) -> tuple[float, float, float, int]:
    """(requests per second, p50 ms, p99 ms, non-2xx) from wrk --latency."""
    duration = f"-d{SECONDS}s"
    command = ["wrk", "-t2", f"-c{concurrency}", duration, "--latency", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(output.split("Requests/sec:")[1].split()[0])
    percentile = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].endswith("%"):
            percentile[parts[0]] = parts[1]
    refused = (
        int(output.split("Non-2xx or 3xx responses:")[1].split()[0]) if "Non-2xx" in output else 0
    )
    return rate, _ms(percentile.get("50%", "0ms")), _ms(percentile.get("99%", "0ms")), refused


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )


def python_load(url: str, requests: int, concurrency: int) -> tuple[float, float, float, int]:
    elapsed, latencies, failures = asyncio.run(load(url, requests, concurrency))
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return len(ordered) / elapsed, statistics.median(ordered) * 1000, p99 * 1000, failures


def report(name: str, figures: tuple[float, float, float, int]) -> float:
    rate, p50, p99, failures = figures
    print(
        f"  {name:<18} {rate:8.0f} acks/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms"
        f"   non-200: {failures}"
    )
    return rate


def main(requests: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        # Confirmations to readers fail at once instead of leaving the machine.
        env = desk_env(folder, "http://127.0.0.1:9/v23.0")
        base_port, desk_port = free_port(), free_port()
        migrate = [sys.executable, "-m", "tipdesk", "migrate"]
        subprocess.run(migrate, env=env, check=True, capture_output=True, cwd=ROOT)
        baseline = start([sys.executable, __file__, "--serve-baseline", str(base_port)], env)
        desk = start(
            [sys.executable, "-m", "tipdesk", "serve", "--port", str(desk_port), *EXTRA], env
        )
        try:
            asyncio.run(wait_up(f"http://127.0.0.1:{base_port}/"))
            asyncio.run(wait_up(f"http://127.0.0.1:{desk_port}/health"))
            urls = [f"http://127.0.0.1:{p}/webhooks/whatsapp" for p in (base_port, desk_port)]
            for url in urls:  # warm-up
                asyncio.run(load(url, 200, concurrency))
            backlog = None if "--no-workers-in-process" in EXTRA else Backlog(env, folder)
            measure(urls, requests, concurrency, folder, env, backlog)
        finally:
            for process in (baseline, desk):
                process.terminate()
                process.wait(timeout=60)


def measure(
    urls: list[str],
    requests: int,
    concurrency: int,
    folder: str,
    env: dict[str, str],
    backlog: Backlog | None,
) -> None:
    tool = "wrk" if shutil.which("wrk") else "httpx"
    kind = "PostgreSQL" if "postgres" in env.get("TIPDESK_DATABASE_URL", "") else "SQLite"
    workers = "web process alone" if EXTRA else "workers in process"
    print(
        f"ingest: signed webhooks via {tool}, {concurrency} connections, "
        f"{os.cpu_count()} cores, {kind}, {workers}"
    )
    script = wrk_script(folder) if tool == "wrk" else None
    ratios = []
    for round_number in range(1, (ROUNDS if script else 1) + 1):
        rates = []
        if backlog is not None:
            backlog.start()
        for name, url in zip(("bare Starlette", "Tipdesk (stored)"), urls, strict=True):
            figures = (
                wrk_load(url, concurrency, script)
                if script
                else python_load(url, requests, concurrency)
            )
            rates.append(report(f"{round_number}: {name}", figures))
        ratios.append(rates[1] / rates[0])
        if backlog is not None:
            # The next round starts on a quiet machine: the worker's backlog would otherwise
            # take CPU from the bare app's turn.
            backlog.report()
    low, high = min(ratios), max(ratios)
    print(
        f"  ratio Tipdesk / bare: {statistics.median(ratios):.2f} "
        f"(median of {len(ratios)} rounds; {low:.2f}-{high:.2f})"
    )


class Backlog:
    """Counts the desk's stored bodies by state, straight from its database."""

    def __init__(self, env: dict[str, str], folder: str) -> None:
        self.url = env.get("TIPDESK_DATABASE_URL") or f"sqlite://{folder}/tipdesk.sqlite3"
        self.started: dict[str, int] = {}

    def start(self) -> None:
        while self.counts().get("received", 0):  # the warm-up's bodies
            time.sleep(0.2)
        self.started = self.counts()

    def counts(self) -> dict[str, int]:
        query = "SELECT state, count(*) FROM inbound_webhooks GROUP BY state"
        if self.url.startswith("sqlite"):
            import sqlite3

            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite://"))) as db:
                return dict(db.execute(query).fetchall())
        import asyncpg

        async def fetch() -> dict[str, int]:
            connection = await asyncpg.connect(self.url)
            try:
                return {row[0]: row[1] for row in await connection.fetch(query)}
            finally:
                await connection.close()

        return asyncio.run(fetch())

    def report(self) -> None:
        ended = time.perf_counter()
        at_end = self.counts()
        stored = sum(at_end.values()) - sum(self.started.values())
        parsed = at_end.get("processed", 0) - self.started.get("processed", 0)
        print(
            f"     while loaded: {stored} bodies stored, {parsed} parsed by the in-process worker"
        )
        while self.counts().get("received", 0) and time.perf_counter() - ended < 600:
            time.sleep(1)
        left = self.counts().get("received", 0)
        took = time.perf_counter() - ended
        status = f"all parsed {took:.0f} s later" if not left else f"{left} still unparsed"
        print(f"     after the load: {status} ({(stored - parsed) / took:.0f} bodies/s)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-baseline":
        import uvicorn

        sys.path.insert(0, str(ROOT))
        from tipdesk.cli import SERVER_OPTIONS

        uvicorn.run(baseline_app(), host="127.0.0.1", port=int(sys.argv[2]), **SERVER_OPTIONS)
    else:
        arguments = [int(a) for a in sys.argv[1:3]]
        main(*(arguments + [2000, 32][len(arguments) :]))
