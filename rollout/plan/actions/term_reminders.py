"""Reminders to organisations whose leadership terms end soon (换届提醒), sent once per seat and term.

Atomic, scoped to the actor, validated with messages keyed by field; see the package's docstring."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from organizations.links import absolute_url
from organizations.models import Organization
from rollout.models import (
    TermReminder,
)
from rollout.plan import selectors
from sanhui.clock import today

logger = logging.getLogger(__name__)


def term_reminder_days() -> int:
    """How many days ahead of a term's end its organisation is reminded (a setting)."""
    return int(getattr(settings, "SANHUI_TERM_REMINDER_DAYS", 90))


@transaction.atomic
def term_reminder_send(
    *, organization_id: int, on: datetime.date | None = None, days: int | None = None
) -> int:
    """Mail the admins of one organisation about its seats whose term ends within the window
    and that were not reminded yet for that term end; return how many seats were reminded.

    The organisation's row is locked while the mail goes out, so that two workers running the
    same reminder cannot both send it; if sending fails nothing is recorded and the reminder
    is tried again on the next run."""
    on = on or today()
    days = term_reminder_days() if days is None else days
    organization = Organization.objects.select_for_update().filter(pk=organization_id).first()
    if organization is None:
        return 0
    seats = list(selectors.seats_due_reminder(organization_id=organization.pk, on=on, days=days))
    if not seats:
        return 0
    recipients = selectors.term_reminder_recipients(organization)
    if not recipients:
        logger.info("No admin with an e-mail address for %s; term reminder not sent.", organization.code)
        return 0
    context = {
        "organization": organization,
        "seats": seats,
        "days": days,
        "site_url": absolute_url(""),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("rollout/email/term_reminder_subject.txt", context).split())
        body = render_to_string("rollout/email/term_reminder_body.txt", context)
    connection = get_connection()
    messages = [EmailMessage(subject, body, to=[address], connection=connection) for address in recipients]
    connection.send_messages(messages)
    TermReminder.objects.bulk_create(
        [
            TermReminder(
                seat=seat, term_end=seat.term_end, organization=organization, recipients=", ".join(recipients)
            )
            for seat in seats
        ]
    )
    return len(seats)
