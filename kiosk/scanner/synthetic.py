"""Camera-like frames with a printed code in them, for tests, demos and the benchmark.

A code is printed on a white card, placed on a cluttered background with a
perspective warp, and then the things a cheap USB camera in a lift does to it
are applied: defocus, motion blur, sensor noise, low light, glare and a thumb
over part of the code. Everything is seeded, so a frame can be made again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp


@dataclass(frozen=True)
class Look:
    """How a code appears in one frame; defaults are a clean, well-lit, centred card."""

    code_px: int = 220  # side of the code's modules area in the frame, pixels
    center: tuple[float, float] = (0.5, 0.5)  # as a share of width and height
    angle: float = 0.0  # in-plane rotation, degrees
    tilt: float = 0.0  # perspective strength, 0..0.35
    defocus: float = 0.0  # Gaussian sigma in pixels
    motion: int = 0  # motion blur length in pixels
    noise: float = 0.0  # sensor noise sigma, grey levels
    light: float = 1.0  # exposure; 0.25 is a dim lift car
    glare: float = 0.0  # strength of a bright reflection over the card, 0..1
    occlusion: float = 0.0  # share of the code's width covered by a thumb


def code_image(text: str, fmt: str = "qr") -> np.ndarray:
    """The code as a greyscale image of one pixel per module, quiet zone included."""
    if fmt == "qr":
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    else:
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    image = np.array(zxingcpp.write_barcode_to_image(barcode, scale=1))
    if fmt != "qr":  # a 1-D code is one row; give it some height
        image = np.repeat(image[:1], max(12, image.shape[1] // 5), axis=0)
    return image


def background(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A lift wall or a shop counter: gradients, panels, a few edges and some print."""
    width, height = size
    base = rng.integers(60, 170)
    gx = np.linspace(0, rng.integers(-50, 50), width, dtype=np.float32)
    gy = np.linspace(0, rng.integers(-50, 50), height, dtype=np.float32)
    grey = base + gx[None, :] + gy[:, None]
    frame = np.dstack([grey * rng.uniform(0.85, 1.15) for _ in range(3)])
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    for _ in range(rng.integers(3, 9)):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(20, width // 3)), int(rng.integers(20, height // 3))
        colour = tuple(int(c) for c in rng.integers(20, 235, 3))
        cv2.rectangle(frame, (x, y), (x + w, y + h), colour, -1 if rng.random() < 0.6 else 3)
    for _ in range(rng.integers(2, 6)):
        x, y = int(rng.integers(0, width - 100)), int(rng.integers(20, height))
        scale = float(rng.uniform(0.5, 1.6))
        cv2.putText(
            frame, "NOTICE 2026 B07", (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (20, 20, 20), 2
        )
    return frame


def _card(code: np.ndarray, code_px: int) -> tuple[np.ndarray, int]:
    """The code scaled to ``code_px`` and printed on a white card with a margin."""
    modules = code.shape[1]
    px = max(1, round(code_px / modules))
    printed = cv2.resize(
        code, (code.shape[1] * px, code.shape[0] * px), interpolation=cv2.INTER_NEAREST
    )
    margin = printed.shape[1] // 6
    card = np.full((printed.shape[0] + 2 * margin, printed.shape[1] + 2 * margin), 245, np.uint8)
    card[margin : margin + printed.shape[0], margin : margin + printed.shape[1]] = printed
    return cv2.cvtColor(card, cv2.COLOR_GRAY2BGR), margin


def place(frame: np.ndarray, code: np.ndarray, look: Look, rng: np.random.Generator) -> None:
    """Print ``code`` onto ``frame`` in place as ``look`` says."""
    height, width = frame.shape[:2]
    card, margin = _card(code, look.code_px)
    ch, cw = card.shape[:2]
    src = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    centred = src - [cw / 2, ch / 2]
    theta = np.deg2rad(look.angle)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    dst = centred @ rot.T
    if look.tilt:
        # Pull two adjacent corners in, as a card held at an angle to the lens.
        side = int(rng.integers(0, 4))
        for corner in (side, (side + 1) % 4):
            dst[corner] *= 1 - look.tilt
    dst = dst + [look.center[0] * width, look.center[1] * height]
    matrix = cv2.getPerspectiveTransform(src, np.float32(dst))
    warped = cv2.warpPerspective(card, matrix, (width, height), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((ch, cw), 255, np.uint8), matrix, (width, height))
    frame[mask > 127] = warped[mask > 127]

    if look.occlusion:
        # A thumb over the card's edge, reaching into the code.
        reach = margin + look.occlusion * (cw - 2 * margin)
        thumb = np.float32([[[0, ch * 0.35]], [[reach, ch * 0.5]], [[0, ch * 0.7]]])
        pts = cv2.perspectiveTransform(thumb, matrix).reshape(-1, 2)
        axes = (int(max(8, np.linalg.norm(pts[1] - pts[0]))), int(ch * 0.18))
        centre = tuple(int(v) for v in (pts[0] + pts[2]) / 2)
        angle = float(np.degrees(np.arctan2(*(pts[1] - centre)[::-1])))
        cv2.ellipse(frame, centre, axes, angle, 0, 360, (120, 150, 205), -1)


def degrade(frame: np.ndarray, look: Look, rng: np.random.Generator) -> np.ndarray:
    """What the camera does: glare, blur, exposure, noise, in that order."""
    out = frame.astype(np.float32)
    height, width = frame.shape[:2]
    if look.glare:
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        cx = look.center[0] * width + rng.uniform(-0.3, 0.3) * look.code_px
        cy = look.center[1] * height + rng.uniform(-0.3, 0.3) * look.code_px
        radius = look.code_px * rng.uniform(0.25, 0.45)
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2))
        out += (255 * 1.6 * look.glare * blob)[..., None]
    if look.defocus:
        out = cv2.GaussianBlur(out, (0, 0), look.defocus)
    if look.motion > 1:
        kernel = np.zeros((look.motion, look.motion), np.float32)
        kernel[look.motion // 2, :] = 1.0 / look.motion
        centre = (look.motion / 2 - 0.5, look.motion / 2 - 0.5)
        turn = cv2.getRotationMatrix2D(centre, float(rng.uniform(0, 180)), 1.0)
        kernel = cv2.warpAffine(kernel, turn, kernel.shape)
        out = cv2.filter2D(out, -1, kernel / max(kernel.sum(), 1e-6))
    out = out * look.light
    if look.noise:
        out += rng.normal(0, look.noise, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def frame_with(
    texts: list[str],
    looks: list[Look],
    size: tuple[int, int] = (1280, 720),
    seed: int = 0,
    fmt: str = "qr",
    backdrop: np.ndarray | None = None,
) -> np.ndarray:
    """A BGR frame of ``size`` (width, height) with each text printed as ``looks`` say."""
    rng = np.random.default_rng(seed)
    frame = backdrop.copy() if backdrop is not None else background(size, rng)
    for text, look in zip(texts, looks, strict=True):
        place(frame, code_image(text, fmt), look, rng)
    look = looks[0] if looks else Look(light=float(rng.uniform(0.6, 1.0)), noise=3.0)
    return degrade(frame, look, rng)


def write_demo_video(
    path: str | Path,
    texts: list[str],
    size: tuple[int, int] = (640, 480),
    fps: float = 15.0,
    hold_seconds: float = 2.0,
) -> Path:
    """A video of each code held up in turn, then taken away: a ``camera_source`` for demos."""
    path = Path(path)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    if not writer.isOpened():
        raise OSError(f"cannot write a video to {path}")
    rng = np.random.default_rng(1)
    scene = background(size, rng)
    try:
        for n, text in enumerate(texts):
            look = Look(code_px=int(size[1] * 0.36), angle=float(rng.uniform(-12, 12)), noise=3.0)
            for i in range(int(hold_seconds * fps)):
                wobble = (0.5 + 0.01 * np.sin(i / 3), 0.5 + 0.01 * np.cos(i / 4))
                shown = Look(**{**look.__dict__, "center": wobble})
                writer.write(frame_with([text], [shown], size, seed=n * 1000 + i, backdrop=scene))
            for i in range(int(fps)):
                writer.write(frame_with([], [], size, seed=n * 1000 + 500 + i, backdrop=scene))
    finally:
        writer.release()
    return path
