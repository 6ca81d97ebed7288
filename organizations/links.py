"""Absolute addresses of portal pages, for QR codes, posters and mail."""

from django.conf import settings

DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def absolute_url(path: str, request=None) -> str:
    """``SANHUI_SITE_URL`` + path when the site address is configured (a poster printed from an
    intranet address must still work on a phone; mail has no request at all); otherwise the
    address of the current request, or the development server's."""
    base = settings.SANHUI_SITE_URL
    if base:
        return f"{base}{path}"
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{DEVELOPMENT_SITE_URL}{path}"


def join_names(names) -> str:
    """Names joined with the list separator of the active language ("、" or ", ")."""
    from django.utils.translation import pgettext

    return pgettext("list separator", "、").join(str(name) for name in names)
