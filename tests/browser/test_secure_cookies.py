"""With Secure cookies the names carry prefixes (`__Host-csrf_token`): the app finds the CSRF
cookie under that name, and its writes and refreshes still work. Chromium keeps Secure cookies
from http://127.0.0.1, a loopback origin it counts as secure."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Browsing, Server, _browsing

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def secure() -> Iterator[Server]:
    with Server(cookie_secure=True, access_token_ttl=2) as served:
        yield served


@pytest.fixture
def browsing(browser: Any, secure: Server, screenshots: Path,
             request: pytest.FixtureRequest) -> Iterator[Browsing]:
    yield from _browsing(browser, secure.url, screenshots, request)


def test_prefixed_cookie_names_for_writes_and_refresh(browsing: Browsing, secure: Server) -> None:
    email = "prefixed@example.com"
    secure.register(email)
    page = browsing.page()
    browsing.sign_in(page, email)
    names = {cookie["name"] for cookie in browsing.context.cookies()}
    assert {"__Host-access_token", "__Host-csrf_token", "__Secure-refresh_token"} <= names
    assert "csrf_token" not in names

    page.wait_for_timeout(3000)  # the access token expires: the next write refreshes first
    page.get_by_role("link", name="My sessions").click()
    page.get_by_text("this device").wait_for()
    page.get_by_role("button", name="Log out everywhere").click()  # a write: needs the header
    page.get_by_text("You are signed out on every device.").wait_for()
    assert not {c["name"] for c in browsing.context.cookies()} & {"__Host-access_token"}
