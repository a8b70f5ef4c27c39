"""Small real files of each accepted type, made in the tests: a PNG and a JPEG drawn with
Pillow, a minimal PDF, a WAV from the standard `wave` module, an MP3 frame header and the
`ftyp` boxes of MP4 and M4A."""

from __future__ import annotations

import io
import struct
import wave

from PIL import Image


def png(width: int = 64, height: int = 48, colour: str = "red") -> bytes:
    """A PNG photo drawn with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 48) -> bytes:
    """A JPEG photo drawn with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "blue").save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf() -> bytes:
    """A minimal one-page PDF."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def wav(frames: int = 800) -> bytes:
    """A tenth of a second of silence, written by the standard `wave` module."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * frames)
    return buffer.getvalue()


def mp3() -> bytes:
    """One MPEG-1 layer III frame (128 kbit/s, 44.1 kHz) of silence, without an ID3 tag."""
    header = bytes([0xFF, 0xFB, 0x90, 0x64])
    return header + b"\x00" * 413


def _ftyp(brand: bytes) -> bytes:
    box = brand + struct.pack(">I", 0) + brand + b"isom"
    return struct.pack(">I", 8 + len(box)) + b"ftyp" + box + struct.pack(">I", 8) + b"mdat"


def mp4() -> bytes:
    """An MP4 video's opening `ftyp` box (brand isom) and an empty `mdat`."""
    return _ftyp(b"isom")


def m4a() -> bytes:
    """An M4A audio file's opening `ftyp` box (brand "M4A ") and an empty `mdat`."""
    return _ftyp(b"M4A ")


def html() -> bytes:
    """What must never pass for evidence, whatever it is called."""
    return b"<!doctype html><script>alert(1)</script>"
