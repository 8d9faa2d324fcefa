"""`make lint`'s dependency audit says what it could not check instead of passing it as safe."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def _audit() -> ModuleType:
    path = Path(__file__).parents[1] / "scripts" / "audit.py"
    spec = importlib.util.spec_from_file_location("audit_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SKIPPED = "Dependency not found on PyPI and could not be audited: {0} (1.0)"


def _report(checked: int, skipped: int, vulnerable: int = 0) -> list[dict[str, Any]]:
    """Entries shaped as pip-audit's JSON report writes them."""
    found: list[dict[str, Any]] = [
        {"name": f"ok{n}", "version": "1.0", "vulns": []} for n in range(checked)
    ]
    found += [{"name": f"s{n}", "skip_reason": SKIPPED.format(f"s{n}")} for n in range(skipped)]
    found += [
        {"name": f"bad{n}", "version": "0.1", "vulns": [{"id": f"PYSEC-{n}", "fix_versions": []}]}
        for n in range(vulnerable)
    ]
    return found


@pytest.mark.parametrize("strict", [False, True])
def test_an_audit_that_checked_nothing_says_so_and_fails_only_when_strict(strict: bool) -> None:
    lines, failed = _audit().verdict(_report(0, 63), strict=strict)
    assert lines[0] == "audit: 0 of 63 dependencies checked, 0 with known vulnerabilities"
    assert "WARNING: 63 dependencies were NOT checked" in lines[1]
    assert "Dependency not found on PyPI and could not be audited)" in lines[1]
    assert failed is strict


def test_a_full_audit_passes_and_a_vulnerability_fails() -> None:
    lines, failed = _audit().verdict(_report(60, 0), strict=True)
    assert lines == ["audit: 60 of 60 dependencies checked, 0 with known vulnerabilities"]
    assert not failed
    lines, failed = _audit().verdict(_report(59, 1, vulnerable=1), strict=False)
    assert failed and lines[0] == "audit: bad0 0.1: PYSEC-0"
    assert "60 of 61 dependencies checked, 1 with known vulnerabilities" in lines[1]
