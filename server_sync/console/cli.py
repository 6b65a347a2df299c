"""`ymt-server posters` and `ymt-server open311-key`: the console's command-line parts."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import select

from server_sync.console.posters import PosterLocation, write_posters


def add_parsers(commands, common: argparse.ArgumentParser) -> None:
    posters = commands.add_parser(
        "posters", parents=[common], help="print an A4 QR poster for each location (PDF)"
    )
    posters.add_argument("--out", required=True, help="PDF file to write")
    posters.add_argument(
        "--base-url",
        help="address phones use to reach this server, e.g. https://ymt.example.org "
        "(default: http://HOST:PORT from the settings)",
    )
    posters.add_argument(
        "--location", action="append", help="only this location key (may be repeated)"
    )
    key = commands.add_parser(
        "open311-key", parents=[common], help="make an API key for an Open311 client"
    )
    key.add_argument("--name", required=True, help="who the key is for")


def run_posters(database, settings, args: argparse.Namespace) -> list[str]:
    from server_sync.models import Location

    base_url = args.base_url or f"http://{settings.host}:{settings.port}"
    lines = []
    if not args.base_url and settings.host in ("127.0.0.1", "localhost"):
        lines.append(
            f"warning: the posters point at {base_url}, which phones cannot reach; "
            "pass --base-url with the server's public address"
        )
    with database.read_session() as session:
        query = select(Location).order_by(
            Location.building.is_(None), Location.building, Location.key
        )
        if args.location:
            query = query.where(Location.key.in_(args.location))
        locations = [PosterLocation(x.key, x.name_zh, x.name_en) for x in session.scalars(query)]
    if not locations:
        raise ValueError("no such location; run `ymt-server seed` or check --location")
    count = write_posters(locations, base_url, Path(args.out))
    lines.append(f"wrote {count} posters to {args.out} (links to {base_url}/r/<location>)")
    return lines


def run_open311_key(database, args: argparse.Namespace) -> list[str]:
    from server_sync.console.audit import audit_as
    from server_sync.console.open311 import create_client

    with database.transaction() as session:
        key = create_client(session, args.name, "cli")
        audit_as(session, "cli", "open311.client", f"open311:{args.name[:80]}")
    return [f"Open311 API key for {args.name} (shown only now, keep it safe):", key]
