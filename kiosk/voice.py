"""Voice notes: record, play back and re-record, up to a minute, off the UI thread.

Recording runs ALSA's ``arecord`` (or sox's ``rec``) as a process, or the
command the configuration gives; stopping sends SIGINT so the WAV header is
finished. A kiosk without a microphone says so and the report goes on.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.i18n import N_

log = logging.getLogger(__name__)

NO_DEVICE = N_("This kiosk has no microphone. You can go on without a voice note.")
RECORD_FAILED = N_("The recording did not work. You can try again or go on without it.")
PLAY_FAILED = N_("The recording cannot be played here, but it will be sent with your report.")

Finished = Callable[[Path | None, str | None], None]


def _sound_cards() -> bool:
    try:
        text = Path("/proc/asound/cards").read_text()
    except OSError:
        return False
    return "no soundcards" not in text and text.strip() != ""


def default_commands() -> tuple[str, str]:
    """The record and play commands this machine can run, or empty strings."""
    if not _sound_cards():
        return "", ""
    if shutil.which("arecord"):
        return (
            "arecord -q -f S16_LE -r 16000 -c 1 -d {seconds} {out}",
            "aplay -q {file}" if shutil.which("aplay") else "",
        )
    if shutil.which("rec"):
        return "rec -q -r 16000 -c 1 {out} trim 0 {seconds}", "play -q {file}"
    return "", ""


class VoiceRecorder:
    def __init__(
        self,
        work_dir: Path,
        max_seconds: int = 60,
        record_command: str = "",
        play_command: str = "",
        deliver: Callable = lambda fn: fn(),
    ):
        found_record, found_play = default_commands()
        self.record_command = record_command or found_record
        self.play_command = play_command or found_play
        self.max_seconds = max_seconds
        self.work_dir = work_dir
        self.deliver = deliver
        self._process: subprocess.Popen | None = None
        self._count = 0

    @property
    def available(self) -> bool:
        return bool(self.record_command)

    @property
    def recording(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _run(self, command: str, on_exit: Callable[[int | None], None]) -> None:
        try:
            process = subprocess.Popen(
                shlex.split(command),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            log.info("voice command failed to start: %s", exc)
            self.deliver(lambda: on_exit(None))
            return
        self._process = process

        def wait():
            _out, err = process.communicate()
            if process.returncode not in (0, -signal.SIGINT, 130, 1):
                log.info(
                    "voice command ended with %s: %s",
                    process.returncode,
                    err.decode(errors="replace")[-200:],
                )
            self.deliver(lambda: on_exit(process.returncode))

        threading.Thread(target=wait, name="voice", daemon=True).start()

    def record(self, on_finished: Finished) -> None:
        """Start recording; ``on_finished(path, None)`` or ``(None, sentence)`` on the UI."""
        if not self.available:
            on_finished(None, NO_DEVICE)
            return
        self.stop()
        self._count += 1
        out = self.work_dir / f"voice-{self._count}.wav"
        out.unlink(missing_ok=True)
        command = self.record_command.format(seconds=self.max_seconds, out=shlex.quote(str(out)))

        def done(_code):
            self._process = None
            if out.is_file() and out.stat().st_size > 44:
                on_finished(out, None)
            else:
                on_finished(None, RECORD_FAILED)

        self._run(command, done)

    def stop(self) -> None:
        process = self._process
        if process and process.poll() is None:
            process.send_signal(signal.SIGINT)

    def play(self, path: Path, on_finished: Callable[[str | None], None]) -> None:
        if not self.play_command:
            on_finished(PLAY_FAILED)
            return
        self.stop()
        command = self.play_command.format(file=shlex.quote(str(path)))
        self._run(command, lambda code: on_finished(None if code == 0 else PLAY_FAILED))
