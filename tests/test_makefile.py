"""`make run` as a new user types it: what it would run, and nothing on stderr but real trouble."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")


def dry_run(*arguments: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """What `make` would do, the install steps included (-B), without doing any of it."""
    # Under `make test` the parent's flags and command-line variables ride in MAKEFLAGS.
    outer = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", *arguments],
        cwd=ROOT,
        env={**outer, **environ},
        capture_output=True,
        text=True,
        check=True,
    )


def serve_line(result: subprocess.CompletedProcess[str]) -> str:
    return next(line for line in result.stdout.splitlines() if "tipdesk serve" in line).strip()


def test_make_run_serves_on_the_default_address() -> None:
    assert serve_line(dry_run("run")) == ".venv/bin/tipdesk serve"


def test_make_run_takes_port_and_host_from_the_command_line() -> None:
    result = dry_run("run", "PORT=8300", "HOST=0.0.0.0")
    assert serve_line(result) == ".venv/bin/tipdesk serve --host 0.0.0.0 --port 8300"


def test_a_shells_own_host_variable_never_moves_the_desk() -> None:
    # tcsh exports HOST as the machine's name.
    assert serve_line(dry_run("run", HOST="newsroom-pc")) == ".venv/bin/tipdesk serve"


def test_finding_python_prints_nothing() -> None:
    # pyenv's shims answer for every installed version and complain about those not selected.
    result = dry_run("run")
    assert result.stderr == ""
    assert "-m venv .venv" in result.stdout
