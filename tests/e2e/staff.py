"""Staff in a browser: signing in to the admin (password, then a real TOTP
code) and acting on the dossier screen."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.second_factor import totp_code


def fresh_totp(secret: str) -> str:
    """A code with time left in its 30-second step, so it is still valid
    when the form reaches the server."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.2)
    return totp_code(secret)


def sign_in_staff(page, username: str, password: str, secret: str) -> None:
    page.goto("/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/second-factor/"))
    page.locator("input[autocomplete=one-time-code], input[name=code]").first.fill(fresh_totp(secret))
    with page.expect_navigation():
        page.locator("form[method=post] [type=submit]").first.click()
    assert "/second-factor/" not in page.url and "/login/" not in page.url, page.url


def act(page, action: str):
    """Press the submit button of the dossier screen's form for `action`,
    and wait for Wagtail's "done" message to finish sliding in (axe would
    measure its colours half-faded)."""
    with page.expect_navigation():
        page.locator(f"form:has(input[name=action][value={action}]) button[type=submit]").click()
    expect(page.locator(".error-summary, .error-message")).to_have_count(0)
    expect(page.locator(".messages li.success")).to_have_count(1)
    page.wait_for_timeout(300)  # the messages controller's show delay (100 ms), then the transition
    page.locator(".messages").evaluate("el => Promise.all(el.getAnimations({subtree: true}).map(a => a.finished))")
