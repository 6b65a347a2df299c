"""Points rules and the catalogue with its stock, as the supermarket manager keeps them."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select

from server_sync.console.audit import audit
from server_sync.console.auth import posted_form, staff_page
from server_sync.console.web import Page, PageError
from server_sync.models.points import CatalogueItem, PointsRule, StockMovement

router = APIRouter(include_in_schema=False)


@router.get("/console/points/rules")
def rules_page(page: Page = Depends(staff_page("points"))):
    rules = page.db.scalars(select(PointsRule).order_by(PointsRule.points.desc())).all()
    return page.render(
        "points_rules.html", rules=rules, error=page.request.query_params.get("error")
    )


@router.post("/console/points/rules/{key}")
def save_rule(
    key: str, page: Page = Depends(staff_page("points_admin")), form=Depends(posted_form)
):
    rule = page.db.get(PointsRule, key[:40])
    if rule is None:
        raise PageError(404, "error.not_found", back="/console/points/rules")
    points, cap = str(form.get("points", "")).strip(), str(form.get("monthly_cap", "")).strip()
    try:
        new_points = int(points)
        new_cap = int(cap) if cap else None
    except ValueError:
        return page.redirect("/console/points/rules?error=points.bad_number")
    if new_points == 0 or abs(new_points) > 1000 or (new_cap is not None and new_cap < 1):
        return page.redirect("/console/points/rules?error=points.bad_number")
    before = {"points": rule.points, "monthly_cap": rule.monthly_cap}
    rule.points, rule.monthly_cap = new_points, new_cap
    audit(
        page,
        "rule.update",
        f"rule:{rule.key}",
        before=before,
        after={"points": new_points, "monthly_cap": new_cap},
    )
    page.db.commit()
    return page.redirect("/console/points/rules", done="rule_saved")


@router.get("/console/points/catalogue")
def catalogue_page(page: Page = Depends(staff_page("points"))):
    items = page.db.scalars(
        select(CatalogueItem).order_by(CatalogueItem.kind, CatalogueItem.points)
    ).all()
    movements = page.db.scalars(
        select(StockMovement).order_by(StockMovement.id.desc()).limit(30)
    ).all()
    return page.render(
        "points_catalogue.html",
        items=items,
        movements=movements,
        error=page.request.query_params.get("error"),
    )


@router.post("/console/points/catalogue/{key}/stock")
def change_stock(
    key: str, page: Page = Depends(staff_page("points_admin")), form=Depends(posted_form)
):
    """Goods received (a positive change) or written off (negative), with a stock movement."""
    item = page.db.get(CatalogueItem, key[:40])
    if item is None or item.stock is None:
        raise PageError(404, "error.not_found", back="/console/points/catalogue")
    raw = str(form.get("change", "")).strip()
    try:
        change = int(raw)
    except ValueError:
        return page.redirect("/console/points/catalogue?error=points.bad_number")
    if change == 0 or abs(change) > 100_000 or item.stock + change < 0:
        return page.redirect("/console/points/catalogue?error=points.bad_stock")
    item.stock += change
    reason = "restock" if change > 0 else "write_off"
    page.db.add(
        StockMovement(
            item_key=item.key,
            change=change,
            reason=reason,
            stock_after=item.stock,
            by=f"staff:{page.user.username}",
        )
    )
    audit(page, f"stock.{reason}", f"item:{item.key}", change=change, stock_after=item.stock)
    page.db.commit()
    return page.redirect("/console/points/catalogue", done="stock_changed")
