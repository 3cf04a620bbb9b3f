"""The Gantt chart as files to download: the SVG drawn by domain/gantt_svg.py, and a PNG
made from it here with CairoSVG (Debian's libcairo2 does the drawing; nothing is fetched).
"""

from __future__ import annotations

import hashlib
import math
import re
import threading

import cairosvg
from cachetools import LRUCache

# Twice the SVG's size reads well on a high-density screen and on paper...
SCALE = 2.0
# ... but cairo cannot draw taller than 32,767 px, and a picture of a very large plan must not
# take a web worker's memory (4 bytes a pixel: 40 million pixels is 160 MB while it is drawn).
MAX_SIDE = 32_000
MAX_PIXELS = 40_000_000
# Converting takes seconds at thousands of milestones (CairoSVG lays text out glyph by glyph,
# in Python), so each process keeps the PNGs it made, by the SVG they were made from: a
# changed plan or another day draws a different SVG, and so a new PNG.
CACHE_BYTES = 64 * 1024 * 1024

_SIZE = re.compile(r'<svg\b[^>]*?\b(width|height)="([\d.]+)"[^>]*?\b(width|height)="([\d.]+)"')
_made: LRUCache[bytes, bytes] = LRUCache(maxsize=CACHE_BYTES, getsizeof=len)
_lock = threading.Lock()


def svg_size(svg: str) -> tuple[float, float]:
    """The width and height the SVG's root element gives, in px."""
    found = _SIZE.search(svg, 0, 2_000)
    if found is None:
        raise ValueError("the SVG gives no width and height")
    size = {found.group(1): float(found.group(2)), found.group(3): float(found.group(4))}
    return size["width"], size["height"]


def png_scale(width: float, height: float) -> float:
    """SCALE, or less for a chart too big to draw at it."""
    return min(SCALE, MAX_SIDE / max(width, height), math.sqrt(MAX_PIXELS / (width * height)))


def png(svg: str) -> bytes:
    """The SVG drawn as a PNG on white."""
    source = svg.encode("utf-8")
    key = hashlib.sha256(source).digest()
    with _lock:
        drawn = _made.get(key)
    if drawn is None:
        drawn = _convert(source, *svg_size(svg))
        if len(drawn) <= CACHE_BYTES:
            with _lock:
                _made[key] = drawn
    return drawn


def _convert(source: bytes, width: float, height: float) -> bytes:
    scale = png_scale(width, height)
    drawn = cairosvg.svg2png(
        bytestring=source,
        output_width=round(width * scale),
        output_height=round(height * scale),
        background_color="white",
        unsafe=False,  # never read a file or a URL the SVG might name
    )
    assert isinstance(drawn, bytes)  # svg2png returns the bytes when given nowhere to write
    return drawn


def forget() -> None:
    """Drop the PNGs made so far (for tests that time or count conversions)."""
    with _lock:
        _made.clear()
