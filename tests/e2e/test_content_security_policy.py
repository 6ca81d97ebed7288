"""The browser enforces the portal's Content-Security-Policy and reports what it refuses, which
the ``page`` fixture turns into a failed test: markup with a style attribute or an event
handler, added to a page, is refused and reported."""

import pytest

from tests.e2e.conftest import is_csp_violation

pytestmark = pytest.mark.django_db(transaction=True)


def test_what_the_policy_refuses_is_reported_in_the_console(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    reported = []
    page.on("console", lambda message: reported.append(message.text) if is_csp_violation(message) else None)
    response = page.goto("/accounts/login/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    markup = '<p id="x" style="color: red" onclick="window.ran = 1">x</p>'
    page.evaluate(
        """(markup) => {
            document.body.insertAdjacentHTML("beforeend", markup);
            document.getElementById("x").click();
        }""",
        markup,
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ran") is None
    assert page.evaluate("() => getComputedStyle(document.getElementById('x')).color") != "rgb(255, 0, 0)"
    context.close()
    assert any("inline style" in text for text in reported), reported
    assert any("inline event handler" in text for text in reported), reported
