"""Dependencies shared by the routers: settings, database, media store, the calling device."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server_sync.db import Database
from server_sync.enrolment import device_for_token
from server_sync.media import MediaStore
from server_sync.models import Device
from server_sync.settings import Settings

from .errors import ApiError

bearer = HTTPBearer(auto_error=False, description="the device token issued at enrolment")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_database(request: Request) -> Database:
    return request.app.state.database


def get_media_store(request: Request) -> MediaStore:
    return request.app.state.media


def current_device(
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    database: Database = Depends(get_database),
) -> Device:
    """The enrolled device the bearer token belongs to; 401 otherwise."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401, "unauthorized", "a device token is required: enrol the device first", challenge
        )
    with database.read_session() as session:
        device = device_for_token(session, credentials.credentials)
        if device is None:
            raise ApiError(
                401,
                "unauthorized",
                "the device token is not valid; the device may have been retired, enrol it again",
                challenge,
            )
        session.expunge(device)
    return device
