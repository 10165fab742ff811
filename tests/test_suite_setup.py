"""The suite's own set-up hides nothing production would raise."""

import os


def test_async_unsafe_orm_calls_are_not_allowed_outside_the_browser_journeys():
    # The browser journeys allow them while Playwright runs (tests/e2e/conftest.py);
    # everywhere else Django's SynchronousOnlyOperation check must stay on.
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
