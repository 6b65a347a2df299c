"""The technician CLI's sentences in Chinese and English.

The language comes from the store's `language` setting, else from LANG.
"""

from __future__ import annotations

import os

CATALOGUE: dict[str, dict[str, str]] = {
    "not_enrolled": {
        "zh": "本设备尚未注册。请运行：ymt-agent enroll --server 服务器地址 --code 注册码",
        "en": "This device is not enrolled. Run: ymt-agent enroll --server URL --code CODE",
    },
    "enrolled": {
        "zh": "注册成功：设备 {short_code}（{role}，{location}），服务器 {server}",
        "en": "Enrolled as {short_code} ({role} at {location}) with {server}",
    },
    "already_enrolled": {
        "zh": "本设备已注册为 {short_code}（服务器 {server}）。如确需重新注册，请加 --force；"
        "未发送的事件会保留并发往新服务器。",
        "en": "This device is already enrolled as {short_code} with {server}. To enrol it "
        "again add --force; events not yet sent are kept and go to the new server.",
    },
    "device": {
        "zh": "设备：{short_code}（{role}，{location}）",
        "en": "Device: {short_code} ({role} at {location})",
    },
    "server": {"zh": "服务器：{server}", "en": "Server: {server}"},
    "reachable_yes": {"zh": "服务器可以连接", "en": "Server reachable"},
    "reachable_no": {"zh": "服务器无法连接：{reason}", "en": "Server not reachable: {reason}"},
    "last_sync": {"zh": "上次同步：{when}", "en": "Last sync: {when}"},
    "never": {"zh": "从未", "en": "never"},
    "queue_line": {
        "zh": "待发送 {pending} 条，搁置 {held} 条，被拒绝 {rejected} 条",
        "en": "{pending} waiting to send, {held} held, {rejected} rejected",
    },
    "oldest": {"zh": "最早未发送：{when}", "en": "Oldest unsent: {when}"},
    "last_error": {"zh": "最近的错误：{message}", "en": "Last error: {message}"},
    "queue_empty": {
        "zh": "队列为空，所有事件都已送达服务器。",
        "en": "The queue is empty; every event is on the server.",
    },
    "flush_done": {
        "zh": "全部发送完毕：共 {sent} 条（重复 {duplicate}，拒绝 {rejected}）。",
        "en": "Everything sent: {sent} events ({duplicate} duplicate, {rejected} rejected).",
    },
    "flush_left": {
        "zh": "仍有 {left} 条未送达服务器（待发送 {pending}，搁置 {held}，被拒绝 {rejected}）。"
        "请用 ymt-agent queue 查看原因。",
        "en": "{left} events are not on the server yet ({pending} waiting, {held} held, "
        "{rejected} rejected). See why with: ymt-agent queue",
    },
    "flush_failed": {"zh": "发送中断：{message}", "en": "Sending stopped: {message}"},
    "pull_failed": {
        "zh": "事件已发送，但更新参考数据失败：{message}",
        "en": "Events were sent, but fetching reference data failed: {message}",
    },
    "retried": {
        "zh": "事件 {id} 已重新排队，将在下次同步时发送。",
        "en": "Event {id} is queued again and goes with the next sync.",
    },
    "no_such_event": {
        "zh": "找不到被拒绝或搁置的事件 {id}。请用 ymt-agent queue 查看编号。",
        "en": "No rejected or held event {id}. See the ids with: ymt-agent queue",
    },
    "config_set": {"zh": "已设置 {key} = {value}", "en": "Set {key} = {value}"},
    "no_logs": {
        "zh": "没有找到代理日志 {path}。在 systemd 下请运行：journalctl -u ymt-agent",
        "en": "No agent log at {path}. Under systemd run: journalctl -u ymt-agent",
    },
    "store_error": {
        "zh": "无法打开设备数据库：{message}",
        "en": "Cannot open the device store: {message}",
    },
    "ok": {"zh": "正常", "en": "OK"},
    "doctor_store": {"zh": "设备数据库完整性", "en": "Store integrity"},
    "doctor_media": {"zh": "待发送的照片和录音", "en": "Media waiting to be sent"},
    "doctor_enrolled": {"zh": "设备注册", "en": "Enrolment"},
    "doctor_server": {"zh": "服务器连接", "en": "Server reachable"},
    "doctor_token": {"zh": "设备令牌", "en": "Token accepted"},
    "doctor_clock": {"zh": "时钟误差", "en": "Clock skew"},
    "doctor_disk": {"zh": "磁盘空间", "en": "Disk space"},
    "doctor_camera": {"zh": "摄像头", "en": "Camera"},
    "doctor_printer": {"zh": "打印机", "en": "Printer"},
    "doctor_queue": {"zh": "发送队列", "en": "Queue"},
}

# Short Chinese explanations for the sync client's error codes; the English detail follows.
ERRORS_ZH = {
    "unreachable": "无法连接服务器，请检查网线或无线网络以及服务器地址",
    "timeout": "服务器响应超时，稍后会自动重试",
    "tls": "服务器证书无法验证；如使用私有证书，请设置 ca_file",
    "captive_portal": "网络返回了网页而不是服务器数据（可能需要网页登录），队列已保留",
    "token_refused": "服务器不接受本设备的令牌，请重新注册设备",
    "server_busy": "服务器繁忙，稍后会自动重试",
    "server_error": "服务器出错，稍后会自动重试",
    "refused": "服务器拒绝了请求",
    "protocol": "无法理解服务器的回答，请检查代理与服务器的版本",
    "error": "出错了",
}


def language(setting: str | None = None) -> str:
    """'zh' or 'en': the setting if given, else LANG."""
    value = (setting or os.environ.get("LC_ALL") or os.environ.get("LANG") or "").lower()
    return "zh" if value.startswith("zh") else "en"


def text(message_key: str, lang: str, **values: object) -> str:
    entry = CATALOGUE[message_key]
    return entry.get(lang, entry["en"]).format(**values)


def error_text(code: str, message: str, lang: str) -> str:
    if lang == "zh":
        return f"{ERRORS_ZH.get(code, ERRORS_ZH['error'])}（{message}）"
    return message
