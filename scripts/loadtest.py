"""Load test of the portal as production runs it, against a PostgreSQL database and Redis.

    DATABASE_URL=postgres://…/sanhui_demo .venv/bin/python scripts/loadtest.py [--users 50]
        [--duration 120] [--workers 4] [--redis redis://127.0.0.1:6379/13]

(or ``make loadtest``). It collects the static files into a temporary folder, starts gunicorn
with ``--workers`` workers, DEBUG off, a fresh SECRET_KEY, ALLOWED_HOSTS and the static files
served by whitenoise, and Redis as broker and cache (the check-in rate limit shared by the
workers); then it runs locust headless twice with the same users and duration: once over the
portal (scripts/locustfile.py: sign-in, dashboards and their JSON, lists, an activity's page,
an export, the public check-in page and check-ins), once over ``/healthz``. It prints the
median, 95th and 99th percentile response times, requests per second and error rate of each,
and the ratio of the portal's figures to ``/healthz``'s. It exits non-zero when any request
failed.

The database is expected to hold the demo district (``seed_demo``). The check-ins it sends are
written to it (attendees named 压测观众…). The keys of personal data are taken from
``SANHUI_FIELD_KEYS`` and ``SANHUI_LOOKUP_KEY`` when set, otherwise those a development setup
derives (a demo seeded with ``DEBUG=1``). The server speaks plain HTTP on 127.0.0.1: TLS, HSTS
and secure cookies are left to the reverse proxy in production and turned off here.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Printed by `manage.py shell` with DEBUG=1: the keys a development setup derives, and the
# check-in tokens of activities, those open for check-in now first.
PREPARE = """
import json
import datetime
from django.conf import settings
from django.utils import timezone
from services.models import Activity
now = timezone.now()
near = Activity.objects.exclude(status="cancelled").filter(
    starts_at__lte=now + datetime.timedelta(hours=6), ends_at__gte=now - datetime.timedelta(hours=6)
)
open_now = [a.checkin_token for a in near if a.checkin_state(now) == "open"]
recent = list(
    Activity.objects.filter(status="held").order_by("-starts_at").values_list("checkin_token", flat=True)[:5]
)
print(json.dumps({
    "field_keys": ",".join(settings.SANHUI_FIELD_KEYS),
    "lookup_key": settings.SANHUI_LOOKUP_KEY,
    "open": open_now[:10],
    "recent": recent,
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=BASE_DIR, check=True, text=True, **kwargs)


def prepare(base_env: dict[str, str]) -> dict:
    env = {**base_env, "DEBUG": "1"}
    if not (os.environ.get("SANHUI_FIELD_KEYS") and os.environ.get("SANHUI_LOOKUP_KEY")):
        # The keys a demo seeded with DEBUG=1 was written with derive from the development key.
        env.pop("SECRET_KEY", None)
    output = run([str(BIN / "python"), "manage.py", "shell", "-c", PREPARE], env, capture_output=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}); see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own server)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def locust(args, env: dict[str, str], host: str, classes: list[str], prefix: Path) -> dict:
    command = [
        str(BIN / "locust"),
        "-f",
        str(BASE_DIR / "scripts" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.duration}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--exit-code-on-error",
        "0",
        *classes,
    ]
    print(f"== locust {' '.join(classes)}: {args.users} users, {args.duration} s", flush=True)
    subprocess.run(command, env=env, cwd=BASE_DIR, check=True)
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as failures:
        failed = list(csv.DictReader(failures))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return {"total": total, "rows": [row for row in rows if row["Name"] != "Aggregated"], "failures": failed}


def figures(row: dict) -> dict[str, float]:
    requests = int(row["Request Count"])
    failures = int(row["Failure Count"])
    return {
        "requests": requests,
        "failures": failures,
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "rps": float(row["Requests/s"]),
        "error_rate": failures / requests if requests else 0.0,
    }


def report(portal: dict, health: dict) -> int:
    print("\n== the portal's requests")
    print(f"{'request':<44}{'count':>7}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>8}")
    for row in portal["rows"]:
        f = figures(row)
        print(
            f"{row['Name'][:43]:<44}{f['requests']:>7}{f['failures']:>6}"
            f"{f['p50']:>9.0f}{f['p95']:>9.0f}{f['p99']:>9.0f}{f['rps']:>8.2f}"
        )
    a, b = figures(portal["total"]), figures(health["total"])
    print("\n== totals")
    print(f"{'run':<12}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>9}")
    for label, f in (("portal", a), ("/healthz", b)):
        print(
            f"{label:<12}{f['requests']:>9}{f['p50']:>9.0f}{f['p95']:>9.0f}{f['p99']:>9.0f}"
            f"{f['rps']:>9.2f}{f['error_rate']:>9.2%}"
        )

    def ratio(key: str) -> str:
        return f"{a[key] / b[key]:.1f}×" if b[key] else "—"

    print(
        f"{'ratio':<12}{'':>9}{ratio('p50'):>9}{ratio('p95'):>9}{ratio('p99'):>9}{ratio('rps'):>9}"
        "   (portal ÷ /healthz)"
    )
    failures = portal["failures"] + health["failures"]
    if failures or a["failures"] or b["failures"]:
        print("\n== errors")
        for row in failures:
            print(f"{row['Occurrences']:>6} × {row['Method']} {row['Name']}: {row['Error'][:200]}")
        return 1
    print("\nno errors")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--duration", type=int, default=120, help="seconds of each run (default 120)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--redis",
        default=os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="Redis for the broker and the cache (default redis://127.0.0.1:6379/13)",
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL to a PostgreSQL database holding the demo district (seed_demo)")

    work = Path(tempfile.mkdtemp(prefix="sanhui-loadtest-"))
    base_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": args.redis,
        "CACHE_URL": args.redis,
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
    }
    base_env.pop("DEBUG", None)
    prepared = prepare(base_env)
    tokens = prepared["open"] or prepared["recent"]
    server_env = {
        **base_env,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SANHUI_FIELD_KEYS": os.environ.get("SANHUI_FIELD_KEYS") or prepared["field_keys"],
        "SANHUI_LOOKUP_KEY": os.environ.get("SANHUI_LOOKUP_KEY") or prepared["lookup_key"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: the reverse proxy does TLS in production.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        # Each simulated user's address, as the proxy would pass it on.
        "SANHUI_CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
        "LOG_LEVEL": "WARNING",
    }
    print(f"== collectstatic into {work / 'static'}", flush=True)
    run([str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"], server_env)
    # Stopped from outside (SIGTERM), the server is still taken down with the run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    log = open(work / "gunicorn.log", "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "sanhui.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            # The control socket's default path is shared by every gunicorn of the account.
            "--no-control-socket",
        ],
        env=server_env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(f"{host}/healthz", server)
        print(
            f"== gunicorn: {args.workers} workers on {host}, DEBUG off; "
            f"{len(tokens)} check-in tokens ({'open now' if prepared['open'] else 'closed: pages only'})",
            flush=True,
        )
        locust_env = {
            **os.environ,
            "LOADTEST_PASSWORD": os.environ.get("DEMO_PASSWORD", "sanhui-demo-2026"),
            "LOADTEST_CHECKIN_TOKENS": ",".join(tokens),
        }
        portal = locust(args, locust_env, host, ["PortalUser", "PublicUser"], work / "portal")
        health = locust(args, locust_env, host, ["HealthUser"], work / "healthz")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    status = report(portal, health)
    server_errors = [line for line in (work / "gunicorn.log").read_text().splitlines() if "Traceback" in line]
    if server_errors:
        print(f"\nthe server logged {len(server_errors)} tracebacks: {work / 'gunicorn.log'}")
        status = 1
    if status == 0:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"files of the run kept in {work}")
    return status


if __name__ == "__main__":
    sys.exit(main())
