"""The pages for the mail flows and the second factor, against the API contracts of those
features, which Playwright plays (their endpoints do not exist on this branch yet). The real
server still serves the app, registers the user and, for the second step, signs it in."""

import json
from typing import Any

import pytest

from tests.api.conftest import PASSWORD
from tests.browser.conftest import Browsing, Server

pytestmark = pytest.mark.browser
STEP_UP = 'Bearer error="insufficient_user_authentication", max_age=600'
# The shape segno writes: the page shows it as an image, never as markup.
QR_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2">'
          '<path d="M0 0h1v1H0zM1 1h1v1H1z"/></svg>')


class Played:
    """Answers for some API paths, in order, and the JSON bodies the page sent to them."""

    def __init__(self, page: Any, server: Server) -> None:
        self.page = page
        self.server = server
        self.sent: dict[str, list[Any]] = {}

    def answer(self, path: str, *answers: Any) -> None:
        queue = list(answers)

        def play(route: Any) -> None:
            self.sent.setdefault(path, []).append(route.request.post_data_json)
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            if callable(answer):
                answer(route)
                return
            status, body, headers = answer
            route.fulfill(status=status, json=body, headers=headers)

        self.page.route(f"{self.server.url}{path}", play)


def test_forgot_password_reset_link_and_verification_link(browsing: Browsing,
                                                          server: Server) -> None:
    browsing.watch.expect(400)
    page = browsing.page()
    played = Played(page, server)
    sent_reply = "If that address has an account, a reset link has been sent"
    played.answer("/auth/password-reset", (202, {"detail": sent_reply}, {}))
    played.answer("/auth/password-reset/confirm",
                  (400, {"detail": "Invalid or expired token"}, {}),
                  (200, {"status": "password reset"}, {}))
    played.answer("/auth/verify-email", (200, {"status": "verified"}, {}))

    page.goto("/app/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("forgetful@example.com")
    page.get_by_label("Email").press("Enter")
    page.get_by_text(sent_reply).wait_for()
    browsing.shoot(page, "forgot-password")

    page.goto("/app/reset-password#token=reset-token-1")
    page.get_by_label("New password").wait_for()
    assert "#" not in page.url  # the token left the address bar
    page.get_by_label("New password").fill("a brand new sentence")
    page.get_by_label("New password").press("Enter")
    page.get_by_role("alert").filter(has_text="Invalid or expired token.").wait_for()
    page.get_by_role("button", name="Set the new password").click()
    page.get_by_text("Your password was reset and every session signed out.").wait_for()
    assert page.url.endswith("/app/sign-in")
    assert played.sent["/auth/password-reset"] == [{"email": "forgetful@example.com"}]
    assert played.sent["/auth/password-reset/confirm"][-1] == {
        "token": "reset-token-1", "new_password": "a brand new sentence"}

    page.goto("/app/verify-email#token=verify-token-1")
    page.get_by_text("Your email address is verified. Thank you.").wait_for()
    assert played.sent["/auth/verify-email"] == [{"token": "verify-token-1"}]
    browsing.shoot(page, "verified")


def test_two_step_sign_in_and_enrolment_with_step_up(browsing: Browsing, server: Server) -> None:
    browsing.watch.expect(403)
    email = "second-factor@example.com"
    server.register(email)
    page = browsing.page()
    played = Played(page, server)

    def real_login(route: Any) -> None:  # the second step ends in the normal login answer
        response = route.fetch(url=f"{server.url}/auth/login", post_data=json.dumps(
            {"email": email, "password": PASSWORD}))
        route.fulfill(response=response)

    def mfa_on(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "mfa_enabled": True})

    played.answer("/auth/login", (200, {"mfa_required": True, "mfa_token": "mfa-token-1",
                                        "methods": ["totp", "recovery_code"]}, {}))
    played.answer("/auth/mfa/verify", real_login)
    played.answer("/auth/mfa/totp",
                  (403, {"detail": "Recent authentication required"},
                   {"WWW-Authenticate": STEP_UP}),
                  (200, {"secret": "JBSWY3DPEHPK3PXP", "otpauth_uri": "otpauth://totp/x",
                         "qr_svg": QR_SVG}, {}))
    played.answer("/auth/reauthenticate", (200, {"status": "ok"}, {}))
    codes = [f"code-{n:02d}-abcd" for n in range(10)]
    played.answer("/auth/mfa/totp/confirm", (200, {"recovery_codes": codes}, {}))

    page.goto("/app/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("heading", name="Sign in: second step").wait_for()
    browsing.shoot(page, "second-step")
    page.get_by_label("Code").fill("123456")
    page.get_by_label("Code").press("Enter")
    page.get_by_text(email, exact=True).wait_for()
    assert played.sent["/auth/mfa/verify"] == [{"mfa_token": "mfa-token-1", "code": "123456"}]

    page.get_by_role("link", name="Two-step sign-in").click()
    page.get_by_role("button", name="Set up two-step sign-in").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Your password").press("Enter")
    qr = page.get_by_role("img", name="QR code of your two-step sign-in key")
    qr.wait_for()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert played.sent["/auth/reauthenticate"] == [{"password": PASSWORD}]
    page.get_by_text("JBSWY3DPEHPK3PXP").wait_for()
    browsing.shoot(page, "enrolment")
    page.get_by_label("Code from your app").fill("654321")
    page.get_by_role("button", name="Turn on").click()
    page.get_by_text(codes[9]).wait_for()
    assert played.sent["/auth/mfa/totp/confirm"] == [{"code": "654321"}]
    browsing.shoot(page, "recovery-codes")
    played.answer("/users/me", mfa_on)
    page.get_by_role("button", name="I have saved them").click()
    page.get_by_text("Two-step sign-in is on.").wait_for()
