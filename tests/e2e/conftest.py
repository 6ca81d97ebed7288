"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against the live server.

Playwright's own browser downloads are never used. Outside CI a machine without Chromium skips
these tests with a note; in CI a missing browser fails the run.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SANHUI_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures and
# assertions are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI installs Debian's chromium package.")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def reference_regions(transactional_db):
    """Browser tests run in transactions that end with a flush, which also empties the
    regions a data migration loaded; put them back before each test."""
    from organizations.models import Region
    from organizations.reference import load_regions

    load_regions(Region)


def is_csp_violation(message) -> bool:
    """Chromium reports what the Content-Security-Policy refused as a console error."""
    return message.type == "error" and "Content Security Policy" in message.text


@pytest.fixture
def page(browser, live_server):
    """A page of a fresh browser context; the test fails if the browser reported anything
    refused by the Content-Security-Policy (an inline script or style, an event handler)."""
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []

    def record(message) -> None:
        if is_csp_violation(message):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", record)
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def login(page, username: str, password: str = "pw-for-tests-1") -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def choose_by_search(page, name: str, text: str, label: str) -> None:
    """Types ``text`` into the search box of the searching choice widget of field ``name``
    (``organizations/widgets.py``) and chooses the match labelled ``label``."""
    widget = page.locator(f"[data-search-select]:has(select[name={name}])")
    widget.locator("input[data-search-query]").fill(text)
    option = widget.locator("select option", has_text=label)
    option.wait_for(state="attached")
    page.select_option(f"select[name={name}]", value=option.get_attribute("value"))


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


DEMO_PASSWORD = "pw-for-tests-1"


@pytest.fixture
def demo_district():
    """The whole demo district as ``make run`` seeds it (organisations, people, the ledger,
    outreach and the rollout), its logins with ``DEMO_PASSWORD``."""
    from organizations import demo as organizations_demo
    from outreach import demo as outreach_demo
    from rollout import demo as rollout_demo
    from rollout.models import Phase, Stage
    from rollout.reference import load_plan
    from services import demo as services_demo

    load_plan(Phase, Stage)
    summary = organizations_demo.build_demo(password=DEMO_PASSWORD)
    services_demo.build_demo()
    outreach_demo.build_demo()
    rollout_demo.build_demo()
    return summary


def fits_the_width(page) -> bool:
    """The page does not scroll sideways at the viewport's width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
