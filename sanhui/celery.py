"""Celery application of the portal.

Workers and beat read their configuration from Django settings (keys prefixed ``CELERY_``),
so several workers on several hosts share one broker and one database with no extra files.

Every task is acknowledged only once it has run (``CELERY_TASK_ACKS_LATE``), and a task whose
worker process dies under it is put back in the queue (``CELERY_TASK_REJECT_ON_WORKER_LOST``; a
worker killed whole leaves it to Redis, which hands it out again after the broker's visibility
timeout). So that a task that itself kills its worker cannot go round for ever, ``PortalTask``
counts in Redis how often each message was started without finishing, and refuses it, as a
recorded failure, once it was started ``SANHUI_TASK_MAX_DELIVERIES`` times.
"""

from __future__ import annotations

import contextlib
import logging
import os

import redis
from celery import Celery, Task
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanhui.settings")

logger = logging.getLogger(__name__)

# Long enough for every redelivery of a message (each one waits for the broker's visibility
# timeout at most), short enough that the counters of dead messages go by themselves.
DELIVERY_COUNT_SECONDS = 24 * 3600

_redis_clients: dict[str, redis.Redis] = {}


class DeliveriesExhausted(Exception):
    """A task was started as often as ``SANHUI_TASK_MAX_DELIVERIES`` allows and never finished."""


def _delivery_counter(app) -> redis.Redis | None:
    """A Redis client on the broker, or None when the broker is not Redis."""
    url = app.conf.broker_url
    if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    client = _redis_clients.get(url)
    if client is None:
        client = _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return client


class PortalTask(Task):
    """Base class of the portal's tasks: a message started ``SANHUI_TASK_MAX_DELIVERIES`` times
    whose runs never finished (its worker died each time) is refused the next time it comes;
    ``on_refused`` records that where the task's users will see it."""

    def _delivery_key(self) -> str:
        prefix = (self.app.conf.broker_transport_options or {}).get("global_keyprefix", "")
        return f"{prefix}sanhui:task-starts:{self.request.id}:{self.request.retries or 0}"

    def _count_start(self) -> int:
        """How many times this message (this retry of it) has been started, this time included;
        0 when the count cannot be kept (no Redis broker, or Redis unreachable)."""
        client = _delivery_counter(self.app)
        if client is None or not self.request.id:
            return 0
        key = self._delivery_key()
        try:
            started, _ = client.pipeline().incr(key).expire(key, DELIVERY_COUNT_SECONDS).execute()
        except redis.RedisError:
            logger.warning("task %s[%s]: its starts cannot be counted", self.name, self.request.id)
            return 0
        return int(started)

    def __call__(self, *args, **kwargs):
        if not self.request.is_eager:
            limit = int(getattr(settings, "SANHUI_TASK_MAX_DELIVERIES", 3))
            started = self._count_start()
            if limit > 0 and started > limit:
                logger.error(
                    "task %s[%s] refused: started %d times, its worker died every time",
                    self.name,
                    self.request.id,
                    started - 1,
                )
                self.on_refused(args, kwargs, started=started - 1)
                raise DeliveriesExhausted(f"{self.name}[{self.request.id}] started {started - 1} times")
        return super().__call__(*args, **kwargs)

    def after_return(self, status, retval, task_id, args, kwargs, einfo) -> None:
        # The run finished (whatever its outcome): only runs that never finished count.
        client = None if self.request.is_eager else _delivery_counter(self.app)
        if client is not None and task_id:
            # Unreachable now, the counter expires by itself.
            with contextlib.suppress(redis.RedisError):
                client.delete(self._delivery_key())

    def on_refused(self, args, kwargs, *, started: int) -> None:
        """Called instead of the task's body when it is refused; tasks with a record of their
        own (a report run) mark it failed here."""


app = Celery("sanhui", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="sanhui.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong": lets monitoring (and CI) check that a worker consumes the queue."""
    return "pong"
