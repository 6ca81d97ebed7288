"""The QR code and the printable A4 poster of an activity."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_qr_code_is_an_svg_drawn_by_the_portal(client, jiangshan_admin, js_activity):
    client.force_login(jiangshan_admin)
    response = client.get(reverse("services:activity_qr", args=[js_activity.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.startswith("<svg") and "<path" in body
    volunteer = client.get(reverse("services:activity_qr", args=[js_activity.pk]), {"for": "volunteer"})
    assert volunteer.content != response.content


def test_the_poster_shows_the_activity_the_code_and_the_address(client, jiangshan_admin, js_activity):
    client.force_login(jiangshan_admin)
    body = client.get(reverse("services:activity_poster", args=[js_activity.pk])).content.decode()
    # Printed on one A4 page: the rules live in the poster's static style sheet.
    assert '<link rel="stylesheet" href="/static/css/poster.css">' in body
    assert "@page { size: A4 portrait" in (settings.BASE_DIR / "static" / "css" / "poster.css").read_text()
    assert js_activity.title in body and "姜山镇科协" in body
    assert f"http://testserver/services/c/{js_activity.checkin_token}/" in body
    assert re.search(r'<div class="qr" id="poster-qr"><svg', body)
    assert "个人信息保护法" in body


def test_the_poster_uses_the_public_address_when_configured(client, settings, jiangshan_admin, js_activity):
    settings.SANHUI_SITE_URL = "https://sanhui.example.gov.cn"
    client.force_login(jiangshan_admin)
    body = client.get(
        reverse("services:activity_poster", args=[js_activity.pk]), {"for": "volunteer"}
    ).content.decode()
    assert f"https://sanhui.example.gov.cn/services/c/{js_activity.checkin_token}/volunteer/" in body
    assert "签到、签退" in body
