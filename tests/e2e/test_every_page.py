"""Every page of every demo login, on a phone (390 px) and on a desktop (1366 px), in Chinese and
in English: no page scrolls sideways, none logs a console error (a script error, a refused
resource, a Content-Security-Policy violation), and at 1366 px the whole navigation bar — the
language menu and the user menu with 退出登录 included — stays on the screen.

"Every page" is what a login reaches: the home page, each page of its menus (the main menu and
the user menu) and, from each list among them, the first record it links to.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, fits_the_width

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
LOGINS = ("district", "jiangshan", "wuxiang", "leader", "supervisor")
LANGUAGES = ("zh-hans", "en")

# Pages a menu links to that are not the portal's own layout: the Django admin (its own
# stylesheet) and files.
SKIP_PREFIXES = ("/admin/",)

MENU_LINKS = """() => Array.from(document.querySelectorAll('nav a[href]'))
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


def _sign_in(browser, live_server, username: str, language: str, viewport: dict):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport=viewport)
    host = urlsplit(live_server.url).hostname
    context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


@pytest.mark.parametrize("username", LOGINS)
def test_every_page_fits_and_logs_no_error(browser, live_server, demo_district, username):
    problems: list[str] = []
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    for language in LANGUAGES:
        for viewport in (DESKTOP, PHONE):
            context, page = _sign_in(browser, live_server, username, language, viewport)
            page.on("console", console)
            page.on("pageerror", lambda error: errors.append(str(error)))
            pages = _menu_pages(page)
            assert len(pages) >= 4, (username, pages)
            menu_total = len(pages)
            # Each page is opened once; a list among the menu pages adds its first record.
            for index, path in enumerate(pages):
                errors.clear()
                response = page.goto(path)
                page.wait_for_load_state("networkidle")
                where = f"{username} {language} {viewport['width']}px {path}"
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
                record = page.evaluate(FIRST_RECORD) if index < menu_total else None
                if record:
                    record_path = urlsplit(record).path
                    if record_path not in pages and not record_path.startswith(SKIP_PREFIXES):
                        pages.append(record_path)
            context.close()
    assert not problems, "\n".join(problems)
