"""An RGB canvas that encodes itself as PNG and reads PNGs back, with the standard library only
(zlib): the embedded cloud draws GetMetricWidgetImage's pictures with it, and a dashboard's
picture is put together from them, where no imaging library is installed."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

from localcloud import pixel_font

Colour = tuple[int, int, int]
SIGNATURE = b"\x89PNG\r\n\x1a\n"
WHITE: Colour = (255, 255, 255)
BLACK: Colour = (0, 0, 0)
GREY: Colour = (128, 128, 128)


class PngError(ValueError):
    pass


class Canvas:
    def __init__(self, width: int, height: int, background: Colour = WHITE) -> None:
        if width < 1 or height < 1:
            raise PngError(f"a picture needs at least one pixel, not {width}x{height}")
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def pixel(self, x: int, y: int) -> Colour:
        at = 3 * (y * self.width + x)
        return self.pixels[at], self.pixels[at + 1], self.pixels[at + 2]

    def dot(self, x: int, y: int, colour: Colour) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            at = 3 * (y * self.width + x)
            self.pixels[at : at + 3] = bytes(colour)

    def rect(self, x: int, y: int, width: int, height: int, colour: Colour) -> None:
        left, right = max(0, x), min(self.width, x + width)
        if right <= left:
            return
        row = bytes(colour) * (right - left)
        for line in range(max(0, y), min(self.height, y + height)):
            at = 3 * (line * self.width + left)
            self.pixels[at : at + len(row)] = row

    def line(self, x0: int, y0: int, x1: int, y1: int, colour: Colour, dash: int = 0) -> None:
        """Bresenham's line; with `dash`, every other run of `dash` pixels is left out."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error, step = dx + dy, 0
        while True:
            if not dash or (step // dash) % 2 == 0:
                self.dot(x0, y0, colour)
            if x0 == x1 and y0 == y1:
                return
            doubled, step = 2 * error, step + 1
            if doubled >= dy:
                error, x0 = error + dy, x0 + sx
            if doubled <= dx:
                error, y0 = error + dx, y0 + sy

    def text(self, x: int, y: int, words: str, colour: Colour = BLACK, scale: int = 2) -> int:
        """Draws `words` with its top left at (x, y); returns the x after the last character."""
        for character in words:
            for column, row in pixel_font.glyph(character):
                self.rect(x + column * scale, y + row * scale, scale, scale, colour)
            x += (pixel_font.WIDTH + 1) * scale
        return x

    def paste(self, other: Canvas, x: int, y: int) -> None:
        for row in range(other.height):
            if not 0 <= y + row < self.height:
                continue
            left, right = max(0, x), min(self.width, x + other.width)
            if right <= left:
                return
            source = 3 * (row * other.width + left - x)
            target = 3 * ((y + row) * self.width + left)
            self.pixels[target : target + 3 * (right - left)] = other.pixels[
                source : source + 3 * (right - left)
            ]

    def png(self) -> bytes:
        stride = 3 * self.width
        raw = b"".join(
            b"\x00" + bytes(self.pixels[row * stride : (row + 1) * stride])
            for row in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            SIGNATURE
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 6))
            + (_chunk(b"IEND", b""))
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def read_png(data: bytes) -> Canvas:
    """An 8-bit RGB or RGBA PNG (the kinds CloudWatch draws) as a canvas; alpha is put on white."""
    if not data.startswith(SIGNATURE):
        raise PngError("not a PNG image: the data does not start with the PNG signature")
    at, header, compressed = len(SIGNATURE), b"", b""
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        at += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
    if len(header) != 13:
        raise PngError("not a PNG image: it has no IHDR chunk")
    width, height, depth, kind, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or kind not in (2, 6) or interlace:
        raise PngError(
            f"PNG of bit depth {depth}, colour type {kind}, interlace {interlace}: only 8-bit, "
            "non-interlaced RGB (2) and RGBA (6) images are read"
        )
    channels = 3 if kind == 2 else 4
    raw = zlib.decompress(compressed)
    stride = width * channels
    if kind == 2 and all(raw[y * (stride + 1)] == 0 for y in range(height)):
        # Unfiltered RGB rows (what Canvas.png writes) are the pixels as they are.
        canvas = Canvas(width, height)
        canvas.pixels = bytearray(
            b"".join(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)] for y in range(height))
        )
        return canvas
    rows = _unfiltered(raw, stride, height, channels)
    canvas = Canvas(width, height)
    for y, row in enumerate(rows):
        for x in range(width):
            pixel = row[x * channels : x * channels + channels]
            canvas.pixels[3 * (y * width + x) : 3 * (y * width + x) + 3] = _on_white(pixel)
    return canvas


def _on_white(pixel: Sequence[int]) -> bytes:
    if len(pixel) == 3:
        return bytes(pixel)
    alpha = pixel[3]
    return bytes((c * alpha + 255 * (255 - alpha)) // 255 for c in pixel[:3])


def _unfiltered(raw: bytes, stride: int, height: int, bpp: int) -> list[bytearray]:
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                nearest = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                row[i] = (row[i] + nearest) & 0xFF
            elif kind != 0:
                raise PngError(f"PNG row {y} has filter type {kind} (0 to 4 exist)")
        rows.append(row)
        previous = row
    return rows
