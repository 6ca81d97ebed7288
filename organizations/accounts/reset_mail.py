"""The mail of the password reset (忘记密码): which accounts may still get it, and what it says.

Sent by the worker (``tasks.send_password_reset_mail``), never in the request. It writes
nothing: the link is a token made from the account as it is, valid once, for
PASSWORD_RESET_TIMEOUT from the moment it is sent; setting the password through it is the
audited action ``account_password_reset``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
BODY_TEMPLATE = "registration/password_reset_email.txt"


def password_reset_mail_send(*, user_id: int, site_url: str, language: str | None) -> bool:
    """Mail the account ``user_id`` the link to set a new password, written in ``language``
    (the one of the page it was asked from), the link on ``site_url``. False, and no mail, when
    the account can no longer reset its password: made inactive, or its address or usable
    password taken away since it was asked. A failure of the mail server is left to the caller
    (the task tries again)."""
    user_model = get_user_model()
    user = user_model._default_manager.filter(pk=user_id, is_active=True).first()
    email = getattr(user, user_model.get_email_field_name(), "") if user is not None else ""
    if user is None or not email or not user.has_usable_password():
        return False
    context = {
        "email": email,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user_model._meta.pk.value_to_string(user))),
        "token": default_token_generator.make_token(user),
        "site_url": site_url,
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    with translation.override(language):
        context["portal_name"] = _("三长带三会工作平台")
        # A subject must not contain newlines.
        subject = "".join(render_to_string(SUBJECT_TEMPLATE, context).splitlines())
        body = render_to_string(BODY_TEMPLATE, context)
    EmailMultiAlternatives(subject, body, None, [email]).send()
    return True
