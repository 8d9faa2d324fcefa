"""The `tipdesk` command. Every failure ends in one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any, NoReturn

from tipdesk.conversation.profile import schedule_profile
from tipdesk.conversation.retention import schedule_purge
from tipdesk.data_dir import keep_files_private, warn_if_exposed
from tipdesk.db import database, migrate_database, pending_migrations
from tipdesk.desk import check_settings, desk_job_kinds, run_worker_process
from tipdesk.editors.accounts import create_editor, create_token, set_password
from tipdesk.editors.models import Editor, Role
from tipdesk.errors import Conflict, InvalidInput, TipdeskError
from tipdesk.logs import configure_logging
from tipdesk.reports.jobs import schedule_roll_up
from tipdesk.settings import SERVE_HOST, SERVE_PORT, Settings, parse_duration, served_url
from tipdesk.whatsapp.contract import GRAPH_API_VERSION

EXIT_USAGE = 2
EXIT_FAILURE = 1
# How `tipdesk serve` runs uvicorn; bench/ingest.py runs its bare baseline with the same.
# "auto" picks uvloop and httptools (both dependencies) where they install.
SERVER_OPTIONS: dict[str, Any] = {
    "loop": "auto",
    "http": "auto",
    "access_log": False,
    "log_config": None,
    # The desk judges the socket peer itself (the sandbox, the login throttle); uvicorn must not
    # rewrite it from X-Forwarded-* a client can forge.
    "proxy_headers": False,
    "forwarded_allow_ips": "",
    # Past this many open connections and tasks uvicorn answers 503 at once instead of queueing:
    # a flood of half-open requests cannot take /health and the board down with it.
    "limit_concurrency": 1000,
    # An idle keep-alive connection is dropped after this many seconds.
    "timeout_keep_alive": 5,
}


class OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error; scripts and people want the error alone."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {_one_line(message)} (see --help)\n")


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="tipdesk", description="Tipdesk, the news tip desk.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    serve = commands.add_parser("serve", help="run the web desk (and, by default, its workers)")
    serve.add_argument("--host", default=SERVE_HOST)
    serve.add_argument("--port", type=_port, default=SERVE_PORT)
    serve.add_argument(
        "--workers-in-process",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run the background workers in this process (default: yes)",
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser("worker", help="run background workers only")
    worker.add_argument("--concurrency", type=_positive, default=None)
    worker.set_defaults(run=_worker)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=_migrate)

    editor = commands.add_parser("create-editor", help="create an editor account")
    editor.add_argument("email")
    editor.add_argument("--name", required=True)
    editor.add_argument("--role", choices=[r.value for r in Role], default=Role.EDITOR.value)
    editor.add_argument("--password-stdin", action="store_true")
    editor.set_defaults(run=_create_editor)

    new_password = commands.add_parser(
        "set-password", help="give an editor a new password (ends their sessions)"
    )
    new_password.add_argument("email")
    new_password.add_argument("--password-stdin", action="store_true")
    new_password.set_defaults(run=_set_password)

    token = commands.add_parser("create-token", help="print a new API token for an editor")
    token.add_argument("email")
    token.add_argument("--label", default="")
    token.add_argument(
        "--expires", type=_lifetime, default=None, help="stop working after e.g. 90d or 12h"
    )
    token.set_defaults(run=_create_token)
    reindex = commands.add_parser("reindex", help="rebuild the search index from the database")
    reindex.set_defaults(run=_reindex)
    backfill = commands.add_parser(
        "backfill-media", help="queue ready photos and videos made before perceptual hashes"
    )
    backfill.set_defaults(run=_backfill_media)

    purge = commands.add_parser("purge", help="apply the retention policy now")
    purge.add_argument(
        "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
    )
    purge.set_defaults(run=_purge)

    fake = commands.add_parser("fake-graph", help="run the fake Graph API on its own")
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=_port, default=8100)
    fake.add_argument("--webhook-url", help="where to deliver webhooks (the desk's)")
    fake.add_argument("--app-secret", help="signs webhooks (default: the desk's)")
    fake.add_argument("--access-token", help="expected bearer token (default: the desk's)")
    fake.add_argument("--phone-number-id", help="the newsroom number (default: the desk's)")
    fake.add_argument("--duplicate-rate", type=_fraction, default=0.0)
    fake.add_argument("--seed", type=int, default=None)
    fake.set_defaults(run=_fake_graph)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace, Settings], None] = args.run
    keep_files_private()
    try:
        settings = check_settings(Settings.from_env(served_at=_served_at(args)))
        configure_logging(settings.log_level)
        run(args, settings)
    except TipdeskError as exc:
        _fail(exc.message)
    except Exception as exc:
        # One line for people and scripts; the traceback for whoever asks for it.
        logging.getLogger("tipdesk.cli").debug("command failed", exc_info=True)
        _fail(f"unexpected {type(exc).__name__}: {exc} (TIPDESK_LOG_LEVEL=debug shows more)")
    except KeyboardInterrupt:
        sys.exit(130)


def _served_at(args: argparse.Namespace) -> tuple[str, int]:
    """Where the desk is reached when TIPDESK_PUBLIC_URL is unset: where `serve` listens, so
    links work on any port; the other commands assume serve's default."""
    if args.command == "serve":
        return (args.host, args.port)
    return (SERVE_HOST, SERVE_PORT)


def _fail(message: str) -> NoReturn:
    print(f"tipdesk: error: {_one_line(message)}", file=sys.stderr)
    sys.exit(EXIT_FAILURE)


def _one_line(message: str) -> str:
    """Hostile input may carry newlines or terminal escapes into a message: one clean line."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in message).split())


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    asyncio.run(coroutine)


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from tipdesk.app import create_app

    warn_if_exposed(settings)
    _run(_prepare_to_serve(settings))
    app = create_app(settings, workers_in_process=args.workers_in_process)
    print(_welcome(settings, served_url(args.host, args.port)), file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, **SERVER_OPTIONS)


def _welcome(settings: Settings, served: str) -> str:
    """What to open first: the board, and on a fresh desk the ways a tip comes in."""
    lines = [f"Tipdesk is serving on {served}: the board at {served}/"]
    if settings.sandbox:
        lines.append(f"  sandbox phone: {served}/sandbox (play a reader sending a tip)")
    if settings.web_form:
        lines.append(f"  tip form:      {served}/tip")
    if settings.public_url != served:
        lines.append(f"  links readers get point to {settings.public_url} (TIPDESK_PUBLIC_URL)")
    return "\n".join(lines)


async def _prepare_to_serve(settings: Settings) -> None:
    """SQLite is migrated on start; PostgreSQL is shared, so `tipdesk migrate` does it once."""
    if not settings.is_postgres:
        await migrate_database(settings)
    async with database(settings):
        pending = await pending_migrations(settings)
        if pending:
            raise InvalidInput(
                f"the database lacks migrations ({', '.join(pending)}): run `tipdesk migrate`"
            )
        await _ensure_first_admin()
        await schedule_purge(settings)
        await schedule_roll_up(settings)
        await schedule_profile(settings)


async def _ensure_first_admin() -> None:
    """A fresh desk gets one admin, shown once on the console, so `make run` is all it takes."""
    if await Editor.exists():
        return
    import secrets

    password = secrets.token_urlsafe(12)
    try:
        editor = await create_editor(
            "admin@localhost", "Admin", Role.ADMIN, password, must_change_password=True
        )
    except Conflict:
        return  # several web processes started at once: another one made it

    print(
        "First start: created the admin editor\n"
        f"  e-mail:   {editor.email}\n  password: {password}\n"
        "Change it, or create your own accounts with `tipdesk create-editor`.",
        file=sys.stderr,
    )


def _worker(args: argparse.Namespace, settings: Settings) -> None:
    async def schedule() -> None:
        async with database(settings):
            await schedule_purge(settings)
            await schedule_roll_up(settings)
            await schedule_profile(settings)

    warn_if_exposed(settings)
    _run(schedule())
    _run(run_worker_process(settings, args.concurrency))


def _migrate(args: argparse.Namespace, settings: Settings) -> None:
    warn_if_exposed(settings)
    _run(migrate_database(settings))
    print("migrations applied", file=sys.stderr)


def _create_editor(args: argparse.Namespace, settings: Settings) -> None:
    password = _read_password(from_stdin=args.password_stdin)

    async def create() -> None:
        async with database(settings):
            editor = await create_editor(args.email, args.name, Role(args.role), password)
            print(f"created {editor.role.value} {editor.email}", file=sys.stderr)

    _run(create())


def _set_password(args: argparse.Namespace, settings: Settings) -> None:
    password = _read_password(from_stdin=args.password_stdin)

    async def change() -> None:
        async with database(settings):
            editor = await set_password(args.email, password)
            print(f"new password set for {editor.email}; their sessions ended", file=sys.stderr)

    _run(change())


def _read_password(*, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to ask the password on: use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != first:
        raise InvalidInput("the two passwords differ")
    return first


def _create_token(args: argparse.Namespace, settings: Settings) -> None:
    async def create() -> None:
        async with database(settings):
            print(await create_token(args.email, args.label, args.expires))

    _run(create())


def _reindex(args: argparse.Namespace, settings: Settings) -> None:
    from tipdesk.search.jobs import rebuild

    async def run() -> None:
        async with database(settings):
            count = await rebuild(settings)
        print(f"search index rebuilt with {count} tips", file=sys.stderr)

    _run(run())


def _backfill_media(args: argparse.Namespace, settings: Settings) -> None:
    from tipdesk.media.backfill import queue_backfill

    async def run() -> None:
        async with database(settings):
            count = await queue_backfill(settings)
        print(
            f"{count} media queued for hashes and keyframes; the workers make them", file=sys.stderr
        )

    _run(run())


def _purge(args: argparse.Namespace, settings: Settings) -> None:
    from tipdesk.conversation.retention import purge
    from tipdesk.jobs.worker import Worker
    from tipdesk.media.discard import MEDIA_DISCARD
    from tipdesk.search.jobs import SEARCH_FORGET

    async def run() -> None:
        async with database(settings):
            report = await purge(settings, dry_run=args.dry_run)
            # Files and index entries go in jobs; run them now, a worker may not be running.
            kinds = desk_job_kinds(settings)
            await Worker(settings, {k: kinds[k] for k in (MEDIA_DISCARD, SEARCH_FORGET)}).drain()
        print("\n".join(report.lines(args.dry_run)))

    _run(run())


def _fake_graph(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from tipdesk.whatsapp.fake import FakeGraphConfig, create_fake_graph
    from tipdesk.whatsapp.fake_delivery import DeliveryPolicy

    if settings.whatsapp_app_secret and not args.app_secret:
        # The fake would sign with Meta's real secret: anything it sends would pass the real
        # desk's signature check, and the secret would sit in a test tool's memory and logs.
        raise InvalidInput(
            "fake-graph will not sign with the desk's real TIPDESK_WHATSAPP_APP_SECRET: "
            "give it its own with --app-secret"
        )
    config = FakeGraphConfig(
        app_secret=args.app_secret or settings.webhook_app_secret,
        access_token=args.access_token or settings.graph_access_token,
        phone_number_id=args.phone_number_id or settings.desk_phone_number_id,
        # The desk's other numbers (TIPDESK_NUMBERS_FILE) are the fake's too.
        other_numbers=tuple(n.phone_number_id for n in settings.numbers[1:]),
        webhook_url=args.webhook_url,
        policy=DeliveryPolicy(duplicate_rate=args.duplicate_rate),
        seed=args.seed,
    )
    print(f"fake Graph API on http://{args.host}:{args.port}/{GRAPH_API_VERSION}", file=sys.stderr)
    uvicorn.run(create_fake_graph(config), host=args.host, port=args.port, log_config=None)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a fraction between 0 and 1")
    return value


def _lifetime(text: str) -> timedelta:
    try:
        lifetime = parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if lifetime <= timedelta(0):
        raise argparse.ArgumentTypeError(f"'{text}' is no lifetime: give one longer than zero")
    return lifetime


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (1-65535)")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive whole number")
    return int(text)
