"""`ymt-server cards ...`: issue, revoke, reissue and print residents' points cards.

ymt-server cards issue --name NAME --building B --unit U   (a new account and its card)
ymt-server cards issue --account ID                         (another card for an account)
ymt-server cards revoke CARD_NO [--reason TEXT]
ymt-server cards reissue CARD_NO [--reason TEXT]
ymt-server cards print --out cards.pdf [CARD_NO ...] [--since YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from server_sync.db import Database
from server_sync.models.points import Household, LedgerEntry, PointsAccount
from server_sync.protocol.points import mask_name

from . import ledger
from .cards import CardError, card_fronts, issue_card, reissue_card, revoke_card, write_card_sheet
from .keys import ensure_card_key


def add_parser(commands, common: argparse.ArgumentParser) -> None:
    """Add the `cards` command and its sub-commands to the `ymt-server` parser."""
    # The shared options go on each action only: argparse would let an action's
    # defaults overwrite values given one level up.
    cards = commands.add_parser("cards", help="issue, revoke, print points cards")
    actions = cards.add_subparsers(dest="cards_command", required=True, metavar="ACTION")

    issue = actions.add_parser("issue", parents=[common], help="issue a card")
    issue.add_argument("--account", type=int, help="existing account id")
    issue.add_argument("--name", help="resident's full name, for a new account")
    issue.add_argument("--building", type=int, help="building number, for a new account")
    issue.add_argument("--unit", type=int, help="unit (flat) number, for a new account")

    for name, text in (("revoke", "revoke a lost card"), ("reissue", "revoke and replace")):
        action = actions.add_parser(name, parents=[common], help=text)
        action.add_argument("card_no", help="the ten-digit card number")
        action.add_argument("--reason", default="lost", help="why (default: lost)")

    sheet = actions.add_parser("print", parents=[common], help="write card fronts to a PDF")
    sheet.add_argument("card_nos", nargs="*", help="card numbers (default: every active card)")
    sheet.add_argument("--since", help="only cards issued on or after this date (YYYY-MM-DD)")
    sheet.add_argument("--out", required=True, help="PDF file to write")


def add_points_parser(commands, common: argparse.ArgumentParser) -> None:
    """Add the `points` command: overdraft flags and stock deliveries."""
    points = commands.add_parser("points", help="overdrafts to settle, stock deliveries")
    actions = points.add_subparsers(dest="points_command", required=True, metavar="ACTION")
    actions.add_parser("overdrafts", parents=[common], help="list open overdraft flags")
    settle = actions.add_parser("settle", parents=[common], help="mark a flag as dealt with")
    settle.add_argument("flag_id", type=int)
    settle.add_argument("--by", required=True, help="who settled it")
    settle.add_argument("--note", default="", help="how, e.g. points recovered next month")
    stock = actions.add_parser("stock", parents=[common], help="goods received or written off")
    stock.add_argument("item", help="catalogue item key, e.g. rice_5kg")
    stock.add_argument("change", type=int, help="units received (or, negative, written off)")
    stock.add_argument("--by", default="cli", help="who")


def run_points(database: Database, args: argparse.Namespace) -> list[str]:
    """Carry out a `points` action; returns the lines to print. Raises CardError."""
    with database.transaction() as session:
        try:
            if args.points_command == "overdrafts":
                return _overdrafts(session)
            if args.points_command == "settle":
                flag = ledger.settle_overdraft(session, args.flag_id, args.by, args.note)
                return [f"overdraft flag {flag.id} settled by {flag.settled_by}"]
            left = ledger.move_stock(session, args.item, args.change, args.by)
            return [f"{args.item}: {args.change:+d}, {left} in stock now"]
        except ledger.PointsRefused as refused:
            raise CardError(refused.refusal.en) from None


def _overdrafts(session: Session) -> list[str]:
    flags = ledger.open_overdrafts(session)
    if not flags:
        return ["no open overdraft flags"]
    lines = [f"{'flag':>5}  {'when':16}  {'receipt':16}  {'account':>7}  what"]
    for flag in flags:
        entry = session.get(LedgerEntry, flag.entry_id)
        account = session.get(PointsAccount, flag.account_id)
        what = (
            f"stock of {flag.item_key} short by {flag.shortfall}"
            if flag.what == "stock"
            else f"balance short by {flag.shortfall} (now {account.balance})"
        )
        lines.append(
            f"{flag.id:>5}  {entry.occurred_at:%Y-%m-%d %H:%M}  {entry.receipt or '-':16}  "
            f"{account.id:>7}  {mask_name(account.name)}: {what}"
        )
    return lines


def run(database: Database, args: argparse.Namespace) -> list[str]:
    """Carry out a `cards` action; returns the lines to print. Raises CardError."""
    with database.transaction() as session:
        ensure_card_key(session)
        if args.cards_command == "issue":
            return _issue(session, args)
        if args.cards_command == "revoke":
            card = revoke_card(session, args.card_no, args.reason)
            return [f"card {card.card_no} revoked; devices refuse it after their next sync"]
        if args.cards_command == "reissue":
            card = reissue_card(session, args.card_no, args.reason)
            return [
                f"card {args.card_no} revoked; new card {card.card_no} issued to account "
                f"{card.account_id} (balance {card.account.balance})",
                f"print it with: ymt-server cards print {card.card_no} --out card.pdf",
            ]
        return _print(session, args)


def _issue(session: Session, args: argparse.Namespace) -> list[str]:
    if args.account is not None:
        account = session.get(PointsAccount, args.account)
        if account is None:
            raise CardError(f"there is no account {args.account}")
    else:
        if not (args.name and args.building and args.unit):
            raise CardError("give --account ID, or --name, --building and --unit for a new one")
        household = session.execute(
            select(Household).where(
                Household.building == args.building, Household.unit == args.unit
            )
        ).scalar_one_or_none()
        if household is None:
            household = Household(building=args.building, unit=args.unit)
            session.add(household)
        account = PointsAccount(household=household, name=args.name.strip(), balance=0)
        session.add(account)
        session.flush()
    card = issue_card(session, account)
    return [
        f"card {card.card_no} issued to account {account.id}",
        f"print it with: ymt-server cards print {card.card_no} --out card.pdf",
    ]


def _print(session: Session, args: argparse.Namespace) -> list[str]:
    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise CardError(f"--since {args.since!r} is not a date like 2026-12-03") from None
    fronts = card_fronts(session, args.card_nos or None, issued_since=since)
    missing = set(args.card_nos) - {front.card_no for front in fronts}
    if missing:
        raise CardError(f"no active card numbered {', '.join(sorted(missing))}; nothing written")
    if not fronts:
        raise CardError("there are no active cards to print")
    count = write_card_sheet(fronts, Path(args.out))
    return [f"wrote {count} card fronts to {args.out} (A4, cut along the card edges)"]
