"""Every UI string of the kiosk has its Chinese and English text in the compiled catalogue."""

from __future__ import annotations

from kiosk.i18n import LANGUAGES, Catalogue
from kiosk.i18n import ui_strings as extract


def test_every_ui_string_is_translated_in_both_languages():
    catalogue = Catalogue("zh_CN")
    strings = extract()
    assert len(strings) > 100  # the extraction found the screens' strings
    missing = [
        f"{language}: {text!r} (used in {', '.join(sorted(set(files)))})"
        for text, files in strings.items()
        for language in LANGUAGES
        if not catalogue.has(language, text)
    ]
    assert missing == []


def test_chinese_is_the_default_and_english_is_one_switch_away():
    catalogue = Catalogue("zh_CN")
    assert catalogue.tr("Report a problem") == "我要反映问题"
    catalogue.language = "en"
    assert catalogue.tr("Report a problem") == "Report a problem"


def test_no_chinese_text_is_written_in_the_screens_code():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "kiosk" / "ui"
    offenders = []
    for path in [*root.rglob("*.py"), *root.rglob("*.kv")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.replace('"中文"', "")  # the language button names Chinese in Chinese
            if any("\u4e00" <= ch <= "\u9fff" for ch in line):
                offenders.append(f"{path.name}:{number}")
    assert offenders == []
