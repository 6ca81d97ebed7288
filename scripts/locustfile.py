"""Load of the portal as its users make it, for locust (run by scripts/loadtest.py).

``PortalUser``: a signed-in user, one of the demo logins in turn (district staff, the two town
admins, a leader, a supervisor), who opens their dashboard and its JSON, the lists, an
activity's page and an export of the activities. ``PublicUser``: a resident who opens an
activity's public check-in page from its QR code and checks in. ``HealthUser``: only
``/healthz``, the yardstick of what the server does with a trivial view.

Every simulated user comes from an address of its own (``X-Real-IP``, read by the server as
``SANHUI_CLIENT_IP_HEADER`` says, as behind the reverse proxy), so that neither the sign-in
lockout (per account and per address) nor the check-in rate limit (per activity and address)
counts the whole test as one client. Only successful sign-ins are made: the lockout counts
failures only.

Environment: ``LOADTEST_PASSWORD`` (the demo password), ``LOADTEST_CHECKIN_TOKENS`` (check-in
tokens, comma-separated; the runner reads them from the database).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import threading

from locust import HttpUser, between, task

LOGINS = ("district", "jiangshan", "wuxiang", "leader", "supervisor")
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "sanhui-demo-2026")
CHECKIN_TOKENS = [token for token in os.environ.get("LOADTEST_CHECKIN_TOKENS", "").split(",") if token]

# The pages of each login: (name shown in the figures, path). Each login sees what its role may.
DASHBOARDS = {
    "district": ("/dashboard/", "/dashboard/data/district/"),
    "supervisor": ("/dashboard/", "/dashboard/data/district/"),
    "jiangshan": ("/dashboard/town/", "/dashboard/data/town/"),
    "wuxiang": ("/dashboard/town/", "/dashboard/data/town/"),
    "leader": ("/dashboard/me/", "/dashboard/data/me/"),
}
LISTS = {
    "district": ("/people/", "/organizations/", "/seats/", "/services/activities/"),
    "supervisor": ("/people/", "/organizations/", "/seats/", "/services/activities/"),
    "jiangshan": ("/people/", "/organizations/", "/seats/", "/services/activities/"),
    "wuxiang": ("/people/", "/organizations/", "/seats/", "/services/activities/"),
    "leader": ("/services/activities/mine/", "/services/activities/"),
}
ACTIVITY_LINK = re.compile(r'href="/services/activities/(\d+)/"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def _next_number() -> int:
    with _counter_lock:
        return next(_counter)


class _FromOwnAddress(HttpUser):
    abstract = True

    def on_start(self) -> None:
        number = _next_number()
        self.number = number
        # 10.x.y.z: an address of this simulated user's own.
        self.client.headers["X-Real-IP"] = f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


def _csrf(response) -> str:
    match = CSRF_INPUT.search(response.text)
    return match.group(1) if match else ""


class PortalUser(_FromOwnAddress):
    wait_time = between(1, 3)
    weight = 4

    def on_start(self) -> None:
        super().on_start()
        self.login = LOGINS[self.number % len(LOGINS)]
        page = self.client.get("/accounts/login/", name="login page")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.login, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page)},
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/accounts/login/" in response.headers.get("Location", ""):
                response.failure(f"sign-in of {self.login} refused ({response.status_code})")
            else:
                response.success()
        self.activity_ids: list[str] = []
        self._activities()

    def _get(self, path: str, name: str, **params):
        with self.client.get(path, params=params or None, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} as {self.login}: {response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure(f"{path} as {self.login}: sent to the login page")
            else:
                response.success()
            return response

    def _activities(self) -> None:
        response = self._get("/services/activities/", "list: /services/activities/")
        self.activity_ids = ACTIVITY_LINK.findall(response.text or "")

    @task(3)
    def dashboard(self) -> None:
        page, data = DASHBOARDS[self.login]
        self._get(page, f"dashboard: {page}")
        self._get(data, f"dashboard data: {data}")

    @task(4)
    def lists(self) -> None:
        path = random.choice(LISTS[self.login])
        self._get(path, f"list: {path}")

    @task(2)
    def detail(self) -> None:
        if not self.activity_ids:
            self._activities()
            return
        self._get(f"/services/activities/{random.choice(self.activity_ids)}/", "detail: activity")

    @task(1)
    def export(self) -> None:
        if self.login == "leader":
            self._get("/services/activities/mine/", "list: /services/activities/mine/")
            return
        self._get("/organizations/exports/activities/", "export: activities csv", format="csv")


class PublicUser(_FromOwnAddress):
    wait_time = between(2, 5)
    weight = 1

    @task
    def check_in(self) -> None:
        if not CHECKIN_TOKENS:
            return
        path = f"/services/c/{random.choice(CHECKIN_TOKENS)}/"
        with self.client.get(path, name="check-in page", catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"check-in page: {page.status_code}")
                return
            page.success()
        token = _csrf(page)
        if not token:
            # The page shows that check-in is closed or not yet open: no form to send.
            return
        phone = f"139{random.randrange(10**8):08d}"
        with self.client.post(
            path,
            data={
                "name": f"压测观众{self.number}",
                "phone": phone,
                "consent": "on",
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{self.host}{path}"},
            name="check-in",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"check-in: {response.status_code}")
            else:
                response.success()


class HealthUser(_FromOwnAddress):
    wait_time = between(1, 3)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="/healthz")
