import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.uploads import evidence_upload_to, validate_evidence_file

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"0" * 32


@pytest.mark.parametrize(
    ("name", "content"), [("photo.PNG", PNG), ("sheet.pdf", PDF), ("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)]
)
def test_it_accepts_images_and_pdf(name, content):
    validate_evidence_file(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.exe", b"MZ" + b"0" * 30, "只能上传图片"),
        ("sheet.docx", b"PK\x03\x04" + b"0" * 30, "只能上传图片"),
        ("fake.pdf", b"<html>" + b"0" * 30, "文件内容与扩展名不符"),
        ("fake.png", PDF, "文件内容与扩展名不符"),
    ],
)
def test_it_refuses_other_files_with_a_clear_message(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_evidence_file(SimpleUploadedFile(name, content))


def test_it_refuses_files_over_the_limit(settings):
    settings.SANHUI_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError, match="不能超过 1 MB"):
        validate_evidence_file(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024)))


def test_stored_names_are_random_and_keep_only_the_extension():
    upload_to = evidence_upload_to("evidence/activities")
    first, second = upload_to(None, "../../etc/passwd.PDF"), upload_to(None, "../../etc/passwd.PDF")
    assert first != second
    assert first.startswith("evidence/activities/") and first.endswith(".pdf") and ".." not in first
