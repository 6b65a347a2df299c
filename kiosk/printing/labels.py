"""The printed words of every slip and the printer's messages to staff, in one catalogue."""

SLIP = {
    "redemption_title": "积分兑换小票",
    "points_award_title": "积分奖励凭条",
    "points_deduct_title": "积分扣减凭条",
    "ticket_title": "报事回执",
    "day_close_title": "积分超市日结单",
    "test_title": "打印机测试页",
    "reprint": "补打 REPRINT",
    "receipt_no": "单号",
    "time": "时间",
    "device": "设备",
    "staff": "经办",
    "resident": "居民",
    "card": "卡号",
    "item": "商品",
    "quantity": "数量",
    "points": "积分",
    "points_unit": "{points} 分",
    "labelled": "{label}：{value}",
    "total": "合计",
    "balance_before": "兑换前积分",
    "balance_after": "兑换后积分",
    "keep_receipt": "请保留本小票，凭小票退换商品",
    "scan_record": "扫码查看本次兑换记录",
    "rule": "事项",
    "points_awarded": "奖励积分",
    "points_deducted": "扣减积分",
    "balance_now": "当前积分",
    "balance_was": "原有积分",
    "note": "备注",
    "ticket_no": "回执编号",
    "category": "事项类别",
    "location": "地点",
    "reported_at": "提交时间",
    "deadline": "办理时限",
    "deadline_hours": "{hours}小时内",
    "track": "扫码或凭编号查询办理进度",
    "hotline": "服务热线",
    "hotline_line": "{label} {phone}",
    "keep_ticket": "请妥善保管本回执",
    "business_date": "营业日",
    "printed_at": "打印时间",
    "redemptions": "兑换笔数",
    "points_redeemed": "兑换积分",
    "goods_out": "商品出库",
    "reversals": "冲正笔数",
    "points_reversed": "冲正积分",
    "awards": "奖励笔数",
    "points_awarded_total": "奖励积分",
    "deductions": "扣减笔数",
    "points_deducted_total": "扣减积分",
    "by_staff": "按经办人",
    "staff_line": "兑{redemptions}笔 {redeemed}分 奖{awarded} 扣{deducted} 冲{reversals}笔",
    "none": "无",
    "printer_url": "打印机",
    "mode": "模式",
    "encoding": "编码",
    "paper": "纸宽",
    "charset_test": "字符测试",
    "charset_line_1": "中文：积分兑换，报事回执。",
    "charset_line_2": "标点：，。、；：？！“”‘’（）《》【】—…·",
    "charset_line_3": "数字 0123456789 ABCDEFGHIJKLM abcdefghijklm",
    "charset_line_4": "符号 ￥ ℃ № √ × ÷ ± ≤ ≥ ① ② ③",
    "column_test": "对齐测试",
    "end": "测试结束",
}

# Printer problems: (Chinese sentence staff can act on, the same in English).
PROBLEM = {
    "paper_out": (
        "打印机缺纸，请更换纸卷后点击重新打印。",
        "The printer is out of paper. Load a new roll, then tap Reprint.",
    ),
    "cover_open": (
        "打印机盖没有关好，请合上打印机盖后点击重新打印。",
        "The printer cover is open. Close it, then tap Reprint.",
    ),
    "offline": (
        "打印机处于离线状态，请检查打印机指示灯，排除故障后点击重新打印。",
        "The printer is offline. Check its lights and clear the fault, then tap Reprint.",
    ),
    "cutter_error": (
        "打印机切刀卡住，请关闭电源、清除卡纸后重新开机，再点击重新打印。",
        "The printer's cutter is jammed. Switch it off, clear the paper, switch on, then "
        "tap Reprint.",
    ),
    "no_answer": (
        "打印机没有响应，请检查打印机电源和连接线后点击重新打印。",
        "The printer does not answer. Check its power and cable, then tap Reprint. (If this "
        "printer cannot report its status, set status=off in the printer URL.)",
    ),
    "unreachable": (
        "连接不上打印机，请检查打印机电源和网线（或USB线）后点击重新打印。",
        "Cannot reach the printer. Check its power and its network or USB cable, then tap "
        "Reprint.",
    ),
    "interrupted": (
        "打印中途断开，小票可能没有打完，请检查打印机后点击重新打印。",
        "The connection dropped while printing; the slip may be incomplete. Check the "
        "printer, then tap Reprint.",
    ),
    "not_installed": (
        "这台设备缺少打印机驱动组件，请联系技术人员。",
        "This device lacks the printer driver component ({detail}). Ask a technician to "
        "install it.",
    ),
    "failed": (
        "打印失败，请检查打印机后点击重新打印；如果仍然失败，请联系技术人员。",
        "Printing failed ({detail}). Check the printer, then tap Reprint; if it fails again, "
        "call a technician.",
    ),
    "paper_low": (
        "纸卷快用完了，请准备新纸卷。",
        "The paper roll is nearly used up. Have a new roll ready.",
    ),
}
