"""End-to-end journeys in Debian's headless Chromium, driven by Playwright.

Chromium is never downloaded by Playwright: we point it at the system
browser (`PORTAL_CHROMIUM`, default /usr/bin/chromium). On a machine without
it the journeys are skipped locally, but fail in CI (CI=true), where
`.ci/run` installs it.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make between browser steps are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SERIOUS = {"serious", "critical"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run should install it.")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test; console errors are collected on
    `page.console_errors` and must stay empty unless a test says otherwise."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


def serious_axe_violations(page) -> list[str]:
    """Run axe-core in the page and return the serious and critical
    violations as readable lines (empty when the page passes)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") in SERIOUS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            problems.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return problems


@pytest.fixture
def assert_accessible():
    def check(page):
        problems = serious_axe_violations(page)
        assert not problems, f"axe found serious problems on {page.url}:\n" + "\n".join(problems)

    return check
