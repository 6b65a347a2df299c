"""The device configuration: a mistake stops start-up with a sentence naming the line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config

GOOD = """\
[kiosk]
role = "lift"
location = "b07-lift-1"
store = "var/store.db"

[printer]
url = "preview://var/slips"

[timeouts]
idle_seconds = 60
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_config_loads_with_defaults(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.role == "lift"
    assert config.language == "zh_CN"
    assert config.idle_seconds == 60.0 and config.countdown_seconds == 20.0
    assert config.max_voice_seconds == 60


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('role = "lift"', 'role = "lobby"'), "line 2 (kiosk.role): must be one of lift"),
        (("idle_seconds = 60", 'idle_seconds = "soon"'), "line 10 (timeouts.idle_seconds)"),
        (('url = "preview://var/slips"', 'url = "lpt1"'), "line 7 (printer.url)"),
        (('location = "b07-lift-1"', 'location = "Lift 1!"'), "line 3 (kiosk.location)"),
        (('store = "var/store.db"\n', ""), "add a line `store = ...` under [kiosk]"),
    ],
)
def test_a_bad_or_missing_value_names_the_line_to_fix(tmp_path, change, expected):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD.replace(*change)))
    assert expected in str(caught.value)


def test_the_supermarket_needs_a_staff_pin(tmp_path):
    text = GOOD.replace('role = "lift"', 'role = "supermarket"')
    with pytest.raises(ConfigError, match="staff_pin"):
        load_config(write(tmp_path, text))


def test_broken_toml_and_a_missing_file_are_sentences(tmp_path):
    with pytest.raises(ConfigError, match="line 2"):
        load_config(write(tmp_path, "[kiosk]\nrole = lift\n"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")


def test_ymt_kiosk_stops_with_the_sentence_and_no_traceback(tmp_path):
    path = write(tmp_path, GOOD.replace('role = "lift"', 'role = "lobby"'))
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.app", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "line 2 (kiosk.role)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "name", ["kiosk-lift.toml", "kiosk-square.toml", "kiosk-supermarket.toml"]
)
def test_the_example_configs_load(name):
    config = load_config(Path(__file__).resolve().parents[2] / "assets" / "config" / name)
    assert config.printer_url.startswith("preview://")


def test_a_store_that_cannot_be_opened_stops_start_up_with_a_sentence(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    path = write(tmp_path, GOOD.replace("var/store.db", str(blocker / "store.db")))
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.app", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot be opened" in result.stderr and "[kiosk] store" in result.stderr
    assert "Traceback" not in result.stderr
