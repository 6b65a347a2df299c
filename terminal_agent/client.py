"""The agent's HTTP layer: one `requests` session, timeouts, TLS, and errors a technician can read.

Every failure becomes a `SyncError` whose message says what is wrong and what to
do next, and whose `code` is stable for `--json` output and for tests.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from terminal_agent import __version__

log = logging.getLogger(__name__)

API = "/api/v1"
DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read


class SyncError(Exception):
    """A failure talking to the server, with a message for people and a code for scripts."""

    code = "error"

    def __init__(self, message: str, *, retry_after: float | None = None, status: int = 0):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.status = status


class Unreachable(SyncError):
    code = "unreachable"


class Timeout(SyncError):
    code = "timeout"


class TLSFailure(SyncError):
    code = "tls"


class CaptivePortal(SyncError):
    code = "captive_portal"


class NotAuthorised(SyncError):
    code = "token_refused"


class ServerBusy(SyncError):
    code = "server_busy"


class ServerFault(SyncError):
    code = "server_error"


class ProtocolMismatch(SyncError):
    """The server answered something this agent does not understand."""

    code = "protocol"


class Refused(SyncError):
    """The server understood the request and refused it (4xx other than 401/429)."""

    code = "refused"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class Backoff:
    """Exponential backoff with full jitter, capped; reset on success."""

    base: float = 1.0
    cap: float = 300.0
    failures: int = 0

    def failure(self, retry_after: float | None = None) -> float:
        self.failures += 1
        ceiling = min(self.cap, self.base * 2 ** min(self.failures - 1, 30))
        delay = random.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.cap))
        return delay

    def success(self) -> None:
        self.failures = 0


def _error_message(response: requests.Response) -> str:
    try:
        body = response.json()
        return str(body["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return (response.text or "").strip()[:200]


def _looks_like_json(response: requests.Response) -> bool:
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


class Client:
    """Talks to one Yimatong server; raises `SyncError` subclasses on every failure."""

    def __init__(
        self,
        server: str,
        token: str | None = None,
        *,
        ca_file: str | Path | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ):
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"ymt-agent/{__version__}"
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE override a
        # session-level setting, which would silently ignore the private CA.
        self.verify: bool | str = True
        if ca_file:
            if not Path(ca_file).is_file():
                raise TLSFailure(
                    f"the CA file {ca_file} does not exist; fix the setting ca_file "
                    "(ymt-agent config set ca_file PATH)"
                )
            self.verify = str(ca_file)
        self.last_server_date: datetime | None = None
        # Requests answered as the server meant; the daemon resets its backoff on progress.
        self.successes = 0
        self._owner: Client = self
        self._ca_file = ca_file

    def clone(self) -> Client:
        """Another session to the same server (for another thread), counting into this one."""
        twin = Client(self.server, self.token, ca_file=self._ca_file, timeout=self.timeout)
        twin._owner = self
        return twin

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | Any = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        expect_json: bool = True,
        ok_statuses: tuple[int, ...] = (),
    ) -> requests.Response:
        """Send one request; return the response or raise a `SyncError` saying why not."""
        url = self.server + API + path
        all_headers = dict(headers or {})
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self.session.request(
                method,
                url,
                data=body,
                headers=all_headers,
                params=params,
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise TLSFailure(self._tls_message(exc)) from None
        except requests.exceptions.ConnectTimeout:
            raise Timeout(f"no connection to {self.server} within {self.timeout[0]:g} s") from None
        except requests.exceptions.ReadTimeout:
            raise Timeout(f"{self.server} did not answer within {self.timeout[1]:g} s") from None
        except requests.exceptions.ConnectionError as exc:
            raise Unreachable(
                f"cannot reach {self.server} ({type(exc).__name__}); check the network "
                "cable or Wi-Fi and the server address"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise Unreachable(f"request to {self.server} failed: {exc}") from None
        self._note_date(response)
        self._check(response, expect_json=expect_json, ok_statuses=ok_statuses)
        self._owner.successes += 1
        return response

    def _tls_message(self, exc: Exception) -> str:
        found = re.search(r"certificate verify failed: ([^(')]+?)\s*\(", str(exc))
        if found:
            reason = f"its certificate could not be verified ({found.group(1).strip()})"
        elif "CERTIFICATE_VERIFY_FAILED" in str(exc):
            reason = "its certificate could not be verified"
        else:
            reason = "the secure connection failed"
        return (
            f"refused to talk to {self.server}: {reason}. If the server uses a private "
            "certificate authority, set it with: ymt-agent config set ca_file /path/to/ca.pem"
        )

    def _note_date(self, response: requests.Response) -> None:
        value = response.headers.get("Date")
        if value:
            try:
                self.last_server_date = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                pass

    def _check(
        self, response: requests.Response, *, expect_json: bool, ok_statuses: tuple[int, ...]
    ) -> None:
        status = response.status_code
        if status in ok_statuses:
            return
        if 300 <= status < 400:
            target = response.headers.get("Location", "?")
            raise CaptivePortal(
                f"the network redirected the request to {target} instead of reaching the "
                "server; the device is probably behind a login page (captive portal) or the "
                "server address is wrong"
            )
        if 200 <= status < 300:
            if expect_json and not _looks_like_json(response):
                raise CaptivePortal(self._portal_message(response))
            if expect_json:
                try:
                    response.json()
                except ValueError:
                    raise CaptivePortal(self._portal_message(response)) from None
            elif response.headers.get("Content-Type", "").lower().startswith("text/html"):
                raise CaptivePortal(self._portal_message(response))
            return
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        message = _error_message(response)
        if status == 401:
            raise NotAuthorised(
                "the server does not accept this device's token; enrol the device again "
                f"(ymt-agent enroll --server {self.server} --code CODE). Server said: {message}",
                status=status,
            )
        if status in (429, 503):
            raise ServerBusy(
                f"the server is busy (HTTP {status}); the agent will retry"
                + (f" after {retry_after:g} s" if retry_after is not None else ""),
                retry_after=retry_after,
                status=status,
            )
        if status >= 500:
            raise ServerFault(
                f"the server failed (HTTP {status}): {message or 'no details'}; the agent "
                "will retry",
                retry_after=retry_after,
                status=status,
            )
        raise Refused(f"the server refused the request (HTTP {status}): {message}", status=status)

    def _portal_message(self, response: requests.Response) -> str:
        kind = response.headers.get("Content-Type", "no content type")
        return (
            f"{self.server} answered with a web page ({kind}) instead of the server's data; "
            "the network is probably showing a login page (captive portal) or the server "
            "address points at the wrong site. No event is marked as sent; the queue is kept"
        )
