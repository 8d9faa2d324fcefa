"""The `tipdesk` command as people and scripts use it: a real subprocess, a real database."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from tortoise import Tortoise

from tests.cli import tipdesk
from tipdesk.audit.models import AuditEvent
from tipdesk.clock import utcnow
from tipdesk.db import database
from tipdesk.editors.accounts import password_matches
from tipdesk.editors.models import ApiToken, Editor, Role
from tipdesk.media.states import media_store
from tipdesk.settings import Settings
from tipdesk.tips.models import (
    Direction,
    MediaAsset,
    MediaKind,
    MediaState,
    Message,
    Sender,
    Tip,
    TipStatus,
)

PASSWORD = "correct horse battery"


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tipdesk"), lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["no-such-command"],
        ["serve", "--port"],
        ["serve", "--port", "http"],
        ["serve", "--port", "70000"],
        ["serve", "--unknown-flag"],
        ["worker", "--concurrency", "0"],
        ["worker", "--concurrency", "many"],
        ["migrate", "extra"],
        ["create-editor"],
        ["create-editor", "chief@desk.example"],
        ["create-editor", "chief@desk.example", "--name", "Chief", "--role", "emperor"],
        ["create-token"],
        ["create-token", "a@b.example", "--label"],
        ["create-token", "a@b.example", "--expires", "soon"],
        ["create-token", "a@b.example", "--expires", "0"],
        ["reindex", "now"],
        ["purge", "now"],
        ["purge", "--dry-run", "yes"],
        ["purge", "--dry-run=1"],
        ["purge", "--force"],
        ["purge", "--dry-run\n\x1b[31mInjected"],
        ["fake-graph", "--port", "0"],
        ["fake-graph", "--duplicate-rate", "2"],
        ["fake-graph", "--duplicate-rate", "lots"],
        ["fake-graph", "--seed", "x"],
    ],
)
def test_bad_arguments_exit_non_zero_with_one_line(
    cli_env: dict[str, str], args: list[str]
) -> None:
    assert_one_line_error(tipdesk(cli_env, *args))


@pytest.mark.parametrize(
    "command",
    [["serve"], ["worker"], ["migrate"], ["reindex"], ["purge"], ["create-token", "a@b.nl"]],
)
def test_bad_database_url_stops_every_command_with_one_line(
    cli_env: dict[str, str], command: list[str]
) -> None:
    env = {**cli_env, "TIPDESK_DATABASE_URL": "postgres://desk:hunter2@127.0.0.1:1/tips"}
    result = tipdesk(env, *command)
    assert_one_line_error(result)
    assert "TIPDESK_DATABASE_URL" in result.stderr
    assert "cannot reach" in result.stderr
    assert "hunter2" not in result.stderr


def test_fake_graph_refuses_the_desks_real_app_secret(cli_env: dict[str, str]) -> None:
    real = {
        **cli_env,
        "TIPDESK_WHATSAPP_APP_SECRET": "real-meta-secret",
        "TIPDESK_WHATSAPP_ACCESS_TOKEN": "t",
        "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": "1",
        "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
    }
    result = tipdesk(real, "fake-graph", "--port", "1")
    assert_one_line_error(result)
    assert "--app-secret" in result.stderr
    assert "real-meta-secret" not in result.stderr


def test_malformed_database_url_stops_serve(cli_env: dict[str, str]) -> None:
    result = tipdesk({**cli_env, "TIPDESK_DATABASE_URL": "mongodb://x"}, "serve")
    assert_one_line_error(result)
    assert "TIPDESK_DATABASE_URL" in result.stderr


def test_bad_setting_stops_serve_naming_the_variable(cli_env: dict[str, str]) -> None:
    result = tipdesk({**cli_env, "TIPDESK_OPENING_HOURS": "whenever"}, "serve")
    assert_one_line_error(result)
    assert "TIPDESK_OPENING_HOURS" in result.stderr


@pytest.mark.parametrize("key", ["q1", "change-me-to-a-long-random-string", "k" * 48])
def test_a_guessable_secret_key_stops_serve_and_worker(cli_env: dict[str, str], key: str) -> None:
    for command in ("serve", "worker"):
        result = tipdesk({**cli_env, "TIPDESK_SECRET_KEY": key}, command)
        assert_one_line_error(result)
        assert "TIPDESK_SECRET_KEY" in result.stderr and key not in result.stderr


def test_migrate_is_idempotent(cli_env: dict[str, str]) -> None:
    assert tipdesk(cli_env, "migrate").returncode == 0
    assert tipdesk(cli_env, "migrate").returncode == 0


async def test_create_editor_stores_an_argon2_hash(
    cli_env: dict[str, str], settings: Settings
) -> None:
    result = tipdesk(
        cli_env,
        "create-editor",
        "Chief@Desk.Example",
        "--name",
        "Anne de Vries",
        "--role",
        "chief",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    async with database(settings):
        editor = await Editor.get(email="chief@desk.example")
    assert editor.display_name == "Anne de Vries"
    assert editor.role is Role.CHIEF
    assert editor.password_hash.startswith("$argon2id$")
    assert password_matches(editor.password_hash, PASSWORD)
    assert not password_matches(editor.password_hash, PASSWORD + "!")


@pytest.mark.parametrize(
    ("args", "stdin", "problem"),
    [
        (["not-an-email", "--name", "X"], PASSWORD, "not an e-mail address"),
        (["a@desk.example", "--name", "X"], "short", "at least 10 characters"),
        (["a@desk.example", "--name", "   "], PASSWORD, "display name"),
        (["a@desk.example", "--name", "X" * 500], PASSWORD, "display name"),
        (["a@desk.example", "--name", "X"], "x" * 5000, "at most 1024"),
        (["a@desk.example\nInjected: yes", "--name", "X"], PASSWORD, "not an e-mail"),
    ],
)
def test_create_editor_rejects_bad_input(
    cli_env: dict[str, str], args: list[str], stdin: str, problem: str
) -> None:
    result = tipdesk(cli_env, "create-editor", *args, "--password-stdin", stdin=stdin + "\n")
    assert_one_line_error(result)
    assert problem in result.stderr


def test_create_editor_without_terminal_or_stdin_flag_says_how(cli_env: dict[str, str]) -> None:
    result = tipdesk(cli_env, "create-editor", "a@desk.example", "--name", "A")
    assert_one_line_error(result)
    assert "--password-stdin" in result.stderr


def test_duplicate_editor_is_refused(cli_env: dict[str, str]) -> None:
    args = ("create-editor", "a@desk.example", "--name", "A", "--password-stdin")
    assert tipdesk(cli_env, *args, stdin=PASSWORD).returncode == 0
    result = tipdesk(cli_env, *args, stdin=PASSWORD)
    assert_one_line_error(result)
    assert "already exists" in result.stderr


async def test_create_token_prints_it_once_and_stores_only_its_digest(
    cli_env: dict[str, str], settings: Settings
) -> None:
    created = tipdesk(
        cli_env,
        "create-editor",
        "bot@desk.example",
        "--name",
        "Bot",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert created.returncode == 0, created.stderr
    result = tipdesk(cli_env, "create-token", "bot@desk.example", "--label", "CMS import")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("td_")
    assert len(token) > 40
    async with database(settings):
        stored = await ApiToken.get(label="CMS import").prefetch_related("editor")
        rows = await Tortoise.get_connection("default").execute_query_dict(
            "SELECT * FROM api_tokens"
        )
    assert stored.editor.email == "bot@desk.example"
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(rows)


def test_create_token_for_unknown_editor_fails(cli_env: dict[str, str]) -> None:
    result = tipdesk(cli_env, "create-token", "nobody@desk.example")
    assert_one_line_error(result)
    assert "no active editor" in result.stderr


async def _tips_to_purge(settings: Settings) -> tuple[int, Path]:
    """An old tip with a stored photo, an old used tip and a fresh one; the old tip's id and
    its file."""
    now = utcnow()
    old = now - settings.retention - timedelta(hours=1)
    async with database(settings):
        reader = await Sender.create(
            channel="whatsapp", address="31600000001", phone="31600000001", first_contact_at=old
        )
        tips = [
            await Tip.create(sender=reader, first_message_at=at, last_message_at=at, status=status)
            for at, status in ((old, TipStatus.NEW), (old, TipStatus.USED), (now, TipStatus.NEW))
        ]
        for tip in tips:
            await Message.create(
                channel="whatsapp",
                external_id=f"wamid.cli.{tip.id}", tip=tip, sender=reader,
                direction=Direction.INBOUND,
                type="image", text="Oude foto", sent_at=tip.last_message_at,
            )  # fmt: skip
        data = b"not really a photo, but bytes on disk"
        sha256 = hashlib.sha256(data).hexdigest()
        store = media_store(settings)
        path = store.original(sha256)
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        message = await Message.get(tip_id=tips[0].id)
        await MediaAsset.create(
            token="cli-token", tip=tips[0], message=message, kind=MediaKind.IMAGE,
            state=MediaState.FETCHED, sha256=sha256,
        )  # fmt: skip
    return tips[0].id, path


async def test_purge_dry_run_counts_then_purge_deletes(
    cli_env: dict[str, str], settings: Settings
) -> None:
    old_tip, photo = await _tips_to_purge(settings)
    dry = tipdesk(cli_env, "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would delete 1 tips" in dry.stdout and "1 messages and 1 media" in dry.stdout
    assert photo.exists()
    result = tipdesk(cli_env, "purge")
    assert result.returncode == 0, result.stderr
    assert "deleted 1 tips" in result.stdout
    assert not photo.exists()
    async with database(settings):
        assert not await Tip.exists(id=old_tip)
        assert await Tip.all().count() == 2
    again = tipdesk(cli_env, "purge")
    assert "deleted 0 tips" in again.stdout


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_desk_keeps_its_files_to_its_own_user(tmp_path: Path) -> None:
    """Whatever the shell's umask: the data folder 0700, the database, its log and the key
    0600, and the search index likewise (a 0644 default let every local user read readers'
    numbers)."""
    data = tmp_path / "var"
    env = {
        "PATH": "/usr/bin:/bin",
        "TIPDESK_DATA_DIR": str(data),
        "TIPDESK_LOG_LEVEL": "warning",
    }
    script = "import os, sys; os.umask(0o022); from tipdesk.cli import main; main(sys.argv[1:])"
    for command in ("migrate", "reindex"):
        result = subprocess.run(
            [sys.executable, "-c", script, command], env=env, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "open to other users" not in result.stderr
    assert _mode(data) == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"tipdesk.sqlite3", "secret_key"}
    assert any("search" in p.parts for p in files)
    for path in data.rglob("*"):
        assert _mode(path) & 0o077 == 0, (path, oct(_mode(path)))


def test_files_open_to_others_are_named_at_start(cli_env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "shared"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    env = {**cli_env, "TIPDESK_DATA_DIR": str(data), "TIPDESK_DATABASE_URL": ""}
    result = tipdesk(env, "migrate")
    assert result.returncode == 0, result.stderr
    assert f"{data} is open to other users of this machine (mode 755)" in result.stderr
    assert f"chmod go-rwx {data}" in result.stderr


NEW_PASSWORD = "a much newer passphrase"


async def test_set_password_replaces_it_and_ends_the_sessions(
    cli_env: dict[str, str], settings: Settings
) -> None:
    made = tipdesk(
        cli_env,
        "create-editor",
        "anne@desk.example",
        "--name",
        "Anne",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    result = tipdesk(
        cli_env, "set-password", "Anne@desk.example", "--password-stdin", stdin=NEW_PASSWORD + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert NEW_PASSWORD not in result.stdout + result.stderr
    async with database(settings):
        editor = await Editor.get(email="anne@desk.example")
        audited = await AuditEvent.filter(action="password.changed")
    assert password_matches(editor.password_hash, NEW_PASSWORD)
    assert not password_matches(editor.password_hash, PASSWORD)
    assert editor.session_version == 1
    assert [(e.editor_id, e.detail) for e in audited] == [
        (None, {"editor_id": editor.id, "by": "console"})
    ]


@pytest.mark.parametrize(
    ("email", "password", "problem"),
    [
        ("anne@desk.example", "eleven char", "at least 12 characters"),
        ("anne@desk.example", "ANNE@desk.example", "not be the e-mail address"),
        ("nobody@desk.example", NEW_PASSWORD, "no editor with e-mail"),
    ],
)
def test_set_password_refuses_weak_ones_and_unknown_editors(
    cli_env: dict[str, str], email: str, password: str, problem: str
) -> None:
    tipdesk(
        cli_env,
        "create-editor",
        "anne@desk.example",
        "--name",
        "Anne",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    result = tipdesk(cli_env, "set-password", email, "--password-stdin", stdin=password + "\n")
    assert_one_line_error(result)
    assert problem in result.stderr


def test_set_password_without_terminal_or_stdin_flag_says_how(cli_env: dict[str, str]) -> None:
    result = tipdesk(cli_env, "set-password", "a@desk.example")
    assert_one_line_error(result)
    assert "--password-stdin" in result.stderr
