"""`/api/v1` fuzzed with schemathesis against its own OpenAPI document, over real HTTP to a real
`tipdesk serve` with tips in it: whatever the generated requests, no answer is a 5xx."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.conftest import POSTGRES_URL, base_environ
from tests.servers import die_with_parent, free_port
from tipdesk.api.openapi import openapi_document

pytestmark = pytest.mark.slow
schema = schemathesis.openapi.from_dict(openapi_document())


def tipdesk(env: dict[str, str], *arguments: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tipdesk", *arguments], env=env, input=stdin, text=True,
        capture_output=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture(scope="module")
def live_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A desk with three readers' tips (sent through the sandbox phone) and a chief, on the test
    run's PostgreSQL when it has one (its integer ids have limits SQLite lacks), else SQLite."""
    folder = tmp_path_factory.mktemp("fuzz")
    url = POSTGRES_URL or f"sqlite://{folder / 'desk.db'}"
    env = {**_plain_environ(), **base_environ(folder / "data", url)}
    tipdesk(env, "migrate")
    chief = f"chief-{folder.name}@desk.example"  # unique: PostgreSQL may hold an earlier run
    tipdesk(env, "create-editor", chief, "--name", "Chief", "--role", "chief",
            "--password-stdin", stdin="long enough password\n")  # fmt: skip
    token = tipdesk(env, "create-token", chief)
    port = free_port()
    desk = subprocess.Popen(
        [sys.executable, "-m", "tipdesk", "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_and_seed(base)
        yield base, {"authorization": f"Bearer {token}"}
    finally:
        desk.terminate()
        desk.wait(timeout=30)


def _plain_environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("TIPDESK_")}


def _wait_and_seed(base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as http:
        for _ in range(300):
            try:
                if http.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        for n in range(3):
            reader = {"from": f"3161111000{n}", "name": f"Lezer {n}", "type": "text"}
            http.post("/sandbox/api/send", json={**reader, "text": f"Tip {n}: boom om"})
        time.sleep(2)  # the in-process worker records them


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_request_the_document_allows_makes_the_api_fail(
    case: schemathesis.Case, live_desk: tuple[str, dict[str, str]]
) -> None:
    base, headers = live_desk
    case.headers = {**(case.headers or {}), "Authorization": headers["authorization"]}
    response = case.call(base_url=base)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    # Errors too are JSON, with a code and a message; the one answer that is not is a bundle.
    zipped = response.status_code == 200 and case.path == "/api/v1/tips/{id}/export"
    expected = "application/zip" if zipped else "application/json"
    assert response.headers.get("content-type", [""])[0].startswith(expected)


def test_the_document_is_valid_openapi(tmp_path: Path) -> None:
    assert schema.raw_schema["openapi"] == "3.1.0"
