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
