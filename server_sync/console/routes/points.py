"""Points pages: accounts and their cards (issue, revoke, print the sheet), the ledger
with filters, overdrafts to settle and the month's stars. Rules and the catalogue
are in `points_catalogue`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy import func, or_, select

from server_sync.console.audit import audit
from server_sync.console.auth import posted_form, staff_page
from server_sync.console.web import Page, PageError
from server_sync.models import utcnow
from server_sync.models.points import (
    Household,
    LedgerEntry,
    OverdraftFlag,
    PointsAccount,
    PointsCard,
)
from server_sync.points.cards import (
    CardError,
    card_fronts,
    issue_card,
    reissue_card,
    revoke_card,
    write_card_sheet,
)
from server_sync.points.ledger import month_stars
from server_sync.protocol.points import COMMUNITY_TZ

router = APIRouter(include_in_schema=False)

PAGE = 50
KINDS = ("award", "deduction", "redemption", "reversal")


def _number(value: str) -> int:
    return max(int(value), 1) if value.isdigit() else 1


@router.get("/console/points/accounts")
def accounts_page(page: Page = Depends(staff_page("points")), q: str = "", p: str = "1"):
    query = select(PointsAccount, Household).join(
        Household, Household.id == PointsAccount.household_id
    )
    q = q.strip()[:40]
    if q:
        building, _, unit = q.partition("-")
        if building.isdigit():
            query = query.where(Household.building == int(building))
            if unit.isdigit():
                query = query.where(Household.unit == int(unit))
        elif q.isdigit() and len(q) == 10:
            query = query.join(PointsCard, PointsCard.account_id == PointsAccount.id).where(
                PointsCard.card_no == q
            )
        else:
            query = query.where(PointsAccount.name.contains(q))
    number = _number(p)
    total = page.db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = page.db.execute(
        query.order_by(Household.building, Household.unit, PointsAccount.id)
        .limit(PAGE)
        .offset((number - 1) * PAGE)
    ).all()
    return page.render(
        "points_accounts.html",
        rows=rows,
        q=q,
        total=total,
        number=number,
        pages=max((total + PAGE - 1) // PAGE, 1),
    )


def _account(page: Page, account_id: int) -> PointsAccount:
    account = page.db.get(PointsAccount, account_id)
    if account is None:
        raise PageError(404, "error.not_found", back="/console/points/accounts")
    return account


@router.get("/console/points/accounts/{account_id}")
def account_page(account_id: int, page: Page = Depends(staff_page("points"))):
    account = _account(page, account_id)
    cards = page.db.scalars(
        select(PointsCard)
        .where(PointsCard.account_id == account.id)
        .order_by(PointsCard.issued_at.desc())
    ).all()
    entries = page.db.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.account_id == account.id)
        .order_by(LedgerEntry.id.desc())
        .limit(30)
    ).all()
    return page.render(
        "points_account.html",
        account=account,
        cards=cards,
        entries=entries,
        error=page.request.query_params.get("error"),
    )


@router.post("/console/points/accounts/{account_id}/cards")
def card_action(
    account_id: int, page: Page = Depends(staff_page("points_admin")), form=Depends(posted_form)
):
    account = _account(page, account_id)
    action = str(form.get("action", ""))
    card_no = str(form.get("card", ""))[:10]
    reason = str(form.get("reason", "")).strip()[:200] or "lost"
    back = f"/console/points/accounts/{account.id}"
    try:
        if action == "issue":
            card = issue_card(page.db, account)
            audit(page, "card.issue", f"card:{card.card_no}", account=account.id)
            done = "card_issued"
        elif action in ("revoke", "reissue"):
            card = page.db.get(PointsCard, card_no)
            if card is None or card.account_id != account.id:
                raise PageError(404, "error.not_found", back=back)
            if action == "revoke":
                revoke_card(page.db, card_no, reason)
                audit(page, "card.revoke", f"card:{card_no}", account=account.id, reason=reason)
                done = "card_revoked"
            else:
                new = reissue_card(page.db, card_no, reason)
                audit(
                    page,
                    "card.reissue",
                    f"card:{card_no}",
                    account=account.id,
                    new_card=new.card_no,
                    reason=reason,
                )
                done = "card_issued"
        else:
            raise PageError(404, "error.not_found", back=back)
    except CardError:
        page.db.rollback()
        return page.redirect(f"{back}?error=points.card_refused")
    page.db.commit()
    return page.redirect(back, done=done)


@router.post("/console/points/cards/sheet.pdf")
def card_sheet(page: Page = Depends(staff_page("points_admin")), form=Depends(posted_form)):
    """The printable sheet (A4, ten cards a page) of the chosen active cards."""
    wanted = [c for c in form.getlist("card") if isinstance(c, str) and c.isdigit()][:200]
    if not wanted:
        raise PageError(422, "points.choose_cards", back="/console/points/accounts")
    fronts = card_fronts(page.db, wanted)
    if not fronts:
        raise PageError(404, "points.no_active_cards", back="/console/points/accounts")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "cards.pdf"
        write_card_sheet(fronts, out)
        data = out.read_bytes()
    audit(page, "card.print", "cards", cards=[f.card_no for f in fronts])
    page.db.commit()
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="cards.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/console/points/ledger")
def ledger_page(
    page: Page = Depends(staff_page("points")),
    account: str = "",
    kind: str = "",
    month: str = "",
    rule: str = "",
    card: str = "",
    p: str = "1",
):
    query = select(LedgerEntry)
    if account.isdigit():
        query = query.where(LedgerEntry.account_id == int(account))
    if kind in KINDS:
        query = query.where(LedgerEntry.kind == kind)
    if len(month) == 7:
        query = query.where(LedgerEntry.month == month)
    if rule:
        query = query.where(LedgerEntry.rule_key == rule[:40])
    if card:
        query = query.where(
            or_(LedgerEntry.card_no == card[:10], LedgerEntry.receipt == card[:40])
        )
    number = _number(p)
    total = page.db.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = page.db.scalars(
        query.order_by(LedgerEntry.id.desc()).limit(PAGE).offset((number - 1) * PAGE)
    ).all()
    return page.render(
        "points_ledger.html",
        entries=entries,
        total=total,
        number=number,
        kinds=KINDS,
        pages=max((total + PAGE - 1) // PAGE, 1),
        filters={"account": account, "kind": kind, "month": month, "rule": rule, "card": card},
    )


@router.get("/console/points/overdrafts")
def overdrafts_page(page: Page = Depends(staff_page("points"))):
    flags = page.db.execute(
        select(OverdraftFlag, PointsAccount)
        .join(PointsAccount, PointsAccount.id == OverdraftFlag.account_id)
        .order_by(OverdraftFlag.settled_at.is_not(None), OverdraftFlag.id.desc())
        .limit(200)
    ).all()
    return page.render("points_overdrafts.html", flags=flags)


@router.post("/console/points/overdrafts/{flag_id}/settle")
def settle_overdraft(
    flag_id: int, page: Page = Depends(staff_page("points_admin")), form=Depends(posted_form)
):
    flag = page.db.get(OverdraftFlag, flag_id)
    if flag is None:
        raise PageError(404, "error.not_found", back="/console/points/overdrafts")
    note = str(form.get("note", "")).strip()[:500]
    if not note:
        raise PageError(422, "points.settle_note", back="/console/points/overdrafts")
    if flag.settled_at is None:
        flag.settled_at = utcnow()
        flag.settled_by = f"staff:{page.user.username}"
        flag.note = note
        audit(page, "overdraft.settle", f"overdraft:{flag.id}", account=flag.account_id, note=note)
        page.db.commit()
    return page.redirect("/console/points/overdrafts", done="overdraft_settled")


@router.get("/console/points/stars")
def stars_page(page: Page = Depends(staff_page("points")), month: str = ""):
    if len(month) != 7 or not month[:4].isdigit():
        month = utcnow().astimezone(COMMUNITY_TZ).strftime("%Y-%m")
    return page.render("points_stars.html", stars=month_stars(page.db, month), month=month)
