"""Celery task of the accounts: the mail of the password reset (忘记密码).

The reset page only queues ``send_password_reset_mail`` with the account's id; the worker makes
the link and talks to the mail server, so the page answers as fast for an address that has an
account as for one that has none, and a slow mail server never holds the page. Registered with
the worker through ``organizations.tasks``, which Celery finds by itself.
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task

from .reset_mail import password_reset_mail_send

log = logging.getLogger(__name__)

# Mail server errors are tried again after 30 s, 1 and 2 minutes, well within the hour the link
# is valid; then the mail is given up (logged) and the user may ask again. A task run in the
# calling process (no broker) is not tried again: the retries would hold the page.
MAIL_RETRY_SECONDS = 30
MAIL_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=MAIL_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def send_password_reset_mail(self, user_id: int, site_url: str, language: str | None) -> bool:
    """Mail one account its link to set a new password; true when a mail went out."""
    try:
        return password_reset_mail_send(user_id=user_id, site_url=site_url, language=language)
    except (smtplib.SMTPException, OSError) as error:
        attempt = self.request.retries or 0
        if attempt < self.max_retries and not self.request.is_eager:
            log.warning(
                "The password-reset mail to user %s could not be sent (%s); trying again.", user_id, error
            )
            raise self.retry(exc=error, countdown=MAIL_RETRY_SECONDS * 2**attempt) from error
        log.exception("The password-reset mail to user %s could not be sent; given up.", user_id)
        return False
