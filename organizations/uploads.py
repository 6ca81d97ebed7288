"""Uploaded evidence (photos, sign-in sheets, closure evidence): what is accepted, where it is
stored and how it is served.

Files are stored under MEDIA_ROOT, outside the static tree, with random names, and are served
only by views that first check the viewer's scope (``file_response``). Only images and PDF are
accepted, recognised by their content as well as their name, up to ``SANHUI_MAX_UPLOAD_MB``.
"""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

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
    """Refuse anything but a JPEG, PNG, WebP image or a PDF within the size limit."""
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
        raise ValidationError(_("文件内容与扩展名不符，或文件已损坏，请重新选择。"), code="evidence_content")


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
