"""Read aloud: a screen's prompt goes to espeak-ng's Mandarin voice without blocking."""

from __future__ import annotations

import shutil

import pytest

from kiosk.speech import Speaker


def test_prompt_is_spoken_with_the_mandarin_voice_in_its_own_process():
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    speaker = Speaker(enabled=True)
    speaker.say("请点大按钮。", "zh_CN")
    process = speaker._process
    assert process is not None
    assert process.args[:3] == [shutil.which("espeak-ng"), "-v", "cmn"]
    assert process.args[-1] == "请点大按钮。"
    speaker.say("Tap a big button.", "en")
    assert speaker._process.args[2] == "en"
    speaker.stop()


def test_without_espeak_the_kiosk_stays_silent():
    speaker = Speaker(enabled=False)
    speaker.say("请点大按钮。", "zh_CN")
    assert not speaker.available and speaker._process is None
