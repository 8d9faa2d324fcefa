from __future__ import annotations

import secrets
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from tipdesk.errors import SettingsError
from tipdesk.settings import Settings, parse_duration, read_env_file, redact_url, served_url
from tipdesk.whatsapp.contract import graph_base_url

CREDENTIALS = {
    "TIPDESK_WHATSAPP_VERIFY_TOKEN": "verify",
    "TIPDESK_WHATSAPP_APP_SECRET": "app-secret",
    "TIPDESK_WHATSAPP_ACCESS_TOKEN": "access",
    "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": "1234567890",
}


def load(tmp_path: Path, **values: str) -> Settings:
    return Settings.from_env({"TIPDESK_DATA_DIR": str(tmp_path), **values}, env_file=None)


def test_defaults_are_the_embedded_desk(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert settings.database_url == f"sqlite://{tmp_path}/tipdesk.sqlite3"
    assert not settings.is_postgres
    assert settings.public_url == "http://127.0.0.1:8000"
    assert graph_base_url(settings) == "http://127.0.0.1:8000/sandbox/graph/v23.0"
    assert settings.timezone.key == "Europe/Amsterdam"
    assert settings.tip_window == timedelta(minutes=30)
    assert settings.sandbox is True
    assert settings.webhook_max_bytes == 5_000_000
    assert settings.trusted_proxies == ()


def test_links_follow_the_port_served_unless_a_public_url_is_set(tmp_path: Path) -> None:
    environ = {"TIPDESK_DATA_DIR": str(tmp_path)}
    settings = Settings.from_env(environ, env_file=None, served_at=("127.0.0.1", 8300))
    assert settings.public_url == "http://127.0.0.1:8300"
    assert settings.privacy_url == "http://127.0.0.1:8300/privacy"
    assert graph_base_url(settings) == "http://127.0.0.1:8300/sandbox/graph/v23.0"
    assert settings.mail_from == "tipdesk@127.0.0.1"
    given = {**environ, "TIPDESK_PUBLIC_URL": "https://tips.example.org"}
    settings = Settings.from_env(given, env_file=None, served_at=("127.0.0.1", 8300))
    assert settings.public_url == "https://tips.example.org"
    assert settings.privacy_url == "https://tips.example.org/privacy"


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("localhost", 8300, "http://localhost:8300"),
        ("0.0.0.0", 8300, "http://127.0.0.1:8300"),  # noqa: S104
        ("::", 8300, "http://[::1]:8300"),
        ("::1", 9000, "http://[::1]:9000"),
        ("desk.lan", 80, "http://desk.lan:80"),
    ],
)
def test_the_served_address_as_a_link(host: str, port: int, url: str) -> None:
    assert served_url(host, port) == url


def test_trusted_proxies_are_addresses_and_blocks(tmp_path: Path) -> None:
    settings = load(tmp_path, TIPDESK_TRUSTED_PROXIES=" 10.0.0.1 ,192.168.0.0/16,::1")
    assert [str(n) for n in settings.trusted_proxies] == [
        "10.0.0.1/32",
        "192.168.0.0/16",
        "::1/128",
    ]


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load(tmp_path).secret_key
    assert len(first) >= 48
    assert load(tmp_path).secret_key == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


GOOD_KEY = "hV3q9ZtLw2Xr7NcB5mKd8PyF4jSg1aE6uTo0iRxQ"


def test_secret_key_from_environment_wins(tmp_path: Path) -> None:
    assert load(tmp_path, TIPDESK_SECRET_KEY=GOOD_KEY).secret_key == GOOD_KEY
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("x", "at least 32 bytes"),
        ("Zk3v9Qp2Lr8Xw4Ty6Ub1", "at least 32 bytes"),
        ("change-me-to-a-long-random-string", "example placeholder"),
        ("CHANGEME" + GOOD_KEY, "example placeholder"),
        ("x" * 64, "too easy to guess"),
        ("abababababababababababababababababababab", "too easy to guess"),
        ("passwordpasswordpasswordpassword", "too easy to guess"),
        ("abcdefghijklmnop" * 3, "too easy to guess"),
        ("00000000000000000000000000000000000000000000000001", "too easy to guess"),
    ],
)
def test_a_weak_secret_key_stops_the_desk_with_one_line(
    tmp_path: Path, key: str, problem: str
) -> None:
    with pytest.raises(SettingsError, match=f"TIPDESK_SECRET_KEY: .*{problem}") as raised:
        load(tmp_path, TIPDESK_SECRET_KEY=key)
    assert "\n" not in raised.value.message and "secrets.token_urlsafe" in raised.value.message
    assert key not in raised.value.message  # the key is never echoed


@pytest.mark.parametrize(
    "key",
    [
        secrets.token_urlsafe(48),
        secrets.token_hex(32),
        secrets.token_hex(16),
        "correct horse battery staple ladder quilt mango",
    ],
)
def test_random_keys_and_long_passphrases_are_accepted(tmp_path: Path, key: str) -> None:
    assert load(tmp_path, TIPDESK_SECRET_KEY=key).secret_key == key


def test_a_weak_key_written_into_the_data_dir_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(SettingsError, match=r"stored in .*secret_key.*at least 32 bytes"):
        load(tmp_path)


def test_secrets_are_not_in_repr(tmp_path: Path) -> None:
    settings = load(tmp_path, TIPDESK_SECRET_KEY=GOOD_KEY, **CREDENTIALS)
    text = repr(settings)
    assert GOOD_KEY not in text
    assert "app-secret" not in text
    assert "access" not in text.replace("access_token", "")


def test_full_credentials_switch_sandbox_off(tmp_path: Path) -> None:
    settings = load(tmp_path, **CREDENTIALS)
    assert settings.whatsapp_configured
    assert settings.sandbox is False
    assert graph_base_url(settings) == "https://graph.facebook.com/v23.0"
    assert load(tmp_path, TIPDESK_SANDBOX="no", **CREDENTIALS).sandbox is False


@pytest.mark.parametrize("name", sorted(CREDENTIALS))
def test_the_sandbox_beside_real_credentials_is_refused(tmp_path: Path, name: str) -> None:
    # With one credential alone the half-configuration check speaks first; with all of them the
    # sandbox check does: either way the desk does not start.
    with pytest.raises(SettingsError, match="TIPDESK_SANDBOX: must be off when"):
        load(tmp_path, TIPDESK_SANDBOX="on", **CREDENTIALS)
    with pytest.raises(SettingsError):
        load(tmp_path, TIPDESK_SANDBOX="on", **{name: CREDENTIALS[name]})


def test_half_the_credentials_is_an_error_naming_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TIPDESK_WHATSAPP_PHONE_NUMBER_ID: must be set"):
        load(
            tmp_path,
            TIPDESK_WHATSAPP_ACCESS_TOKEN="a",
            TIPDESK_WHATSAPP_APP_SECRET="b",
            TIPDESK_WHATSAPP_VERIFY_TOKEN="c",
        )


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("TIPDESK_DATABASE_URL", "mysql://root@localhost/db", "not a sqlite:// or postgres://"),
        ("TIPDESK_DATABASE_URL", "postgres://", "needs a host and a database name"),
        ("TIPDESK_DATABASE_URL", "postgres://u@host:99999/db", "invalid port"),
        ("TIPDESK_DATABASE_URL", "sqlite://", "needs a file path"),
        ("TIPDESK_DATABASE_URL", "not a url at all", "not a sqlite:// or postgres://"),
        ("TIPDESK_PUBLIC_URL", "desk.example.org", "not an http(s) URL"),
        ("TIPDESK_GRAPH_API_URL", "ftp://graph", "not an http(s) URL"),
        ("TIPDESK_TIMEZONE", "Mars/Olympus", "not a time zone"),
        ("TIPDESK_TIMEZONE", "../../etc/passwd", "not a time zone"),
        ("TIPDESK_OPENING_HOURS", "someday 9-5", "not a day"),
        ("TIPDESK_OPENING_HOURS", "mon-fri 17:00-09:00", "ends before it starts"),
        ("TIPDESK_SANDBOX", "maybe", "not a boolean"),
        ("TIPDESK_TIP_WINDOW", "half an hour", "not a duration"),
        ("TIPDESK_TIP_WINDOW", "0m", "longer than zero"),
        ("TIPDESK_WEBHOOK_MAX_BYTES", "-5", "whole number"),
        ("TIPDESK_WEBHOOK_MAX_BYTES", "12", "at least 1024"),
        ("TIPDESK_WORKER_CONCURRENCY", "0", "at least 1"),
        ("TIPDESK_JOB_LEASE", "forever", "not a duration"),
        ("TIPDESK_LOG_LEVEL", "loud", "not one of"),
        ("TIPDESK_TRUSTED_PROXIES", "10.0.0.1, proxy.internal", "'proxy.internal' is not an IP"),
        ("TIPDESK_WEBHOOK_PRIVATE_HOSTS", "http://cms.intranet/", "not host[:port]"),
        ("TIPDESK_WEBHOOK_TIMEOUT", "0s", "longer than zero"),
        ("TIPDESK_WEBHOOK_GIVE_UP_AFTER", "a day", "not a duration"),
    ],
)
def test_bad_values_name_their_variable(
    tmp_path: Path, name: str, value: str, problem: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, **{name: value})
    assert caught.value.message.startswith(f"{name}: ")
    assert problem in caught.value.message
    assert "\n" not in caught.value.message


def test_database_url_password_never_shown(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, TIPDESK_DATABASE_URL="postgres://desk:hunter2@host:99999/db")
    assert "hunter2" not in caught.value.message
    assert redact_url("postgres://desk:hunter2@h/db") == "postgres://desk:***@h/db"


def test_postgres_url_spellings_are_normalised(tmp_path: Path) -> None:
    settings = load(tmp_path, TIPDESK_DATABASE_URL="postgresql://desk@db.internal:5432/tips")
    assert settings.database_url == "postgres://desk@db.internal:5432/tips"
    assert settings.is_postgres


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("90s", timedelta(seconds=90)),
        ("500ms", timedelta(milliseconds=500)),
        ("45", timedelta(seconds=45)),
        (" 10M ", timedelta(minutes=10)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "m", "10x", "1.5h", "h30", "-5m", "30m10h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("ON", True), ("no", False)])
def test_booleans(tmp_path: Path, raw: str, expected: bool) -> None:
    assert load(tmp_path, TIPDESK_SANDBOX=raw).sandbox is expected


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# the desk\nTIPDESK_TIP_WINDOW=45m\nexport TIPDESK_TIMEZONE='Europe/London'\n\n"
        'TIPDESK_PUBLIC_URL="https://tips.example.org/"\n',
        encoding="utf-8",
    )
    settings = Settings.from_env(
        {"TIPDESK_DATA_DIR": str(tmp_path), "TIPDESK_TIMEZONE": "Europe/Brussels"},
        env_file=env_file,
    )
    assert settings.tip_window == timedelta(minutes=45)
    assert settings.timezone.key == "Europe/Brussels"
    assert settings.public_url == "https://tips.example.org"


def test_malformed_env_file_names_its_line(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("TIPDESK_TIP_WINDOW=45m\nthis line is wrong\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\.env:2: expected KEY=VALUE"):
        read_env_file(env_file)
