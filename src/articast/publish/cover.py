"""Cover art: our own design drawn with Pillow, with the show's title for the feed's 1400 px cover."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np

from ..errors import InputError

FEED_COVER_PX = 1400
"""Apple's minimum (1400-3000 px square); small enough to load fast in apps."""

_CREAM = (250, 236, 200)


def draw_cover(size: int, title: str | None = None):
    """Blue gradient, radio waves and (optionally) the title: a PIL Image."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    y, x = np.mgrid[0:size, 0:size] / size
    rgb = np.stack([30 + 60 * x + 20 * y, 40 + 50 * (1 - y) + 30 * x, 90 + 110 * (1 - x * y)], axis=2)
    img = Image.fromarray(rgb.clip(0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    cx = size // 2
    cy = size // 2 if not title else int(size * 0.36)
    unit = size / 600
    for i, radius in enumerate(range(60, 280 if not title else 236, 44)):
        r, width = radius * unit, max(1, int((14 - 2 * i) * unit))
        box = (cx - r, cy - r, cx + r, cy + r)
        draw.arc(box, 300, 60, fill=_CREAM, width=width)
        draw.arc(box, 120, 240, fill=_CREAM, width=width)
    dot = 34 * unit
    draw.ellipse((cx - dot, cy - dot, cx + dot, cy + dot), fill=_CREAM)
    img = img.filter(ImageFilter.SMOOTH)
    if title:
        draw = ImageDraw.Draw(img)
        lines = textwrap.wrap(title, width=18)[:3] or [title]
        font_px = int(size * (0.085 if len(lines) < 3 else 0.07))
        font = ImageFont.load_default(size=font_px)
        top = int(size * 0.66)
        for n, line in enumerate(lines):
            line_width = draw.textlength(line, font=font)
            draw.text(((size - line_width) / 2, top + n * font_px * 1.2), line, font=font, fill=_CREAM)
    return img


def cover_bytes(size: int, title: str | None = None, fmt: str = "JPEG") -> bytes:
    """The cover encoded as JPEG (or PNG)."""
    buffer = io.BytesIO()
    draw_cover(size, title).save(buffer, fmt, quality=88, optimize=True)
    return buffer.getvalue()


def prepare_user_cover(path: Path) -> tuple[bytes, str]:
    """The user's cover as Apple wants it: square RGB, 1400-3000 px, JPEG or PNG. Returns (bytes, extension)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            fmt = img.format
            width, height = img.size
            if fmt in ("JPEG", "PNG") and width == height and 1400 <= width <= 3000 and img.mode == "RGB":
                return Path(path).read_bytes(), ".jpg" if fmt == "JPEG" else ".png"
            side = min(width, height)
            box = ((width - side) // 2, (height - side) // 2, (width + side) // 2, (height + side) // 2)
            target = min(3000, max(1400, side))
            fixed = img.convert("RGB").crop(box).resize((target, target), Image.Resampling.LANCZOS)
    except FileNotFoundError:
        raise InputError(f"{path}: no such cover image") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"{path}: not an image articast can read ({exc})") from None
    buffer = io.BytesIO()
    fixed.save(buffer, "JPEG", quality=90)
    return buffer.getvalue(), ".jpg"
