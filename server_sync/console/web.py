"""The request context every console and phone page is drawn with.

A `Page` knows the language, the signed session cookie (which holds the staff
user's id and the CSRF token), the signed-in user, and renders templates or
redirects while keeping the cookie up to date.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from server_sync.console import i18n, roles
from server_sync.protocol.points import COMMUNITY_TZ

logger = logging.getLogger(__name__)

COOKIE = "ymt_session"
SESSION_MAX_AGE_S = 12 * 3600
TEMPLATES = Path(__file__).with_name("templates")


# Control characters other than tab and line breaks: no person types them, and
# PostgreSQL refuses NUL in text.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    return CONTROL_RE.sub("", value)


def clean_form(form: FormData) -> FormData:
    """The form with control characters removed from every text field (files untouched)."""
    return FormData(
        [(key, clean_text(value) if isinstance(value, str) else value)
         for key, value in form.multi_items()]
    )  # fmt: skip


class PageError(Exception):
    """A request a person made that cannot go ahead; shown as a page in their language."""

    def __init__(self, status: int, message_key: str, **values: Any) -> None:
        super().__init__(message_key)
        self.status = status
        self.message_key = message_key
        self.values = values


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def _format_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(COMMUNITY_TZ).strftime(fmt)


HISTORY_NOTES = (
    (re.compile(r"^received from the device$"), "history.received"),
    (re.compile(r"^routed to the category's default department$"), "history.auto_routed"),
    (re.compile(r"^rated (?P<n>[1-5]) of 5$"), "history.rated"),
    (re.compile(r"^call-back: rated (?P<n>[1-5]) of 5\.\s*(?P<rest>.*)$", re.S), "history.called"),
    (re.compile(r"^call-back: not reached\.\s*(?P<rest>.*)$", re.S), "history.not_reached"),
    (re.compile(r"^county coordination: on\.\s*(?P<rest>.*)$", re.S), "history.county_on"),
    (re.compile(r"^county coordination: off\.\s*(?P<rest>.*)$", re.S), "history.county_off"),
)


def history_note(note: str, lang: str) -> str:
    """A history note in the reader's language when the system wrote it in a fixed form."""
    for pattern, key in HISTORY_NOTES:
        match = pattern.match(note)
        if match:
            values = match.groupdict()
            rest = values.pop("rest", "")
            text = i18n.translate(key, lang, **values)
            return f"{text} {rest}".strip()
    return note


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _format_time
    env.filters["json_text"] = _json_text
    return env


ENV = _environment()


def serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret_key, salt="ymt.console.session")


class Page:
    """One request as the console sees it."""

    def __init__(self, request: Request, db: Session) -> None:
        self.request = request
        self.db = db
        self.user = None
        self._dirty = False
        self.session = self._load()
        if "c" not in self.session:
            self.session["c"] = secrets.token_urlsafe(24)
            self._dirty = True
        asked = request.query_params.get("lang")
        if asked in i18n.LANGUAGES and asked != self.session.get("l"):
            self.session["l"] = asked
            self._dirty = True
        self.lang = i18n.normalise(self.session.get("l"))

    def _load(self) -> dict[str, Any]:
        raw = self.request.cookies.get(COOKIE)
        if not raw:
            return {}
        try:
            data = serializer(self.request).loads(raw, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    # ------------------------------------------------------------ session

    @property
    def csrf(self) -> str:
        return self.session["c"]

    def sign_in(self, user_id: int) -> None:
        """A fresh session (new CSRF token) for `user_id`, keeping the language."""
        self.session = {"u": user_id, "c": secrets.token_urlsafe(24), "l": self.lang}
        self._dirty = True

    # Limitation: the session lives in the signed cookie alone, so signing out clears this
    # browser's cookie but a copy taken earlier stays valid until it expires (12 hours) or
    # the user is disabled; a server-side session table would allow revoking it.
    def sign_out(self) -> None:
        self.session = {"c": secrets.token_urlsafe(24), "l": self.lang}
        self._dirty = True

    async def form(self) -> Any:
        """The posted form, after checking its CSRF token against the session's."""
        form = clean_form(await self.request.form())
        sent = form.get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, self.csrf):
            logger.info("form refused: missing or wrong CSRF token on %s", self.request.url.path)
            raise PageError(403, "error.csrf")
        return form

    def _keep_cookie(self, response: Response) -> Response:
        if self._dirty or self.session.get("u"):
            response.set_cookie(
                COOKIE,
                serializer(self.request).dumps(self.session),
                max_age=SESSION_MAX_AGE_S,
                httponly=True,
                samesite="lax",
                secure=self.request.url.scheme == "https",
            )
        return response

    # ------------------------------------------------------------ output

    def navigation(self) -> list[tuple[str, str]]:
        items = roles.navigation(self.user.role if self.user else None)
        if self.user is not None and not self.user.department:
            items = [(path, key) for path, key in items if path != "/console/queue"]
        return items

    def can(self, capability: str) -> bool:
        return self.user is not None and roles.can(self.user.role, capability)

    def t(self, key: str, **values: Any) -> str:
        return i18n.translate(key, self.lang, **values)

    def pick(self, row: Any, field: str) -> str:
        return i18n.pick(row, field, self.lang)

    def url_with(self, **params: Any) -> str:
        """This page's URL with some query parameters replaced (None removes one)."""
        query = dict(self.request.query_params)
        for key, value in params.items():
            if value is None:
                query.pop(key, None)
            else:
                query[key] = str(value)
        return f"{self.request.url.path}?{urlencode(query)}" if query else self.request.url.path

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = ENV.get_template(template).render(
            page=self,
            t=self.t,
            pick=self.pick,
            note=lambda text: history_note(text, self.lang),
            user=self.user,
            lang=self.lang,
            csrf=self.csrf,
            flash=self.request.query_params.get("done"),
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return self._keep_cookie(response)

    def redirect(self, url: str, done: str | None = None) -> RedirectResponse:
        if done:
            url += ("&" if "?" in url else "?") + urlencode({"done": done})
        return self._keep_cookie(RedirectResponse(url, status_code=303))
