"""Decode the PNG screenshots Playwright takes (8-bit RGB or RGBA, not interlaced) with zlib."""

from __future__ import annotations

import struct
import zlib
from collections import Counter

__all__ = ["colour_counts"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {2: 3, 6: 4}  # colour type -> samples per pixel


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> list[bytearray]:
    stride = width * bpp
    rows: list[bytearray] = []
    previous = bytearray(stride)
    position = 0
    for _ in range(height):
        kind = raw[position]
        line = bytearray(raw[position + 1 : position + 1 + stride])
        position += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
            elif kind != 0:
                raise ValueError(f"unknown PNG filter type {kind}")
        rows.append(line)
        previous = line
    return rows


def colour_counts(png: bytes) -> Counter[tuple[int, int, int]]:
    """How many pixels of each RGB colour the PNG image has (alpha ignored)."""
    if not png.startswith(_SIGNATURE):
        raise ValueError("not a PNG image")
    position, header, data = len(_SIGNATURE), b"", bytearray()
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        body = png[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
        elif kind == b"IEND":
            break
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour_type not in _CHANNELS or interlace:
        raise ValueError(
            f"unsupported PNG: depth {depth}, colour type {colour_type}, interlace {interlace}"
        )
    bpp = _CHANNELS[colour_type]
    counts: Counter[tuple[int, int, int]] = Counter()
    for row in _unfilter(zlib.decompress(bytes(data)), width, height, bpp):
        for x in range(0, len(row), bpp):
            counts[(row[x], row[x + 1], row[x + 2])] += 1
    return counts
