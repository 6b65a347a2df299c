import datetime
import http.server
import ipaddress
import ssl
import threading

import pytest

from terminal_agent.store import Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "device" / "store.db") as opened:
        yield opened


@pytest.fixture
def photo(tmp_path):
    """A small JPEG-looking file the kiosk would hand over and then delete."""
    path = tmp_path / "camera" / "shot.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"photo of a broken lift button" * 40 + b"\xff\xd9")
    return path


def _report_payload(ticket="DEMO-261203-0001", **extra):
    payload = {"ticket": ticket, "category": "lift_fault", "location": "b07-lift-1"}
    payload.update(extra)
    return payload


@pytest.fixture
def report_payload():
    """Builds a valid report.submitted payload; keyword arguments override fields."""
    return _report_payload


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers every request with the server fixture's canned response and notes the request."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, body))
        status, headers, payload = self.server.respond(self.command, self.path, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_HEAD = _answer

    def log_message(self, *args):
        pass


class CannedServer:
    """A real HTTP(S) server on 127.0.0.1 whose answers a test decides."""

    def __init__(self, respond, ssl_context=None):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.respond = respond
        self.httpd.seen = []
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if ssl_context else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def seen(self):
        return self.httpd.seen

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def canned_server():
    servers = []

    def start(respond, ssl_context=None):
        server = CannedServer(respond, ssl_context)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def enrolled_store(store):
    """A store enrolled with a server address the test points at 127.0.0.1 later."""

    def enrol(server_url):
        store.set_identity(
            device_id=1,
            short_code="L07",
            role="lift",
            location="b07-lift-1",
            server=server_url,
            token="device-token",
        )
        return store

    return enrol


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory):
    """A certificate for 127.0.0.1 that no one vouches for, and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return cert_path, context


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The real server on 127.0.0.1 with a fresh SQLite file for this test module."""
    from agent_harness import ServerProcess, seed_reference

    server = ServerProcess(tmp_path_factory.mktemp("server"))
    server.start()
    seed_reference(server)
    yield server
    server.stop()


@pytest.fixture
def enrolled(live_server, tmp_path, monkeypatch):
    """A new device store enrolled with the live server through `ymt-agent enroll`."""
    from agent_harness import device_code

    from terminal_agent import cli

    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    path = tmp_path / "device" / "store.db"
    code = device_code(live_server)
    assert (
        cli.main(["--store", str(path), "enroll", "--server", live_server.url, "--code", code])
        == 0
    )
    with Store(path) as opened:
        yield opened
