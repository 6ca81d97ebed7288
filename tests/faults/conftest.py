"""Fixtures of the fault tests: a Redis server each test starts and stops itself (never the
machine's), real Celery workers and beat processes started with ``celery -A
tests.faults.celery_app`` against the test database, and the portal in the test process
pointed at that Redis.

The worker processes see only what is committed, and only in a database they can reach: the
tests need PostgreSQL (CI runs them there and fails, not skips, without it; a run on SQLite
skips them) and ``transactional_db``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from django.utils import timezone

from organizations.models import Region
from organizations.reference import load_regions
from rollout.models import Phase, Stage
from rollout.reference import load_plan
from tests.broker import reset_broker_connections
from tests.needs import need

ROOT = Path(__file__).resolve().parents[2]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """``redis-server`` on a port of its own, keeping nothing on disk: stopped, it loses every
    message it held, as a Redis restarted without persistence does."""

    def __init__(self, binary: str, folder: Path):
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self.answers, timeout=20, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)
        self.process = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)


@pytest.fixture
def postgresql(transactional_db):
    need(
        connection.vendor == "postgresql",
        "the fault tests run workers in processes of their own, which need the test database on "
        "PostgreSQL: set DATABASE_URL=postgres://…",
    )


@pytest.fixture
def reference(postgresql):
    # Transactional tests end with a flush that also empties the reference regions and plan.
    load_regions(Region)
    load_plan(Phase, Stage)


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    need(
        Path(binary).exists(),
        "the fault tests start a redis-server of their own: apt-get install redis-server",
    )
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(binary, folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def portal_on_own_redis(own_redis, settings, monkeypatch):
    """The portal in this process uses the test's Redis as production uses its own: the task
    queue, and the cache (CACHE_URL defaults to the broker)."""
    from sanhui.celery import app

    # Celery reads these before its configuration: CI's would send the tasks to the machine's
    # Redis instead.
    for name in (
        "CELERY_BROKER_URL",
        "CELERY_BROKER_READ_URL",
        "CELERY_BROKER_WRITE_URL",
        "CELERY_RESULT_BACKEND",
    ):
        monkeypatch.delenv(name, raising=False)
    previous = {
        key: app.conf[key]
        for key in ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    }
    app.conf.update(
        broker_url=own_redis.url,
        result_backend=own_redis.url,
        task_always_eager=False,
        broker_transport_options=dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS),
    )
    reset_broker_connections(app)
    assert app.conf.broker_url == app.conf.broker_write_url == own_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "sanhui",
        }
    }
    yield own_redis
    app.conf.update(previous)
    reset_broker_connections(app)


class Processes:
    """Celery workers and beats started for one test, each in a session of its own so that a
    kill reaches the whole worker (its pool processes too), as when a machine or container dies."""

    def __init__(self, folder: Path, redis_url: str, media_root: Path):
        self.folder = folder
        self.redis_url = redis_url
        self.media_root = media_root
        self.render_log = folder / "render.log"
        self.render_log.touch()
        self.started: list[subprocess.Popen] = []

    def environment(self, extra: dict[str, str]) -> dict[str, str]:
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        database_url = (
            f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        return {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": self.redis_url,
            "CELERY_RESULT_BACKEND": self.redis_url,
            "CACHE_URL": self.redis_url,
            "MEDIA_ROOT": str(self.media_root),
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "fault-tests-only",
            "SANHUI_FAULTS_CLOCK": timezone.now().isoformat(),
            "SANHUI_FAULTS_RENDER_LOG": str(self.render_log),
            "LOG_LEVEL": "INFO",
            **extra,
        }

    def _start(self, name: str, arguments: list[str], extra: dict[str, str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.faults.celery_app", *arguments],
            cwd=ROOT,
            env=self.environment(extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def worker(self, name: str, *, concurrency: int = 1, **extra: str) -> subprocess.Popen:
        return self._start(
            name,
            [
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                f"--hostname={name}@faults",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            extra,
        )

    def beat(self, name: str, **extra: str) -> subprocess.Popen:
        return self._start(
            name,
            ["beat", "--loglevel=INFO", f"--schedule={self.folder / name}-schedule"],
            extra,
        )

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def renders(self) -> list[tuple[int, str]]:
        """(pid, format) of every report rendering started so far, in order."""
        lines = self.render_log.read_text(encoding="utf-8").splitlines()
        return [(int(line.split()[0]), line.split()[1]) for line in lines if line.strip()]

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL to the whole worker: no warm shutdown, nothing acknowledged, nothing cleaned up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(process)
            except ProcessLookupError:
                pass
        # Pool processes left behind by a killed parent.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def kill_all(self) -> None:
        for process in reversed(self.started):
            self.kill(process)


@pytest.fixture
def faults(reference, own_redis, tmp_path, settings) -> Iterator[Processes]:
    folder = tmp_path / "processes"
    folder.mkdir()
    processes = Processes(folder, own_redis.url, Path(settings.MEDIA_ROOT))
    yield processes
    processes.kill_all()
    # The workers' connections must be gone before the test database is flushed.
    connection.close()


def stored_files(media_root) -> list[Path]:
    root = Path(media_root)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def queue_is_empty(server: RedisServer) -> bool:
    """No task waiting in the default queue, none taken and not yet acknowledged."""
    client = server.client()
    return client.llen("celery") == 0 and client.hlen("unacked") == 0
