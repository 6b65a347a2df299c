"""The whole chain, as a technician sets it up and a resident uses it.

A real server process on 127.0.0.1, a device enrolled with `ymt-agent`, the
kiosk's own services recording a report with a photo and a voice note into a
real store file, the agent pushing it, and the status coming back to the
kiosk with the next pull, so a resident in the lift can track the ticket.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import wave
from hashlib import sha256
from pathlib import Path

import pytest
import requests
from PIL import Image

from kiosk.config import load_config
from kiosk.services import ReportDraft, Services
from server_sync.media import MediaStore
from server_sync.settings import Settings
from terminal_agent.store import Store

ROOT = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "server_sync.cli"]
AGENT = [sys.executable, "-m", "terminal_agent.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{argv[2:]} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def server(tmp_path):
    """`ymt-server seed` and `serve` in a data directory of their own."""
    data = tmp_path / "server"
    _run([*SERVER, "seed", "--data-dir", str(data)])
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")
    process = subprocess.Popen(
        [*SERVER, "serve", "--data-dir", str(data), "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/api/v1/health", timeout=1).ok:
                break
        except requests.RequestException:
            pass
        assert process.poll() is None, (tmp_path / "server.log").read_text()
        assert time.monotonic() < deadline, "the server did not start within 60 s"
        time.sleep(0.2)
    yield url, data
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture
def lift_kiosk(tmp_path, server):
    """A lift kiosk's configuration and store, enrolled as a technician would."""
    url, data = server
    made = _run(
        [
            *SERVER,
            "device-code",
            "--data-dir",
            str(data),
            "--role",
            "lift",
            "--location",
            "b07-lift-1",
        ]
    )
    code = made.stdout.strip().splitlines()[-1]
    store_path = tmp_path / "device" / "store.db"
    _run([*AGENT, "--store", str(store_path), "enroll", "--server", url, "--code", code])
    _run([*AGENT, "--store", str(store_path), "run", "--once"])
    config = tmp_path / "kiosk.toml"
    config.write_text(
        "[kiosk]\n"
        'role = "lift"\n'
        'location = "b07-lift-1"\n'
        f'store = "{store_path}"\n'
        "[printer]\n"
        f'url = "preview://{tmp_path / "slips"}"\n',
        encoding="utf-8",
    )
    return load_config(config), store_path


def _photo(path: Path) -> Path:
    Image.new("RGB", (320, 240), (90, 140, 200)).save(path, "JPEG")
    return path


def _voice_note(path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x01" * 16000)
    return path


def test_a_kiosk_report_reaches_the_server_once_and_its_status_comes_back(
    tmp_path, server, lift_kiosk
):
    url, data = server
    config, store_path = lift_kiosk
    services = Services(config, deliver=lambda call: call(), work_dir=tmp_path / "work")
    try:
        categories = {row["key"] for row in services.categories()}
        assert len(categories) == 12, "reference data did not arrive with the pull"
        photo = _photo(tmp_path / "leak.jpg")
        voice = _voice_note(tmp_path / "leak.wav")
        draft = ReportDraft(category="utilities", phrases=["水管漏水"], voice=voice, photo=photo)
        ticket = services.submit_report(draft)
        assert ticket.startswith("L07-")
        assert services.ticket_status(ticket)["status"] == "submitted"
    finally:
        services.close()

    # The agent pushes the media and the event, then pulls the new status.
    _run([*AGENT, "--store", str(store_path), "run", "--once"])
    _run([*AGENT, "--store", str(store_path), "run", "--once"])

    public = requests.get(f"{url}/api/v1/tickets/{ticket}", timeout=5)
    assert public.status_code == 200
    body = public.json()
    assert body["category"] == "utilities"
    assert body["status"] == "routed"
    assert "phone" not in public.text and "水管漏水" not in public.text

    media_store = MediaStore(Settings(data_dir=data).media_dir)
    for media in (photo, voice):
        kept = media_store.path_for(sha256(media.read_bytes()).hexdigest())
        assert kept.read_bytes() == media.read_bytes()

    store = Store(store_path)
    try:
        assert store.sync_status()["queue_depth"] == 0
        assert store.reference_row("tickets", ticket)["status"] == "routed"
    finally:
        store.close()

    # Pushing again sends nothing twice: the server still has one report.
    _run([*AGENT, "--store", str(store_path), "flush"])
    again = requests.get(f"{url}/api/v1/tickets/{ticket}", timeout=5).json()
    assert again["status"] == "routed"
