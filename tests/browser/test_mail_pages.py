"""The pages of the mail flows against that feature's API contract, which Playwright plays:
its endpoints do not exist on this branch yet. The real server still serves the app."""

from typing import Any

import pytest

from tests.browser.conftest import Browsing, Server

pytestmark = pytest.mark.browser


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
            status, body = queue.pop(0) if len(queue) > 1 else queue[0]
            route.fulfill(status=status, json=body)

        self.page.route(f"{self.server.url}{path}", play)


def test_forgot_password_reset_link_and_verification_link(browsing: Browsing,
                                                          server: Server) -> None:
    browsing.watch.expect(400)
    page = browsing.page()
    played = Played(page, server)
    sent_reply = "If that address has an account, a reset link has been sent"
    played.answer("/auth/password-reset", (202, {"detail": sent_reply}))
    played.answer("/auth/password-reset/confirm",
                  (400, {"detail": "Invalid or expired token"}),
                  (200, {"status": "password reset"}))
    played.answer("/auth/verify-email", (200, {"status": "verified"}))

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
