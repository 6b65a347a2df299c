"""`ymt-agent doctor`: one line per check, each either OK or what to do about it."""

from __future__ import annotations

import os
import socket
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

from terminal_agent.client import Client, SyncError
from terminal_agent.i18n import error_text, text
from terminal_agent.store import Store

MAX_SKEW_S = 120
MIN_FREE_BYTES = 200 * 1024 * 1024


@dataclass
class Check:
    name: str
    ok: bool
    message: str
    key: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def run_checks(store: Store, lang: str, *, timeout: tuple[float, float] = (5.0, 10.0)) -> list:
    checks = [_store_check(store, lang), _media_check(store, lang)]
    checks.extend(_server_checks(store, lang, timeout))
    checks.append(_disk_check(store, lang))
    checks.append(_component_check(store, "camera", lang))
    checks.append(_component_check(store, "printer", lang))
    checks.append(_queue_check(store, lang))
    return checks


def _zh(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _store_check(store: Store, lang: str) -> Check:
    name = text("doctor_store", lang)
    result = store.integrity_check()
    if result == "ok":
        return Check(name, True, text("ok", lang), "store")
    return Check(
        name,
        False,
        _zh(
            lang,
            f"数据库检查发现问题（{result}）。请停止代理，备份 {store.path} 后联系技术支持。",
            f"the store check found a problem ({result}); stop the agent, back up "
            f"{store.path} and contact support",
        ),
        "store",
    )


def _media_check(store: Store, lang: str) -> Check:
    name = text("doctor_media", lang)
    damaged = []
    for row in store.queue(limit=100000):
        for sha in row["media"]:
            problem = store.spool.check(sha)
            if problem:
                damaged.append((row["id"], problem))
    if not damaged:
        return Check(name, True, text("ok", lang), "media")
    first_id, first_problem = damaged[0]
    return Check(
        name,
        False,
        _zh(
            lang,
            f"{len(damaged)} 个媒体文件损坏或丢失（例如事件 {first_id}：{first_problem}）。"
            "事件已保留并搁置；恢复文件后运行 ymt-agent retry 编号。",
            f"{len(damaged)} media files are damaged or missing (e.g. event {first_id}: "
            f"{first_problem}). The events are kept and held; restore the file, then run "
            "ymt-agent retry ID",
        ),
        "media",
    )


def _server_checks(store: Store, lang: str, timeout: tuple[float, float]) -> list[Check]:
    identity = store.identity()
    if identity is None:
        return [
            Check(text("doctor_enrolled", lang), False, text("not_enrolled", lang), "enrolled")
        ]
    checks = [Check(text("doctor_enrolled", lang), True, text("ok", lang), "enrolled")]
    try:
        client = Client(
            identity["server"], store.token(), ca_file=store.config_get("ca_file"), timeout=timeout
        )
    except SyncError as exc:
        return [
            *checks,
            Check(
                text("doctor_server", lang),
                False,
                error_text(exc.code, exc.message, lang),
                "server",
            ),
        ]
    try:
        try:
            client.request("GET", "/health")
        except SyncError as exc:
            checks.append(
                Check(
                    text("doctor_server", lang),
                    False,
                    error_text(exc.code, exc.message, lang),
                    "server",
                )
            )
            return checks
        checks.append(Check(text("doctor_server", lang), True, text("ok", lang), "server"))
        try:
            cursor = store.state_get("cursor")
            params = {"since": str(cursor)} if cursor else {}
            client.request("GET", "/sync/state", params=params)
            checks.append(Check(text("doctor_token", lang), True, text("ok", lang), "token"))
        except SyncError as exc:
            checks.append(
                Check(
                    text("doctor_token", lang),
                    False,
                    error_text(exc.code, exc.message, lang),
                    "token",
                )
            )
        checks.append(_clock_check(client, lang))
    finally:
        client.close()
    return checks


def _clock_check(client: Client, lang: str) -> Check:
    name = text("doctor_clock", lang)
    if client.last_server_date is None:
        return Check(
            name,
            False,
            _zh(
                lang,
                "服务器没有返回时间，无法检查。",
                "the server sent no time, so the clock cannot be checked",
            ),
            "clock",
        )
    # Limitation: the HTTP Date header has one-second resolution; the heartbeat's measure is finer.
    skew = (client.last_server_date - datetime.now(UTC)).total_seconds()
    if abs(skew) <= MAX_SKEW_S:
        return Check(name, True, f"{text('ok', lang)} ({skew:+.0f} s)", "clock")
    behind = _zh(lang, "慢" if skew > 0 else "快", "behind" if skew > 0 else "ahead of")
    return Check(
        name,
        False,
        _zh(
            lang,
            f"设备时钟比服务器{behind} {abs(skew):.0f} 秒，票号日期可能出错。"
            "请开启时间同步：sudo timedatectl set-ntp true",
            f"the device clock is {abs(skew):.0f} s {behind} the server, so ticket dates may be "
            "wrong; turn on time sync: sudo timedatectl set-ntp true",
        ),
        "clock",
    )


def _disk_check(store: Store, lang: str) -> Check:
    name = text("doctor_disk", lang)
    stats = os.statvfs(store.path.parent)
    free = stats.f_bavail * stats.f_frsize
    mb = free // (1024 * 1024)
    if free >= MIN_FREE_BYTES:
        return Check(name, True, f"{text('ok', lang)} ({mb} MB)", "disk")
    return Check(
        name,
        False,
        _zh(
            lang,
            f"只剩 {mb} MB 空间。请清理 {store.path.parent} 所在磁盘上的旧文件。",
            f"only {mb} MB free; clear old files on the disk holding {store.path.parent}",
        ),
        "disk",
    )


def _component_check(store: Store, component: str, lang: str) -> Check:
    """The kiosk's last report for the component, plus a direct probe where one is cheap."""
    name = text(f"doctor_{component}", lang)
    reported = store.health().get(component)
    target = _configured_target(store, component, reported)
    probe_ok, probe_note = _probe(component, target, lang)
    if reported is None:
        said = _zh(
            lang,
            "信息亭从未报告状态（信息亭程序在运行吗？）",
            "the kiosk never reported it (is the kiosk app running?)",
        )
        ok = False
    else:
        when = reported["updated_at"][:19].replace("T", " ")
        state = reported["status"] or ("ok" if reported["ok"] else "?")
        said = _zh(lang, f"信息亭于 {when} 报告：{state}", f"kiosk reported at {when}: {state}")
        ok = bool(reported["ok"])
    if probe_ok is False:
        ok = False
    message = f"{text('ok', lang)}; {said}" if ok else said
    if probe_note:
        message += f"; {probe_note}"
    if not ok:
        message += _zh(
            lang,
            "。请检查连接线和电源，然后重启信息亭程序。",
            ". Check its cable and power, then restart the kiosk app",
        )
    return Check(name, ok, message, component)


def _configured_target(store: Store, component: str, reported: dict | None) -> str:
    detail = (reported or {}).get("detail") or {}
    keys = ("url", "printer_url") if component == "printer" else ("source", "camera_source")
    for key in keys:
        if detail.get(key):
            return str(detail[key])
    value = store.config_get(f"{component}_url" if component == "printer" else "camera_source")
    return str(value or "")


def _probe(component: str, target: str, lang: str) -> tuple[bool | None, str]:
    """A direct, cheap look at the device: None when there is nothing cheap to probe."""
    # Limitation: the camera probe only opens the device file, it does not grab a frame (the
    # kiosk holds the camera while it runs); USB and CUPS printers are not probed directly.
    if not target:
        return None, _zh(lang, "未配置设备，未直接检测", "no device configured, not probed")
    parsed = urlparse(target)
    if component == "printer" and parsed.scheme == "tcp" and parsed.hostname:
        try:
            with socket.create_connection((parsed.hostname, parsed.port or 9100), timeout=2):
                pass
        except OSError as exc:
            return False, _zh(
                lang,
                f"直接连接 {target} 失败（{exc.strerror or exc}）",
                f"direct connection to {target} failed ({exc.strerror or exc})",
            )
        return True, _zh(lang, f"直接连接 {target} 成功", f"direct connection to {target} works")
    path = parsed.path if parsed.scheme in ("serial", "file", "usb") else target
    if component == "camera" and target.isdigit():
        path = f"/dev/video{target}"
    if path.startswith("/dev/"):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError as exc:
            return False, _zh(
                lang,
                f"无法打开 {path}（{exc.strerror}）",
                f"{path} does not open ({exc.strerror})",
            )
        return True, _zh(lang, f"{path} 可以打开", f"{path} opens")
    return None, _zh(lang, f"{target} 无法直接检测", f"{target} cannot be probed directly")


def _queue_check(store: Store, lang: str) -> Check:
    name = text("doctor_queue", lang)
    counts = store.counts()
    if counts["held"] == 0 and counts["rejected"] == 0:
        return Check(name, True, f"{text('ok', lang)} ({counts['pending']})", "queue")
    return Check(
        name,
        False,
        _zh(
            lang,
            f"{counts['rejected']} 条被服务器拒绝，{counts['held']} 条搁置。用 ymt-agent queue "
            "查看原因，处理后运行 ymt-agent retry 编号。",
            f"{counts['rejected']} rejected by the server, {counts['held']} held; see why with "
            "ymt-agent queue, fix the cause, then run ymt-agent retry ID",
        ),
        "queue",
    )
