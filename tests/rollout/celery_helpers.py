"""Helpers for tests that run Celery tasks, eagerly or through a real worker."""


def forget_celery_connections() -> None:
    """Drop the broker connection pools and result backend the Celery app caches.

    The app builds them from its configuration on first use and keeps them; a task run eagerly
    caches ones made for "no broker", which a worker started later in the same process (the
    ``celery_worker`` fixture points the app at Redis) would then be sent through. Dropped,
    they are built again from the current configuration."""
    from sanhui.celery import app

    # Only the references: closing the pools would close kombu's shared ones, which equal
    # connections made later would be handed again.
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
