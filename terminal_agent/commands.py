"""Technician commands delivered with the heartbeat, and how each one's outcome is reported.

The agent runs `sync_now`, `set_config` and `upload_logs` itself. `print_test_page`
waits in the store until the kiosk prints it and calls `Store.complete_command`.
Every outcome becomes a `command.completed` event in the outbox.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from terminal_agent.client import SyncError
from terminal_agent.store import Store

log = logging.getLogger(__name__)

KIOSK_TIMEOUT_S = 600
LOG_TAIL_CHARS = 19000


def log_path(store: Store) -> Path:
    """The agent's own log file, kept beside the store for `ymt-agent logs` and upload_logs."""
    return store.path.with_name(store.path.stem + "-agent.log")


def tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            handle.seek(max(0, size - chars * 2))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return text[-chars:]


def run_pending(agent, *, now: datetime | None = None) -> int:
    """Carry out the agent's pending commands and time out the kiosk's; return how many ended."""
    store = agent.store
    ended = 0
    for command in store.pending_commands("agent"):
        ok, output = _run_one(agent, command)
        if store.complete_command(command["command_id"], ok, output) is not None:
            ended += 1
            log.info(
                "command %d %s %s: %s",
                command["command_id"],
                command["name"],
                "done" if ok else "failed",
                output.splitlines()[0] if output else "",
            )
    now = now or datetime.now(UTC)
    for command in store.pending_commands("kiosk"):
        received = datetime.fromisoformat(command["received_at"])
        if (now - received).total_seconds() > KIOSK_TIMEOUT_S:
            message = (
                f"the kiosk did not carry out {command['name']} within "
                f"{KIOSK_TIMEOUT_S // 60} minutes; check that the kiosk app is running"
            )
            if store.complete_command(command["command_id"], False, message) is not None:
                ended += 1
                log.warning("command %d timed out: %s", command["command_id"], message)
    return ended


def _run_one(agent, command: dict) -> tuple[bool, str]:
    name, args = command["name"], command["args"]
    store = agent.store
    if name == "sync_now":
        try:
            report = agent.sync()
        except SyncError as exc:
            return False, f"sync failed: {exc.message}"
        return True, f"synced: {report.sent} events pushed, {report.left} waiting"
    if name == "set_config":
        pairs = {args["key"]: args.get("value")} if "key" in args else dict(args)
        if not pairs or not all(isinstance(key, str) and key.strip() for key in pairs):
            return False, "set_config needs a setting name (args: key, value)"
        try:
            for key, value in pairs.items():
                store.config_set(key, value)
        except ValueError as exc:
            return False, str(exc)
        return True, "; ".join(f"{key} = {value!r}" for key, value in pairs.items())
    if name == "upload_logs":
        text = tail(log_path(store))
        return True, text or "the agent log is empty"
    return False, f"this agent does not know the command {name!r}; update ymt-agent"
