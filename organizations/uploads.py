"""Uploaded evidence (photos, sign-in sheets, closure evidence): what is accepted, where it is
stored and how it is served.

Files are stored under MEDIA_ROOT, outside the static tree, with random names, and are served
only by views that first check the viewer's scope (``file_response``). Only images and PDF are
accepted, up to ``SANHUI_MAX_UPLOAD_MB``, and only when the whole content is what the name says:
an image must decode completely, within ``SANHUI_MAX_IMAGE_MEGAPIXELS`` (a small file can claim
a picture large enough to exhaust the server's memory once decoded), and a PDF must parse as a
PDF with at least one page. A file that only starts like an image or a PDF is refused.
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, ImageFile
from pypdf import PdfReader

# Extension → (content type, leading bytes that content of that type starts with).
ACCEPTED = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "SANHUI_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def validate_evidence_file(upload) -> None:
    """Refuse anything but a JPEG, PNG, WebP image or a PDF within the size limit, whose whole
    content is what its name says (see the module's docstring)."""
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in ACCEPTED:
        raise ValidationError(_("只能上传图片（JPG、PNG、WebP）或 PDF 文件。"), code="evidence_type")
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("文件过大（%(size).1f MB），单个文件不能超过 %(limit)d MB。")
            % {"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024},
            code="evidence_size",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    _content_type, signatures = ACCEPTED[extension]
    if not any(head.startswith(signature) for signature in signatures) or (
        extension == ".webp" and head[8:12] != b"WEBP"
    ):
        raise _unreadable()
    upload.seek(0)
    try:
        if extension == ".pdf":
            _check_pdf(upload)
        else:
            _check_image(upload, IMAGE_FORMATS[extension])
    finally:
        upload.seek(position)


# Extension → the format Pillow must recognise in the file.
IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


def max_image_pixels() -> int:
    return int(getattr(settings, "SANHUI_MAX_IMAGE_MEGAPIXELS", 40)) * 1_000_000


def _unreadable() -> ValidationError:
    return ValidationError(_("文件内容与扩展名不符，或文件已损坏，请重新选择。"), code="evidence_content")


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("图片像素过大，不能超过 %(limit)d 百万像素，请缩小后重新上传。") % {"limit": limit // 1_000_000},
        code="evidence_pixels",
    )


_STRICT_DECODING = threading.Lock()


@contextlib.contextmanager
def _strict_decoding():
    """Pillow refuses a truncated image only while ``ImageFile.LOAD_TRUNCATED_IMAGES`` is off;
    WeasyPrint turns it on for the whole process when it is imported (for the reports), so the
    check turns it off for its own decoding and puts back what it found."""
    with _STRICT_DECODING:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _check_image(upload, expected_format: str) -> None:
    """The image decodes completely, is of the format its name says and has at most
    ``max_image_pixels()`` pixels (checked from the header, before anything is decoded)."""
    limit = max_image_pixels()
    try:
        with _strict_decoding(), Image.open(upload) as image:
            if image.format != expected_format:
                raise _unreadable()
            width, height = image.size
            if width * height > limit:
                raise _too_large(limit)
            image.load()
    except Image.DecompressionBombError:
        # Pillow's own guard, for sizes far beyond any limit configured here.
        raise _too_large(limit) from None
    except ValidationError:
        raise
    # A damaged or disguised file fails somewhere inside the decoder, with whatever error that
    # decoder raises (OSError, SyntaxError, ValueError, struct.error, …); each means "not an image".
    except Exception:
        raise _unreadable() from None


def _check_pdf(upload) -> None:
    """The file parses as a PDF (header, cross-reference table, trailer) with at least one page
    whose size can be read."""
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("PDF 文件已加密，请上传未加密的文件。"), code="evidence_encrypted")
        pages = reader.pages
        if len(pages) == 0 or any(page.mediabox.width <= 0 or page.mediabox.height <= 0 for page in pages):
            raise _unreadable()
    except ValidationError:
        raise
    # As for images: any error of the parser means the content is not a usable PDF.
    except Exception:
        raise _unreadable() from None


@deconstructible
class EvidenceUploadTo:
    """An ``upload_to`` callable: ``<prefix>/<yyyy>/<mm>/<random>.<ext>`` (no user-chosen names).
    Deconstructible, so that migrations can refer to it."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        extension = PurePath(filename).suffix.lower()
        today = timezone.localdate()
        return f"{self.prefix}/{today:%Y/%m}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other) -> bool:
        return isinstance(other, EvidenceUploadTo) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def evidence_upload_to(prefix: str) -> EvidenceUploadTo:
    return EvidenceUploadTo(prefix)


def file_response(field_file, *, download_name: str | None = None) -> FileResponse:
    """Serve a stored file after the caller has checked that the viewer may see it."""
    name = download_name or PurePath(field_file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        field_file.open("rb"),
        content_type=content_type,
        as_attachment=not content_type.startswith("image/") and content_type != "application/pdf",
        filename=name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    return response
