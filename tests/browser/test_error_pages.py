"""Offramp's own error pages pass axe-core like every other page."""

from typing import Any

import pytest

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_not_found_page_is_accessible(browser: Any, live_server: Any) -> None:
    # Not the `page` fixture: it fails a test on any response of 400 or more, and a 404 is
    # the point here.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    try:
        page = context.new_page()
        response = page.goto("/no-such-page/")
        assert response is not None and response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        assert_accessible(page)
    finally:
        context.close()
