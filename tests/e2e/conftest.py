"""End-to-end journeys in Debian's headless Chromium, driven by Playwright.

Chromium is never downloaded by Playwright: we point it at the system
browser (`PORTAL_CHROMIUM`, default /usr/bin/chromium). On a machine without
it the journeys are skipped locally, but fail in CI (CI=true), where
`.ci/run` installs it.
"""

import os
import shutil

import pytest

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
#: What axe checks: every WCAG 2.0, 2.1 and 2.2 rule at levels A and AA, and
#: axe's best practices (one main landmark, unique landmarks, headings in
#: order). A violation fails the journey whatever its impact.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
#: The few violations accepted, each with its reason: (rule id, part of the
#: address it is accepted on, or "" for every page, reason).
AXE_ALLOWED: list[tuple[str, str, str]] = [
    ("region", "/admin/second-factor/",
     "Wagtail's admin layout puts its skip link before any landmark; the markup is Wagtail's, not ours."),
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the journeys of this package.

    Playwright's sync API marks its event loop as running in the test thread
    from start to stop, so Django refuses the ORM calls the tests and their
    fixtures make between browser steps (SynchronousOnlyOperation), although
    nothing runs concurrently. DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly
    that span, Playwright's lifetime, and removed when it stops; the package
    scope ends it with the last journey, so the rest of the suite runs with
    Django's check on. (Driving Playwright from another thread would avoid
    the variable but put every page call behind a proxy.)
    """
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run should install it.")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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


def axe_violations(page) -> list[str]:
    """Run axe-core in the page and return every WCAG 2.x A/AA and
    best-practice violation, minus the allow-list, as readable lines (empty
    when the page passes)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    problems = []
    for violation in results.response["violations"]:
        if any(rule == violation["id"] and where in page.url for rule, where, _reason in AXE_ALLOWED):
            continue
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        problems.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return problems


@pytest.fixture
def assert_accessible():
    def check(page):
        problems = axe_violations(page)
        assert not problems, f"axe found problems on {page.url}:\n" + "\n".join(problems)

    return check
