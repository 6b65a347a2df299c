"""Decoding benchmark: the project's scanner against each decoder alone, on one core.

Builds camera-like frames at 640x480 and 1280x720 (card codes and ticket links
printed at several sizes, then perspective, motion blur, defocus, noise, low
light, glare and a thumb over the code; and frames with no code at all), and
prints, for the project's decoder chain, zxing-cpp alone, pyzbar alone and
OpenCV's QRCodeDetector, measured in the same run: the share of frames decoded
correctly, the median and 95th percentile milliseconds per frame, and the share
of frames without a code that took longer than a 30 fps frame interval.

With ``--passes`` it also scores every candidate pass alone and builds the
chain greedily (frames gained per millisecond), which is how
``kiosk.scanner.decode.DEFAULT_CHAIN`` was chosen.

    .venv/bin/python bench/scan.py [--per-condition 25] [--passes]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyzbar import pyzbar

# The repository first, so that bench/kiosk.py does not stand in for the kiosk package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.scanner.decode import DEFAULT_CHAIN, PASSES, Decoder, View
from kiosk.scanner.synthetic import Look, frame_with
from server_sync.protocol import cards

FRAME_INTERVAL_MS = 1000 / 30
SIZES = ((640, 480), (1280, 720))
CONDITIONS = (
    "large",
    "medium",
    "small",
    "perspective",
    "motion",
    "defocus",
    "noise",
    "low_light",
    "glare",
    "occlusion",
    "barcode",
)


def look_for(condition: str, size: tuple[int, int], rng: np.random.Generator) -> Look:
    """A camera-like look; sizes scale with the frame so both resolutions see the same card."""
    k = size[1] / 480
    centre = (float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.35, 0.65)))
    common = {
        "center": centre,
        "angle": float(rng.uniform(-25, 25)),
        "noise": float(rng.uniform(1, 4)),
        "light": float(rng.uniform(0.75, 1.05)),
        "code_px": int(rng.uniform(130, 200) * k),
    }
    varied = {
        "large": {"code_px": int(rng.uniform(220, 300) * k)},
        "medium": {},
        "small": {"code_px": int(rng.uniform(75, 100) * k)},
        "perspective": {"tilt": float(rng.uniform(0.15, 0.35))},
        "motion": {"motion": int(rng.integers(5, 12) * k)},
        "defocus": {"defocus": float(rng.uniform(1.0, 2.2) * k)},
        "noise": {"noise": float(rng.uniform(10, 22))},
        "low_light": {"light": float(rng.uniform(0.15, 0.3)), "noise": 4.0},
        "glare": {"glare": float(rng.uniform(0.4, 0.9))},
        "occlusion": {"occlusion": float(rng.uniform(0.05, 0.15))},
        "barcode": {
            "angle": float(rng.uniform(-10, 10)),
            "code_px": int(rng.uniform(300, 420) * k),
        },
    }[condition]
    return Look(**{**common, **varied})


def build_frames(per_condition: int, no_code: int):
    """Yields (size, condition, expected text or None, region, frame), made on the fly to save
    memory. ``region`` is where a code was a moment ago (the decoder's region pass looks there):
    around the code itself, or anywhere for a frame without a code."""
    # A fixed key, so every run prints the same codes on the same frames.
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    rng = np.random.default_rng(2026)
    for size in SIZES:
        for condition in CONDITIONS:
            for i in range(per_condition):
                seed = int(rng.integers(0, 2**31))
                pick = i % 5
                if pick < 3:
                    text = cards.sign_card(key, f"{int(rng.integers(0, 10**10)):010d}")
                elif pick == 3:
                    text = f"https://ymt.example.org/t/L{i % 90 + 10:02d}-261203-{i + 1:04d}"
                else:
                    text = f"M01-261203-{i + 1:04d}"
                fmt = "qr"
                if condition == "barcode":
                    fmt, text = "code128", f"L{i % 90 + 10:02d}-261203-{i + 1:04d}"
                look = look_for(condition, size, np.random.default_rng(seed))
                frame = frame_with([text], [look], size, seed=seed, fmt=fmt)
                yield size, condition, text, region_near(look, size, rng), frame
        for _ in range(no_code):
            seed = int(rng.integers(0, 2**31))
            look = Look(center=(float(rng.uniform(0.2, 0.8)), float(rng.uniform(0.2, 0.8))))
            yield (
                size,
                "no_code",
                None,
                region_near(look, size, rng),
                frame_with([], [], size, seed=seed),
            )


def region_near(look: Look, size: tuple[int, int], rng: np.random.Generator):
    """The code's box as the previous frame saw it: shifted a little, as a hand moves."""
    half = look.code_px * 0.6
    cx = look.center[0] * size[0] + rng.uniform(-0.3, 0.3) * half
    cy = look.center[1] * size[1] + rng.uniform(-0.3, 0.3) * half
    return int(cx - half), int(cy - half), int(cx + half), int(cy + half)


def project(frame, region):
    """First sighting: no code was seen a moment ago, so the region pass does not run."""
    return [code.text for code in Decoder().decode(frame)]


def project_tracking(frame, region):
    """The code was seen in the previous frame near ``region``."""
    decoder = Decoder()
    decoder.remember(region)
    return [code.text for code in decoder.decode(frame)]


_without_zbar = tuple(name for name in DEFAULT_CHAIN if not name.startswith("zbar"))


def project_without_pyzbar(frame, region):
    return [code.text for code in Decoder(_without_zbar).decode(frame)]


SLOW_BOARD_CHAIN = ("zx_small_sharpened", "zx_small", "zx_full_qr", "zbar_suspects")


def project_slow_board(frame, region):
    return [code.text for code in Decoder(SLOW_BOARD_CHAIN).decode(frame)]


def zxing_alone(frame, region):
    return [code.text for code in zxingcpp.read_barcodes(frame)]


def pyzbar_alone(frame, region):
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return [code.data.decode("utf-8", "replace") for code in pyzbar.decode(grey)]


_opencv = cv2.QRCodeDetector()


def opencv_alone(frame, region):
    text, _points, _ = _opencv.detectAndDecode(frame)
    return [text] if text else []


METHODS = {
    "project chain": project,
    "project chain, code seen just before": project_tracking,
    "project chain without pyzbar": project_without_pyzbar,
    "cheaper chain for slow boards": project_slow_board,
    "zxing-cpp alone": zxing_alone,
    "pyzbar alone": pyzbar_alone,
    "OpenCV QRCodeDetector": opencv_alone,
}


def one_pass(name):
    def run(frame, region):
        return [found[0] for found in PASSES[name](View(frame, region))]

    return run


def timed(fn, frame, region):
    start = time.perf_counter()
    texts = fn(frame, region)
    return texts, (time.perf_counter() - start) * 1000


def correct(texts, expected):
    if expected is None:
        return not texts
    return expected in texts and all(t == expected for t in texts)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def search_chains(per_frame, sizes, no_code, max_len=4, budget_ms=10.0, top=3):
    """Every chain of up to ``max_len`` candidate passes, simulated from each pass's own
    per-frame result and time: a frame costs the passes run until the first that reads it.
    Best: most frames decoded, then the lowest 720p median on frames without a code (kept
    under ``budget_ms``), then the lowest mean time on frames with a code."""
    names = list(per_frame)
    hit = {n: np.array([h for h, _ in per_frame[n]]) for n in names}
    cost = {n: np.array([t for _, t in per_frame[n]]) for n in names}
    is_720 = np.array([size == SIZES[1] for size in sizes])
    empty = np.array(no_code)
    ranked = []
    for length in range(1, max_len + 1):
        for chain in itertools.permutations(names, length):
            done = np.zeros(len(empty), bool)
            spent = np.zeros(len(empty))
            useful = True
            for name in chain:
                spent += np.where(done, 0.0, cost[name])
                gained = hit[name] & ~done
                if not gained.any():
                    useful = False  # a pass that adds nothing is never worth its time
                    break
                done |= gained
            if not useful:
                continue
            quiet = float(np.median(spent[empty & is_720]))
            if quiet > budget_ms:
                continue
            busy = float(spent[~empty].mean())
            ranked.append((-int(done.sum()), quiet, busy, chain))
    ranked.sort()
    return [(chain, -count, quiet, busy) for count, quiet, busy, chain in ranked[:top]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-condition", type=int, default=25)
    parser.add_argument("--no-code", type=int, default=40)
    parser.add_argument("--passes", action="store_true", help="score each candidate pass too")
    args = parser.parse_args()

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)
    load = os.getloadavg()

    methods = dict(METHODS)
    if args.passes:
        methods.update(
            {f"pass {name}": one_pass(name) for name in PASSES if name != "zbar_suspects"}
        )

    ok = defaultdict(int)
    total = defaultdict(int)
    ms = defaultdict(list)
    ms_no_code = defaultdict(list)
    hits = defaultdict(set)
    per_frame = defaultdict(list)  # pass name -> [(decoded correctly, ms)] in frame order
    sizes, no_code = [], []
    by_condition = defaultdict(lambda: defaultdict(int))
    frames = 0
    for index, (size, condition, expected, region, frame) in enumerate(
        build_frames(args.per_condition, args.no_code)
    ):
        frames += 1
        sizes.append(size)
        no_code.append(expected is None)
        for name, fn in methods.items():
            texts, elapsed = timed(fn, frame, region)
            per_frame[name].append((expected is not None and correct(texts, expected), elapsed))
            group = (name, size)
            total[group] += 1
            ms[group].append(elapsed)
            if expected is None:
                ms_no_code[group].append(elapsed)
            if correct(texts, expected):
                ok[group] += 1
                if expected is not None:
                    hits[name].add(index)
                    by_condition[name][condition] += 1

    print(
        f"frames: {frames} ({args.per_condition} per condition x {len(CONDITIONS)} conditions"
        f" + {args.no_code} without a code, at each of {SIZES}); one core, cv2 threads 1"
    )
    print(
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"at end {' '.join(f'{v:.2f}' for v in os.getloadavg())} (2 cores, shared)"
    )
    print(f"chain: {', '.join(DEFAULT_CHAIN)}")
    header = (
        f"{'method':34} {'size':>9} {'correct':>8} {'median ms':>10} {'p95 ms':>8} "
        f"{'no-code median':>15} {'no-code >33ms':>14}"
    )
    print(header)
    print("-" * len(header))
    for name in methods:
        for size in SIZES:
            group = (name, size)
            slow = sum(t > FRAME_INTERVAL_MS for t in ms_no_code[group])
            print(
                f"{name:34} {size[0]:>4}x{size[1]:<4} {ok[group] / total[group]:>8.1%} "
                f"{statistics.median(ms[group]):>10.2f} {pct(ms[group], 0.95):>8.2f} "
                f"{statistics.median(ms_no_code[group]):>15.2f} "
                f"{slow / max(1, len(ms_no_code[group])):>14.1%}"
            )

    print("\ngoals (project chain, first sighting):")
    singles = ("zxing-cpp alone", "pyzbar alone", "OpenCV QRCodeDetector")
    for size in SIZES:
        best = max(singles, key=lambda n, sz=size: ok[(n, sz)])
        mine, theirs = ok[("project chain", size)], ok[(best, size)]
        print(
            f"  {size[0]}x{size[1]}: decodes {mine} frames correctly, best single "
            f"({best}) {theirs}: {'met' if mine >= theirs else 'NOT met'}"
        )
    group = ("project chain", SIZES[1])
    median, quiet = statistics.median(ms[group]), statistics.median(ms_no_code[group])
    print(f"  720p median {median:.2f} ms (goal < 15): {'met' if median < 15 else 'NOT met'}")
    print(
        f"  720p frames without a code, median {quiet:.2f} ms (goal < 10): "
        f"{'met' if quiet < 10 else 'NOT met'}"
    )

    per_condition = args.per_condition * len(SIZES)
    print(f"\ndecoded by condition (of {per_condition} each, both sizes):")
    print(f"{'method':34} " + " ".join(f"{c[:9]:>9}" for c in CONDITIONS))
    for name in methods:
        print(f"{name:34} " + " ".join(f"{by_condition[name][c]:>9}" for c in CONDITIONS))

    if args.passes:
        candidates = {
            n.removeprefix("pass "): per_frame[n]
            for n in methods
            if n.startswith("pass ") and n != "pass zx_region"
        }
        print("\nbest chains of up to 4 passes, simulated from each pass's own results and times")
        print("(first sighting, no region hint; no-code 720p median under 10 ms):")
        for chain, count, quiet, busy in search_chains(candidates, sizes, no_code):
            print(
                f"  {', '.join(chain)}: {count} frames decoded, no-code 720p median "
                f"{quiet:.2f} ms, mean {busy:.2f} ms on frames with a code"
            )


if __name__ == "__main__":
    main()
