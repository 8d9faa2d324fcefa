"""`make lint`'s dependency audit: pip-audit over what .venv holds, against PyPI's advisories.

Known vulnerabilities fail the build. An audit that cannot run (no network, PyPI down) warns
and passes, so an outage elsewhere never fails a build spuriously; TIPDESK_AUDIT_STRICT=1 makes
that a failure too (for a release build that must have been audited).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    strict = os.environ.get("TIPDESK_AUDIT_STRICT", "").lower() in {"1", "true", "yes", "on"}
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--skip-editable",  # Tipdesk itself is not on PyPI
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(report),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own fixed command line
        try:
            dependencies = json.loads(report.read_text(encoding="utf-8"))["dependencies"]
        except (OSError, ValueError, KeyError):
            reason = (result.stderr.strip().splitlines() or ["no report"])[-1]
            print(f"audit: could not check dependencies ({reason[:200]})", file=sys.stderr)
            return 1 if strict else 0
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"audit: {dependency['name']} {dependency['version']}: {ids}", file=sys.stderr)
    print(f"audit: {len(dependencies)} dependencies, {len(vulnerable)} with known vulnerabilities")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
