"""What an evidence upload must be: a JPEG, PNG, WebP image that decodes completely within the
pixel limit, or a PDF that parses with at least one page; anything that only starts like one is
refused with a clear message, on the activity's evidence form and on a rectification's progress
form alike, and nothing is stored."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizations.uploads import evidence_upload_to, validate_evidence_file
from rollout.models import Rectification
from services.models import Evidence
from tests.files import JPEG, PDF, PNG, WEBP, huge_png_bytes, image_bytes
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory

UNREADABLE = "文件内容与扩展名不符，或文件已损坏，请重新选择。"
HTML_BEHIND_PDF_HEADER = b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n"
# A real PNG cut short: the header and the first bytes of the pixels, no end.
TRUNCATED_PNG = image_bytes("PNG", (200, 200))[:120]


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.PNG", PNG), ("sheet.pdf", PDF), ("a.jpg", JPEG), ("a.jpeg", JPEG), ("b.webp", WEBP)],
)
def test_it_accepts_real_images_and_pdf(name, content):
    upload = SimpleUploadedFile(name, content)
    validate_evidence_file(upload)
    # The caller saves the file next: it is read from the start again.
    assert upload.tell() == 0 and upload.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.exe", b"MZ" + b"0" * 30, "只能上传图片"),
        ("sheet.docx", b"PK\x03\x04" + b"0" * 30, "只能上传图片"),
        ("fake.pdf", b"<html>" + b"0" * 30, UNREADABLE),
        ("fake.png", PDF, UNREADABLE),
        # Right first bytes, wrong content throughout.
        ("page.pdf", HTML_BEHIND_PDF_HEADER, UNREADABLE),
        ("empty.pdf", b"%PDF-1.7\n%%EOF\n", UNREADABLE),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, UNREADABLE),
        ("photo.png", TRUNCATED_PNG, UNREADABLE),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 200, UNREADABLE),
        ("photo.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"0" * 40, UNREADABLE),
        # A real image under another image type's name.
        ("photo.jpg", PNG, UNREADABLE),
    ],
)
def test_it_refuses_other_files_with_a_clear_message(name, content, message):
    with pytest.raises(ValidationError) as refused:
        validate_evidence_file(SimpleUploadedFile(name, content))
    assert message in " ".join(refused.value.messages)


def test_a_truncated_image_is_refused_even_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401  (turns ImageFile.LOAD_TRUNCATED_IMAGES on for the process)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    with pytest.raises(ValidationError, match=UNREADABLE):
        validate_evidence_file(SimpleUploadedFile("photo.png", TRUNCATED_PNG))
    assert ImageFile.LOAD_TRUNCATED_IMAGES


def test_an_image_beyond_the_pixel_limit_is_refused_before_it_is_decoded():
    content = huge_png_bytes(30000, 30000)
    assert len(content) < 2 * 1024 * 1024  # small on disk: only the pixel count gives it away
    with pytest.raises(ValidationError) as refused:
        validate_evidence_file(SimpleUploadedFile("poster.png", content))
    assert refused.value.messages == ["图片像素过大，不能超过 40 百万像素，请缩小后重新上传。"]


def test_the_pixel_limit_is_a_setting(settings):
    settings.SANHUI_MAX_IMAGE_MEGAPIXELS = 1
    validate_evidence_file(SimpleUploadedFile("ok.png", huge_png_bytes(1000, 1000)))
    with pytest.raises(ValidationError) as refused:
        validate_evidence_file(SimpleUploadedFile("big.png", huge_png_bytes(1001, 1000)))
    assert refused.value.messages == ["图片像素过大，不能超过 1 百万像素，请缩小后重新上传。"]


def test_it_refuses_files_over_the_limit(settings):
    settings.SANHUI_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError, match="不能超过 1 MB"):
        validate_evidence_file(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024)))


def test_stored_names_are_random_and_keep_only_the_extension():
    upload_to = evidence_upload_to("evidence/activities")
    first, second = upload_to(None, "../../etc/passwd.PDF"), upload_to(None, "../../etc/passwd.PDF")
    assert first != second
    assert first.startswith("evidence/activities/") and first.endswith(".pdf") and ".." not in first


# --------------------------------------------------------------------------- on the forms


@pytest.fixture
def js_activity(jiangshan):
    return ActivityFactory(title="姜山健康讲座", organizer=jiangshan.association)


@pytest.fixture
def jiangshan_rectification(jiangshan):
    inspection = rf.InspectionFactory(organization=jiangshan.association, findings="姜山督查发现")
    return rf.RectificationFactory(
        inspection=inspection, title="姜山整改事项", deadline=datetime.date(2030, 1, 1)
    )


BAD_UPLOADS = [
    ("伪装.pdf", HTML_BEHIND_PDF_HEADER, UNREADABLE),
    ("巨幅.png", huge_png_bytes(30000, 30000), "图片像素过大，不能超过 40 百万像素"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), BAD_UPLOADS, ids=["html-as-pdf", "huge-png"])
def test_the_activity_evidence_form_refuses_them_and_stores_nothing(
    client, jiangshan_admin, js_activity, settings, name, content, message
):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("services:evidence_add", args=[js_activity.pk]),
        {"kind": "photo", "caption": "现场照片", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), BAD_UPLOADS, ids=["html-as-pdf", "huge-png"])
def test_the_rectification_form_refuses_them_and_stores_nothing(
    client, jiangshan_admin, jiangshan_rectification, settings, name, content, message
):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("rollout:rectification_progress", args=[jiangshan_rectification.pk]),
        {"status": "closed", "note": "已整改", "files": [rf.png(), SimpleUploadedFile(name, content)]},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and name in body
    item = Rectification.objects.get(pk=jiangshan_rectification.pk)
    assert item.status == "open" and not item.evidence.exists()
    assert stored_files(settings) == []
