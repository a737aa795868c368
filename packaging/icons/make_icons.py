#!/usr/bin/python3
"""Renders packaging/icons/bitshift.svg's design to the PNG sizes a desktop expects.

Drawn with Pillow (Debian's python3-pil) rather than rasterising the SVG, so no SVG renderer is
needed; run again after changing the design: /usr/bin/python3 packaging/icons/make_icons.py
"""
import os

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
BG, CELL, FG, ACCENT = (29, 53, 87), (168, 218, 220), (241, 250, 238), (230, 57, 70)


def draw(size):
    s = 4 * size  # supersample, then downscale for smooth edges
    k = s / 256.0
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([8 * k, 8 * k, 248 * k, 248 * k], radius=44 * k, fill=BG)
    for i, alpha in enumerate((255, 191, 128, 64)):
        x = (40 + 48 * i) * k
        d.rounded_rectangle([x, 40 * k, x + 36 * k, 76 * k], radius=6 * k, fill=CELL + (alpha,))
        x = (40 + 48 * (3 - i)) * k
        d.rounded_rectangle([x, 180 * k, x + 36 * k, 216 * k], radius=6 * k, fill=CELL + (alpha,))
    for x0 in (60, 120):
        d.line([(x0 * k, 98 * k), ((x0 + 40) * k, 128 * k), (x0 * k, 158 * k)], fill=FG,
               width=int(18 * k), joint="curve")
    d.rounded_rectangle([176 * k, 118 * k, 216 * k, 138 * k], radius=6 * k, fill=ACCENT)
    return img.resize((size, size), Image.LANCZOS)


for n in (16, 24, 32, 48, 64, 128, 256):
    draw(n).save(os.path.join(HERE, f"bitshift-{n}.png"))
