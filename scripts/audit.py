"""`make lint`'s dependency audit: pip-audit over what .venv holds, against PyPI's advisories.

Known vulnerabilities fail the build. An audit that cannot run (no network, PyPI down), or
dependencies it could not check, are warned about and pass, so an outage elsewhere never fails
a build spuriously; TIPDESK_AUDIT_STRICT=1 makes them a failure too (for a release build that
must have been audited).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


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
    lines, failed = verdict(dependencies, strict=strict)
    for line in lines:
        print(line, file=sys.stderr)
    return 1 if failed else 0


def verdict(dependencies: list[dict[str, Any]], *, strict: bool) -> tuple[list[str], bool]:
    """What the audit says, and whether the build fails. A dependency pip-audit skipped (not
    found on PyPI, no network for it) was not checked: that is said as a warning, never counted
    into a pass that reads like a result (all 63 skipped once printed "0 with known
    vulnerabilities")."""
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = [
        f"audit: {d['name']} {d.get('version', '?')}: {', '.join(v['id'] for v in d['vulns'])}"
        for d in vulnerable
    ]
    checked = len(dependencies) - len(skipped)
    lines.append(
        f"audit: {checked} of {len(dependencies)} dependencies checked, "
        f"{len(vulnerable)} with known vulnerabilities"
    )
    if skipped:
        reasons = sorted({str(d["skip_reason"]).split(":")[0][:120] for d in skipped})
        lines.append(
            f"audit: WARNING: {len(skipped)} dependencies were NOT checked "
            f"({'; '.join(reasons[:3])}): this is no proof they are safe"
        )
    return lines, bool(vulnerable) or (bool(skipped) and strict)


if __name__ == "__main__":
    sys.exit(main())
