"""Slips printed through the real tcp:// transport to a printer on 127.0.0.1, read back."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp
from printing_escpos_reader import read_paper

from kiosk.printing import (
    PrinterConfig,
    day_close,
    points_slip,
    printer_test_page,
    redemption_receipt,
    samples,
    ticket_slip,
)
from kiosk.printing.text import display_width
from kiosk.printing.transport import PrintProblem, deliver


def print_one(make_queue, printer, document, query="", **settings):
    queue = make_queue(printer.url + "?timeout=1" + query, **settings)
    outcome = queue.submit(document).wait(30)
    return queue, outcome


@pytest.mark.parametrize("width,columns", [(58, 32), (80, 48)])
def test_redemption_receipt_reads_right_on_paper(make_queue, network_printer, width, columns):
    receipt = samples.redemption(10)
    _, outcome = print_one(
        make_queue, network_printer, redemption_receipt(receipt), f"&width={width}"
    )

    assert outcome.ok, outcome.message_en
    paper = read_paper(network_printer.last_job)
    printing = [c.name for c in paper.commands if c.name != "status"]
    assert printing[:2] == ["init", "chinese_on"]
    assert "王*娟" in paper.line_with("居民")
    assert "王秀娟" not in paper.text and "秀" not in paper.text
    assert paper.line_with("卡号").endswith("****2345")
    assert "1000012345" not in paper.text
    assert paper.line_with("合计").endswith("151 分")
    assert paper.line_with("兑换前积分").endswith("480 分")
    assert paper.line_with("兑换后积分").endswith("329 分")
    assert paper.line_with("鸡蛋（30枚）").split() == ["鸡蛋（30枚）", "2盒", "24"]
    assert paper.qr_payloads == [receipt.record_url]
    assert "请保留本小票，凭小票退换商品" in paper.lines
    assert paper.cut_at_end
    # Every item row fills the paper exactly: Chinese characters counted double.
    for item in receipt.items:
        assert display_width(paper.line_with(item.name_zh)) == columns
    assert outcome.bytes_sent == len(network_printer.last_job) - 3 * paper.status_requests


def test_points_slips_show_rule_and_balances(make_queue, network_printer):
    print_one(make_queue, network_printer, points_slip(samples.award()))
    print_one(make_queue, network_printer, points_slip(samples.deduction()))

    assert network_printer.last_job
    award, deduction = (read_paper(job) for job in network_printer.jobs[-2:])
    assert "积分奖励凭条" in award.large_lines
    assert award.line_with("事项").endswith("参加楼道巡逻")
    assert award.line_with("奖励积分").endswith("+10 分")
    assert award.line_with("原有积分").endswith("120 分")
    assert award.line_with("当前积分").endswith("130 分")
    assert "欧*明" in award.line_with("居民")
    assert "积分扣减凭条" in deduction.large_lines
    assert deduction.line_with("扣减积分").endswith("-5 分")
    assert deduction.line_with("当前积分").endswith("45 分")
    assert "张*" in deduction.line_with("居民")
    assert "备注：已劝导清理" in deduction.lines
    assert award.cut_at_end and deduction.cut_at_end


def test_ticket_slip_prints_the_number_large_with_tracking_qr(make_queue, network_printer):
    slip = samples.ticket()
    print_one(make_queue, network_printer, ticket_slip(slip), "&width=80")

    paper = read_paper(network_printer.last_job)
    assert "L07-261203-0012" in paper.large_lines
    assert paper.scales["L07-261203-0012"] == 3  # triple width and height on 80 mm paper
    assert paper.line_with("事项类别").endswith("房屋维修")
    assert paper.line_with("办理时限").endswith("24小时内")
    assert paper.qr_payloads == [slip.track_url]
    assert "服务热线 0851-8888 1234" in paper.lines
    assert paper.cut_at_end


def test_day_close_lists_goods_and_staff(make_queue, network_printer):
    print_one(make_queue, network_printer, day_close(samples.close()))

    paper = read_paper(network_printer.last_job)
    assert paper.line_with("兑换笔数").endswith("37")
    assert paper.line_with("兑换积分").endswith("1265 分")
    assert paper.line_with("冲正积分").endswith("30 分")
    assert paper.line_with("大米（5公斤）").split() == ["大米（5公斤）", "20袋", "600"]
    assert "李红" in paper.lines
    assert "兑25笔 830分 奖120 扣10 冲1笔" in paper.lines
    assert paper.cut_at_end


def test_test_page_has_gbk_punctuation_qr_and_barcode(make_queue, network_printer):
    page = printer_test_page(samples.printer_check(encoding="gbk"))
    print_one(make_queue, network_printer, page, query="&encoding=gbk")

    paper = read_paper(network_printer.last_job, "gbk")
    assert paper.line_with("编码").endswith("gbk")
    assert "标点：，。、；：？！“”‘’（）《》【】—…·" in "".join(paper.lines)
    for symbol in "￥ ℃ № √ × ÷ ± ≤ ≥ ① ② ③".split():
        assert symbol in paper.text
    assert paper.qr_payloads == ["YMT-TEST:M01"]
    assert paper.barcodes == ["M01-TEST"]
    assert paper.cut_at_end


def test_raster_mode_sends_a_picture_whose_qr_scans(make_queue, network_printer):
    receipt = samples.redemption(10)
    _, outcome = print_one(
        make_queue, network_printer, redemption_receipt(receipt), "&mode=raster&width=80"
    )

    assert outcome.ok
    paper = read_paper(network_printer.last_job)
    assert paper.lines == [] and paper.rasters
    assert {band.width for band in paper.rasters} == {576}
    bits = b"".join(band.bits for band in paper.rasters)
    height = sum(band.height for band in paper.rasters)
    dots = np.unpackbits(np.frombuffer(bits, np.uint8)).reshape(height, 576)
    picture = ((1 - dots) * 255).astype(np.uint8)  # printed dots black on white
    found = zxingcpp.read_barcodes(picture)
    assert [code.text for code in found] == [receipt.record_url]
    assert paper.cut_at_end


def test_native_mode_can_send_the_qr_as_a_picture(make_queue, network_printer):
    slip = samples.ticket()
    _, outcome = print_one(make_queue, network_printer, ticket_slip(slip), "&qr=image")

    assert outcome.ok
    paper = read_paper(network_printer.last_job)
    assert paper.qr_payloads == [] and len(paper.rasters) == 1
    band = paper.rasters[0]
    dots = np.unpackbits(np.frombuffer(band.bits, np.uint8)).reshape(band.height, band.width)
    padded = np.pad((1 - dots) * 255, 16, constant_values=255).astype(np.uint8)
    assert [code.text for code in zxingcpp.read_barcodes(padded)] == [slip.track_url]
    assert "L07-261203-0012" in paper.large_lines


def test_paper_out_gives_a_sentence_and_the_slip_prints_after_a_new_roll(
    make_queue, network_printer
):
    network_printer.behaviour = "paper_out"
    queue, outcome = print_one(
        make_queue, network_printer, redemption_receipt(samples.redemption())
    )

    assert not outcome.ok and outcome.problem == "paper_out"
    assert outcome.message_zh == "打印机缺纸，请更换纸卷后点击重新打印。"
    assert "out of paper" in outcome.message_en
    assert read_paper(network_printer.last_job).lines == []  # nothing but status requests

    network_printer.behaviour = "normal"
    again = queue.reprint(outcome.job_id).wait(30)
    assert again.ok
    paper = read_paper(network_printer.last_job)
    assert "补打 REPRINT" not in paper.lines  # it had never printed, so not a reprint
    assert paper.line_with("兑换后积分")


def test_cover_open_and_paper_low(make_queue, network_printer):
    network_printer.behaviour = "cover_open"
    _, outcome = print_one(make_queue, network_printer, ticket_slip(samples.ticket()))
    assert outcome.problem == "cover_open"
    assert outcome.message_zh.startswith("打印机盖没有关好")

    network_printer.behaviour = "paper_low"
    _, outcome = print_one(make_queue, network_printer, ticket_slip(samples.ticket()))
    assert outcome.ok
    assert outcome.warning_zh == "纸卷快用完了，请准备新纸卷。"


def test_printer_that_never_answers_gives_a_sentence_then_prints(make_queue, network_printer):
    network_printer.behaviour = "silent"
    queue, outcome = print_one(make_queue, network_printer, ticket_slip(samples.ticket()))

    assert not outcome.ok and outcome.problem == "no_answer"
    assert outcome.message_zh == "打印机没有响应，请检查打印机电源和连接线后点击重新打印。"

    network_printer.behaviour = "normal"
    assert queue.reprint(outcome.job_id).wait(30).ok
    assert "L07-261203-0012" in read_paper(network_printer.last_job).large_lines


def test_connection_closed_half_way_gives_a_sentence_then_prints(make_queue, network_printer):
    network_printer.behaviour = "close_half"
    receipt = redemption_receipt(samples.redemption(10))
    queue, outcome = print_one(make_queue, network_printer, receipt, "&width=80")

    assert not outcome.ok and outcome.problem == "interrupted"
    assert outcome.message_zh.startswith("打印中途断开")
    assert len(network_printer.last_job) < 1409

    network_printer.behaviour = "normal"
    assert queue.reprint(outcome.job_id).wait(30).ok
    assert read_paper(network_printer.last_job).line_with("兑换后积分").endswith("329 分")


@pytest.mark.timeout(60)
def test_printer_that_stops_taking_bytes_times_out_with_a_sentence(network_printer):
    network_printer.behaviour = "stalled"
    config = PrinterConfig.parse(network_printer.url + "?timeout=0.5&status=off")

    with pytest.raises(PrintProblem) as problem:
        deliver(b"\x1b@" + b"A" * 64_000_000, config)  # more than the sockets can hold
    assert problem.value.kind == "interrupted"
    assert problem.value.message_zh.startswith("打印中途断开")


def test_no_printer_listening_says_check_the_cable(make_queue, network_printer):
    url = network_printer.url
    network_printer.close()
    queue = make_queue(url + "?timeout=1")
    outcome = queue.submit(ticket_slip(samples.ticket())).wait(30)
    assert outcome.problem == "unreachable"
    assert outcome.message_zh.startswith("连接不上打印机")


def test_reprint_after_restart_is_marked_as_a_reprint(make_queue, network_printer, tmp_path):
    first = make_queue(network_printer.url + "?timeout=1", history="kept")
    job = first.submit(redemption_receipt(samples.redemption()))
    assert job.wait(30).ok
    first.close()

    kept_files = "".join(p.read_text("utf-8") for p in (tmp_path / "kept").glob("*.json"))
    assert "王*娟" in kept_files and "王秀娟" not in kept_files and "1000012345" not in kept_files

    restarted = make_queue(network_printer.url + "?timeout=1", history="kept")
    kept = restarted.recent()
    assert [record.id for record in kept] == [job.id]
    assert kept[0].printed and kept[0].title == "积分兑换小票 M01-261203-0042"
    assert restarted.reprint(job.id).wait(30).ok
    paper = read_paper(network_printer.last_job)
    assert paper.lines[0] == "补打 REPRINT"
    assert "王*娟" in paper.line_with("居民")


def test_history_keeps_only_the_last_jobs(tmp_path, network_printer):
    from kiosk.printing import PrinterConfig, PrintQueue

    queue = PrintQueue(PrinterConfig.parse(network_printer.url), tmp_path / "ring", keep=3)
    jobs = [queue.submit(ticket_slip(samples.ticket())) for _ in range(5)]
    for job in jobs:
        job.wait(30)
    assert [record.id for record in queue.recent()] == [job.id for job in reversed(jobs[-3:])]
    with pytest.raises(KeyError):
        queue.reprint(jobs[0].id)
    queue.close()
