"""The platform the portal runs on: settings, language, time zone, database and broker.

In CI (CI=true) the suite must run against the real PostgreSQL and Redis; these tests fail
there if it does not, rather than quietly passing on SQLite.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

IN_CI = os.environ.get("CI", "").lower() == "true"


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ
    assert dict(settings.LANGUAGES).keys() == {"zh-hans", "en"}


def test_secret_key_is_required_without_debug(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='sanhui.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_database_url_is_honoured():
    if "DATABASE_URL" in os.environ and os.environ["DATABASE_URL"].startswith("postgres"):
        assert connection.vendor == "postgresql"
    if IN_CI:
        assert connection.vendor == "postgresql", "CI must run on PostgreSQL"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    body = client.get(reverse("login")).content.decode()
    assert "登录" in body and 'lang="zh-hans"' in body


@pytest.mark.django_db
def test_english_can_be_chosen(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    body = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in body
    assert "Log in" in body and "三长带三会工作平台" not in body


@pytest.mark.django_db
def test_healthz_is_public(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_a_real_celery_worker_consumes_the_queue(celery_worker):
    """A worker thread on the real Redis broker runs a task sent through the queue."""
    from sanhui.celery import ping

    assert ping.delay().get(timeout=20) == "pong"


@pytest.mark.django_db
def test_migrations_match_the_models():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
