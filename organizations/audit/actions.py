"""Writes to the audit trail beyond the actions' own entries: pruning entries past the retention
period. Run by Celery beat with no actor; the count goes to the log. ``prune_before`` is the one
retention rule of the portal's logs (this trail and the login log)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings

from sanhui.clock import now

from ..models import AuditEntry

log = logging.getLogger(__name__)

# The logs are kept at least this long, whatever the settings say (网络安全法 Art. 21: six
# months); the audit trail's default is three years.
MIN_LOG_DAYS = 184


def prune_before(model, days: int, *, at: datetime.datetime | None = None) -> int:
    """Delete the rows of a log ``model`` (by its ``created_at``) older than ``days``, never
    fewer than ``MIN_LOG_DAYS``; return how many."""
    cutoff = (at or now()) - datetime.timedelta(days=max(days, MIN_LOG_DAYS))
    count, _deleted = model.objects.filter(created_at__lt=cutoff).delete()
    log.info("Pruned %d %s rows older than %s.", count, model._meta.label, cutoff.isoformat())
    return count


def audit_log_days() -> int:
    return max(settings.SANHUI_AUDIT_LOG_DAYS, MIN_LOG_DAYS)


def audit_entries_prune(*, at: datetime.datetime | None = None) -> int:
    """Delete audit entries older than the retention period (never under 184 days)."""
    return prune_before(AuditEntry, settings.SANHUI_AUDIT_LOG_DAYS, at=at)
