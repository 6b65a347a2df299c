"""``ymt-kiosk --config FILE``: the touchscreen app of a lift, square or supermarket kiosk."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import re
import sys
from pathlib import Path

# python-escpos parses its printer capabilities (a large YAML file) on import and caches
# the result in a new temporary folder each time unless told where to keep it: keep it
# across starts, which saves about a second on every kiosk start.
os.environ.setdefault(
    "ESCPOS_CAPABILITIES_PICKLE_DIR",
    str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ymt-escpos"),
)
Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]).mkdir(parents=True, exist_ok=True)

from kiosk.config import ConfigError, load_config  # noqa: E402

log = logging.getLogger(__name__)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ymt-kiosk", description=__doc__)
    parser.add_argument("--config", required=True, help="the device configuration (TOML)")
    parser.add_argument(
        "--windowed", action="store_true", help="a window for development instead of full screen"
    )
    parser.add_argument("--size", default="1280x800", help="window size in windowed mode")
    parser.add_argument("--store", help="use this store file instead of the configured one")
    return parser.parse_args(argv)


def check_store(path: Path) -> str | None:
    """A sentence when the device store cannot be opened, before any window appears."""
    from terminal_agent.store import Store

    try:
        Store(path).close()
    except Exception as exc:  # whatever the cause, the technician reads one sentence
        return (
            f"the device store {path} cannot be opened ({exc}); check the path under "
            "[kiosk] store in the configuration and that ymt-agent can open it."
        )
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"ymt-kiosk: {error}", file=sys.stderr)
        return 2
    if args.store:
        config = dataclasses.replace(config, store=Path(args.store))
    size_match = re.fullmatch(r"(\d{3,4})x(\d{3,4})", args.size)
    if not size_match:
        print(f"ymt-kiosk: --size {args.size!r} must look like 1280x800.", file=sys.stderr)
        return 2
    size = (int(size_match[1]), int(size_match[2]))
    problem = check_store(config.store)
    if problem:
        print(f"ymt-kiosk: {problem}", file=sys.stderr)
        return 2

    from kiosk import boot

    boot.prepare(fullscreen=config.fullscreen and not args.windowed, size=size)
    from kiosk.ui.kioskapp import run

    log.info("kiosk starting: role %s at %s", config.role, config.location)
    run(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
