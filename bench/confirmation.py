"""Time from a reader's message to the desk's confirmation reaching the Graph API, under a steady
stream of new tips: Tipdesk (embedded default) against a bare app that answers every webhook at
once with a send, both behind the same fake Graph API, same rate, same run.

    .venv/bin/python bench/confirmation.py [TIPS_PER_SECOND] [SECONDS]

Each tip comes from a new reader through the fake's `/_fake/inbound` (signed webhooks, Meta-style
delivery with jitter); the latency is the fake's clock from accepting the reader's message to
receiving the desk's send. The goal: p95 ≤ 1 s at 50 tips per second.

`BENCH_WORKERS=N` measures the scaled topology instead: `serve --no-workers-in-process` plus N
`tipdesk worker` processes on the same database.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parents[1]))
from bench.ingest import NUMBER, SECRET, TOKEN, desk_env, free_port, start, wait_up

ROOT = Path(__file__).parents[1]


def bare_app(graph: str):  # type: ignore[no-untyped-def]
    """Checks the signature and sends a confirmation at once: no database, no queue."""
    import json

    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from tipdesk.whatsapp.signature import signature_matches

    http = httpx.AsyncClient(headers={"authorization": f"Bearer {TOKEN}"})

    async def confirm(readers: list[str]) -> None:
        for reader in readers:
            body = {"messaging_product": "whatsapp", "recipient_type": "individual",
                    "to": f"+{reader}", "type": "text",
                    "text": {"body": "Dank je wel! Je tip is binnen."}}  # fmt: skip
            await http.post(f"{graph}/v23.0/{NUMBER}/messages", json=body)

    async def receive(request: Request) -> Response:
        raw = await request.body()
        if not signature_matches(SECRET, raw, request.headers.get("x-hub-signature-256")):
            return JSONResponse({"error": "signature"}, status_code=401)
        value = json.loads(raw)["entry"][0]["changes"][0]["value"]
        readers = [m["from"] for m in value.get("messages", [])]
        return JSONResponse({"status": "received"}, background=BackgroundTask(confirm, readers))

    return Starlette(routes=[Route("/webhooks/whatsapp", receive, methods=["POST"])])


async def stream_tips(graph: str, rate: float, seconds: float, prefix: str) -> dict[str, float]:
    """New readers at `rate` per second; when each one's message was handed to the fake."""
    submitted: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=graph, timeout=30) as http:
        count = int(rate * seconds)
        begin = time.monotonic()
        pending = []
        for n in range(count):
            reader = f"{prefix}{n:07d}"
            await asyncio.sleep(max(0.0, begin + n / rate - time.monotonic()))
            submitted[reader] = time.time()
            message = {"type": "text", "text": {"body": f"Boom om op de Stationsstraat ({n})"}}
            reader_says = {"from": reader, "name": "Lezer", "message": message}
            pending.append(asyncio.create_task(http.post("/_fake/inbound", json=reader_says)))
        await asyncio.gather(*pending)
    return submitted


async def latencies(graph: str, submitted: dict[str, float]) -> list[float]:
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient(base_url=graph, timeout=30) as http:
        while True:
            sent = (await http.get("/_fake/sent")).json()
            first: dict[str, float] = {}
            for item in sent:
                first.setdefault(item["to"], item["at"])
            if all(reader in first for reader in submitted) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    missing = [r for r in submitted if r not in first]
    if missing:
        print(f"  {len(missing)} of {len(submitted)} confirmations never arrived")
    return sorted(first[r] - at for r, at in submitted.items() if r in first)


def report(name: str, values: list[float], cpu: float | None) -> float:
    """`cpu`: the CPU seconds of the app's processes and their children over the stream, shown
    per tip: on a shared VM whose speed drifts, a steadier figure than latency for comparing
    two versions."""
    p50 = statistics.median(values)
    p95 = values[int(len(values) * 0.95) - 1]
    per_tip = f"   CPU {cpu * 1000 / len(values):5.1f} ms/tip" if cpu is not None else ""
    print(
        f"  {name:<22} p50 {p50 * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms   n={len(values)}"
        + per_tip
    )
    return p95


def cpu_seconds(processes: list[subprocess.Popen[bytes]]) -> dict[int, float] | None:
    """User and system CPU so far of these processes and their children (the desk's search
    index process), by pid, from /proc (None where there is none)."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds: dict[int, float] = {}
    family = [process.pid for process in processes]
    while family:
        pid = family.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            for task in Path(f"/proc/{pid}/task").iterdir():
                family += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            if pid in (process.pid for process in processes):
                return None  # no /proc here
            continue  # a child that ended meanwhile
        seconds[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return seconds


def measured(
    processes: list[subprocess.Popen[bytes]], graph: str, rate: float, seconds: float, prefix: str
) -> tuple[list[float], float | None]:
    """Stream tips and wait for their confirmations; the latencies and the CPU it took."""
    before = cpu_seconds(processes)
    submitted = asyncio.run(stream_tips(graph, rate, seconds, prefix))
    values = asyncio.run(latencies(graph, submitted))
    after = cpu_seconds(processes)
    if before is None or after is None:
        return values, None
    return values, sum(spent - before.get(pid, 0.0) for pid, spent in after.items())


def fake_graph(port: int, webhook: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return start(
        [sys.executable, "-m", "tipdesk", "fake-graph", "--port", str(port),
         "--webhook-url", webhook, "--app-secret", SECRET, "--access-token", TOKEN,
         "--phone-number-id", NUMBER],
        env,
    )  # fmt: skip


def desk_processes(port: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    workers = int(os.environ.get("BENCH_WORKERS", "0"))
    serve = [sys.executable, "-m", "tipdesk", "serve", "--port", str(port)]
    if not workers:
        return [start(serve, env)]
    worker = [sys.executable, "-m", "tipdesk", "worker"]
    return [start([*serve, "--no-workers-in-process"], env)] + [
        start(worker, env) for _ in range(workers)
    ]


def main(rate: float, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        graph_port, desk_port = free_port(), free_port()
        bare_graph_port, bare_port = free_port(), free_port()
        graph, bare_graph = (f"http://127.0.0.1:{p}" for p in (graph_port, bare_graph_port))
        env = desk_env(folder, f"{graph}/v23.0", TIPDESK_OPENING_HOURS="24/7")
        subprocess.run(
            [sys.executable, "-m", "tipdesk", "migrate"], env=env, check=True, capture_output=True
        )
        desk = desk_processes(desk_port, env)
        bare_app = start(
            [sys.executable, __file__, "--serve-bare", str(bare_port), bare_graph], env
        )
        processes = [
            fake_graph(graph_port, f"http://127.0.0.1:{desk_port}/webhooks/whatsapp", env),
            *desk,
            fake_graph(bare_graph_port, f"http://127.0.0.1:{bare_port}/webhooks/whatsapp", env),
            bare_app,
        ]
        try:
            for url in (f"{graph}/_fake/stats", f"http://127.0.0.1:{desk_port}/health",
                        f"{bare_graph}/_fake/stats", f"http://127.0.0.1:{bare_port}/"):  # fmt: skip
                asyncio.run(wait_up(url))
            print(f"confirmation: {rate:g} new tips/s for {seconds:g} s, {os.cpu_count()} cores")
            bare_p95 = report(
                "bare send-on-webhook", *measured([bare_app], bare_graph, rate, seconds, "3161")
            )
            desk_figures = measured(desk, graph, rate, seconds, "3162")
            workers = int(os.environ.get("BENCH_WORKERS", "0"))
            topology = f"{workers} workers" if workers else "embedded"
            desk_p95 = report(f"Tipdesk ({topology})", *desk_figures)
            print(f"  ratio p95 Tipdesk / bare: {desk_p95 / bare_p95:.1f}  (goal: p95 ≤ 1,000 ms)")
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-bare":
        import uvicorn

        uvicorn.run(bare_app(sys.argv[3]), host="127.0.0.1", port=int(sys.argv[2]),
                    log_level="warning", access_log=False)  # fmt: skip
    else:
        arguments = [float(a) for a in sys.argv[1:3]]
        main(*(arguments + [50.0, 10.0][len(arguments) :]))
