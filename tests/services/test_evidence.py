"""Evidence uploads: images and PDF only, within the size limit, stored outside static and
served only to those who may see the activity."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from services.models import Evidence
from tests.files import PDF, PNG

pytestmark = pytest.mark.django_db


def upload(client, activity, name, content, kind="photo"):
    return client.post(
        reverse("services:evidence_add", args=[activity.pk]),
        {"kind": kind, "caption": "现场照片", "file": SimpleUploadedFile(name, content)},
    )


def test_an_image_and_a_pdf_are_accepted_and_served_to_readers(
    client, jiangshan_admin, supervisor_user, js_activity, settings
):
    client.force_login(jiangshan_admin)
    assert upload(client, js_activity, "photo.png", PNG).status_code == 302
    assert upload(client, js_activity, "签到表.pdf", PDF, kind="sign_in_sheet").status_code == 302
    evidence = Evidence.objects.get(kind="sign_in_sheet")
    assert evidence.original_name == "签到表.pdf"
    stored = settings.MEDIA_ROOT / evidence.file.name
    assert stored.exists() and "static" not in str(stored)
    assert evidence.file.name.startswith("evidence/activities/") and "签到表" not in evidence.file.name
    client.force_login(supervisor_user)
    response = client.get(reverse("services:evidence_file", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.docx", b"PK\x03\x04" + b"0" * 40, "只能上传图片（JPG、PNG、WebP）或 PDF 文件"),
        ("virus.exe", b"MZ" + b"0" * 40, "只能上传图片（JPG、PNG、WebP）或 PDF 文件"),
        ("fake.pdf", b"<html><script>", "文件内容与扩展名不符"),
    ],
)
def test_the_wrong_type_is_refused_with_a_clear_message(
    client, jiangshan_admin, js_activity, name, content, message
):
    client.force_login(jiangshan_admin)
    response = upload(client, js_activity, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_file_over_the_limit_is_refused(client, jiangshan_admin, js_activity, settings):
    settings.SANHUI_MAX_UPLOAD_MB = 1
    client.force_login(jiangshan_admin)
    response = upload(client, js_activity, "big.png", PNG + b"0" * (1024 * 1024))
    assert "单个文件不能超过 1 MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_outsiders_cannot_fetch_or_delete_evidence(client, jiangshan_admin, wuxiang_admin, js_activity):
    client.force_login(jiangshan_admin)
    upload(client, js_activity, "photo.png", PNG)
    evidence = Evidence.objects.get()
    client.force_login(wuxiang_admin)
    assert client.get(reverse("services:evidence_file", args=[evidence.pk])).status_code == 404
    assert client.post(reverse("services:evidence_delete", args=[evidence.pk])).status_code == 404
    assert Evidence.objects.exists()


def test_evidence_of_a_verified_activity_is_kept(client, jiangshan_admin, js_activity):
    client.force_login(jiangshan_admin)
    upload(client, js_activity, "photo.png", PNG)
    js_activity.status = "verified"
    js_activity.save()
    evidence = Evidence.objects.get()
    client.post(reverse("services:evidence_delete", args=[evidence.pk]))
    assert Evidence.objects.exists()
