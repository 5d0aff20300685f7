"""An access token that expires under a user's feet: refreshed once, unseen, even by two tabs
that meet the expiry together (a second use of the refresh token would end the session)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Browsing, Server, _browsing

pytestmark = pytest.mark.browser
ACCESS_TOKEN_TTL = 2  # seconds; the browser drops the access cookie when it expires
CLICK_AT = """([href, at]) => setTimeout(
    () => document.querySelector(`a[href="${href}"]`).click(), at - Date.now())"""


@pytest.fixture(scope="module")
def short_lived() -> Iterator[Server]:
    with Server(access_token_ttl=ACCESS_TOKEN_TTL) as served:
        yield served


@pytest.fixture
def browsing(browser: Any, short_lived: Server, screenshots: Path,
             request: pytest.FixtureRequest) -> Iterator[Browsing]:
    yield from _browsing(browser, short_lived.url, screenshots, request)


def refreshes(browsing: Browsing) -> list[str]:
    sent: list[str] = []
    browsing.context.on("request", lambda request: sent.append(request.url)
                        if request.url.endswith("/auth/refresh") else None)
    return sent


def test_an_expired_token_is_refreshed_without_the_user_noticing(
    browsing: Browsing, short_lived: Server
) -> None:
    email = "patient@example.com"
    short_lived.register(email)
    page = browsing.page()
    browsing.sign_in(page, email)
    sent = refreshes(browsing)

    page.wait_for_timeout((ACCESS_TOKEN_TTL + 1) * 1000)
    page.get_by_role("link", name="My bookings").click()

    page.get_by_text("No bookings.").wait_for()
    assert page.url.endswith("/app/bookings")
    assert len(sent) == 1
    page.get_by_role("link", name="My sessions").click()  # the session lives on
    page.get_by_text("this device").wait_for()


def test_two_tabs_that_meet_an_expired_token_together_refresh_once(
    browsing: Browsing, short_lived: Server
) -> None:
    email = "two-tabs@example.com"
    short_lived.register(email)
    first = browsing.page()
    browsing.sign_in(first, email)
    second = browsing.page()
    second.goto("/app/rooms")
    second.get_by_text(email, exact=True).wait_for()
    sent = refreshes(browsing)

    first.wait_for_timeout((ACCESS_TOKEN_TTL + 1) * 1000)
    # Both tabs follow the link at the same instant, so both requests meet the expired token.
    at = first.evaluate("Date.now() + 300")
    for tab in (first, second):
        tab.evaluate(CLICK_AT, ["/app/sessions", at])

    for tab in (first, second):
        tab.get_by_text("this device").wait_for()
        assert tab.url.endswith("/app/sessions")
    assert len(sent) == 1
    browsing.shoot(second, "second-tab-after-refresh")
    first.get_by_role("link", name="My bookings").click()
    first.get_by_text("No bookings.").wait_for()
    events = short_lived.get("/admin/audit?type=refresh_reuse", short_lived.admin())
    assert events["events"] == []
