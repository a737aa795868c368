#!/usr/bin/python3
"""PNG fixtures for png_reader_test.cpp, written by outside encoders: Pillow (every colour type,
stored, fast and best compression) and a hand-made encoder over Python's zlib that uses each of
the five row filters. Next to each NAME.png, NAME.bin holds the pixels a reader must give:
[h][w][channels] bytes, alpha dropped, palette entries expanded to RGB.
Usage: make_png_fixtures.py OUT_DIR"""
import os
import random
import struct
import sys
import zlib

from PIL import Image

W, H = 13, 7


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filtered_png(rows, channels, color_type, interlace=0):
    """Row y uses filter y % 5 (None, Sub, Up, Average, Paeth)."""
    raw, prev = b"", bytes(len(rows[0]))
    for y, row in enumerate(rows):
        f = y % 5
        out = bytearray([f])
        for i, x in enumerate(row):
            a = row[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][f]
            out.append((x - pred) & 0xFF)
        raw += bytes(out)
        prev = row
    ihdr = struct.pack(">IIBBBBB", len(rows[0]) // channels, len(rows), 8, color_type, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tEXt", b"Comment\0fixture") +
            chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(11)
    rgba = bytes(rng.randrange(256) for _ in range(W * H * 4))
    base = Image.frombytes("RGBA", (W, H), rgba)
    for mode in ("L", "LA", "RGB", "RGBA", "P"):
        im = base.convert(mode) if mode != "P" else base.convert("RGB").quantize(colors=37)
        expected = im.convert("RGB" if mode in ("RGB", "RGBA", "P") else "L").tobytes()
        for level in (0, 1, 9):
            name = os.path.join(out, "pillow_%s_%d" % (mode, level))
            im.save(name + ".png", compress_level=level)
            open(name + ".bin", "wb").write(expected)
    # A smooth, larger picture: dynamic Huffman blocks and long back-references.
    smooth = Image.frombytes("RGB", (64, 48), bytes(
        (x * 4 + y) & 0xFF if k == 0 else (y * 5) & 0xFF if k == 1 else ((x // 8) * 30) & 0xFF
        for y in range(48) for x in range(64) for k in range(3)))
    for level in (6, 9):
        name = os.path.join(out, "smooth_%d" % level)
        smooth.save(name + ".png", compress_level=level)
        open(name + ".bin", "wb").write(smooth.tobytes())
    # A tiny, repetitive picture: zlib picks its fixed Huffman codes.
    tiny = Image.frombytes("L", (8, 8), bytes((x // 4) * 100 + 7 for y in range(8) for x in range(8)))
    tiny.save(os.path.join(out, "tiny_fixed.png"), compress_level=9)
    open(os.path.join(out, "tiny_fixed.bin"), "wb").write(tiny.tobytes())
    grey_rows = [bytes(rng.randrange(256) for _ in range(W)) for _ in range(H)]
    rgb_rows = [bytes(rng.randrange(256) for _ in range(W * 3)) for _ in range(H)]
    for name, rows, ch, ct in (("filters_grey", grey_rows, 1, 0), ("filters_rgb", rgb_rows, 3, 2)):
        open(os.path.join(out, name + ".png"), "wb").write(filtered_png(rows, ch, ct))
        open(os.path.join(out, name + ".bin"), "wb").write(b"".join(rows))
    # Unsupported: interlaced, 16 bits.
    open(os.path.join(out, "interlaced.png"), "wb").write(filtered_png(grey_rows, 1, 0, interlace=1))
    Image.frombytes("I;16", (W, H), bytes(2 * W * H)).save(os.path.join(out, "sixteen_bit.png"))


if __name__ == "__main__":
    main()
