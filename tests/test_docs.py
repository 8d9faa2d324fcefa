"""The docs and the code name the same settings and error codes.

The README is the first five minutes and docs/ the rest (what the README held before);
docs/configuration.md holds the settings and the error codes."""

from __future__ import annotations

import re
from pathlib import Path

from tipdesk.errors import ErrorCode
from tipdesk.settings import SETTINGS
from tipdesk.whatsapp.contract import GRAPH_API_VERSION, META_GRAPH_API

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ALL_DOCS = "\n".join(p.read_text(encoding="utf-8") for p in DOCUMENTS)
SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tipdesk").rglob("*.py"))


def test_every_setting_is_documented_in_the_configuration_table() -> None:
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in CONFIGURATION, setting.name


def test_the_table_gives_each_setting_the_default_the_code_takes() -> None:
    for setting in SETTINGS:
        row = re.search(rf"^\| `{setting.name}` \| (.*?) \|", CONFIGURATION, re.MULTILINE)
        assert row is not None, setting.name
        assert row[1].startswith(setting.documented_default), (setting.name, row[1])


def test_the_docs_name_the_graph_api_version_the_adapter_speaks() -> None:
    versions = set(re.findall(r"graph\.facebook\.com/(v[0-9.]+)", ALL_DOCS))
    assert f"{META_GRAPH_API}/{GRAPH_API_VERSION}" in CONFIGURATION
    assert versions == {GRAPH_API_VERSION}
    assert set(re.findall(r"/sandbox/graph/(v[0-9.]+)", ALL_DOCS)) == {GRAPH_API_VERSION}


def test_the_docs_document_no_setting_the_code_lacks() -> None:
    documented = set(re.findall(r"`(TIPDESK_[A-Z_]+)`", ALL_DOCS))
    assert documented <= {s.name for s in SETTINGS}


def test_the_code_reads_only_declared_settings() -> None:
    read = set(re.findall(r'"(TIPDESK_[A-Z_]+)"', SOURCES))
    assert read <= {s.name for s in SETTINGS}


def test_every_error_code_is_documented() -> None:
    for code in ErrorCode:
        assert f"| `{code.value}` |" in CONFIGURATION, code.value


def test_the_docs_document_no_error_code_the_code_lacks() -> None:
    table = CONFIGURATION.split("## Error codes", 1)[1]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE))
    assert documented == {code.value for code in ErrorCode}


def test_links_between_the_docs_lead_somewhere() -> None:
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
            assert (document.parent / target).is_file(), (document.name, target)


def test_the_readme_points_to_every_document_in_docs() -> None:
    for document in (ROOT / "docs").glob("*.md"):
        assert f"(docs/{document.name})" in README, document.name


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
