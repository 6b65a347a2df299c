"""Reading a screen's prompt aloud with espeak-ng, never blocking the screen.

Speech runs as its own process; a new prompt stops the one still speaking.
Where espeak-ng or a sound device is missing the kiosk stays silent.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

log = logging.getLogger(__name__)

VOICES = {"zh_CN": "cmn", "en": "en"}


class Speaker:
    def __init__(self, enabled: bool = True, zh_voice: str = "cmn"):
        self.program = shutil.which("espeak-ng") if enabled else None
        self.voices = dict(VOICES, zh_CN=zh_voice)
        self._process: subprocess.Popen | None = None
        if enabled and not self.program:
            log.info("espeak-ng is not installed; prompts will not be read aloud")

    @property
    def available(self) -> bool:
        return self.program is not None

    def say(self, text: str, language: str) -> None:
        self.stop()
        if not self.program or not text.strip():
            return
        try:
            self._process = subprocess.Popen(
                [self.program, "-v", self.voices.get(language, "en"), "-s", "140", "--", text],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            log.info("espeak-ng could not start: %s", exc)
            self._process = None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process and process.poll() is None:
            process.terminate()  # reaped by the next Popen; no wait on the UI thread
