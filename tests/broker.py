"""Celery's connections in the test process, for the fixtures that point it at another broker
(``celery_worker`` in tests/conftest.py, the fault tests' own Redis)."""

from __future__ import annotations


def reset_broker_connections(app) -> None:
    # Producers and connections made earlier in this process keep their old transport options
    # (or were closed with an earlier worker); drop them all, kombu's shared pools included.
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()
    # The result backend is cached per app and per thread; an eager task run earlier may have
    # cached one without a backend URL.
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
