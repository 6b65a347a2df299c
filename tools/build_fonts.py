"""Build the bundled CJK fonts in assets/fonts from Debian's fonts-noto-cjk.

The kiosk and the raster printer mode need a Chinese font that is always
there, whatever the device has installed. Noto Sans CJK SC is cut down to the
characters GBK can encode (every character a resident's name or a notice is
likely to use, and what a native-mode printer can print), which keeps each
weight at a few megabytes. Run: python -m tools.build_fonts
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto")
TARGET = Path(__file__).resolve().parent.parent / "assets" / "fonts"


def gbk_codepoints() -> list[int]:
    points = []
    for cp in range(0x20, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        points.append(cp)
    return points


def build(weight: str, points: list[int]) -> Path:
    collection = TTCollection(str(SOURCE / f"NotoSansCJK-{weight}.ttc"))
    font = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(1))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=points)
    subsetter.subset(font)
    out = TARGET / f"NotoSansSC-{weight}.otf"
    font.save(str(out))
    return out


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    points = gbk_codepoints()
    for weight in ("Regular", "Bold"):
        out = build(weight, points)
        print(f"{out}: {out.stat().st_size // 1024} KiB, {len(points)} code points")


if __name__ == "__main__":
    main()
