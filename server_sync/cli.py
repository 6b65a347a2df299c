"""`ymt-server`: run, migrate and seed the server, make enrolment codes and staff users.

    ymt-server serve [--host H] [--port P] [--database URL] [--data-dir DIR]
    ymt-server migrate
    ymt-server seed [--demo]
    ymt-server device-code --role lift|square|supermarket --location KEY
    ymt-server create-user NAME --role ROLE [--department KEY] [--password-stdin]
    ymt-server cards issue|revoke|reissue|print ...   (points cards)
    ymt-server points overdrafts|settle|stock ...     (points supermarket)

Every command takes --config FILE, --database URL and --data-dir DIR, which
override YMT_* environment variables and the configuration file.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError

from . import __version__
from .db import Database
from .models import ROLES, STAFF_ROLES
from .settings import Settings, SettingsError, load_settings

log = logging.getLogger(__name__)


class CommandError(Exception):
    """A problem the person at the terminal can fix; printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="TOML settings file (or YMT_CONFIG)")
    common.add_argument("--database", help="database URL (or YMT_DATABASE_URL)")
    common.add_argument("--data-dir", help="data directory (or YMT_DATA_DIR), default ./var")
    common.add_argument("--log-level", help="DEBUG, INFO, WARNING (or YMT_LOG_LEVEL)")

    parser = argparse.ArgumentParser(prog="ymt-server", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", parents=[common], help="run the server")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080)")

    commands.add_parser("migrate", parents=[common], help="bring the database schema up to date")

    seed = commands.add_parser("seed", parents=[common], help="write the reference data")
    seed.add_argument("--demo", action="store_true", help="also add the made-up demo community")

    code = commands.add_parser(
        "device-code", parents=[common], help="make a one-time enrolment code for a new device"
    )
    code.add_argument("--role", required=True, choices=ROLES)
    code.add_argument("--location", required=True, help="location key, e.g. b07-lift-1")
    code.add_argument("--hours", type=int, help="hours the code stays valid (default 24)")

    user = commands.add_parser("create-user", parents=[common], help="add a console user")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=STAFF_ROLES)
    user.add_argument("--department", help="department key, for department handlers")
    user.add_argument("--name", default="", help="name shown in the console")
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    from .points.cli import add_parser as add_cards_parser
    from .points.cli import add_points_parser

    add_cards_parser(commands, common)
    add_points_parser(commands, common)
    from .console.cli import add_parsers as add_console_parsers

    add_console_parsers(commands, common)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        "database_url": args.database,
        "data_dir": args.data_dir,
        "log_level": args.log_level,
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
    }
    return load_settings(args.config, **overrides)


def _database(settings: Settings) -> Database:
    return Database(
        settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous
    )


def _migrate(database: Database) -> str | None:
    from .migrate import upgrade

    return upgrade(database)


def cmd_serve(settings: Settings) -> None:
    import uvicorn

    from .app import create_app

    database = _database(settings)
    _migrate(database)
    app = create_app(settings.model_copy(update={"migrate_on_start": False}), database)
    # The libraries loaded so far live as long as the process: keep them out of the
    # collector's way, and collect less often, since a batch of 500 events makes
    # tens of thousands of short-lived objects (bench/ingest.py measures this).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    print(f"Yimatong server on http://{settings.host}:{settings.port}/ ({database.kind})")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower())


def cmd_migrate(settings: Settings) -> None:
    revision = _migrate(_database(settings))
    print(f"database is at revision {revision}")


def cmd_seed(settings: Settings, demo: bool) -> None:
    from .seed import SeedError, seed_demo, seed_reference

    database = _database(settings)
    _migrate(database)
    try:
        with database.transaction() as session:
            if demo:
                summary = seed_demo(session, settings.data_dir)
            else:
                from .points.seed import seed_points

                summary = seed_reference(session)
                summary.update(seed_points(session))
    except SeedError as exc:
        raise CommandError(str(exc)) from None
    for name, value in summary.items():
        print(f"{name}: {value}")


def cmd_device_code(settings: Settings, role: str, location: str, hours: int | None) -> None:
    from .enrolment import create_code

    database = _database(settings)
    _migrate(database)
    hours = hours or settings.enrolment_code_hours
    try:
        with database.transaction() as session:
            code = create_code(session, role, location, hours=hours, created_by="cli")
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(f"Enrolment code for a {role} device at {location}, valid {hours} hours, usable once:")
    print(code)


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> None:
    from .staff import MIN_PASSWORD, create_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.username} (at least {MIN_PASSWORD}): ")
        if getpass.getpass("Again: ") != password:
            raise CommandError("the two passwords differ; nothing was changed")
    database = _database(settings)
    _migrate(database)
    try:
        with database.transaction() as session:
            create_user(
                session,
                args.username,
                password,
                role=args.role,
                department=args.department,
                display_name=args.name,
            )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(f"user {args.username} created with role {args.role}")


def cmd_cards(settings: Settings, args: argparse.Namespace) -> None:
    from .points import cli as cards_cli
    from .points.cards import CardError

    database = _database(settings)
    _migrate(database)
    try:
        run = cards_cli.run if args.command == "cards" else cards_cli.run_points
        lines = run(database, args)
    except CardError as exc:
        raise CommandError(str(exc)) from None
    print("\n".join(lines))


def cmd_console(settings: Settings, args: argparse.Namespace) -> None:
    from .console import cli as console_cli

    database = _database(settings)
    _migrate(database)
    try:
        if args.command == "posters":
            lines = console_cli.run_posters(database, settings, args)
        else:
            lines = console_cli.run_open311_key(database, args)
    except (ValueError, OSError) as exc:
        raise CommandError(str(exc)) from None
    print("\n".join(lines))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        logging.basicConfig(
            level=settings.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        if logging.getLogger().level > logging.DEBUG:
            logging.getLogger("alembic").setLevel(logging.WARNING)
        if args.command == "serve":
            cmd_serve(settings)
        elif args.command == "migrate":
            cmd_migrate(settings)
        elif args.command == "seed":
            cmd_seed(settings, args.demo)
        elif args.command == "device-code":
            cmd_device_code(settings, args.role, args.location, args.hours)
        elif args.command == "create-user":
            cmd_create_user(settings, args)
        elif args.command in ("cards", "points"):
            cmd_cards(settings, args)
        elif args.command in ("posters", "open311-key"):
            cmd_console(settings, args)
    except (CommandError, SettingsError) as exc:
        print(f"ymt-server: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"ymt-server: cannot use the database: {exc.orig}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
