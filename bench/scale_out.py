"""The scaled topology on PostgreSQL: one `tipdesk serve --no-workers-in-process` and 1, then 2,
`tipdesk worker` processes, fed by the fake Graph API (`tipdesk fake-graph`) with MESSAGES
messages from readers of five messages each, every fourth with a photo.

    .venv/bin/python bench/scale_out.py [MESSAGES]

Prints for each topology the sustained webhook acks per second (as Meta sees them: deliveries
acknowledged over the time it took) and the messages fully processed per minute (stored, photos
fetched and transcoded, tips indexed and confirmed), and the scaling factor 2 workers / 1.
Uses TIPDESK_DATABASE_URL when it names PostgreSQL, else the local server's `bench_scale`
database; its schema is dropped and recreated for each round.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).parents[1]))
from bench.ingest import NUMBER, SECRET, TOKEN, desk_env, free_port, start, wait_up

PER_READER = 5
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_scale"


async def fresh_database(url: str) -> None:
    database = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


def photo(n: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256)).save(
        buffer, "JPEG"
    )
    return buffer.getvalue()


async def feed(graph: str, messages: int) -> None:
    """Hand every reader message to the fake, which delivers them as Meta would."""
    async with httpx.AsyncClient(base_url=graph, timeout=60) as http:
        for n in range(messages):
            reader = f"3168{n // PER_READER:07d}"
            text = f"Tip {n}: boom om op de Stationsstraat"
            message: dict[str, object] = {"type": "text", "text": {"body": text}}
            if n % 4 == 3:
                stored = await http.post(
                    "/_fake/media", content=photo(n), headers={"content-type": "image/jpeg"}
                )
                image = {"id": stored.json()["id"], "mime_type": "image/jpeg", "caption": text}
                message = {"type": "image", "image": image}
            await http.post(
                "/_fake/inbound", json={"from": reader, "name": "L", "message": message}
            )


async def progress(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        row = await connection.fetchrow(
            """SELECT
                 (SELECT count(*) FROM messages WHERE direction = 'in') AS stored,
                 (SELECT count(*) FROM media_assets WHERE state IN ('ready', 'failed')) AS media,
                 (SELECT count(*) FROM messages WHERE purpose = 'confirmation'
                    AND delivery NOT IN ('queued', 'held')) AS confirmed,
                 (SELECT count(*) FROM tips) AS tips,
                 (SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')
                    AND run_at < now() + interval '1 minute') AS pending"""
        )
    finally:
        await connection.close()
    return dict(row)


async def measure(
    url: str, env: dict[str, str], messages: int, workers: int
) -> tuple[float, float]:
    graph_port, desk_port = free_port(), free_port()
    graph = f"http://127.0.0.1:{graph_port}"
    env = {**env, "TIPDESK_GRAPH_API_URL": f"{graph}/v23.0"}
    processes = [
        start([sys.executable, "-m", "tipdesk", "fake-graph", "--port", str(graph_port),
               "--webhook-url", f"http://127.0.0.1:{desk_port}/webhooks/whatsapp",
               "--app-secret", SECRET, "--access-token", TOKEN, "--phone-number-id", NUMBER],
              env),
        start([sys.executable, "-m", "tipdesk", "serve", "--no-workers-in-process",
               "--port", str(desk_port)], env),
        *(start([sys.executable, "-m", "tipdesk", "worker"], env) for _ in range(workers)),
    ]  # fmt: skip
    try:
        await wait_up(f"{graph}/_fake/stats")
        await wait_up(f"http://127.0.0.1:{desk_port}/health")
        begin = time.perf_counter()
        await feed(graph, messages)
        async with httpx.AsyncClient(base_url=graph) as http:
            while not (await http.get("/_fake/stats")).json()["idle"]:
                await asyncio.sleep(0.2)
            acked = (await http.get("/_fake/stats")).json()["acked"]
        acks_per_second = acked / (time.perf_counter() - begin)
        while True:
            figures = await progress(url)
            done = (
                figures["stored"] == messages
                and figures["media"] == messages // 4
                and figures["confirmed"] == figures["tips"]
                and figures["pending"] == 0
            )
            if done or time.perf_counter() - begin > 1800:
                break
            await asyncio.sleep(0.5)
        per_minute = messages / (time.perf_counter() - begin) * 60
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=60)
    return acks_per_second, per_minute


def main(messages: int) -> None:
    given = os.environ.get("TIPDESK_DATABASE_URL", "")
    url = given if given.startswith("postgres") else DEFAULT_URL
    cores = os.cpu_count()
    print(f"scale_out: {messages} messages (a quarter with photos), PostgreSQL, {cores} cores")
    rates = {}
    for workers in (1, 2):
        asyncio.run(fresh_database(url))
        with tempfile.TemporaryDirectory() as folder:
            # The Graph API URL is set per run, once the fake's port is known (`measure`).
            env = desk_env(
                folder, "http://127.0.0.1:9/v23.0", TIPDESK_DATABASE_URL=url,
                TIPDESK_OPENING_HOURS="24/7", TIPDESK_READER_SEND_INTERVAL="10ms",
            )  # fmt: skip
            subprocess.run([sys.executable, "-m", "tipdesk", "migrate"], env=env, check=True,
                           capture_output=True)  # fmt: skip
            acks, per_minute = asyncio.run(measure(url, env, messages, workers))
        rates[workers] = per_minute
        print(f"  1 web + {workers} worker(s)   {acks:7.0f} webhook acks/s   "
              f"{per_minute:7.0f} messages fully processed per minute")  # fmt: skip
    print(f"  scaling 2 workers / 1: {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
