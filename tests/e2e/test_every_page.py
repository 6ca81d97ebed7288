"""Every page of every demo login, on a phone (390 px) and on a desktop (1366 px), in Chinese and
in English: no page scrolls sideways, none logs a console error (a script error, a refused
resource, a Content-Security-Policy violation), and at 1366 px the whole navigation bar — the
language menu and the user menu with 退出登录 included — stays on the screen.

"Every page" is what a login reaches: the home page, each page of its menus (the main menu and
the user menu), from each list among them the first record it links to, and one of each kind of
page those pages link to beyond them — each add and edit form, a record's 变更记录, an
activity's full-screen check-in code, A4 poster and attendee list, a day of the calendar.
Those further pages are opened at both widths but in one language each (Chinese on the desktop,
English, the longer, on the phone), which keeps the walk's time in bounds.
Anonymous visitors' pages (the login page, 忘记密码, the public calendar of events, an activity's
check-in page) are walked in the same way.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import pytest

from sanhui import clock
from tests.e2e.conftest import DEMO_PASSWORD, fits_the_width

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
LOGINS = ("district", "jiangshan", "wuxiang", "leader", "supervisor")
LANGUAGES = ("zh-hans", "en")
# Kinds of page the district's walk must reach beyond its menus and first records: a sign that
# the links to them are still found.
DISTRICT_BEYOND = {
    "/people/add/",
    "/people/#/edit/",
    "/people/#/history/",
    "/services/activities/#/qr/",
    "/services/activities/#/poster/",
    "/services/activities/#/attendees/",
    "/services/activities/calendar/#/",
}
# The languages and widths at which the pages beyond the menus and first records are opened:
# all four, like every other page.
BEYOND = {(language, viewport["width"]) for language in LANGUAGES for viewport in (DESKTOP, PHONE)}

# Pages a menu links to that are not the portal's own layout: the Django admin (its own
# stylesheet) and files.
SKIP_PREFIXES = ("/admin/",)

# The pages beyond the menus and the first records, by the end of their path. Only these are
# followed, so no link that does something is opened (退出登录, a deletion, an export's
# download, a status change); forms that post are not links.
SUB_PAGE = re.compile(
    r"/(add|edit|new|history|qr|poster|attendees)/$"
    r"|/activities/calendar/\d{4}-\d{2}-\d{2}/$"
)
CALENDAR = "/services/activities/calendar/"

MENU_LINKS = """() => Array.from(document.querySelectorAll('nav a[href]'))
    .map(a => a.getAttribute('href'))
    .filter(href => href.startsWith('/') && !href.startsWith('//'))"""

ALL_LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
    .map(a => a.getAttribute('href'))
    .filter(href => href.startsWith('/') && !href.startsWith('//'))"""

FIRST_RECORD = """() => {
    const link = document.querySelector('main table tbody a[href^="/"]');
    return link ? link.getAttribute('href') : null;
}"""

# The innermost elements that stick out on the right, to say what to fix.
STICKING_OUT = """() => {
    const right = window.innerWidth + 1;
    const out = Array.from(document.querySelectorAll('body *'))
      .filter(el => el.getBoundingClientRect().right > right);
    return out.filter(el => !out.some(other => other !== el && el.contains(other)))
      .slice(0, 3)
      .map(el => [el.tagName.toLowerCase(), ...el.classList].join('.')
        + ` "${(el.innerText || '').trim().slice(0, 30)}"`);
}"""

NAV_ON_SCREEN = """() => {
    const right = window.innerWidth;
    const items = Array.from(document.querySelectorAll('nav .navbar-nav > li, nav .navbar-brand'));
    return items.filter(el => { const box = el.getBoundingClientRect();
        return box.width > 0 && (box.right > right + 0.5 || box.bottom > 140); })
      .map(el => el.innerText.trim().slice(0, 30));
}"""


def _menu_pages(page) -> list[str]:
    """Home and the pages of the menus, in the order met."""
    page.goto("/")
    found = ["/"]
    for href in page.evaluate(MENU_LINKS):
        path = urlsplit(href).path
        if path not in found and not path.startswith(SKIP_PREFIXES):
            found.append(path)
    return found


def _kind(path: str) -> str:
    """The kind of page a path opens: the path with its record numbers and dates blanked, so
    that /people/7/edit/ and /people/9/edit/ are one kind."""
    return re.sub(r"/\d[\d-]*(?=/)", "/#", path)


def _sub_pages(page, path: str) -> list[str]:
    """The links of the page just opened to the pages beyond the menus, and for the month
    calendar its day page (linked only from a day with more activities than a cell shows)."""
    links = [href for href in page.evaluate(ALL_LINKS) if SUB_PAGE.search(urlsplit(href).path)]
    if path == CALENDAR:
        links.append(f"{CALENDAR}{clock.today().isoformat()}/")
    return links


def _check(page, response, where: str, viewport: dict, errors: list[str]) -> list[str]:
    """What is wrong with the page just opened."""
    problems = []
    if response is None or response.status >= 400:
        problems.append(f"{where}: HTTP {response.status if response else '—'}")
    if not fits_the_width(page):
        width = page.evaluate("document.documentElement.scrollWidth")
        culprits = page.evaluate(STICKING_OUT)
        problems.append(f"{where}: scrolls sideways ({width} px wide): {culprits}")
    if viewport is DESKTOP:
        off = page.evaluate(NAV_ON_SCREEN)
        if off:
            problems.append(f"{where}: navigation off the screen or wrapped: {off}")
    problems.extend(f"{where}: console: {text}" for text in errors)
    return problems


def _new_context(browser, live_server, language: str, viewport: dict):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport=viewport)
    host = urlsplit(live_server.url).hostname
    context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _sign_in(browser, live_server, username: str, language: str, viewport: dict):
    context, page = _new_context(browser, live_server, language, viewport)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


@pytest.mark.parametrize("viewport", (DESKTOP, PHONE), ids=lambda viewport: f"{viewport['width']}px")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("username", LOGINS)
def test_every_page_fits_and_logs_no_error(browser, live_server, demo_district, username, language, viewport):
    """One login's walk in one language at one width: twenty walks of a few dozen pages each,
    which the test workers share, rather than five of a hundred or more."""
    problems: list[str] = []
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    context, page = _sign_in(browser, live_server, username, language, viewport)
    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    pages = _menu_pages(page)
    assert len(pages) >= 4, (username, pages)
    menu_total = len(pages)
    kinds = {_kind(path) for path in pages}
    # Each page is opened once; a list among the menu pages adds its first record, and any page
    # adds the first page it links to of each kind beyond the menus (one edit form of a person,
    # not one for each person listed).
    for index, path in enumerate(pages):
        errors.clear()
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        where = f"{username} {language} {viewport['width']}px {path}"
        problems.extend(_check(page, response, where, viewport, errors))
        record = page.evaluate(FIRST_RECORD) if index < menu_total else None
        if record:
            record_path = urlsplit(record).path
            if record_path not in pages and not record_path.startswith(SKIP_PREFIXES):
                kinds.add(_kind(record_path))
                pages.append(record_path)
        if (language, viewport["width"]) not in BEYOND:
            continue
        for href in _sub_pages(page, urlsplit(path).path):
            kind = _kind(urlsplit(href).path)
            if kind not in kinds and not href.startswith(SKIP_PREFIXES):
                kinds.add(kind)
                pages.append(href)
    if username == "district" and (language, viewport["width"]) in BEYOND:
        assert kinds >= DISTRICT_BEYOND, DISTRICT_BEYOND - kinds
    context.close()
    assert not problems, "\n".join(problems)


def _public_pages() -> list[str]:
    """The pages an anonymous visitor opens, the check-in pages those of an activity of the
    demo taking place now (moved to now so that they show their forms at any hour)."""
    from services.models import Activity

    now = clock.now()
    activity = Activity.objects.exclude(status=Activity.Status.CANCELLED).order_by("pk").first()
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=now - datetime.timedelta(minutes=30), ends_at=now + datetime.timedelta(hours=2)
    )
    return [
        "/accounts/login/",
        "/accounts/password_reset/",
        "/outreach/events/",
        "/rollout/showcase/",
        activity.checkin_path(),
        activity.volunteer_checkin_path(),
    ]


def test_public_pages_fit_and_log_no_error(browser, live_server, demo_district):
    problems: list[str] = []
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    pages = _public_pages()
    for language in LANGUAGES:
        for viewport in (DESKTOP, PHONE):
            context, page = _new_context(browser, live_server, language, viewport)
            page.on("console", console)
            page.on("pageerror", lambda error: errors.append(str(error)))
            for path in pages:
                errors.clear()
                response = page.goto(path)
                page.wait_for_load_state("networkidle")
                where = f"anonymous {language} {viewport['width']}px {path}"
                problems.extend(_check(page, response, where, viewport, errors))
                # Still anonymous: none of these pages sends a visitor to the login page.
                assert urlsplit(page.url).path == path, where
                if "/services/c/" in path:
                    # The check-in form itself, not a note that check-in is closed.
                    assert page.locator("input[name=consent]").count() == 1, where
            context.close()
    assert not problems, "\n".join(problems)
