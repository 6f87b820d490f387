#!/usr/bin/env python3
"""Draws the app icon (a rounded square in the brand blue with three rising bars, the "analytics" mark) and
writes every size the Tauri bundler wants: PNGs, icon.ico (PNG-compressed entries) and icon.icns (PNG
entries). Pure Python (zlib + struct) so it needs nothing installed and downloads nothing.

Run from anywhere: python3 src-tauri/icons/generate.py
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
BG = (0x1F, 0x4F, 0xD8)      # brand blue
BAR = (0xFF, 0xFF, 0xFF)
ACCENT = (0x2E, 0xC4, 0xB6)  # the tallest bar, as the UI's accent


def draw(size):
    """RGBA rows at `size`; drawn per pixel at 4x4 supersampling so edges are smooth at every size."""
    ss = 4
    radius = 0.22
    bars = [(0.22, 0.40, 0.58), (0.42, 0.60, 0.42), (0.62, 0.80, 0.24)]  # x0, x1, top (unit square)
    base = 0.78
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    x = (px + (sx + 0.5) / ss) / size
                    y = (py + (sy + 0.5) / ss) / size
                    if not inside_rounded(x, y, radius):
                        continue
                    color = BG
                    for i, (x0, x1, top) in enumerate(bars):
                        if x0 <= x <= x1 and top <= y <= base:
                            color = ACCENT if i == 2 else BAR
                    acc[0] += color[0]
                    acc[1] += color[1]
                    acc[2] += color[2]
                    acc[3] += 255
            n = ss * ss
            a = acc[3] // n
            if a == 0:
                row += b"\x00\x00\x00\x00"
            else:
                covered = acc[3] // 255
                row += bytes((acc[0] // covered, acc[1] // covered, acc[2] // covered, a))
        rows.append(bytes(row))
    return rows


def inside_rounded(x, y, r):
    m = 0.04  # margin, as platform icon grids expect
    if x < m or y < m or x > 1 - m or y > 1 - m:
        return False
    cx = min(max(x, m + r), 1 - m - r)
    cy = min(max(y, m + r), 1 - m - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def png(rows, size):
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico(pngs):
    """ICO with PNG entries (Windows Vista and later read them); 256 is written as 0 in the directory."""
    head = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in pngs:
        s = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", s, s, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        blobs += data
    return head + entries + blobs


def icns(pngs):
    """ICNS with PNG entries: ic07 128, ic08 256, ic09 512, ic10 1024 (512@2x)."""
    kinds = {128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}
    body = b""
    for size, data in pngs:
        if size in kinds:
            body += kinds[size] + struct.pack(">I", len(data) + 8) + data
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main():
    cache = {}

    def get(size):
        if size not in cache:
            cache[size] = png(draw(size), size)
        return cache[size]

    outputs = {"32x32.png": 32, "128x128.png": 128, "128x128@2x.png": 256, "icon.png": 512}
    for name, size in outputs.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(get(size))
    with open(os.path.join(HERE, "icon.ico"), "wb") as f:
        f.write(ico([(s, get(s)) for s in (16, 24, 32, 48, 64, 256)]))
    with open(os.path.join(HERE, "icon.icns"), "wb") as f:
        f.write(icns([(s, get(s)) for s in (128, 256, 512, 1024)]))
    print("wrote", ", ".join(list(outputs) + ["icon.ico", "icon.icns"]), "to", HERE)


if __name__ == "__main__":
    main()
