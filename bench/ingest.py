"""Signed-webhook acknowledgements per second: Tipdesk (embedded default) against a bare
Starlette app that only checks the signature, both under uvicorn, same load, same run.

    .venv/bin/python bench/ingest.py [REQUESTS] [CONCURRENCY]

The load tool is wrk (Debian's `wrk`) when installed, cycling through 2,000 distinct signed
bodies for 10 seconds per server; otherwise an asyncio httpx client, which on a 2-core machine is
itself the bottleneck (its ratio then says little).

Tipdesk's ack includes storing the raw body and its job durably (SQLite, or PostgreSQL when
TIPDESK_DATABASE_URL is set); its in-process workers parse in the background meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import os
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
NUMBER = "104567890123456"
ROOT = Path(__file__).parents[1]
EXTRA = os.environ.get("BENCH_SERVE_ARGS", "").split()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def baseline_app():  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from tipdesk.intake.signature import signature_matches

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
    from tipdesk.intake.signature import sign

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


def wrk_load(url: str, concurrency: int, folder: str) -> tuple[float, float, float, int]:
    """(requests per second, p50 ms, p99 ms, non-2xx) from wrk --latency."""
    from tipdesk.intake.signature import sign

    bodies = [body(n) for n in range(2000)]
    script = WRK_SCRIPT.replace("{BODIES}", lua_strings([b.decode() for b in bodies]))
    script = script.replace("{SIGNATURES}", lua_strings([sign(SECRET, b) for b in bodies]))
    path = Path(folder) / "ingest.lua"
    path.write_text(script, encoding="utf-8")
    command = ["wrk", "-t2", f"-c{concurrency}", "-d10s", "--latency", "-s", str(path), url]
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
        env = {
            **os.environ,
            "TIPDESK_DATA_DIR": folder,
            "TIPDESK_SECRET_KEY": "bench",
            "TIPDESK_WHATSAPP_APP_SECRET": SECRET,
            "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER,
            "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
            "TIPDESK_WHATSAPP_ACCESS_TOKEN": "t",
            "TIPDESK_LOG_LEVEL": "warning",
        }
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
            tool = "wrk" if shutil.which("wrk") else "httpx"
            for url in urls:  # warm-up
                asyncio.run(load(url, 200, concurrency))
            kind = "PostgreSQL" if "postgres" in env.get("TIPDESK_DATABASE_URL", "") else "SQLite"
            print(
                f"ingest: signed webhooks via {tool}, {concurrency} connections, "
                f"{os.cpu_count()} cores, {kind}"
            )
            rates = []
            for name, url in zip(("bare Starlette", "Tipdesk (stored)"), urls, strict=True):
                if tool == "wrk":
                    rates.append(report(name, wrk_load(url, concurrency, folder)))
                else:
                    rates.append(report(name, python_load(url, requests, concurrency)))
            print(f"  ratio Tipdesk / bare: {rates[1] / rates[0]:.2f}")
        finally:
            for process in (baseline, desk):
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-baseline":
        import uvicorn

        sys.path.insert(0, str(ROOT))
        uvicorn.run(
            baseline_app(),
            host="127.0.0.1",
            port=int(sys.argv[2]),
            log_level="warning",
            access_log=False,
        )
    else:
        arguments = [int(a) for a in sys.argv[1:3]]
        main(*(arguments + [2000, 32][len(arguments) :]))
