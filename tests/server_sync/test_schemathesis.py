"""Schemathesis explores every operation in /openapi.json: none may answer with a 5xx."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sync_helpers import report_event

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_no_operation_answers_with_a_server_error(server, tmp_path):
    device = server.enrol()
    server.push(device, [report_event() for _ in range(3)])

    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--header",
            f"Authorization: Bearer {device.token}",
            "--max-examples",
            "40",
            "--workers",
            "1",
            "--seed",
            "20261203",
            "--request-timeout",
            "20",
            "--generation-database",
            "none",
            "--no-color",
            "--report-dir",
            str(tmp_path / "report"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )

    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    assert cases is not None, output[-3000:]
    assert cases[1] == cases[2] and int(cases[1]) > 200, cases[0]
