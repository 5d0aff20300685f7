"""The second factor in the browser against the real API: enrolment behind a step-up prompt,
the QR code, recovery codes shown once, and the two-step sign-in."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.api.conftest import PASSWORD
from tests.browser.conftest import Browsing, Server, _browsing

pytestmark = pytest.mark.browser
STEP_UP_MAX_AGE = 1  # seconds, so the test meets the "confirm it is you" prompt


@pytest.fixture(scope="module")
def strict() -> Iterator[Server]:
    with Server(step_up_max_age=STEP_UP_MAX_AGE) as served:
        yield served


@pytest.fixture
def browsing(browser: Any, strict: Server, screenshots: Path,
             request: pytest.FixtureRequest) -> Iterator[Browsing]:
    yield from _browsing(browser, strict.url, screenshots, request)


def test_enrol_behind_step_up_then_sign_in_in_two_steps(browsing: Browsing,
                                                        strict: Server) -> None:
    browsing.watch.expect(403)  # the step-up refusal, before the prompt
    email = "two-factor@example.com"
    strict.register(email)
    page = browsing.page()
    browsing.sign_in(page, email)
    page.wait_for_timeout((STEP_UP_MAX_AGE + 1) * 1000)

    page.get_by_role("link", name="Two-step sign-in").click()
    page.get_by_role("button", name="Set up two-step sign-in").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Your password").press("Enter")
    qr = page.get_by_role("img", name="QR code of your two-step sign-in key")
    qr.wait_for()
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=qr.element_handle())
    secret = page.locator("main code").inner_text()
    browsing.shoot(page, "enrolment")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.locator("ul.codes code")
    codes.nth(9).wait_for()
    recovery_codes = codes.all_inner_texts()
    assert len(set(recovery_codes)) == 10
    browsing.shoot(page, "recovery-codes")
    page.get_by_role("button", name="I have saved them").click()
    page.get_by_text("Two-step sign-in is on.").wait_for()  # as GET /users/me now says

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("heading", name="Sign in: second step").wait_for()
    browsing.shoot(page, "second-step")
    page.get_by_label("Code").fill(recovery_codes[0])  # the TOTP step just used cannot come back
    page.get_by_label("Code").press("Enter")
    page.get_by_text("Two-step sign-in is on.").wait_for()  # back on the page it left
    assert page.locator("#who").inner_text().startswith(email)
