"""Signing in and out, and the dependencies that put a signed-in user on a page.

Login attempts are limited per address and per user name; a blocked attempt
is refused before the password is checked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from server_sync.console import roles
from server_sync.console.audit import audit
from server_sync.console.ratelimit import RateLimiter
from server_sync.console.web import LoginRequired, Page, PageError
from server_sync.models import StaffUser, utcnow
from server_sync.staff import hash_password, needs_rehash, verify_password

logger = logging.getLogger(__name__)

router = APIRouter()
# Five wrong passwords in fifteen minutes lock the user name for the rest of the window;
# twenty lock the address (an office shares one address, so it gets more).
LOGIN_LIMIT = 5
ADDRESS_LIMIT = 20
LOGIN_WINDOW_S = 15 * 60
_DUMMY_HASH = hash_password("not a password anyone has")


def login_limiters(request: Request) -> tuple[RateLimiter, RateLimiter]:
    state = request.app.state
    if not hasattr(state, "login_limiters"):
        state.login_limiters = (
            RateLimiter(ADDRESS_LIMIT, LOGIN_WINDOW_S),
            RateLimiter(LOGIN_LIMIT, LOGIN_WINDOW_S),
        )
    return state.login_limiters


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def database_session(request: Request) -> Iterator[Session]:
    """A session per request: reads do not take SQLite's write lock, forms do."""
    database = request.app.state.database
    factory = database.read_session if request.method in ("GET", "HEAD") else database.session
    with factory() as session:
        yield session


def public_page(request: Request, db: Session = Depends(database_session)) -> Page:
    page = Page(request, db)
    request.state.page = page
    return page


async def posted_form(request: Request):
    """The posted form after its CSRF check, read before the route runs.

    Routes that write are plain functions, run by FastAPI in its thread pool, so their
    database work (which may wait for SQLite's write lock) never holds up the event
    loop; this dependency does the one part that must be awaited. Declare it after the
    page dependency, which it uses.
    """
    page = getattr(request.state, "page", None) or Page(request, None)
    return await page.form()


def staff_page(capability: str | None = None) -> Callable[..., Page]:
    """A dependency: the page of a signed-in user who has `capability`."""

    def dependency(request: Request, db: Session = Depends(database_session)) -> Page:
        page = Page(request, db)
        request.state.page = page
        user_id = page.session.get("u")
        user = db.get(StaffUser, user_id) if isinstance(user_id, int) else None
        if user is None or not user.active:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target)
        page.user = user
        # End the transaction the lookup began: on SQLite a writing session holds the
        # write lock from its first statement, and the form (perhaps photos from a slow
        # phone) is read after this.
        db.commit()
        if capability and not roles.can(user.role, capability):
            raise PageError(403, "error.forbidden")
        return page

    return dependency


def check_password(user: StaffUser | None, password: str) -> bool:
    """Check a password; a missing user costs the same time as a wrong password."""
    matches = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    return matches and user is not None


def _safe_next(url: str | None) -> str | None:
    if url and url.startswith("/console/") and not url.startswith("//"):
        return url
    return None


@router.get("/console/login")
def login_form(page: Page = Depends(public_page), next: str = ""):
    return page.render("login.html", next=_safe_next(next) or "", username="", error=None)


@router.post("/console/login")
def login(page: Page = Depends(public_page), form=Depends(posted_form)):
    username = str(form.get("username", "")).strip()[:40]
    password = str(form.get("password", ""))[:200]
    next_url = _safe_next(str(form.get("next", "")))
    by_address, by_name = login_limiters(page.request)
    address = client_address(page.request)

    def refuse(key: str, status: int):
        return page.render(
            "login.html", status=status, next=next_url or "", username=username, error=page.t(key)
        )

    if by_address.blocked(address) or by_name.blocked(username.lower()):
        logger.info("login refused for a while: too many attempts from %s", address)
        return refuse("auth.too_many", 429)

    user = page.db.scalar(select(StaffUser).where(StaffUser.username == username))
    page.db.commit()  # the slow hash check below holds no database lock
    if not check_password(user, password) or not user.active:
        by_address.hit(address)
        by_name.hit(username.lower())
        logger.info("login failed for %r from %s", username, address)
        return refuse("auth.failed", 401)

    user = page.db.get(StaffUser, user.id)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    page.user = user
    audit(page, "login", f"staff:{user.username}")
    page.db.commit()
    by_name.reset(username.lower())
    page.sign_in(user.id)
    return page.redirect(next_url or roles.HOME.get(user.role, "/console/"))


@router.post("/console/logout")
def logout(page: Page = Depends(staff_page()), _form=Depends(posted_form)):
    audit(page, "logout", f"staff:{page.user.username}")
    page.db.commit()
    page.sign_out()
    return page.redirect("/console/login")


@router.get("/console/")
@router.get("/console")
def home(page: Page = Depends(staff_page())):
    return page.redirect(roles.HOME.get(page.user.role, "/console/login"))
