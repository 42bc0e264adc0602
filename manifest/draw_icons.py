"""Draw the Teams app icons: a night-light lantern ("veilleuse").

Run ``.venv/bin/python manifest/draw_icons.py`` after changing the drawing; it rewrites
``color.png`` (192x192, full colour) and ``outline.png`` (32x32, white on transparent) next to
this script. Both are committed; the package builder only copies them.

Shapes are drawn at a larger scale and reduced with a box filter for smooth edges.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COLOR_SIZE = 192
OUTLINE_SIZE = 32

NIGHT = (31, 42, 92)  # accentColor #1F2A5C
GLOW = (255, 200, 87)
BRASS = (201, 143, 43)
BRASS_LIGHT = (233, 185, 73)
GLASS = (255, 222, 138)
FLAME_OUTER = (255, 140, 26)
FLAME_INNER = (255, 246, 214)
STAR = (236, 240, 255)


def _teardrop(
    cx: float, cy: float, half_width: float, half_height: float
) -> list[tuple[float, float]]:
    """A flame: pointed at the top, round at the bottom, centred on (cx, cy)."""
    points = []
    for step in range(96):
        t = 2 * math.pi * step / 96
        x = cx + half_width * math.sin(t) * math.sin(t / 2)
        y = cy - half_height * math.cos(t)
        points.append((x, y))
    return points


def draw_color(size: int = COLOR_SIZE, scale: int = 4) -> Image.Image:
    """Full-colour icon: a glowing brass lantern on a night-blue square."""
    k = size * scale / 192  # drawing coordinates are given on a 192 grid
    big = round(size * scale)

    def s(*box: float) -> tuple[float, ...]:
        return tuple(v * k for v in box)

    image = Image.new("RGB", (big, big), NIGHT)

    glow = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse(s(38, 44, 154, 160), fill=(*GLOW, 120))
    glow = glow.filter(ImageFilter.GaussianBlur(radius=18 * k))
    image.paste(glow, (0, 0), glow)

    draw = ImageDraw.Draw(image)
    for cx, cy, r in ((34, 34, 3), (156, 28, 2.5), (162, 70, 2), (28, 150, 2)):
        draw.ellipse(s(cx - r, cy - r, cx + r, cy + r), fill=STAR)

    # Handle ring, cap, glass body with its frame, flame, base.
    draw.arc(s(80, 26, 112, 58), start=180, end=360, fill=BRASS_LIGHT, width=round(6 * k))
    draw.line(s(80, 42, 80, 58), fill=BRASS_LIGHT, width=round(6 * k))
    draw.line(s(112, 42, 112, 58), fill=BRASS_LIGHT, width=round(6 * k))
    draw.polygon(s(72, 56, 120, 56, 132, 74, 60, 74), fill=BRASS)
    draw.rounded_rectangle(
        s(66, 74, 126, 144), radius=10 * k, fill=GLASS, outline=BRASS, width=round(6 * k)
    )
    draw.polygon(_teardrop(96 * k, 112 * k, 16 * k, 24 * k), fill=FLAME_OUTER)
    draw.polygon(_teardrop(96 * k, 120 * k, 8 * k, 14 * k), fill=FLAME_INNER)
    draw.rounded_rectangle(s(56, 142, 136, 158), radius=6 * k, fill=BRASS)

    return image.resize((size, size), Image.Resampling.BOX)


def draw_outline(size: int = OUTLINE_SIZE, scale: int = 8) -> Image.Image:
    """Outline icon: the same lantern in white on a transparent background."""
    k = size * scale / 32  # drawing coordinates are given on a 32 grid
    big = round(size * scale)

    def s(x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
        # Pixel-grid box [x0, x1) x [y0, y1) on the 32 grid; Pillow's x1/y1 are inclusive.
        return (x0 * k, y0 * k, x1 * k - 1, y1 * k - 1)

    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    draw.arc(s(12, 1, 20, 9), start=180, end=360, fill=255, width=round(2 * k))
    draw.polygon(
        [(10 * k, 6 * k), (22 * k, 6 * k), (25 * k, 10 * k - 1), (7 * k, 10 * k - 1)], fill=255
    )
    draw.rounded_rectangle(s(8, 10, 24, 27), radius=2 * k, outline=255, width=round(2 * k))
    draw.polygon(_teardrop(16 * k, 19 * k, 3.5 * k, 5.5 * k), fill=255)
    draw.rounded_rectangle(s(6, 27, 26, 31), radius=1 * k, fill=255)

    alpha = mask.resize((size, size), Image.Resampling.BOX)
    white = Image.new("L", (size, size), 255)
    # Every pixel is white; only its alpha varies, so the icon is "white only".
    return Image.merge("RGBA", (white, white, white, alpha))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name, image in (("color.png", draw_color()), ("outline.png", draw_outline())):
        path = HERE / name
        image.save(path, format="PNG", optimize=True)
        logger.info("wrote %s %sx%s", name, *image.size)


if __name__ == "__main__":
    main()
