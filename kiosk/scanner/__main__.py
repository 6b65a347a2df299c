"""Check a camera or a code video from the command line, as a technician would.

    python -m kiosk.scanner --source /dev/video0 [--store var/device.db] [--seconds 10]
    python -m kiosk.scanner --write-demo demo.avi "YMT1:..." "L07-261203-0012"

Prints the camera's health sentence and every scan with its kind and reason.
With ``--store``, cards are checked against the key and revocations the device
last pulled; without it they are reported as waiting for the key.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from kiosk.scanner.camera import CameraScanner
from kiosk.scanner.classify import Classifier
from kiosk.scanner.frames import FrameReader


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.scanner", description=__doc__)
    parser.add_argument("--source", help="camera index, /dev path, stream, video file or folder")
    parser.add_argument("--store", help="the device store, for the card key and revocations")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to watch a camera")
    parser.add_argument("--lang", choices=("zh", "en"), default="en")
    parser.add_argument("--write-demo", metavar="VIDEO", help="write a video of the given codes")
    parser.add_argument("--hold", type=float, default=2.0, help="seconds each demo code is shown")
    parser.add_argument("texts", nargs="*", help="codes for --write-demo")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    if args.write_demo:
        from kiosk.scanner.synthetic import write_demo_video

        if not args.texts:
            parser.error("--write-demo needs the codes to show")
        print(write_demo_video(args.write_demo, args.texts, hold_seconds=args.hold))
        return 0
    if not args.source:
        parser.error("give --source, or --write-demo")

    if args.store:
        from terminal_agent.store import Store

        classifier = Classifier.from_store(Store(args.store))
    else:
        classifier = Classifier(None)
    # Lock-step applies to files and folders only: every frame of a recording is looked at.
    reader = FrameReader(args.source, lockstep=True)

    def show(scan) -> None:
        state = "ok" if scan.ok else scan.reason
        print(f"scan  {scan.kind:7} {state:16} {scan.message(args.lang)}  [{scan.text[:60]}]")

    scanner = CameraScanner(reader, classifier, show).start()
    if reader.spec is not None and reader.spec.kind in ("file", "folder"):
        scanner.join()
    elif reader.spec is not None:
        threading.Event().wait(args.seconds)
    scanner.stop()
    health = reader.health
    print(f"camera {health.reason}: {health.message(args.lang)}")
    return 0 if health.ok is not False else 1


if __name__ == "__main__":
    sys.exit(main())
