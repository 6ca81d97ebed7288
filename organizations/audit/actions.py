"""Writes to the audit trail beyond the actions' own entries: pruning entries past the retention
period. Run by Celery beat with no actor; the count goes to the log."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings

from sanhui.clock import now

from ..models import AuditEntry

log = logging.getLogger(__name__)

# The audit trail is kept at least this long, whatever the setting says (网络安全法 Art. 21:
# six months); the portal's default is three years.
MIN_AUDIT_LOG_DAYS = 184


def audit_log_days() -> int:
    return max(settings.SANHUI_AUDIT_LOG_DAYS, MIN_AUDIT_LOG_DAYS)


def audit_entries_prune(*, at: datetime.datetime | None = None) -> int:
    """Delete audit entries older than the retention period (never under 184 days)."""
    cutoff = (at or now()) - datetime.timedelta(days=audit_log_days())
    count, _deleted = AuditEntry.objects.filter(created_at__lt=cutoff).delete()
    log.info("Pruned %d audit entries older than %s.", count, cutoff.isoformat())
    return count
