"""The desk's configuration: the only module that reads the environment.

Every `TIPDESK_*` variable is declared once in `SETTINGS` (name, default, help): the default
written there is the one the code takes, parsed like a given value. `Settings.from_env` parses and
validates every value, and the settings are passed explicitly from there on. A bad value raises
`SettingsError` naming the variable, which the CLI prints as one line.

Settings hold plain values and the infrastructure's value types (opening hours, host lists,
proxies); each domain builds its own objects from them (the reader texts from `texts_file`,
the Graph API's URL from `graph_api_url`) and checks them at start (`tipdesk.desk`).
"""

from __future__ import annotations

import hmac
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tipdesk.client_address import TrustedProxies, parse_trusted_proxies
from tipdesk.errors import SettingsError
from tipdesk.host_list import MediaHosts, parse_media_hosts
from tipdesk.opening_hours import OpeningHours, OpeningHoursError
from tipdesk.secret_key import HOW_TO_MAKE_ONE, key_problem, stored_secret_key

NO_DEFAULT = "-"
# Where `tipdesk serve` listens unless told otherwise (--host, --port; `make run HOST= PORT=`).
SERVE_HOST = "127.0.0.1"
SERVE_PORT = 8000
_EVERY_INTERFACE = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104


def served_url(host: str, port: int) -> str:
    """The link to a desk listening on host:port. An address on every interface is no place to
    send anyone: such a desk is linked on loopback, and set TIPDESK_PUBLIC_URL to do better."""
    host = _EVERY_INTERFACE.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass(frozen=True)
class SettingDoc:
    name: str
    # The value taken when the variable is unset, written as one would set it (NO_DEFAULT: none);
    # or, when `computed`, what the docs say in its place.
    default: str
    help: str
    # The default depends on other settings or the machine: from_env works it out.
    computed: bool = False

    @property
    def documented_default(self) -> str:
        """The default as the table in docs/configuration.md gives it."""
        if self.computed:
            return self.default
        return "—" if self.default == NO_DEFAULT else f"`{self.default}`"


SETTINGS: tuple[SettingDoc, ...] = (
    SettingDoc(
        "TIPDESK_DATABASE_URL",
        "`sqlite://<data dir>/tipdesk.sqlite3`",
        "tortoise-orm URL; postgres://user@host:port/db for PostgreSQL",
        computed=True,
    ),
    SettingDoc("TIPDESK_DATA_DIR", "./var", "media store, search index and other local state"),
    SettingDoc(
        "TIPDESK_SECRET_KEY",
        "generated once into the data dir",
        "signs sessions and CSRF tokens; at least 32 bytes that look random",
        computed=True,
    ),
    SettingDoc(
        "TIPDESK_PUBLIC_URL",
        f"the address `tipdesk serve` listens on (`{served_url(SERVE_HOST, SERVE_PORT)}` unless"
        " told otherwise; 127.0.0.1 when it listens on every interface)",
        "how the desk is reached, for links (privacy notice, form readers' links, the sandbox's"
        " Graph API); other commands take serve's default address",
        computed=True,
    ),
    SettingDoc("TIPDESK_WHATSAPP_VERIFY_TOKEN", NO_DEFAULT, "webhook verification token"),
    SettingDoc("TIPDESK_WHATSAPP_APP_SECRET", NO_DEFAULT, "app secret for X-Hub-Signature-256"),
    SettingDoc("TIPDESK_WHATSAPP_ACCESS_TOKEN", NO_DEFAULT, "bearer token for the Graph API"),
    SettingDoc("TIPDESK_WHATSAPP_PHONE_NUMBER_ID", NO_DEFAULT, "the newsroom's phone number id"),
    SettingDoc(
        "TIPDESK_GRAPH_API_URL",
        "Meta's, at the version the adapter speaks (in sandbox mode the sandbox's own)",
        "base URL of the Graph API (tests point it at a local fake)",
        computed=True,
    ),
    SettingDoc("TIPDESK_TIMEZONE", "Europe/Amsterdam", "for opening hours and reports"),
    SettingDoc("TIPDESK_OPENING_HOURS", "mon-fri 09:00-17:00", "when editors answer"),
    SettingDoc(
        "TIPDESK_SANDBOX",
        "on when no WhatsApp credentials are set",
        "enables the sandbox phone at /sandbox",
        computed=True,
    ),
    SettingDoc(
        "TIPDESK_TIP_WINDOW",
        "30m",
        "how long after its last message a reader's open tip still takes new messages",
    ),
    SettingDoc(
        "TIPDESK_CLAIM_IDLE",
        "2h",
        "a claim lapses when its tip has not been touched for this long",
    ),
    SettingDoc("TIPDESK_WEBHOOK_MAX_BYTES", "5000000", "largest webhook body accepted (413 above)"),
    SettingDoc("TIPDESK_WORKER_CONCURRENCY", "4", "jobs one worker process runs at once"),
    SettingDoc(
        "TIPDESK_TRANSCODE_CONCURRENCY",
        "number of cores",
        "transcoding jobs one worker process runs at once",
        computed=True,
    ),
    SettingDoc(
        "TIPDESK_TRANSCODE_TIME_LIMIT",
        "15m",
        "the longest one ffmpeg run may take before it is stopped and the medium fails",
    ),
    SettingDoc(
        "TIPDESK_WHISPER_MODEL",
        "bundled",
        "the Whisper model that transcribes voice notes and videos: `bundled` (the `voice` "
        "extra), a folder holding a CTranslate2 Whisper model, or `off`",
    ),
    SettingDoc(
        "TIPDESK_TRANSCRIBE_MAX_SECONDS",
        "600",
        "longer voice notes and videos are not transcribed (0: none are)",
    ),
    SettingDoc("TIPDESK_TRANSCRIBE_THREADS", "2", "CPU threads one transcription may use"),
    SettingDoc("TIPDESK_JOB_MAX_ATTEMPTS", "8", "attempts before a job ends dead"),
    SettingDoc(
        "TIPDESK_JOB_LEASE",
        "60s",
        "how long a worker holds a job without a heartbeat before another may take it",
    ),
    SettingDoc(
        "TIPDESK_JOB_RETRY_BASE",
        "2s",
        "first retry delay; each further attempt doubles it (capped at one hour)",
    ),
    SettingDoc("TIPDESK_JOB_POLL_INTERVAL", "500ms", "how often an idle worker looks for jobs"),
    SettingDoc(
        "TIPDESK_SEARCH_DELAY",
        "300ms",
        "how long a changed tip waits before it is indexed, so a burst shares one index commit"
        " (0 indexes at once)",
    ),
    SettingDoc("TIPDESK_LOG_LEVEL", "info", "debug, info, warning or error"),
    SettingDoc(
        "TIPDESK_TEXTS_FILE",
        "the built-in texts",
        "a TOML file with the newsroom's own reader texts and keywords, over the built-in ones",
        computed=True,
    ),
    SettingDoc(
        "TIPDESK_PRIVACY_URL",
        "`<public url>/privacy`",
        "the privacy notice readers are sent",
        computed=True,
    ),
    SettingDoc(
        "TIPDESK_READ_RECEIPTS",
        "on",
        "mark a reader's messages read when an editor opens the tip (never automatically)",
    ),
    SettingDoc(
        "TIPDESK_STATUS_UPDATES",
        "in_review,used",
        "tip statuses that send the reader an update; empty for none",
    ),
    SettingDoc(
        "TIPDESK_AUTOMATIC_DAILY_CAP",
        "5",
        "most automatic messages (confirmations, updates) one reader gets per day",
    ),
    SettingDoc(
        "TIPDESK_READER_RATE_LIMIT",
        "30",
        "messages per hour from one reader after which automatic replies stop (all are stored)",
    ),
    SettingDoc(
        "TIPDESK_PROFILE_ABOUT",
        "on",
        'keep each number\'s WhatsApp profile "about" text (139 characters) to the opening hours'
        " and the `profile_about` reader text; off leaves the profile alone",
    ),
    SettingDoc(
        "TIPDESK_SATISFACTION",
        "30d",
        "after a tip is used or rejected, ask its reader (window open) how the contact went, at"
        " most once per reader in this period; off never asks",
    ),
    SettingDoc("TIPDESK_REPLY_SIGNATURE", "on", "sign editors' replies with their display name"),
    SettingDoc(
        "TIPDESK_READER_SEND_INTERVAL",
        "2s",
        "least time between two messages to the same reader (Meta's pair rate limit)",
    ),
    SettingDoc("TIPDESK_SEND_RATE", "60", "most messages per second the desk sends in all"),
    SettingDoc(
        "TIPDESK_RETENTION", "90d", "tips not used are erased this long after their last message"
    ),
    SettingDoc(
        "TIPDESK_EVIDENCE_RETENTION",
        "keep",
        "used tips and their consent records (the evidence) are kept (`keep`) or erased this long"
        " after their use",
    ),
    SettingDoc(
        "TIPDESK_MEDIA_HOSTS",
        "lookaside.fbsbx.com, *.fbcdn.net, *.whatsapp.net",
        "comma-separated host[:port] (*. for subdomains) media may be downloaded from; https"
        " only, except a loopback host listed literally; the Graph API's own host is allowed too",
    ),
    SettingDoc(
        "TIPDESK_WEBHOOK_PRIVATE_HOSTS",
        NO_DEFAULT,
        "comma-separated host[:port] that outbound webhooks may reach although they resolve to"
        " internal addresses (an intranet CMS); http only for a loopback host listed literally",
    ),
    SettingDoc(
        "TIPDESK_WEBHOOK_TIMEOUT",
        "10s",
        "how long an outbound webhook waits for the receiver to connect and to answer",
    ),
    SettingDoc(
        "TIPDESK_WEBHOOK_RETRY_BASE",
        "10s",
        "first retry delay of an outbound webhook; each further attempt doubles it (at most an"
        " hour)",
    ),
    SettingDoc(
        "TIPDESK_WEBHOOK_GIVE_UP_AFTER",
        "24h",
        "how long an outbound webhook is retried before it is given up",
    ),
    SettingDoc(
        "TIPDESK_MEDIA_MAX_MB",
        "100",
        "largest file a reader may send, in MB (WhatsApp's own cap for documents is 100 MB)",
    ),
    SettingDoc(
        "TIPDESK_NUMBERS_FILE",
        NO_DEFAULT,
        "a TOML file of the newsroom's WhatsApp numbers ([[number]]: phone_number_id, desk, name,"
        " texts), for regional desks on one desk",
    ),
    SettingDoc(
        "TIPDESK_WEB_FORM", "on", "the public tip form at /tip, for readers without WhatsApp"
    ),
    SettingDoc(
        "TIPDESK_FORM_EMBED",
        NO_DEFAULT,
        "origins (space-separated, e.g. https://www.omroep.nl) whose pages may frame the tip form",
    ),
    SettingDoc(
        "TIPDESK_SMTP_URL",
        NO_DEFAULT,
        "mail server for telling form readers an answer waits: smtp://, smtp+starttls:// or"
        " smtps://[user:password@]host[:port]; unset sends no mail",
    ),
    SettingDoc(
        "TIPDESK_MAIL_FROM", "tipdesk@<public host>", "the sender of the desk's mail", computed=True
    ),
    SettingDoc(
        "TIPDESK_TRUSTED_PROXIES",
        NO_DEFAULT,
        "reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed",
    ),
)

DEFAULTS = {s.name: s.default for s in SETTINGS if not s.computed and s.default != NO_DEFAULT}

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}
_LOG_LEVELS = ("debug", "info", "warning", "error")
SANDBOX_PHONE_NUMBER_ID = "100000000000001"
# The tip statuses a reader can hear about (the texts file has a `status_<name>` for each).
STATUSES_WITH_UPDATES = frozenset({"in_review", "verified", "used", "rejected"})


@dataclass(frozen=True)
class DeskNumber:
    """One of the newsroom's WhatsApp numbers, e.g. a regional desk's: its readers' tips get its
    desk label, and the desk answers them from it, as `name` (the {newsroom} in their texts)."""

    phone_number_id: str
    desk: str | None = None
    name: str | None = None
    texts_file: Path | None = None


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str = field(repr=False)
    public_url: str
    whatsapp_verify_token: str | None = field(repr=False)
    whatsapp_app_secret: str | None = field(repr=False)
    whatsapp_access_token: str | None = field(repr=False)
    whatsapp_phone_number_id: str | None
    # None: the adapter's own default (Meta's, or in sandbox mode the sandbox's).
    graph_api_url: str | None
    timezone: ZoneInfo
    opening_hours: OpeningHours
    sandbox: bool
    tip_window: timedelta
    claim_idle: timedelta
    webhook_max_bytes: int
    worker_concurrency: int
    transcode_concurrency: int
    transcode_time_limit: timedelta
    whisper_model: str
    transcribe_max_seconds: int
    transcribe_threads: int
    job_max_attempts: int
    job_lease: timedelta
    job_retry_base: timedelta
    job_poll_interval: timedelta
    search_delay: timedelta
    log_level: str
    # None: the built-in reader texts only (the conversation loads and checks them).
    texts_file: Path | None
    privacy_url: str
    read_receipts: bool
    status_updates: frozenset[str]
    automatic_daily_cap: int
    reader_rate_limit: int
    reply_signature: bool
    profile_about: bool
    # None: readers are never asked how the contact went.
    satisfaction_period: timedelta | None
    reader_send_interval: timedelta
    send_rate: int
    retention: timedelta
    # None: used tips and their consent evidence are kept for good.
    evidence_retention: timedelta | None
    trusted_proxies: TrustedProxies
    media_hosts: MediaHosts
    media_max_bytes: int
    # Outbound webhooks: hosts allowed to be internal, and the rhythm of delivery.
    webhook_private_hosts: MediaHosts
    webhook_timeout: timedelta
    webhook_retry_base: timedelta
    webhook_give_up_after: timedelta
    # The desk's main number first (TIPDESK_WHATSAPP_PHONE_NUMBER_ID, or the sandbox's), then
    # the others of TIPDESK_NUMBERS_FILE.
    numbers: tuple[DeskNumber, ...]
    web_form: bool
    form_embed: str
    mail_url: str | None = field(repr=False)
    mail_from: str

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        env_file: Path | None = Path(".env"),
        served_at: tuple[str, int] = (SERVE_HOST, SERVE_PORT),
    ) -> Settings:
        """Read and validate the configuration; `environ` wins over the `.env` file. `served_at`
        is the host and port `tipdesk serve` listens on: the public URL unless one is set."""
        given = os.environ if environ is None else environ
        env = _EnvReader({**read_env_file(env_file), **given})
        data_dir = Path(env.text("TIPDESK_DATA_DIR")).expanduser().resolve()
        credentials = {
            "TIPDESK_WHATSAPP_VERIFY_TOKEN": env.optional("TIPDESK_WHATSAPP_VERIFY_TOKEN"),
            "TIPDESK_WHATSAPP_APP_SECRET": env.optional("TIPDESK_WHATSAPP_APP_SECRET"),
            "TIPDESK_WHATSAPP_ACCESS_TOKEN": env.optional("TIPDESK_WHATSAPP_ACCESS_TOKEN"),
            "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": env.optional("TIPDESK_WHATSAPP_PHONE_NUMBER_ID"),
        }
        _check_credentials(credentials)
        cores = os.cpu_count() or 1
        public_url = env.url("TIPDESK_PUBLIC_URL", served_url(*served_at))
        sandbox = env.boolean("TIPDESK_SANDBOX", "on" if not any(credentials.values()) else "off")
        _check_sandbox(sandbox, credentials)
        graph_api_url = env.optional_url("TIPDESK_GRAPH_API_URL")
        return cls(
            data_dir=data_dir,
            database_url=env.database_url(data_dir),
            secret_key=env.secret_key("TIPDESK_SECRET_KEY", data_dir),
            public_url=public_url,
            whatsapp_verify_token=credentials["TIPDESK_WHATSAPP_VERIFY_TOKEN"],
            whatsapp_app_secret=credentials["TIPDESK_WHATSAPP_APP_SECRET"],
            whatsapp_access_token=credentials["TIPDESK_WHATSAPP_ACCESS_TOKEN"],
            whatsapp_phone_number_id=credentials["TIPDESK_WHATSAPP_PHONE_NUMBER_ID"],
            graph_api_url=graph_api_url,
            timezone=env.timezone("TIPDESK_TIMEZONE"),
            opening_hours=env.opening_hours("TIPDESK_OPENING_HOURS"),
            sandbox=sandbox,
            tip_window=env.duration("TIPDESK_TIP_WINDOW"),
            claim_idle=env.duration("TIPDESK_CLAIM_IDLE"),
            webhook_max_bytes=env.integer("TIPDESK_WEBHOOK_MAX_BYTES", minimum=1024),
            worker_concurrency=env.integer("TIPDESK_WORKER_CONCURRENCY", minimum=1),
            transcode_concurrency=env.integer(
                "TIPDESK_TRANSCODE_CONCURRENCY", minimum=1, default=str(cores)
            ),
            transcode_time_limit=env.duration("TIPDESK_TRANSCODE_TIME_LIMIT"),
            whisper_model=env.text("TIPDESK_WHISPER_MODEL"),
            transcribe_max_seconds=env.integer("TIPDESK_TRANSCRIBE_MAX_SECONDS", minimum=0),
            transcribe_threads=env.integer("TIPDESK_TRANSCRIBE_THREADS", minimum=1),
            job_max_attempts=env.integer("TIPDESK_JOB_MAX_ATTEMPTS", minimum=1),
            job_lease=env.duration("TIPDESK_JOB_LEASE"),
            job_retry_base=env.duration("TIPDESK_JOB_RETRY_BASE"),
            job_poll_interval=env.duration("TIPDESK_JOB_POLL_INTERVAL"),
            search_delay=env.duration("TIPDESK_SEARCH_DELAY", allow_zero=True),
            log_level=env.choice("TIPDESK_LOG_LEVEL", _LOG_LEVELS),
            texts_file=env.path("TIPDESK_TEXTS_FILE"),
            privacy_url=env.url("TIPDESK_PRIVACY_URL", f"{public_url}/privacy"),
            read_receipts=env.boolean("TIPDESK_READ_RECEIPTS"),
            status_updates=env.statuses("TIPDESK_STATUS_UPDATES"),
            automatic_daily_cap=env.integer("TIPDESK_AUTOMATIC_DAILY_CAP", minimum=0),
            reader_rate_limit=env.integer("TIPDESK_READER_RATE_LIMIT", minimum=1),
            reply_signature=env.boolean("TIPDESK_REPLY_SIGNATURE"),
            profile_about=env.boolean("TIPDESK_PROFILE_ABOUT"),
            satisfaction_period=env.duration_or_off("TIPDESK_SATISFACTION"),
            reader_send_interval=env.duration("TIPDESK_READER_SEND_INTERVAL"),
            send_rate=env.integer("TIPDESK_SEND_RATE", minimum=1),
            retention=env.duration("TIPDESK_RETENTION"),
            evidence_retention=env.duration_or_keep("TIPDESK_EVIDENCE_RETENTION"),
            trusted_proxies=env.proxies("TIPDESK_TRUSTED_PROXIES"),
            media_hosts=env.media_hosts("TIPDESK_MEDIA_HOSTS"),
            media_max_bytes=env.integer("TIPDESK_MEDIA_MAX_MB", minimum=1) * 1024 * 1024,
            webhook_private_hosts=env.optional_hosts("TIPDESK_WEBHOOK_PRIVATE_HOSTS"),
            webhook_timeout=env.duration("TIPDESK_WEBHOOK_TIMEOUT"),
            webhook_retry_base=env.duration("TIPDESK_WEBHOOK_RETRY_BASE"),
            webhook_give_up_after=env.duration("TIPDESK_WEBHOOK_GIVE_UP_AFTER"),
            numbers=env.numbers(
                "TIPDESK_NUMBERS_FILE",
                credentials["TIPDESK_WHATSAPP_PHONE_NUMBER_ID"] or SANDBOX_PHONE_NUMBER_ID,
            ),
            web_form=env.boolean("TIPDESK_WEB_FORM"),
            form_embed=env.origins("TIPDESK_FORM_EMBED"),
            mail_url=env.mail_url("TIPDESK_SMTP_URL"),
            mail_from=env.text(
                "TIPDESK_MAIL_FROM", f"tipdesk@{urlsplit(public_url).hostname or 'localhost'}"
            ),
        )

    @property
    def is_postgres(self) -> bool:
        return not self.database_url.startswith("sqlite")

    @property
    def whatsapp_configured(self) -> bool:
        return bool(self.whatsapp_access_token and self.whatsapp_phone_number_id)

    @property
    def webhook_app_secret(self) -> str:
        """The app secret webhooks are signed with: Meta's, or in the sandbox one derived from the
        secret key, so the sandbox phone goes through the same signed path as production."""
        if self.whatsapp_app_secret:
            return self.whatsapp_app_secret
        return hmac.new(
            self.secret_key.encode(), b"tipdesk sandbox app secret", "sha256"
        ).hexdigest()

    @property
    def graph_access_token(self) -> str:
        """The bearer token for the Graph API: Meta's, or the sandbox's own."""
        if self.whatsapp_access_token:
            return self.whatsapp_access_token
        return hmac.new(self.secret_key.encode(), b"tipdesk sandbox access", "sha256").hexdigest()

    @property
    def desk_phone_number_id(self) -> str:
        """Our number's id: webhooks for any other number are ignored."""
        return self.whatsapp_phone_number_id or SANDBOX_PHONE_NUMBER_ID

    @property
    def redacted_database_url(self) -> str:
        return redact_url(self.database_url)


def read_env_file(path: Path | None) -> dict[str, str]:
    """`KEY=VALUE` lines of a `.env` file; blank lines and `#` comments are skipped."""
    if path is None or not path.is_file():
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.removeprefix("export ").partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def parse_duration(text: str) -> timedelta:
    """`90d`, `30m`, `2h`, `90s`, `1h30m`, `500ms` or a bare number of seconds."""
    cleaned = text.strip().lower()
    if cleaned.isdigit():
        return timedelta(seconds=int(cleaned))
    match = _DURATION.match(cleaned)
    if not cleaned or match is None:
        raise ValueError(f"'{text}' is not a duration like 90d, 30m, 2h, 90s or 500ms")
    days, hours, minutes, seconds, millis = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds, milliseconds=millis)


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class _EnvReader:
    """Typed access to the raw variables; every error names its variable."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw

    def optional(self, name: str) -> str | None:
        value = self.raw.get(name, "").strip()
        return value or None

    def text(self, name: str, default: str | None = None) -> str:
        """The value given, else `default`, else the one declared in SETTINGS."""
        return self.optional(name) or (DEFAULTS[name] if default is None else default)

    def fail(self, name: str, problem: str) -> SettingsError:
        return SettingsError(f"{name}: {problem}")

    def boolean(self, name: str, default: str | None = None) -> bool:
        value = self.text(name, default)
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise self.fail(name, f"'{value}' is not a boolean (1/0, true/false, on/off, yes/no)")

    def integer(self, name: str, *, minimum: int, default: str | None = None) -> int:
        value = self.text(name, default)
        if not value.isdigit() or int(value) < minimum:
            raise self.fail(name, f"'{value}' is not a whole number of at least {minimum}")
        return int(value)

    def duration(self, name: str, *, allow_zero: bool = False) -> timedelta:
        try:
            result = parse_duration(self.text(name))
        except ValueError as exc:
            raise self.fail(name, str(exc)) from None
        if result < timedelta(0) or (result == timedelta(0) and not allow_zero):
            raise self.fail(name, "must be longer than zero")
        return result

    def duration_or_keep(self, name: str) -> timedelta | None:
        """A duration, or None for `keep` (forever)."""
        if self.text(name).strip().lower() == "keep":
            return None
        return self.duration(name)

    def duration_or_off(self, name: str) -> timedelta | None:
        """A duration, or None for `off` (never)."""
        if self.text(name).strip().lower() in _FALSE:
            return None
        return self.duration(name)

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.text(name).lower()
        if value not in choices:
            raise self.fail(name, f"'{value}' is not one of {', '.join(choices)}")
        return value

    def url(self, name: str, default: str | None = None) -> str:
        value = self.text(name, default).rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.fail(name, f"'{value}' is not an http(s) URL")
        return value

    def optional_url(self, name: str) -> str | None:
        return None if self.optional(name) is None else self.url(name)

    def timezone(self, name: str) -> ZoneInfo:
        value = self.text(name)
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(name, f"'{value}' is not a time zone like Europe/Amsterdam") from None

    def path(self, name: str) -> Path | None:
        value = self.optional(name)
        return Path(value).expanduser() if value else None

    def numbers(self, name: str, main: str) -> tuple[DeskNumber, ...]:
        """The numbers file: `[[number]]` tables of phone_number_id, desk, name and texts (a
        texts file over the desk's, relative to the numbers file)."""
        path = self.optional(name)
        if path is None:
            return (DeskNumber(main),)
        file = Path(path).expanduser()
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise self.fail(name, f"cannot be read: {exc}") from None
        entries = data.get("number")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.fail(name, "must hold [[number]] tables")
        found = [_desk_number(entry, file.parent, self.fail, name) for entry in entries]
        ids = [number.phone_number_id for number in found]
        if len(set(ids)) != len(ids):
            raise self.fail(name, "names a phone_number_id twice")
        mine = {number.phone_number_id: number for number in found}
        first = mine.pop(main, DeskNumber(main))
        return (first, *mine.values())

    def statuses(self, name: str) -> frozenset[str]:
        # Set but empty is a choice here: no updates at all.
        value = self.raw.get(name, DEFAULTS[name])
        chosen = frozenset(part.strip().lower() for part in value.split(",") if part.strip())
        unknown = sorted(chosen - STATUSES_WITH_UPDATES)
        if unknown:
            choices = ", ".join(sorted(STATUSES_WITH_UPDATES))
            raise self.fail(name, f"'{unknown[0]}' is not one of {choices}")
        return chosen

    def origins(self, name: str) -> str:
        """Origins for a CSP source list: scheme://host[:port] each, nothing else."""
        given = (self.optional(name) or "").split()
        for origin in given:
            parts = urlsplit(origin)
            if parts.scheme not in ("https", "http") or not parts.netloc or parts.path.strip("/"):
                raise self.fail(name, f"'{origin}' is not an origin like https://www.example.nl")
        return " ".join(given)

    def mail_url(self, name: str) -> str | None:
        value = self.optional(name)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("smtp", "smtp+starttls", "smtps") or not parts.hostname:
            raise self.fail(name, "must be smtp://, smtp+starttls:// or smtps://host[:port]")
        return value

    def proxies(self, name: str) -> TrustedProxies:
        try:
            return parse_trusted_proxies(self.raw.get(name, ""))
        except ValueError as exc:
            raise self.fail(name, str(exc)) from None

    def media_hosts(self, name: str) -> MediaHosts:
        try:
            return parse_media_hosts(self.text(name))
        except ValueError as exc:
            raise self.fail(name, str(exc)) from None

    def optional_hosts(self, name: str) -> MediaHosts:
        """A host list that may be empty (nothing allowed beyond the default rules)."""
        if self.optional(name) is None:
            return MediaHosts(())
        return self.media_hosts(name)

    def secret_key(self, name: str, data_dir: Path) -> str:
        given = self.optional(name)
        key = given or stored_secret_key(data_dir)
        problem = key_problem(key)
        if problem is None:
            return key
        where = name if given else f"{name} (stored in {data_dir / 'secret_key'})"
        raise self.fail(where, f"{problem}; {HOW_TO_MAKE_ONE}")

    def opening_hours(self, name: str) -> OpeningHours:
        try:
            return OpeningHours.parse(self.text(name))
        except OpeningHoursError as exc:
            raise self.fail(name, str(exc)) from None

    def database_url(self, data_dir: Path) -> str:
        name = "TIPDESK_DATABASE_URL"
        value = self.optional(name)
        if value is None:
            return f"sqlite://{data_dir / 'tipdesk.sqlite3'}"
        parts = urlsplit(value)
        if parts.scheme == "sqlite":
            if not (parts.netloc + parts.path).strip("/"):
                raise self.fail(name, "a sqlite URL needs a file path, like sqlite:///srv/td.db")
            return value
        if parts.scheme in ("postgres", "postgresql", "asyncpg"):
            if not parts.hostname or not parts.path.strip("/"):
                raise self.fail(name, f"'{redact_url(value)}' needs a host and a database name")
            try:
                _ = parts.port
            except ValueError:
                raise self.fail(name, f"'{redact_url(value)}' has an invalid port") from None
            return value.replace(f"{parts.scheme}://", "postgres://", 1)
        raise self.fail(name, f"'{redact_url(value)}' is not a sqlite:// or postgres:// URL")


def _desk_number(
    entry: dict[str, Any], folder: Path, fail: Callable[[str, str], SettingsError], name: str
) -> DeskNumber:
    number = entry.get("phone_number_id")
    if not isinstance(number, str) or not number.isdigit():
        raise fail(name, "every [[number]] needs its phone_number_id (digits, as a string)")
    values = {key: entry.get(key) for key in ("desk", "name", "texts")}
    if not all(
        value is None or (isinstance(value, str) and value.strip()) for value in values.values()
    ):
        raise fail(name, f"desk, name and texts of {number} must be text")
    texts = values["texts"]
    return DeskNumber(
        phone_number_id=number,
        desk=values["desk"],
        name=values["name"],
        texts_file=(folder / texts).resolve() if texts else None,
    )


def _check_sandbox(sandbox: bool, credentials: Mapping[str, str | None]) -> None:
    """The sandbox phone sends wherever it is told: beside Meta's credentials that would reach
    real numbers through the real Graph API, so the two never run together."""
    given = [name for name, value in credentials.items() if value]
    if sandbox and given:
        raise SettingsError(f"TIPDESK_SANDBOX: must be off when {given[0]} is set")


def _check_credentials(credentials: Mapping[str, str | None]) -> None:
    """Half a WhatsApp configuration is worse than none: it fails later, in front of readers."""
    given = [name for name, value in credentials.items() if value]
    if given and len(given) != len(credentials):
        missing = sorted(set(credentials) - set(given))
        raise SettingsError(f"{missing[0]}: must be set when {given[0]} is set")
