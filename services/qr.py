"""QR codes of check-in links, drawn on the server as SVG (no image library, no outside service)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe

from organizations.links import absolute_url


def public_url(request, path: str) -> str:
    """The address the public reaches ``path`` at (see ``organizations.links``)."""
    return absolute_url(path, request)


def qr_svg(data: str) -> SafeString:
    """An SVG QR code of ``data`` that scales to its container (medium error correction, so
    that a creased or partly covered poster still scans)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    # The markup is drawn entirely by qrcode from path data; nothing of ``data`` appears in it
    # as text, so it is safe to inline.
    return mark_safe(svg)  # noqa: S308
