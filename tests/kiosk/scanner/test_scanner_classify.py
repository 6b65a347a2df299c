"""Every scanned text is classified and checked; bad codes get a reason, never an exception."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.scanner.classify import Classifier
from kiosk.scanner.scan import ScanKind, ScanReason, ScanSource
from server_sync.protocol import cards

SERVER = "https://ymt.example.org"  # the classifier fixture's server
REVOKED_CARD = "0000000099"  # revoked in the classifier fixture


def scan(classifier, text, symbology="qr", source=ScanSource.CAMERA):
    return classifier.classify(text, source=source, symbology=symbology)


def test_signed_card_is_accepted_with_its_number(classifier, make_card):
    result = scan(classifier, make_card("0000012345"))
    assert (result.kind, result.ok, result.card_no) == (ScanKind.CARD, True, "0000012345")
    assert result.message_zh == "积分卡已识别。"


def test_forged_card_is_refused_as_forged(classifier, make_card):
    payload = make_card("0000012345")
    # Change one character in the middle of the signature.
    middle = len(payload) - 40
    forged = payload[:middle] + ("B" if payload[middle] != "B" else "C") + payload[middle + 1 :]
    result = scan(classifier, forged)
    assert (result.kind, result.ok, result.reason) == (ScanKind.CARD, False, "card_forged")
    assert "forged" in result.message_en and "伪造" in result.message_zh


def test_card_signed_by_another_community_is_forged(classifier):
    other = cards.sign_card(cards.generate_private_key(), "0000012345")
    assert scan(classifier, other).reason == ScanReason.CARD_FORGED


def test_card_with_another_number_under_a_real_signature_is_forged(classifier, make_card):
    real = make_card("0000012345")
    swapped = real.replace("0000012345", "0000054321")
    assert scan(classifier, swapped).reason == ScanReason.CARD_FORGED


@pytest.mark.parametrize("cut", [1, 20, 86, 95])
def test_truncated_card_is_reported_damaged(classifier, make_card, cut):
    payload = make_card("0000012345")[:-cut]
    result = scan(classifier, payload)
    assert (result.kind, result.ok, result.reason) == (ScanKind.CARD, False, "card_malformed")
    assert "cut short" in result.message_en


def test_revoked_card_is_refused(classifier, make_card):
    result = scan(classifier, make_card(REVOKED_CARD))
    assert (result.ok, result.reason, result.card_no) == (False, "card_revoked", REVOKED_CARD)


def test_card_before_the_key_arrived_asks_to_sync(make_card):
    result = Classifier(None).classify(make_card("0000012345"), source=ScanSource.WEDGE)
    assert (result.ok, result.reason) == (False, "card_no_key")
    assert "sync" in result.message_en


def test_bare_card_number_is_not_a_card(classifier):
    result = scan(classifier, "0000012345", symbology=None, source=ScanSource.WEDGE)
    assert (result.ok, result.reason) == (False, ScanReason.CARD_NUMBER_ONLY)


def test_ticket_number_is_read(classifier):
    result = scan(classifier, "L07-261203-0012", symbology="code128")
    assert (result.kind, result.ok, result.ticket) == (ScanKind.TICKET, True, "L07-261203-0012")


def test_tracking_link_of_our_server_is_a_ticket(classifier):
    result = scan(classifier, f"{SERVER}/t/M01-261203-0007")
    assert (result.kind, result.ok, result.ticket) == (ScanKind.TICKET, True, "M01-261203-0007")
    assert result.url == f"{SERVER}/t/M01-261203-0007"


def test_tracking_link_of_another_host_is_only_a_web_address(classifier):
    result = scan(classifier, "https://ymt.example.com.evil.test/t/M01-261203-0007")
    assert (result.kind, result.ok, result.reason) == (ScanKind.URL, False, "web_address")


def test_ticket_with_impossible_date_is_refused(classifier):
    result = scan(classifier, "L07-261332-0012")
    assert (result.kind, result.ok, result.reason) == (ScanKind.TICKET, False, "ticket_malformed")


@pytest.mark.parametrize(
    "text",
    [
        "https://qr.alipay.com/bax03431ljhokirwl38f00a7",
        "wxp://f2f0kXh1nE3oQ4b2Y6Zz",
        "https://payapp.weixin.qq.com/qr/AQH8cXkq",
        "https://qr.95516.com/00010000/62220000",
        "134567890123456789",  # a phone's WeChat Pay barcode
        "286543210987654321",  # a phone's Alipay barcode
    ],
)
def test_payment_codes_are_foreign(classifier, text):
    result = scan(classifier, text, symbology=None)
    assert (result.ok, result.reason) == (False, ScanReason.PAYMENT_CODE)
    assert "付款码" in result.message_zh


def test_other_web_address_is_a_url_the_kiosk_does_not_open(classifier):
    result = scan(classifier, "https://www.example.com/menu")
    assert (result.kind, result.ok, result.reason) == (ScanKind.URL, False, "web_address")
    assert result.url == "https://www.example.com/menu"


def test_product_barcode_is_named_as_such(classifier):
    result = scan(classifier, "6901234567892", symbology="ean13")
    assert (result.kind, result.ok, result.reason) == (ScanKind.UNKNOWN, False, "product_barcode")


def test_other_one_dimensional_barcode_is_not_a_qr_code(classifier):
    result = scan(classifier, "SHELF-0042", symbology="Code 128")
    assert (result.ok, result.reason) == (False, ScanReason.BARCODE_NOT_QR)


def test_plain_text_qr_code_is_unknown(classifier):
    result = scan(classifier, "你好，欢迎光临")
    assert (result.kind, result.ok, result.reason) == (ScanKind.UNKNOWN, False, "unknown_code")


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("", "empty"),
        ("   \r\n", "empty"),
        ("YMT" + "\x00" * 5, "unreadable"),
        (b"\xff\xfe\x00garbage", "unreadable"),
        ("x" * 5000, "too_long"),
        (None, "unreadable"),
        (12345, "unreadable"),
    ],
)
def test_garbage_never_raises_and_gets_a_reason(classifier, raw, reason):
    result = classifier.classify(raw, source=ScanSource.SERIAL)
    assert (result.ok, result.reason) == (False, reason)
    assert result.message_en and result.message_zh
    assert len(result.text) <= 100


def test_scan_carries_both_languages_for_storing(classifier, make_card):
    data = scan(classifier, make_card("0000000001")[:-3]).to_dict()
    assert data["reason"] == "card_malformed"
    assert data["message_zh"].startswith("积分卡二维码不完整")
    assert data["source"] == "camera" and data["symbology"] == "qr"


def test_classifier_from_the_device_store_uses_pulled_key_and_revocations(
    tmp_path, public_key, make_card
):
    from terminal_agent.store import Store

    store = Store(tmp_path / "device.db")
    store.apply_state(
        {
            "cursor": "1",
            "changes": {
                "keys": [{"key": "card", "public_key": public_key}],
                "revoked_cards": [{"key": "0000000777"}],
            },
        }
    )
    classifier = Classifier.from_store(store)
    good = classifier.classify(make_card("0000000001"), source=ScanSource.WEDGE)
    lost = classifier.classify(make_card("0000000777"), source=ScanSource.WEDGE)
    assert (good.ok, lost.ok, lost.reason) == (True, False, "card_revoked")


def test_classifier_from_a_store_that_never_synced_asks_to_sync(tmp_path, make_card):
    from terminal_agent.store import Store

    classifier = Classifier.from_store(Store(tmp_path / "device.db"))
    result = classifier.classify(make_card("0000000001"), source=ScanSource.CAMERA)
    assert (result.ok, result.reason) == (False, "card_no_key")


@pytest.mark.parametrize("text", ["١٢٣٤٥٦٧٨٩٠", "²³⁴⁵⁶⁷⁸⁹¹⁰", "０１２３４５６７８９"])
def test_digits_of_other_scripts_are_not_taken_for_numbers(classifier, text):
    result = scan(classifier, text, symbology=None, source=ScanSource.WEDGE)
    assert (result.ok, result.reason) == (False, ScanReason.UNKNOWN_CODE)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.binary(max_size=200),
        st.from_regex(r"YMT1:\d{0,12}:[A-Za-z0-9_\-]{0,90}", fullmatch=True),
        st.from_regex(r"https?://[a-z.]{1,20}/t/[A-Z0-9\-]{0,20}", fullmatch=True),
    ),
    symbology=st.sampled_from([None, "qr", "QR Code", "Code 128", "EAN13", "weird"]),
)
def test_any_scanned_text_gets_a_result_and_a_sentence(public_key, text, symbology):
    failures = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = failures.append
    logging.getLogger("kiosk.scanner.classify").addHandler(handler)
    try:
        result = Classifier(public_key, (), [SERVER]).classify(
            text, source=ScanSource.CAMERA, symbology=symbology
        )
    finally:
        logging.getLogger("kiosk.scanner.classify").removeHandler(handler)
    assert failures == []  # classified by the rules, not by the last-resort fallback
    assert result.ok or result.reason
    assert result.message_zh and result.message_en
    assert not result.ok or result.kind in (ScanKind.CARD, ScanKind.TICKET)
