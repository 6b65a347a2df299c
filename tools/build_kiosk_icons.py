"""Draw the kiosk's tile icons: simple white pictograms on a transparent background.

Drawn with Pillow at 4x and scaled down, so the edges stay smooth. The PNGs
live in assets/icons/<group>/<name>.png and are committed; run this again
after changing a drawing: python -m tools.build_kiosk_icons
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "assets" / "icons"
FONT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "NotoSansSC-Bold.otf"
SIZE = 256
S = 8  # drawing scale: a 128-unit grid drawn at 1024 px, saved at SIZE
W = (255, 255, 255, 255)
LINE = 9 * S


def _canvas():
    image = Image.new("RGBA", (128 * S, 128 * S), (0, 0, 0, 0))
    return image, ImageDraw.Draw(image)


def p(*xy):
    """Points given on a 0..128 grid, scaled to the drawing size."""
    return [v * S for v in xy]


def glyph(draw, text: str, size: int = 70, y: int = 64):
    font = ImageFont.truetype(str(FONT), size * S)
    draw.text((64 * S, y * S), text, font=font, fill=W, anchor="mm")


def house(d):
    d.polygon(p(64, 14, 14, 58, 114, 58), fill=W)
    d.rectangle(p(28, 58, 100, 114), fill=W)


def report(d):  # a speech bubble with an exclamation mark
    d.rounded_rectangle(p(12, 14, 116, 90), radius=16 * S, fill=W)
    d.polygon(p(34, 88, 30, 116, 58, 88), fill=W)
    d.rectangle(p(58, 26, 70, 62), fill=(0, 0, 0, 0))
    d.ellipse(p(58, 68, 70, 80), fill=(0, 0, 0, 0))


def track(d):  # magnifying glass
    d.ellipse(p(14, 14, 82, 82), outline=W, width=LINE + 2 * S)
    d.line(p(72, 72, 112, 112), fill=W, width=16 * S)


def points(d):  # a coin with 分
    d.ellipse(p(10, 10, 118, 118), outline=W, width=LINE)
    glyph(d, "分", 62)


def star(d, cx=64, cy=66, r=54):
    import math

    pts = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.42
        angle = math.pi / 2 + i * math.pi / 5
        pts += [(cx + radius * math.cos(angle)) * S, (cy - radius * math.sin(angle)) * S]
    d.polygon(pts, fill=W)


def stars(d):
    star(d)


def notices(d):  # a notice board
    d.rectangle(p(16, 16, 112, 96), outline=W, width=LINE)
    for y in (36, 54, 72):
        d.line(p(32, y, 96, y), fill=W, width=6 * S)
    d.line(p(40, 96, 30, 118), fill=W, width=LINE)
    d.line(p(88, 96, 98, 118), fill=W, width=LINE)


def service(d):  # house with a heart
    house(d)
    d.ellipse(p(44, 66, 64, 86), fill=(0, 0, 0, 0))
    d.ellipse(p(64, 66, 84, 86), fill=(0, 0, 0, 0))
    d.polygon(p(45, 80, 83, 80, 64, 104), fill=(0, 0, 0, 0))


def help_icon(d):  # a telephone handset with a cross
    d.rounded_rectangle(p(14, 14, 114, 114), radius=20 * S, outline=W, width=LINE)
    d.rectangle(p(54, 30, 74, 98), fill=W)
    d.rectangle(p(30, 54, 98, 74), fill=W)


def staff(d):  # a person with a badge
    d.ellipse(p(40, 10, 88, 58), fill=W)
    d.pieslice(p(16, 62, 112, 158), 180, 360, fill=W)


def scan(d):  # corners of a viewfinder around a QR-like square
    for x0, y0, dx, dy in ((10, 10, 1, 1), (118, 10, -1, 1), (10, 118, 1, -1), (118, 118, -1, -1)):
        d.line(p(x0, y0, x0 + 30 * dx, y0), fill=W, width=LINE)
        d.line(p(x0, y0, x0, y0 + 30 * dy), fill=W, width=LINE)
    for x, y in ((34, 34), (70, 34), (34, 70)):
        d.rectangle(p(x, y, x + 24, y + 24), fill=W)
    d.rectangle(p(76, 76, 90, 90), fill=W)


def lift(d):  # lift doors with arrows
    d.rectangle(p(22, 10, 106, 118), outline=W, width=LINE)
    d.line(p(64, 10, 64, 118), fill=W, width=6 * S)
    d.polygon(p(30, 44, 42, 28, 54, 44), fill=W)
    d.polygon(p(74, 28, 98, 28, 86, 44), fill=W)


def utilities(d):  # a water drop and a lightning bolt
    d.polygon(p(36, 14, 14, 62, 58, 62), fill=W)
    d.ellipse(p(14, 44, 58, 88), fill=W)
    d.polygon(p(86, 10, 64, 66, 84, 66, 72, 118, 112, 52, 90, 52, 104, 10), fill=W)


def noise(d):  # a loudspeaker with waves
    d.polygon(p(14, 46, 38, 46, 66, 18, 66, 110, 38, 82, 14, 82), fill=W)
    d.arc(p(56, 34, 96, 94), -50, 50, fill=W, width=7 * S)
    d.arc(p(56, 14, 118, 114), -50, 50, fill=W, width=7 * S)


def environment(d):  # a tree
    d.ellipse(p(22, 6, 106, 84), fill=W)
    d.rectangle(p(56, 70, 72, 120), fill=W)
    d.line(p(30, 120, 98, 120), fill=W, width=6 * S)


def safety(d):  # a warning triangle
    d.polygon(p(64, 8, 6, 116, 122, 116), fill=W)
    d.rectangle(p(58, 44, 70, 86), fill=(0, 0, 0, 0))
    d.ellipse(p(58, 94, 70, 106), fill=(0, 0, 0, 0))


def policy(d):  # a document with a question mark
    d.rectangle(p(22, 8, 106, 120), outline=W, width=LINE)
    glyph(d, "?", 74, 66)


def dispute(d):  # two speech bubbles
    d.rounded_rectangle(p(6, 14, 76, 64), radius=12 * S, fill=W)
    d.polygon(p(20, 62, 16, 84, 40, 62), fill=W)
    d.rounded_rectangle(p(52, 56, 122, 106), radius=12 * S, outline=W, width=7 * S)
    d.polygon(p(100, 104, 108, 122, 88, 106), fill=W)


def jobs(d):  # a briefcase
    d.rounded_rectangle(p(10, 38, 118, 112), radius=10 * S, fill=W)
    d.rectangle(p(44, 18, 84, 40), outline=W, width=7 * S)
    d.line(p(10, 70, 118, 70), fill=(0, 0, 0, 0), width=5 * S)


def school(d):  # a graduation cap
    d.polygon(p(64, 20, 4, 50, 64, 80, 124, 50), fill=W)
    d.rectangle(p(34, 62, 94, 98), fill=W)
    d.line(p(112, 56, 112, 98), fill=W, width=5 * S)


def training(d):  # an open book
    d.polygon(p(8, 28, 62, 38, 62, 112, 8, 102), fill=W)
    d.polygon(p(120, 28, 66, 38, 66, 112, 120, 102), fill=W)


def supervision(d):  # an eye
    d.chord(p(6, 24, 122, 140), 200, 340, fill=W)
    d.chord(p(6, -12, 122, 104), 20, 160, fill=W)
    d.ellipse(p(44, 44, 84, 84), fill=(0, 0, 0, 0))
    d.ellipse(p(54, 54, 74, 74), fill=W)


def general(d):
    d.ellipse(p(10, 10, 118, 118), outline=W, width=LINE)
    glyph(d, "…", 70, 56)


def pay_bills(d):  # a bill with ¥
    d.rectangle(p(22, 8, 106, 120), outline=W, width=LINE)
    glyph(d, "元", 56, 66)


def fetch_medicine(d):  # a medicine box with a cross
    d.rounded_rectangle(p(12, 30, 116, 110), radius=10 * S, fill=W)
    d.rectangle(p(56, 44, 72, 96), fill=(0, 0, 0, 0))
    d.rectangle(p(38, 62, 90, 78), fill=(0, 0, 0, 0))
    d.rectangle(p(40, 14, 88, 32), outline=W, width=6 * S)


def social_security(d):  # an ID card with a person
    d.rounded_rectangle(p(6, 24, 122, 104), radius=10 * S, outline=W, width=7 * S)
    d.ellipse(p(22, 42, 50, 70), fill=W)
    d.pieslice(p(16, 70, 56, 110), 180, 360, fill=W)
    for y in (50, 66, 82):
        d.line(p(66, y, 108, y), fill=W, width=6 * S)


ICONS = {
    "home": {
        "report": report,
        "track": track,
        "points": points,
        "stars": stars,
        "notices": notices,
        "service": service,
        "help": help_icon,
        "staff": staff,
        "scan": scan,
    },
    # Named by the `icon` field of the categories in assets/seed/reference.toml.
    "categories": {
        "house_repair": house,
        "water_power_gas": utilities,
        "lift": lift,
        "noise": noise,
        "environment": environment,
        "safety": safety,
        "policy": policy,
        "mediation": dispute,
        "job": jobs,
        "school": school,
        "training": training,
        "complaint": supervision,
        "general": general,
    },
    "services": {
        "pay_bills": pay_bills,
        "fetch_medicine": fetch_medicine,
        "social_security": social_security,
    },
}


def main() -> None:
    for group, drawings in ICONS.items():
        folder = OUT / group
        folder.mkdir(parents=True, exist_ok=True)
        for name, draw in drawings.items():
            image, canvas = _canvas()
            draw(canvas)
            image.resize((SIZE, SIZE), Image.LANCZOS).save(folder / f"{name}.png")
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
