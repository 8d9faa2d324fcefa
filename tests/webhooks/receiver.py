"""The receiving end of outbound webhooks in tests: a small Starlette app on a real port that
records every request and answers as the test scripts it, by event: 200, 500, slowly, or not
in time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

HANG_SECONDS = 1.2


@dataclass
class Received:
    event: str
    delivery: str
    signature: str
    body: str
    answered: int

    @property
    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


Answer = Callable[
    [str, int], str
]  # (event, how many of it came before) -> ok | fail | slow | hang | redirect


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    answer: Answer = field(default=lambda event, seen: "ok")

    def events(self, *, delivered_only: bool = False) -> list[str]:
        return [r.event for r in self.received if r.answered == 200 or not delivered_only]


def receiving_app(receiver: Receiver) -> Starlette:
    async def hook(request: Request) -> Response:
        event = request.headers.get("tipdesk-event", "")
        seen = sum(1 for r in receiver.received if r.event == event)
        how = receiver.answer(event, seen)
        status = {"fail": 500, "redirect": 307}.get(how, 200)
        receiver.received.append(
            Received(
                event, request.headers.get("tipdesk-delivery", ""),
                request.headers.get("tipdesk-signature", ""), (await request.body()).decode(),
                status if how != "hang" else 0,
            )
        )  # fmt: skip
        if how == "slow":
            await asyncio.sleep(0.2)
        if how == "hang":
            await asyncio.sleep(HANG_SECONDS)
        if how == "redirect":
            return Response(status_code=307, headers={"location": "http://169.254.169.254/"})
        return Response(b"nope" if status == 500 else b"thanks", status_code=status)

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])])
