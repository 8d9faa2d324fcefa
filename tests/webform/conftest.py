"""A desk with its web tip form on a real port, a real mail server beside it, and editors with
API tokens: readers fill in the form over HTTP, as a browser does."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import Message as Mail
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.editorial_ui.sessions import PASSWORD
from tests.servers import free_port, serving
from tipdesk.app import create_app
from tipdesk.clock import utcnow
from tipdesk.desk import desk_job_kinds, desk_worker
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role
from tipdesk.jobs.models import Job, JobState
from tipdesk.settings import Settings

FORM_TOKEN = re.compile(r'action="/tip\?t=([0-9]+\.[0-9a-f]+)')


class Mailbox:
    """What the local SMTP server received (aiosmtpd's handler protocol)."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content))
        return "250 OK"


@dataclass
class FormDesk:
    settings: Settings
    http: httpx.AsyncClient
    mailbox: Mailbox
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    async def form_token(self, lang: str = "nl") -> str:
        page = await self.http.get(f"/tip?lang={lang}")
        assert page.status_code == 200, page.text
        found = FORM_TOKEN.search(page.text)
        assert found is not None
        return found.group(1)

    async def submit(
        self,
        fields: dict[str, str] | None = None,
        files: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """The reader sends the form (privacy accepted unless `fields` says otherwise)."""
        given = {"privacy": "yes", **(fields or {})}
        token = token if token is not None else await self.form_token()
        parts = [("files", (name, body, kind)) for name, body, kind in files]
        # A browser sends an empty file part when no file was chosen: always multipart.
        parts = parts or [("files", ("", b"", "application/octet-stream"))]
        return await self.http.post(
            f"/tip?t={token}&lang=nl", data=given, files=parts, headers=headers
        )

    async def settle(self, timeout: float = 30, *, ahead: timedelta = timedelta(0)) -> None:
        """Until no job is due (`ahead`: also those due within it, e.g. a gathered mail)."""
        kinds = desk_job_kinds(self.settings)
        worker = desk_worker(self.settings, kinds)
        deadline = time.monotonic() + timeout
        while True:
            assert time.monotonic() < deadline, "the desk never settled"
            if ahead:
                await Job.filter(state=JobState.QUEUED, run_at__lte=utcnow() + ahead).update(
                    run_at=utcnow()
                )
            ran = await worker.drain()
            due = await Job.filter(
                state=JobState.QUEUED, kind__in=list(kinds), run_at__lte=utcnow() + ahead
            ).exists()
            if not ran and not due:
                return
            await asyncio.sleep(0.02)

    async def editor(self, name: str = "Bram") -> dict[str, str]:
        if name not in self.tokens:
            email = f"{name.lower()}@desk.example"
            await create_editor(email, name, Role.EDITOR, PASSWORD)
            self.tokens[name] = {"authorization": f"Bearer {await create_token(email, 'tests')}"}
        return self.tokens[name]

    async def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.request(method, path, headers=await self.editor(), **kwargs)
        await self.settle()
        return response


def mailbox_on() -> Iterator[Mailbox]:
    """A real SMTP server on a free port, for as long as the generator runs."""
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from mailbox_on()


@pytest.fixture
def environ(environ: dict[str, str], mailbox: Mailbox) -> dict[str, str]:
    return {
        **environ,
        "TIPDESK_OPENING_HOURS": "24/7",
        "TIPDESK_JOB_RETRY_BASE": "20ms",
        "TIPDESK_READER_SEND_INTERVAL": "1ms",
        "TIPDESK_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "TIPDESK_MAIL_FROM": "Omroep Tipdesk <tips@omroep.example>",
        "TIPDESK_MEDIA_MAX_MB": "2",
    }


@pytest.fixture
async def form_desk(environ: dict[str, str], mailbox: Mailbox) -> AsyncIterator[FormDesk]:
    port = free_port()
    settings = Settings.from_env(
        {**environ, "TIPDESK_PUBLIC_URL": f"http://127.0.0.1:{port}"}, env_file=None
    )
    async with (
        serving(create_app(settings), port=port) as url,
        httpx.AsyncClient(base_url=url, timeout=30, follow_redirects=True) as http,
    ):
        yield FormDesk(settings, http, mailbox)
