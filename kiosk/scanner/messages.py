"""What the kiosk says about a scan or the camera, in Chinese and English.

This is the scanner's part of the translation catalogue: reason code to a
sentence that tells the person what to do next. Logic never holds the text.
"""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    "ok_card": {
        "zh": "积分卡已识别。",
        "en": "Points card read.",
    },
    "ok_ticket": {
        "zh": "已识别报事单号，正在查询进度。",
        "en": "Report ticket read; looking up its progress.",
    },
    "card_malformed": {
        "zh": "积分卡二维码不完整或已损坏，请重新扫描；仍不行请到服务中心补卡。",
        "en": "The card's code is damaged or cut short. Scan it again, "
        "or have the card reissued at the office.",
    },
    "card_forged": {
        "zh": "这张卡的签名与本社区不符，可能是伪造卡。请留下此卡并联系服务中心。",
        "en": "This card's signature does not match this community's key; it may be forged. "
        "Keep the card and call the office.",
    },
    "card_revoked": {
        "zh": "这张卡已挂失作废，请为居民办理新卡。",
        "en": "This card was reported lost and revoked. Issue the resident a new card.",
    },
    "card_no_key": {
        "zh": "本机尚未收到积分卡密钥，请等待同步完成后再扫描。",
        "en": "This device has not received the card key yet. Let it sync, then scan again.",
    },
    "card_number_only": {
        "zh": "这只是卡号，不能代替积分卡。请扫描卡上的二维码。",
        "en": "This is only a card number, not a card. Scan the QR code on the points card.",
    },
    "ticket_malformed": {
        "zh": "报事单号无法识别，请核对小票上的单号后重新扫描。",
        "en": "The report ticket number is not valid. Check the slip and scan it again.",
    },
    "payment_code": {
        "zh": "这是付款码，不是积分卡。请出示积分卡上的二维码。",
        "en": "This is a payment code, not a points card. Show the QR code on the points card.",
    },
    "web_address": {
        "zh": "这是一个网址，本机不打开网页。请扫描积分卡或报事小票。",
        "en": "This is a web address; the kiosk does not open web pages. "
        "Scan a points card or a report slip.",
    },
    "product_barcode": {
        "zh": "这是商品条码，不是积分卡。请扫描积分卡上的二维码。",
        "en": "This is a product barcode, not a points card. Scan the QR code on the card.",
    },
    "barcode_not_qr": {
        "zh": "这是条形码，不是积分卡或报事小票的二维码。请扫描二维码。",
        "en": "This is a barcode, not the QR code of a points card or report slip. "
        "Scan the QR code.",
    },
    "empty": {
        "zh": "没有读到内容，请重新扫描。",
        "en": "Nothing was read. Please scan again.",
    },
    "too_long": {
        "zh": "这个码的内容太长，不是本社区的卡或小票。",
        "en": "This code holds far too much to be a card or slip from this community.",
    },
    "unreadable": {
        "zh": "这个码的内容无法识别，请扫描积分卡或报事小票。",
        "en": "This code's content cannot be read. Scan a points card or a report slip.",
    },
    "unknown_code": {
        "zh": "无法识别这个码。请扫描积分卡或报事小票上的二维码。",
        "en": "This code is not recognised. Scan the QR code on a points card or report slip.",
    },
    "camera_ok": {
        "zh": "摄像头工作正常。",
        "en": "The camera is working.",
    },
    "camera_not_configured": {
        "zh": "本机未设置摄像头。请技术人员在配置中设置 camera。",
        "en": "No camera is configured on this device. A technician should set 'camera'.",
    },
    "camera_starting": {
        "zh": "摄像头正在启动。",
        "en": "The camera is starting.",
    },
    "camera_open_failed": {
        "zh": "无法打开摄像头，请检查摄像头连线；本机会自动重试。",
        "en": "The camera cannot be opened. Check its cable; the kiosk keeps retrying.",
    },
    "camera_read_failed": {
        "zh": "摄像头没有画面，请检查连线；本机会自动重连。",
        "en": "The camera stopped sending pictures. Check its cable; the kiosk reconnects itself.",
    },
    "camera_ended": {
        "zh": "视频或图片已播放完毕。",
        "en": "The video or picture folder has been played to the end.",
    },
    "camera_bad_config": {
        "zh": "摄像头设置有误，请技术人员检查 camera 配置。",
        "en": "The camera setting is not valid. A technician should check 'camera'.",
    },
    "scanner_not_started": {
        "zh": "扫码枪尚未启动。",
        "en": "The handheld scanner has not started yet.",
    },
    "scanner_ok": {
        "zh": "扫码枪已连接。",
        "en": "The handheld scanner is connected.",
    },
    "scanner_port_failed": {
        "zh": "无法连接扫码枪，请检查扫码枪的连线；本机会自动重试。",
        "en": "The handheld scanner cannot be reached. Check its cable; the kiosk keeps retrying.",
    },
}


def message(key: str, lang: str = "zh") -> str:
    """The sentence for ``key``; an unknown key falls back to the generic one."""
    entry = CATALOGUE.get(key) or CATALOGUE["unknown_code"]
    return entry.get(lang) or entry["en"]
