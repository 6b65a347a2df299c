"""What reaches the paper: masked names, card tails, Chinese widths, characters a printer has."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from printing_escpos_reader import read_paper

from kiosk.printing import (
    Document,
    PrinterConfig,
    RedemptionItem,
    RedemptionReceipt,
    card_tail,
    mask_name,
    redemption_receipt,
    render,
    samples,
)
from kiosk.printing.document import Big, Columns, Pair, Text
from kiosk.printing.text import display_width, printable_text, wrap


@pytest.mark.parametrize(
    "name,masked",
    [("王秀娟", "王*娟"), ("王娟", "王*"), ("王", "*"), ("欧阳小娟", "欧*娟"), (" 张 伟 ", "张*")],
)
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_card_shows_only_last_four_digits():
    assert card_tail("1000012345") == "****2345"
    assert card_tail("") == ""


def test_chinese_counts_double_and_ascii_single():
    assert display_width("积分") == 4
    assert display_width("5公斤") == 5
    assert display_width("×·“") == 6  # ambiguous width: double in a Chinese printer font
    assert display_width("ｶ") == 1  # halfwidth katakana


def test_wrap_breaks_chinese_at_the_column_and_english_at_spaces():
    assert wrap("请保留本小票凭小票退换商品", 10) == ["请保留本小", "票凭小票退", "换商品"]
    assert wrap("scan the code below", 10) == ["scan the", "code below"]
    assert wrap("打印机：tcp://192.168.1.50:9100?mode=raster&width=80", 44) == [
        "打印机：tcp://192.168.1.50:9100?mode=raster&",
        "width=80",
    ]


def test_characters_the_encoding_lacks_get_stand_ins():
    assert printable_text("¥5", "gbk") == "￥5"
    assert printable_text("¥5", "gb18030") == "￥5"  # 4-byte symbol: most printers lack it
    assert printable_text("•✓😀", "gbk") == "·√□"
    assert printable_text("䶮", "gbk") == "□"
    assert printable_text("䶮", "gb18030") == "䶮"  # a rare name character, GB18030 has it


def test_native_bytes_never_carry_a_yen_sign_or_four_byte_symbol():
    doc = Document("price", [Text("价格 ¥5 ²"), Pair("合计", "¥10")])
    for encoding in ("gbk", "gb18030"):
        data = render(doc, PrinterConfig.parse(f"preview:///tmp?encoding={encoding}"))
        assert "¥".encode("gb18030") not in data
        paper = read_paper(data, encoding)
        assert paper.lines[0] == "价格 ￥5 2"
        assert paper.line_with("合计").endswith("￥10")


def test_receipt_checks_its_balance_arithmetic():
    good = samples.redemption(2)
    with pytest.raises(ValueError, match="balance after"):
        RedemptionReceipt(**{**good.__dict__, "balance_after": good.balance_after + 1})
    with pytest.raises(ValueError, match="at least one item"):
        RedemptionReceipt(**{**good.__dict__, "items": []})


def test_long_item_names_wrap_inside_their_column():
    receipt = samples.redemption(1)
    item = RedemptionItem("特级东北五常有机稻花香大米（十公斤装）", 1, 30, "袋")
    long = RedemptionReceipt(**{**receipt.__dict__, "items": [item], "balance_after": 450})
    data = render(redemption_receipt(long), PrinterConfig.parse("preview:///tmp?width=58"))

    lines = read_paper(data).lines
    first = next(i for i, line in enumerate(lines) if line.startswith("特级"))
    assert lines[first].split() == ["特级东北五常有机稻", "1袋", "30"]
    assert lines[first + 1 : first + 3] == ["花香大米（十公斤装", "）"]
    assert all(display_width(line) <= 32 for line in lines)


def test_ten_item_native_receipt_stays_under_two_kilobytes():
    doc = redemption_receipt(samples.redemption(10))
    for width in (58, 80):
        for encoding in ("gbk", "gb18030"):
            config = PrinterConfig.parse(f"preview:///tmp?width={width}&encoding={encoding}")
            assert len(render(doc, config)) < 2048


_SLIP_TEXT = st.text(
    st.sampled_from(list("王秀娟积分兑换（5公斤）：，。 abcXYZ0123-*￥·“”")), max_size=60
)


@given(text=_SLIP_TEXT, columns=st.integers(min_value=2, max_value=48))
def test_wrapped_lines_fit_and_keep_every_character(text, columns):
    lines = wrap(text, columns)
    assert all(display_width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@given(
    label=_SLIP_TEXT,
    value=_SLIP_TEXT,
    name=_SLIP_TEXT,
    width=st.sampled_from([58, 80]),
)
def test_no_printed_line_is_wider_than_the_paper(label, value, name, width):
    doc = Document(
        "any",
        [
            Pair(label, value),
            Columns((name, "2袋", "30"), (None, 6, 6), ("left", "right", "right")),
            Text(name, align="center", scale=2),
            Big(name or "-"),
        ],
    )
    config = PrinterConfig.parse(f"preview:///tmp?width={width}")
    paper = read_paper(render(doc, config))
    for line, scale in paper.sized_lines:
        assert display_width(line) * scale <= config.columns, line
