"""TIPDESK_MEDIA_HOSTS: parsing entries and matching download URLs against them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tipdesk.errors import SettingsError
from tipdesk.host_list import MediaHosts, parse_media_hosts
from tipdesk.settings import Settings
from tipdesk.whatsapp.media_hosts import MediaRefused, entry_for

META = "https://graph.facebook.com/v21.0"


def allows(hosts: MediaHosts, url: str) -> bool:
    try:
        entry_for(hosts, httpx.URL(url))
    except MediaRefused:
        return False
    return True


def test_the_default_list_takes_meta_cdn_hosts_and_nothing_else(tmp_path: Path) -> None:
    settings = Settings.from_env({"TIPDESK_DATA_DIR": str(tmp_path)}, env_file=None)
    hosts = parse_media_hosts("lookaside.fbsbx.com, *.fbcdn.net, *.whatsapp.net", META)
    assert settings.media_hosts.entries == hosts.entries
    assert allows(hosts, "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1")
    assert allows(hosts, "https://scontent.xx.fbcdn.net/v/t1.jpg")
    assert allows(hosts, "https://mmg.whatsapp.net/d/f/abc.enc")
    assert not allows(hosts, "https://fbcdn.net/x"), "a wildcard is for subdomains only"
    assert not allows(hosts, "https://evilfbcdn.net/x")
    assert not allows(hosts, "https://fbcdn.net.evil.example/x")
    assert not allows(hosts, "https://127.0.0.1/x")
    assert not allows(hosts, "http://169.254.169.254/latest/meta-data/")


def test_only_https_unless_the_entry_is_an_explicit_loopback_host() -> None:
    hosts = parse_media_hosts("lookaside.fbsbx.com, 127.0.0.1:8100, [::1]:8101, localhost:8102")
    assert not allows(hosts, "http://lookaside.fbsbx.com/x")
    assert not allows(hosts, "http://lookaside.fbsbx.com:443/x")
    assert allows(hosts, "http://127.0.0.1:8100/_fake/download/t")
    assert allows(hosts, "http://[::1]:8101/x")
    assert allows(hosts, "http://localhost:8102/x")
    assert not allows(hosts, "ftp://lookaside.fbsbx.com/x")
    assert not allows(hosts, "file:///etc/passwd")


def test_ports_must_match_and_default_to_443() -> None:
    hosts = parse_media_hosts("media.example.org, 127.0.0.1:8100, *.cdn.example:8443")
    assert allows(hosts, "https://media.example.org/x")
    assert allows(hosts, "https://media.example.org:443/x")
    assert not allows(hosts, "https://media.example.org:8443/x")
    assert not allows(hosts, "http://127.0.0.1:8101/x")
    assert not allows(hosts, "http://127.0.0.1/x")
    assert allows(hosts, "https://a.cdn.example:8443/x")
    assert not allows(hosts, "https://a.cdn.example/x")


def test_case_trailing_dots_and_idna_are_normalised() -> None:
    hosts = parse_media_hosts("Media.Example.ORG., *.Bücher.de")
    assert allows(hosts, "https://MEDIA.example.org./x")
    assert allows(hosts, "https://www.xn--bcher-kva.de/x")
    assert allows(hosts, "https://www.BÜCHER.de/x")
    assert not allows(hosts, "https://xn--bcher-kva.de/x")


def test_ip_literals_match_exactly_and_never_a_wildcard() -> None:
    hosts = parse_media_hosts("*.0.1, 10.1.2.3")
    assert not allows(hosts, "https://127.0.0.1/x")
    assert allows(hosts, "https://10.1.2.3/x")
    assert not allows(hosts, "https://10.1.2.4/x")


def test_a_url_with_a_user_name_is_refused() -> None:
    hosts = parse_media_hosts("lookaside.fbsbx.com")
    with pytest.raises(MediaRefused, match="user name"):
        entry_for(hosts, httpx.URL("https://evil:x@lookaside.fbsbx.com/x"))


def test_a_refusal_names_the_origin_but_never_path_or_query() -> None:
    hosts = parse_media_hosts("lookaside.fbsbx.com")
    with pytest.raises(MediaRefused) as refused:
        entry_for(hosts, httpx.URL("http://10.0.0.7:9200/_search?token=SECRET"))
    assert str(refused.value) == "http://10.0.0.7:9200 is not in TIPDESK_MEDIA_HOSTS"


def test_the_graph_api_origin_is_allowed_with_its_own_scheme() -> None:
    hosts = parse_media_hosts("lookaside.fbsbx.com", "http://127.0.0.1:8100/v21.0")
    assert allows(hosts, "http://127.0.0.1:8100/_fake/download/t")
    assert not allows(hosts, "http://127.0.0.1:8101/_fake/download/t")
    internal = parse_media_hosts("lookaside.fbsbx.com", "http://graph.internal:8100/v21.0")
    assert allows(internal, "http://graph.internal:8100/x")
    assert not allows(internal, "https://graph.internal:8100/x"), "its scheme, not another"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("https://lookaside.fbsbx.com", "no scheme"),
        ("lookaside.fbsbx.com/path", "no scheme, path"),
        ("user@lookaside.fbsbx.com", "user name"),
        ("media.example.org:0", "valid port"),
        ("media.example.org:http", "valid port"),
        ("media.example.org:70000", "valid port"),
        ("*.com.", "wildcard needs a domain with a dot"),
        ("*.10.0.0.1", "wildcard needs a domain"),
        ("media.*.example.org", "'\\*\\.' may only start one"),
        ("*", "'\\*\\.' may only start one"),
        ("bad_host!.example", "not a valid host name"),
        ("[::1", "IPv6"),
        (" , ", "at least one host"),
    ],
)
def test_a_bad_entry_stops_the_desk_naming_the_variable(
    tmp_path: Path, value: str, problem: str
) -> None:
    environ = {"TIPDESK_DATA_DIR": str(tmp_path), "TIPDESK_MEDIA_HOSTS": value}
    with pytest.raises(SettingsError, match=f"^TIPDESK_MEDIA_HOSTS: .*{problem}"):
        Settings.from_env(environ, env_file=None)


def test_a_bad_entry_is_one_line_from_the_cli(tmp_path: Path) -> None:
    environ = {"TIPDESK_DATA_DIR": str(tmp_path), "TIPDESK_MEDIA_HOSTS": "*.fbcdn.net, a/b"}
    done = subprocess.run(
        [sys.executable, "-m", "tipdesk", "reindex"],
        env={"PATH": "/usr/bin:/bin", **environ},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "tipdesk: error: TIPDESK_MEDIA_HOSTS: 'a/b' is not host[:port]"
        " (no scheme, path or user name)"
    ]
