"""`ymt-agent`: the daemon and the technician's commands on a device.

Every command prints plain sentences (Chinese or English, from the `language`
setting or LANG) or, with --json, one JSON document for scripts.
"""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from server_sync.protocol import MAX_BATCH_EVENTS
from terminal_agent import commands, doctor
from terminal_agent.client import Client, SyncError
from terminal_agent.daemon import Daemon, Timing
from terminal_agent.i18n import error_text, language, text
from terminal_agent.store import Store, StoreVersionError, now_iso
from terminal_agent.sync import Agent, NotEnrolled, PushReport, enroll

log = logging.getLogger(__name__)

DEFAULT_STORE = "var/agent/store.db"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser = argparse.ArgumentParser(prog="ymt-agent", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store",
        default=os.environ.get("YMT_AGENT_STORE", DEFAULT_STORE),
        help=f"the device store file (default $YMT_AGENT_STORE or {DEFAULT_STORE})",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("enroll", parents=[common], help="enrol this device with a one-time code")
    p.add_argument("--server", required=True, help="server address, e.g. https://ymt.example")
    p.add_argument("--code", required=True, help="the one-time enrolment code")
    p.add_argument("--name", help="a name for this device (default: host name)")
    p.add_argument("--ca-file", help="CA certificate file for a server with a private CA")
    p.add_argument("--force", action="store_true", help="enrol again a device already enrolled")

    p = sub.add_parser("run", parents=[common], help="run the sync daemon")
    p.add_argument("--once", action="store_true", help="one cycle, then exit (1 if events wait)")
    p.add_argument("--heartbeat-interval", type=float, default=30.0, metavar="S")
    p.add_argument("--pull-interval", type=float, default=60.0, metavar="S")
    p.add_argument("--poll-interval", type=float, default=2.0, metavar="S")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="per request")
    p.add_argument("--backoff-base", type=float, default=1.0, metavar="S")
    p.add_argument("--backoff-cap", type=float, default=300.0, metavar="S")
    p.add_argument(
        "--batch-size", type=int, default=MAX_BATCH_EVENTS, metavar="N", help="events per batch"
    )
    p.add_argument("--log-level", default="INFO")

    for name, help_text in (
        ("status", "enrolment, last sync, queue and whether the server answers"),
        ("queue", "events not yet on the server, oldest first, with reasons"),
        ("flush", "push everything now; exit 1 if anything is left"),
        ("doctor", "check server, token, clock, disk, store, camera and printer"),
    ):
        sub.add_parser(name, parents=[common], help=help_text)
    p = sub.add_parser("config", help="show or change settings")
    config_sub = p.add_subparsers(dest="config_command", required=True)
    config_sub.add_parser("show", parents=[common])
    p = config_sub.add_parser("set", parents=[common])
    p.add_argument("key")
    p.add_argument("value", help="text, or JSON (numbers, true/false, lists)")
    p = sub.add_parser("retry", parents=[common], help="queue a rejected or held event again")
    p.add_argument("id", help="event id (or a unique beginning of it)")
    p = sub.add_parser("logs", parents=[common], help="the end of the agent's log")
    p.add_argument("-n", "--lines", type=int, default=50)
    return parser


class Output:
    def __init__(self, as_json: bool, lang: str):
        self.as_json = as_json
        self.lang = lang

    def say(self, message_key: str, **values: object) -> None:
        if not self.as_json:
            print(text(message_key, self.lang, **values))

    def line(self, value: str) -> None:
        if not self.as_json:
            print(value)

    def document(self, data: object) -> None:
        if self.as_json:
            print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    as_json = getattr(args, "json", False)
    lang = language()
    try:
        store = Store(args.store)
    except (StoreVersionError, OSError, ValueError) as exc:
        out = Output(as_json, lang)
        out.document({"ok": False, "error": "store", "message": str(exc)})
        if not as_json:
            print(text("store_error", lang, message=exc), file=sys.stderr)
        return 2
    except Exception as exc:  # a damaged file raises sqlite3.DatabaseError
        print(text("store_error", lang, message=exc), file=sys.stderr)
        return 2
    try:
        lang = language(store.config_get("language"))
        out = Output(as_json, lang)
        handler = COMMANDS[args.command]
        return handler(store, args, out)
    except NotEnrolled:
        out.document({"ok": False, "error": "not_enrolled"})
        out.say("not_enrolled")
        return 2
    finally:
        store.close()


def cmd_enroll(store: Store, args, out: Output) -> int:
    current = store.identity()
    if current is not None and not args.force:
        out.document({"ok": False, "error": "already_enrolled", "identity": current})
        out.say("already_enrolled", **current)
        return 1
    try:
        identity = enroll(store, args.server, args.code, name=args.name, ca_file=args.ca_file)
    except SyncError as exc:
        out.document({"ok": False, "error": exc.code, "message": exc.message})
        out.line(error_text(exc.code, exc.message, out.lang))
        return 1
    out.document({"ok": True, "identity": identity})
    out.say("enrolled", **identity)
    return 0


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (it may be replaced, e.g. in tests)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def setup_logging(store: Store, level: str) -> None:
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in [h for h in root.handlers if getattr(h, "ymt_agent", False)]:
        root.removeHandler(handler)
        handler.close()
    console = _StderrHandler()
    # The journal adds its own timestamps.
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console.ymt_agent = True
    root.addHandler(console)
    rotating = logging.handlers.RotatingFileHandler(
        commands.log_path(store), maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    rotating.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    rotating.ymt_agent = True
    root.addHandler(rotating)


def cmd_run(store: Store, args, out: Output) -> int:
    setup_logging(store, args.log_level)
    timing = Timing(
        heartbeat_s=args.heartbeat_interval,
        pull_s=args.pull_interval,
        poll_s=args.poll_interval,
        backoff_base_s=args.backoff_base,
        backoff_cap_s=args.backoff_cap,
        batch_size=max(1, min(args.batch_size, MAX_BATCH_EVENTS)),
        timeout=(min(5.0, args.timeout), args.timeout),
    )
    daemon = Daemon(store, timing)
    signal.signal(signal.SIGTERM, lambda *_: daemon.request_stop())
    signal.signal(signal.SIGINT, lambda *_: daemon.request_stop())
    code = daemon.run(once=args.once)
    out.document({"ok": code == 0, **store.sync_status()})
    return code


def _check_server(store: Store) -> tuple[bool | None, str]:
    identity = store.identity()
    if identity is None:
        return None, ""
    try:
        client = Client(identity["server"], ca_file=store.config_get("ca_file"), timeout=(5, 10))
        try:
            client.request("GET", "/health")
        finally:
            client.close()
    except SyncError as exc:
        return False, error_text(exc.code, exc.message, language(store.config_get("language")))
    return True, ""


def cmd_status(store: Store, args, out: Output) -> int:
    identity = store.identity()
    status = store.sync_status()
    reachable, reason = _check_server(store)
    document = {
        "enrolled": identity is not None,
        "identity": identity,
        "reachable": reachable,
        "reason": reason,
        **status,
    }
    if identity is None:
        document["error"] = "not_enrolled"
    out.document(document)
    if identity is None:
        out.say("not_enrolled")
    else:
        out.say("device", **identity)
        out.say("server", server=identity["server"])
        if reachable:
            out.say("reachable_yes")
        else:
            out.say("reachable_no", reason=reason)
    out.say("last_sync", when=_when(status["last_sync_at"], out.lang))
    out.say(
        "queue_line",
        pending=status["queue_depth"] - status["held"],
        held=status["held"],
        rejected=status["rejected"],
    )
    if status["oldest_unsent_at"]:
        out.say("oldest", when=_when(status["oldest_unsent_at"], out.lang))
    if status["last_error"]:
        error = status["last_error"]
        out.say("last_error", message=error_text(error["code"], error["message"], out.lang))
    if identity is None:
        return 2
    return 0 if reachable else 1


def _when(value: str | None, lang: str) -> str:
    if not value:
        return text("never", lang)
    moment = datetime.fromisoformat(value).astimezone()
    age = (datetime.now(UTC) - moment).total_seconds()
    ago = f"{age / 60:.0f} 分钟前" if lang == "zh" else f"{age / 60:.0f} min ago"
    return f"{moment:%Y-%m-%d %H:%M:%S} ({ago})"


def cmd_queue(store: Store, args, out: Output) -> int:
    rows = store.queue()
    out.document({"events": rows, "counts": store.counts()})
    if not rows:
        out.say("queue_empty")
    for row in rows:
        when = row["occurred_at"][:19].replace("T", " ")
        reason = f"  {row['reason']}" if row["reason"] else ""
        out.line(f"{row['id']}  {when}  {row['type']:<18} {row['status']:<8}{reason}")
    return 0


def cmd_flush(store: Store, args, out: Output) -> int:
    agent = Agent(store)
    start = store.counts()["pending"]

    def progress(report: PushReport) -> None:
        if out.as_json:
            return
        total = max(start, report.sent + report.left, 1)
        done = total - report.left
        width = 30
        filled = int(width * done / total)
        bar = "#" * filled + "." * (width - filled)
        print(f"\r[{bar}] {done}/{total}", end="", file=sys.stderr, flush=True)

    error = pull_error = None
    try:
        report = agent.push_all(progress)
        agent.note_success()
        try:
            agent.pull()
            store.state_set("last_sync_at", now_iso())
        except SyncError as exc:
            pull_error = exc
    except SyncError as exc:
        agent.note_failure(exc)
        error = exc
        report = getattr(exc, "partial", None) or PushReport()
    finally:
        agent.close()
    if not out.as_json and start:
        print(file=sys.stderr)
    counts = store.counts()
    left = counts["pending"] + counts["held"] + counts["rejected"]
    out.document(
        {
            "ok": left == 0,
            "sent": report.sent,
            "duplicate": report.duplicate,
            "rejected": report.rejected,
            "left": left,
            "counts": counts,
            "error": None if error is None else {"code": error.code, "message": error.message},
            "pull_error": None
            if pull_error is None
            else {"code": pull_error.code, "message": pull_error.message},
        }
    )
    if error is not None:
        out.say("flush_failed", message=error_text(error.code, error.message, out.lang))
    if pull_error is not None:
        out.say("pull_failed", message=error_text(pull_error.code, pull_error.message, out.lang))
    if left:
        out.say("flush_left", left=left, **counts)
        return 1
    out.say("flush_done", sent=report.sent, duplicate=report.duplicate, rejected=report.rejected)
    return 0


def cmd_doctor(store: Store, args, out: Output) -> int:
    checks = doctor.run_checks(store, out.lang)
    out.document({"ok": all(c.ok for c in checks), "checks": [c.as_dict() for c in checks]})
    for check in checks:
        out.line(f"{'OK ' if check.ok else '!! '} {check.name}: {check.message}")
    return 0 if all(c.ok for c in checks) else 1


def cmd_config(store: Store, args, out: Output) -> int:
    if args.config_command == "show":
        items = store.config_items()
        out.document(items)
        for key, item in items.items():
            out.line(
                f"{key} = {json.dumps(item['value'], ensure_ascii=False)}  ({item['source']})"
            )
        return 0
    try:
        value = json.loads(args.value)
    except ValueError:
        value = args.value
    try:
        store.config_set(args.key, value)
    except ValueError as exc:
        out.document({"ok": False, "message": str(exc)})
        out.line(str(exc))
        return 1
    out.document({"ok": True, "key": args.key, "value": value})
    out.say("config_set", key=args.key, value=json.dumps(value, ensure_ascii=False))
    return 0


def cmd_retry(store: Store, args, out: Output) -> int:
    try:
        event = store.retry(args.id)
    except (KeyError, ValueError):
        out.document({"ok": False, "id": args.id})
        out.say("no_such_event", id=args.id)
        return 1
    out.document({"ok": True, "id": event["id"], "status": event["status"]})
    out.say("retried", id=event["id"])
    return 0


def cmd_logs(store: Store, args, out: Output) -> int:
    path = commands.log_path(store)
    lines = commands.tail(path, 200 * max(1, args.lines)).splitlines()[-args.lines :]
    out.document({"path": str(path), "lines": lines})
    if not Path(path).exists():
        out.say("no_logs", path=path)
        return 1
    for line in lines:
        out.line(line)
    return 0


COMMANDS = {
    "enroll": cmd_enroll,
    "run": cmd_run,
    "status": cmd_status,
    "queue": cmd_queue,
    "flush": cmd_flush,
    "doctor": cmd_doctor,
    "config": cmd_config,
    "retry": cmd_retry,
    "logs": cmd_logs,
}


if __name__ == "__main__":
    sys.exit(main())
