"""The docs and the code name the same settings and error codes."""

from __future__ import annotations

import re
from pathlib import Path

from tipdesk.errors import ErrorCode
from tipdesk.settings import SETTINGS
from tipdesk.whatsapp.contract import GRAPH_API_VERSION, META_GRAPH_API

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tipdesk").rglob("*.py"))


def test_every_setting_is_documented_in_the_readme() -> None:
    for setting in SETTINGS:
        assert f"`{setting.name}`" in README, setting.name


def test_the_readme_gives_each_setting_the_default_the_code_takes() -> None:
    for setting in SETTINGS:
        row = re.search(rf"^\| `{setting.name}` \| (.*?) \|", README, re.MULTILINE)
        assert row is not None, setting.name
        assert row[1].startswith(setting.documented_default), (setting.name, row[1])


def test_the_readme_names_the_graph_api_version_the_adapter_speaks() -> None:
    versions = set(re.findall(r"graph\.facebook\.com/(v[0-9.]+)", README))
    assert f"{META_GRAPH_API}/{GRAPH_API_VERSION}" in README
    assert versions == {GRAPH_API_VERSION}
    assert set(re.findall(r"/sandbox/graph/(v[0-9.]+)", README)) == {GRAPH_API_VERSION}


def test_the_readme_documents_no_setting_the_code_lacks() -> None:
    documented = set(re.findall(r"`(TIPDESK_[A-Z_]+)`", README))
    assert documented <= {s.name for s in SETTINGS}


def test_the_code_reads_only_declared_settings() -> None:
    read = set(re.findall(r'"(TIPDESK_[A-Z_]+)"', SOURCES))
    assert read <= {s.name for s in SETTINGS}


def test_every_error_code_is_documented() -> None:
    for code in ErrorCode:
        assert f"| `{code.value}` |" in README, code.value


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
