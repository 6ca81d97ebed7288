"""Real files for upload tests: images Pillow draws and a PDF pypdf writes, so that the upload
checks (which decode images and parse PDFs in full) see what a user's phone or scanner sends."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (24, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 160, 90)).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    """An A4 PDF of blank pages."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def huge_png_bytes(width: int = 30000, height: int = 30000) -> bytes:
    """A PNG that decodes to ``width`` × ``height`` pixels yet weighs a few hundred KB: one bit
    a pixel, all zero, compresses to almost nothing."""
    buffer = io.BytesIO()
    Image.new("1", (width, height), 0).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
WEBP = image_bytes("WEBP")
PDF = pdf_bytes()
