"""Shared parts of the console, phone page and Open311 tests: one real server on
127.0.0.1 per test module, staff for every role, Chromium through Playwright, and
helpers to put reports in the way a device would.

Test modules import the fixtures they use from here.
"""

from __future__ import annotations

import io
import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import serving
from PIL import Image

from server_sync.app import create_app
from server_sync.db import Database
from server_sync.ingest import apply_batch
from server_sync.migrate import upgrade
from server_sync.seed import seed_reference
from server_sync.settings import load_settings
from server_sync.staff import create_user

OUTPUT = Path(__file__).resolve().parents[1] / "_output" / "console"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PASSWORD = "correct-horse-battery"
# user name -> (role, department)
STAFF = {
    "admin": ("admin", None),
    "dispatcher": ("dispatcher", None),
    "supervisor": ("supervisor", None),
    "property": ("department", "property"),
    "sanitation": ("department", "sanitation"),
    "shop": ("supermarket", None),
    "tech": ("technician", None),
}


@dataclass
class ConsoleServer:
    url: str
    database: Database
    data_dir: Path
    tickets: dict[str, int] = field(default_factory=dict)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)

    def submit(
        self,
        category: str,
        *,
        location: str = "b07-lift-1",
        at: datetime | None = None,
        text: str = "",
        phone: str | None = None,
        device: str = "T01",
    ) -> str:
        """A report as a kiosk would send it (no device row: the phone-page path)."""
        number = self.tickets.get(device, 0) + 1
        self.tickets[device] = number
        at = at or datetime.now().astimezone()
        ticket = f"{device}-{at:%y%m%d}-{number:04d}"
        contact = {"kind": "phone", "phone": phone} if phone else {"kind": "anonymous"}
        event = {
            "id": str(uuid.uuid4()),
            "type": "report.submitted",
            "occurred_at": at.isoformat(),
            "payload": {"ticket": ticket, "category": category, "location": location,
                        "text": text, "contact": contact},
        }  # fmt: skip
        result = apply_batch(self.database, None, [event])[0]
        assert result.status == "accepted", result.reason
        return ticket


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in through the form, as a browser would (GET for the CSRF token, then POST)."""
    form = client.get("/console/login")
    token = csrf_of(form.text)
    return client.post(
        "/console/login", data={"csrf": token, "username": username, "password": password}
    )


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def jpeg_bytes(colour=(200, 60, 40), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


_databases = itertools.count(1)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def console_server(request, tmp_path_factory) -> Iterator[ConsoleServer]:
    """A real server over a fresh database, seeded, with one user per role.

    Modules that drive Chromium pin this to SQLite with
    ``pytestmark = pytest.mark.parametrize("console_server", ["sqlite"], indirect=True)``.
    """
    root = tmp_path_factory.mktemp("console")
    if request.param == "sqlite":
        url = f"sqlite:///{root / 'server.db'}"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        name = f"ymt_console_{next(_databases)}"
        cluster.execute(f"CREATE DATABASE {name}")
        url = cluster.url(name)
    database = Database(url)
    upgrade(database)
    with database.transaction() as session:
        seed_reference(session)
        for username, (role, department) in STAFF.items():
            create_user(session, username, PASSWORD, role=role, department=department,
                        display_name=username.title())  # fmt: skip
    settings = load_settings(
        environ={}, data_dir=root / "data", database_url=url, migrate_on_start=False
    )
    with serving(create_app(settings, database)) as base:
        yield ConsoleServer(url=base, database=database, data_dir=root / "data")
    database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is missing: apt-get install chromium")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def browser_login(browser, server: ConsoleServer, username: str, **context_args):
    """A fresh browser context signed in as `username`; returns (context, page)."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, **context_args)
    page = context.new_page()
    page.goto(f"{server.url}/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form[action='/console/login'] button[type=submit]")
    page.wait_for_url(lambda url: "/console/login" not in url)
    return context, page


def shot(page, name: str) -> Path:
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def image_width(page, locator) -> int:
    """The natural width of an <img> once the browser has loaded it (0 if it failed)."""
    return page.evaluate(
        """img => img.complete ? img.naturalWidth : new Promise(done => {
            img.addEventListener("load", () => done(img.naturalWidth));
            img.addEventListener("error", () => done(0));
        })""",
        locator.element_handle(),
    )
