"""How Meta delivers webhooks, for the fake Graph API: signed, concurrent, retried, duplicated.

Each notification is serialised once (ASCII-escaped, compact, as Meta does) and signed with the
app secret. Deliveries run concurrently with a little jitter, so they arrive out of order; a
non-200 or a connection error is retried with exponential backoff (Meta's seven days compressed
into seconds); a share of deliveries is sent twice on purpose.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass, field
from typing import Any

import httpx

from tipdesk.whatsapp.signature import sign

log = logging.getLogger("tipdesk.fake_graph")


@dataclass
class DeliveryPolicy:
    retry_base: float = 0.2
    max_attempts: int = 10
    duplicate_rate: float = 0.0
    jitter: float = 0.02
    concurrency: int = 4


@dataclass
class DeliveryStats:
    submitted: int = 0
    posts: int = 0
    acked: int = 0
    refused: int = 0
    dropped: int = 0
    duplicates: int = 0
    acked_bodies: list[bytes] = field(default_factory=list)


class Deliverer:
    def __init__(
        self,
        webhook_url: str | None,
        app_secret: str,
        policy: DeliveryPolicy,
        seed: int | None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.webhook_url = webhook_url
        self.transport = transport
        self.app_secret = app_secret
        self.policy = policy
        self.stats = DeliveryStats()
        self.random = random.Random(seed)  # noqa: S311 - simulation, not security
        self._queue: asyncio.Queue[tuple[bytes, int]] = asyncio.Queue()
        self._in_flight = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=10, transport=self.transport)
        self._tasks = [asyncio.create_task(self._run()) for _ in range(self.policy.concurrency)]

    async def stop(self) -> None:
        for task in [*self._tasks, *self._timers]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._timers, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def submit(self, notification: dict[str, Any]) -> bytes:
        body = json.dumps(notification, ensure_ascii=True, separators=(",", ":")).encode()
        self.stats.submitted += 1
        self._queue.put_nowait((body, 1))
        if self.random.random() < self.policy.duplicate_rate:
            self.stats.duplicates += 1
            self._later(self.random.uniform(0, 0.5), body, 1)
        return body

    @property
    def idle(self) -> bool:
        return self._queue.empty() and self._in_flight == 0 and not self._timers

    def _later(self, delay: float, body: bytes, attempt: int) -> None:
        async def wait_then_queue() -> None:
            await asyncio.sleep(delay)
            self._queue.put_nowait((body, attempt))

        timer = asyncio.create_task(wait_then_queue())
        self._timers.add(timer)
        timer.add_done_callback(self._timers.discard)

    async def _run(self) -> None:
        while True:
            body, attempt = await self._queue.get()
            self._in_flight += 1
            try:
                await asyncio.sleep(self.random.uniform(0, self.policy.jitter))
                if not await self._post(body):
                    self._retry(body, attempt)
            finally:
                self._in_flight -= 1

    async def _post(self, body: bytes) -> bool:
        if self.webhook_url is None or self._client is None:
            return True
        self.stats.posts += 1
        headers = {
            "content-type": "application/json",
            "x-hub-signature-256": sign(self.app_secret, body),
        }
        try:
            response = await self._client.post(self.webhook_url, content=body, headers=headers)
        except httpx.HTTPError:
            self.stats.refused += 1
            return False
        if response.status_code != 200:
            self.stats.refused += 1
            return False
        self.stats.acked += 1
        self.stats.acked_bodies.append(body)
        return True

    def _retry(self, body: bytes, attempt: int) -> None:
        if attempt >= self.policy.max_attempts:
            self.stats.dropped += 1
            log.warning("webhook dropped after %d attempts", attempt)
            return
        self._later(self.policy.retry_base * 2 ** (attempt - 1), body, attempt + 1)
