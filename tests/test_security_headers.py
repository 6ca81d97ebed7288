"""Production settings and response headers (等保 2.0 level 2): ``check --deploy`` finds nothing
with production-like environment variables; every page carries a Content-Security-Policy
without 'unsafe-inline', and its HTML has nothing that policy would refuse (an inline script
without the request's nonce, an event-handler attribute, a style attribute); the Django admin
is for district staff only."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from organizations.models import RoleAssignment
from rollout.models import Phase, Stage
from rollout.reference import load_plan
from services.models import Activity, VolunteerService
from tests import factories as f
from tests.services.factories import ActivityFactory, VolunteerServiceFactory

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k7Q2vN9xR4mT8pL1wZ6cF3hJ5bD0sG7yU2eA9nV4qX8rK1tM6zP3wC5fH0jB2dS",
    "ALLOWED_HOSTS": "sanhui.example.gov.cn",
    # The keys of personal data at rest (sanhui/crypto.py): a Fernet key and a lookup key.
    "SANHUI_FIELD_KEYS": "q8TL1oGd5Zs0hA2m8W3JbXyKf7NcR4vE9uPiYwDtQ6k=",
    "SANHUI_LOOKUP_KEY": "Vd3kP9sQ2xL7mN4bR8tY1wZ6cF0hJ5gA3eU7iO2rT9y",
}


def _run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only the production-like variables and what Python itself needs: nothing of the
    # developer's shell (DEBUG=1, SECURE_*) leaks in.
    base = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
        timeout=120,
    )


def test_the_deploy_check_finds_nothing_with_production_settings():
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_defaults_are_strict():
    script = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.X_FRAME_OPTIONS, "
        "s.SECURE_REFERRER_POLICY)"
    )
    result = _run_manage("shell", "--no-imports", "-c", script, env=PRODUCTION_ENV)
    assert result.stdout.strip() == (
        "31536000 True ('HTTP_X_FORWARDED_PROTO', 'https') True True True True DENY same-origin"
    ), result.stderr
    behind_another_proxy = {
        **PRODUCTION_ENV,
        "SECURE_HSTS_SECONDS": "600",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "0",
        "SECURE_HSTS_PRELOAD": "0",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_SCHEME",
    }
    result = _run_manage("shell", "--no-imports", "-c", script, env=behind_another_proxy)
    assert result.stdout.strip() == (
        "600 True ('HTTP_X_FORWARDED_SCHEME', 'https') True True False False DENY same-origin"
    ), result.stderr


# --------------------------------------------------------------------------- pages under the policy


class _InlineFinder(HTMLParser):
    """Collects what a strict policy refuses: inline <script>/<style> elements without the
    nonce, on*="…" attributes and style="…" attributes."""

    def __init__(self, nonce: str):
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
        data_block = tag == "script" and values.get("type") == "application/json"
        inline = tag in ("script", "style") and "src" not in values and not data_block
        if inline and values.get("nonce") != self.nonce:
            self.problems.append(f"inline <{tag}> without the nonce")
        if tag == "script":
            self.scripts += 1


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:] for directive in header.split(";") if directive.strip()
    }


def assert_strict_page(response) -> None:
    assert response.status_code == 200
    policy = _policy(response)
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive] and "'self'" in policy[directive], policy
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    nonces = [source for source in policy["script-src"] if source.startswith("'nonce-")]
    finder = _InlineFinder(nonces[0][len("'nonce-") : -1] if nonces else "")
    finder.feed(response.content.decode())
    assert finder.problems == [], finder.problems
    assert finder.scripts > 0  # the page does use scripts, all from static files
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.fixture
def pages_world(jiangshan, district_user):
    load_plan(Phase, Stage)
    now = timezone.now()
    activity = ActivityFactory(
        title="姜山科普讲座",
        organizer=jiangshan.association,
        status=Activity.Status.PLANNED,
        stream="popularization",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=2),
    )
    held = ActivityFactory(organizer=jiangshan.association)  # a week ago
    VolunteerServiceFactory(activity=held, person=jiangshan.member, team=jiangshan.team, hours=2)
    return activity


@pytest.mark.django_db
def test_public_pages_carry_a_strict_policy(client, pages_world):
    for url in (
        reverse("login"),
        reverse("outreach:public_events"),
        pages_world.checkin_path(),
        reverse("services:volunteer_checkin", args=[pages_world.checkin_token]),
    ):
        assert_strict_page(client.get(url))


@pytest.mark.django_db
def test_signed_in_pages_carry_a_strict_policy(client, district_user, jiangshan, pages_world):
    client.force_login(district_user)
    year = timezone.localdate().year
    for url in (
        reverse("home"),
        reverse("dashboards:district"),
        reverse("dashboards:town") + f"?region={jiangshan.association.home_region.pk}",
        reverse("services:activity_list"),
        reverse("services:activity_calendar"),
        reverse("services:activity_detail", args=[pages_world.pk]),
        reverse("services:activity_poster", args=[pages_world.pk]),
        reverse("services:team_record", args=[jiangshan.team.pk]) + f"?year={year}",
        reverse("services:volunteer_record", args=[jiangshan.member.pk]) + f"?year={year}",
        reverse("organizations:team_detail", args=[jiangshan.team.pk]),
        reverse("rollout:overview"),
    ):
        response = client.get(url, follow=True)
        assert_strict_page(response)


@pytest.mark.django_db
def test_computed_sizes_are_data_for_the_script_not_style(client, district_user, jiangshan, pages_world):
    client.force_login(district_user)
    year = timezone.localdate(VolunteerService.objects.get(team=jiangshan.team).activity.starts_at).year
    page = client.get(reverse("services:team_record", args=[jiangshan.team.pk]) + f"?year={year}")
    # 2 hours of the 20 a volunteer needs in a year: one tenth of the bar.
    assert re.search(r'data-style="width: 10%"', page.content.decode())


# --------------------------------------------------------------------------- the Django admin


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed"),
    [(RoleAssignment.Role.DISTRICT_STAFF, True), (RoleAssignment.Role.SUPERVISOR, False), (None, False)],
)
def test_the_admin_is_for_district_staff_only(client, jiangshan, role, allowed):
    user = f.UserFactory(username="staff-account", is_staff=True)
    if role:
        f.assign(user, role)
    f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=jiangshan.association)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_the_admin_refuses_district_staff_without_the_staff_flag(client, district_user):
    district_user.is_staff = False
    district_user.save()
    client.force_login(district_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
