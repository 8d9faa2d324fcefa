"""Running the `tipdesk` command as people and scripts do: a subprocess with the test's desk."""

from __future__ import annotations

import subprocess
import sys


def tipdesk(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tipdesk", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
