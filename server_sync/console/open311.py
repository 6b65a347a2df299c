"""Open311 GeoReport v2 under `/open311/v2/`: the categories as services, and requests
(reports) filed and followed by any Open311 client, in JSON or XML.

Posting needs an API key (issued on the console's Open311 page; only its hash
is kept). Listing and fetching are open, as the specification has them, so they
carry no personal data: no description, no contact, no media.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import re
import secrets
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from server_sync.console.audit import audit_as
from server_sync.console.phone import PHONE_RE, next_server_ticket
from server_sync.console.web import clean_form
from server_sync.ingest import apply_batch
from server_sync.models import Category, Department, Location, Report, utcnow
from server_sync.models.console import Open311Client
from server_sync.protocol import ResultStatus, new_event_id
from server_sync.protocol.tickets import parse_ticket

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/open311/v2", include_in_schema=False)

API_CODE = "API"
CLOSED = ("resolved", "reviewed", "closed")
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
STATUS_NOTES = {
    "submitted": "received",
    "routed": "sent to the responsible department",
    "accepted": "the department is working on it",
    "resolved": "resolved by the department",
    "reviewed": "resolved and checked by the processing centre",
    "closed": "closed after the resident's rating",
}
ATTRIBUTES = (
    {
        "variable": True,
        "code": "building",
        "datatype": "number",
        "required": False,
        "datatype_description": "building number, 1 to 999",
        "order": 1,
        "description": "Building",
    },
    {
        "variable": True,
        "code": "unit",
        "datatype": "number",
        "required": False,
        "datatype_description": "unit (flat) number",
        "order": 2,
        "description": "Unit",
    },
)


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# ------------------------------------------------------------------ API keys


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_client(session: Session, name: str, created_by: str) -> str:
    """Register an Open311 client; returns its API key, which is shown only this once."""
    key = secrets.token_urlsafe(32)
    session.add(Open311Client(name=name[:80], key_hash=hash_key(key), created_by=created_by))
    return key


def client_for_key(session: Session, key: str) -> Open311Client | None:
    if not key or len(key) > 200:
        return None
    client = session.scalar(select(Open311Client).where(Open311Client.key_hash == hash_key(key)))
    return client if client is not None and client.revoked_at is None else None


# ------------------------------------------------------------------ output


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        for item in value:
            _xml_value(element, "value" if not isinstance(item, dict) else "value", item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200):
    if fmt == "json":
        return JSONResponse(rows, status_code=status)
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            _xml_value(element, key, value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return Response(body, status_code=status, media_type="text/xml; charset=utf-8")


def render_error(fmt: str, status: int, description: str):
    rows = [{"code": status, "description": description}]
    return render(fmt if fmt in ("json", "xml") else "json", "errors", "error", rows, status)


def _format(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(400, "the format must be json or xml, e.g. /open311/v2/services.json")
    return fmt


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def request_row(
    report: Report,
    category: Category | None,
    department: Department | None,
    location: Location | None,
) -> dict[str, Any]:
    return {
        "service_request_id": report.ticket,
        "status": "closed" if report.status in CLOSED else "open",
        "status_notes": STATUS_NOTES.get(report.status, report.status),
        "service_name": category.name_en if category else report.category,
        "service_code": report.category,
        "agency_responsible": department.name_en if department else None,
        "service_notice": None,
        "requested_datetime": _time(report.submitted_at),
        "updated_datetime": _time(report.updated_at),
        "expected_datetime": _time(report.deadline_at),
        "address": location.name_en if location else report.location,
        "address_id": report.location,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _with_errors(fn):
    """Answer Open311Error with the specification's error list, in the format asked for."""

    def wrapper(**kwargs):
        fmt = str(kwargs.get("fmt", "json"))
        try:
            return fn(**kwargs)
        except Open311Error as exc:
            return render_error(fmt, exc.status, exc.description)

    wrapper.__name__ = fn.__name__
    wrapper.__signature__ = inspect.signature(fn)
    return wrapper


def _db(request: Request):
    return request.app.state.database


# ------------------------------------------------------------------ services


def _service(category: Category, department: Department | None) -> dict[str, Any]:
    return {
        "service_code": category.key,
        "service_name": category.name_en,
        "description": f"{category.name_zh} / {category.name_en}",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(category.phrases_en or []),
        "group": department.name_en if department else "",
    }


@router.get("/services.{fmt}")
@_with_errors
def services(request: Request, fmt: str):
    fmt = _format(fmt)
    with _db(request).read_session() as session:
        departments = {d.key: d for d in session.scalars(select(Department))}
        rows = [
            _service(c, departments.get(c.department))
            for c in session.scalars(select(Category).order_by(Category.position, Category.key))
        ]
    return render(fmt, "services", "service", rows)


@router.get("/services/{service_code}.{fmt}")
@_with_errors
def service_definition(request: Request, service_code: str, fmt: str):
    fmt = _format(fmt)
    with _db(request).read_session() as session:
        category = session.get(Category, service_code[:40])
    if category is None:
        raise Open311Error(404, f"there is no service {service_code[:40]!r}; see services.{fmt}")
    row = {"service_code": category.key, "attributes": [dict(a) for a in ATTRIBUTES]}
    if fmt == "json":
        return JSONResponse(row)
    top = ET.Element("service_definition")
    ET.SubElement(top, "service_code").text = category.key
    attributes = ET.SubElement(top, "attributes")
    for attribute in ATTRIBUTES:
        element = ET.SubElement(attributes, "attribute")
        for key, value in attribute.items():
            _xml_value(element, key, value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return Response(body, media_type="text/xml; charset=utf-8")


# ------------------------------------------------------------------ requests


def _int_attribute(form, name: str, high: int) -> int | None:
    raw = str(form.get(f"attribute[{name}]", "")).strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise Open311Error(400, f"attribute[{name}] must be a whole number from 1 to {high}")
    return int(raw)


async def posted_fields(request: Request):
    """The posted fields, or the Open311Error to answer with (raised by the route, so that
    it comes out in the format asked for). Reading the body is the only awaited step;
    the route itself runs in the thread pool."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > 64 * 1024:
        return Open311Error(413, "the request is too large; send at most 64 KB of form fields")
    try:
        return clean_form(await request.form(max_files=0))
    except Exception:
        return Open311Error(400, "send the request as application/x-www-form-urlencoded")


@router.post("/requests.{fmt}")
@_with_errors
def post_request(request: Request, fmt: str, form=Depends(posted_fields)):
    fmt = _format(fmt)
    if isinstance(form, Open311Error):
        raise form
    database = _db(request)
    with database.read_session() as session:
        client = client_for_key(session, str(form.get("api_key", "")))
        if client is None:
            raise Open311Error(403, "api_key is missing or not valid; ask the community for one")
        client_name = client.name
        code = str(form.get("service_code", ""))[:40]
        category = session.get(Category, code) if code else None
        if category is None:
            raise Open311Error(400, "service_code is missing or unknown; see services.json")
        address_id = str(form.get("address_id", "")).strip()[:80]
        address = str(form.get("address_string", "")).strip()
        lat, lon = str(form.get("lat", "")).strip(), str(form.get("long", "")).strip()
        if address_id:
            if session.get(Location, address_id) is None:
                raise Open311Error(400, f"address_id {address_id!r} is not a known location")
            location = address_id
        elif address:
            location = address[:80]
        # Limitation: coordinates are kept as given ("geo:lat,long"); nothing maps them to a
        # building, so a dispatcher reads the place off the description.
        elif lat and lon and _coordinate(lat, 90) and _coordinate(lon, 180):
            location = f"geo:{float(lat):.6f},{float(lon):.6f}"
        else:
            raise Open311Error(
                400, "a location is required: address_id, address_string, or lat and long"
            )
    description = str(form.get("description", "")).strip()
    if len(description) > 2000:
        raise Open311Error(400, "description may be at most 2000 characters")
    phone = re.sub(r"[\s()]", "", str(form.get("phone", "")))[:40]
    contact = {"kind": "phone", "phone": phone} if phone and PHONE_RE.match(phone) else {}
    payload = {
        "category": category.key,
        "location": location,
        "building": _int_attribute(form, "building", 999),
        "unit": _int_attribute(form, "unit", 9999),
        "text": description,
        "contact": contact or {"kind": "anonymous"},
    }

    now = utcnow()
    ticket = next_server_ticket(database, API_CODE, now)
    event = {
        "id": str(new_event_id()),
        "type": "report.submitted",
        "occurred_at": now.isoformat(),
        "payload": {"ticket": ticket, **payload},
    }
    result = apply_batch(database, None, [event])[0]
    if result.status != ResultStatus.ACCEPTED:
        logger.warning("Open311 request from %s not accepted: %s", client_name, result.reason)
        raise Open311Error(400, result.reason or "the request could not be filed")
    with database.transaction() as session:
        audit_as(
            session,
            f"open311:{client_name}",
            "open311.request",
            f"report:{ticket}",
            service_code=category.key,
        )
    logger.info("Open311 request %s filed by %s", ticket, client_name)
    notice = f"Keep the ticket {ticket}; the answer is due within {category.deadline_hours} hours."
    rows = [{"service_request_id": ticket, "service_notice": notice, "account_id": None}]
    return render(fmt, "service_requests", "request", rows, status=201)


def _coordinate(value: str, limit: float) -> bool:
    try:
        return -limit <= float(value) <= limit
    except ValueError:
        return False


def _parse_date(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a w3c date-time such as 2026-12-01T00:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise Open311Error(400, f"{name} must carry a time zone, such as Z or +08:00")
    return parsed


def _rows(session: Session, reports: list[Report]) -> list[dict[str, Any]]:
    categories = {c.key: c for c in session.scalars(select(Category))}
    departments = {d.key: d for d in session.scalars(select(Department))}
    keys = {r.location for r in reports}
    locations = {
        loc.key: loc for loc in session.scalars(select(Location).where(Location.key.in_(keys)))
    }
    return [
        request_row(
            r,
            categories.get(r.category),
            departments.get(r.department or ""),
            locations.get(r.location),
        )
        for r in reports
    ]


@router.get("/requests.{fmt}")
@_with_errors
def list_requests(request: Request, fmt: str):
    fmt = _format(fmt)
    params = request.query_params
    query = select(Report)
    ids = [t.strip().upper() for t in params.get("service_request_id", "").split(",") if t.strip()]
    if ids:
        if len(ids) > 100:
            raise Open311Error(400, "ask for at most 100 service_request_id values at once")
        query = query.where(Report.ticket.in_(ids))
    else:
        start = _parse_date(params.get("start_date", ""), "start_date")
        end = _parse_date(params.get("end_date", ""), "end_date")
        if start is None and end is None:
            start = utcnow() - timedelta(days=DEFAULT_DAYS)
        if start is not None:
            query = query.where(Report.submitted_at >= start)
        if end is not None:
            query = query.where(Report.submitted_at <= end)
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            query = query.where(Report.category.in_(codes[:50]))
        status = params.get("status", "")
        if status == "open":
            query = query.where(Report.status.not_in(CLOSED))
        elif status == "closed":
            query = query.where(Report.status.in_(CLOSED))
        elif status:
            raise Open311Error(400, "status must be open or closed")
    query = query.order_by(Report.submitted_at.desc()).limit(MAX_RESULTS)
    with _db(request).read_session() as session:
        rows = _rows(session, list(session.scalars(query)))
    return render(fmt, "service_requests", "request", rows)


@router.get("/requests/{request_id}.{fmt}")
@_with_errors
def get_request(request: Request, request_id: str, fmt: str):
    fmt = _format(fmt)
    parsed = parse_ticket(request_id[:40])
    with _db(request).read_session() as session:
        report = (
            session.scalar(select(Report).where(Report.ticket == str(parsed))) if parsed else None
        )
        if report is None:
            raise Open311Error(404, f"there is no request {request_id[:40]!r}")
        rows = _rows(session, [report])
    return render(fmt, "service_requests", "request", rows)
