"""/docs and /redoc with every request off this machine blocked: they render from the files
Roomkey serves, and Swagger UI's Authorize + Try it out reach the API."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import PASSWORD
from tests.browser.conftest import Browsing, Server, _browsing

pytestmark = pytest.mark.browser


@pytest.fixture
def offline(browser: Any, server: Server, screenshots: Path,
            request: pytest.FixtureRequest) -> Iterator[tuple[Browsing, list[str]]]:
    """A context whose requests to anywhere but 127.0.0.1 fail (and are listed)."""
    outside: list[str] = []

    def only_here(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    for browsing in _browsing(browser, server.url, screenshots, request):
        browsing.context.route("**/*", only_here)
        yield browsing, outside


def test_swagger_ui_renders_offline_and_authorize_then_try_it_out_works(
    offline: tuple[Browsing, list[str]], server: Server
) -> None:
    browsing, outside = offline
    email = "swagger@example.com"
    server.register(email)
    page = browsing.page()

    page.goto("/docs")
    page.get_by_role("heading", name="Roomkey").wait_for()
    page.get_by_role("button", name="Authorize").first.click()
    page.locator("#oauth_username").fill(email)
    page.locator("#oauth_password").fill(PASSWORD)
    modal = page.locator(".modal-ux")
    modal.locator("button.authorize").click()
    modal.locator("button", has_text="Logout").wait_for()  # Swagger UI got a token
    modal.locator("button.btn-done").click()
    operation = page.locator("#operations-users-me_users_me_get")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    live = operation.locator(".live-responses-table tbody .response-col_status")
    live.first.wait_for()
    assert live.first.inner_text().strip() == "200"
    assert email in operation.locator(".live-responses-table .microlight").first.inner_text()
    browsing.shoot(page, "swagger-try-it-out", full_page=False)
    assert outside == []


def test_redoc_renders_offline(offline: tuple[Browsing, list[str]]) -> None:
    browsing, outside = offline
    # ReDoc 2 always shows its maker's logo from their CDN (hidden when it fails to load): the
    # policy refuses it. Nothing else may be refused or fail.
    browsing.watch.tolerate(r"^Loading the image 'https://cdn\.redoc\.ly/redoc/logo-mini\.svg'")
    page = browsing.page()

    page.goto("/redoc")
    page.get_by_role("heading", name="Roomkey").first.wait_for()
    page.get_by_role("heading", name="Create Booking").wait_for()
    page.wait_for_timeout(300)
    refused = [p for p in browsing.watch.problems if p.startswith("CSP:")]
    assert refused == ["CSP: img-src blocked https://cdn.redoc.ly/redoc/logo-mini.svg"]
    browsing.watch.problems.remove(refused[0])
    browsing.shoot(page, "redoc", full_page=False)
    assert outside == []
