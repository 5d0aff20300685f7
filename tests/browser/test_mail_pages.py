"""The pages of the mail flows against the real API: Roomkey mails through a real SMTP server
(aiosmtpd, started here), its dispatcher sending every 0.2 s, and the browser opens the links
the mails carry."""

import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import PASSWORD
from tests.browser.conftest import Browsing, Server, _browsing
from tests.mail_server import Inbox, SmtpServer, free_port, text_body

pytestmark = pytest.mark.browser

NEW_PASSWORD = "quiet harbour lanterns at dusk"
VERIFY_SUBJECT = "Confirm your email address for Roomkey"
RESET_SUBJECT = "Reset your Roomkey password"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    port = free_port()
    relay = SmtpServer(port=port, inbox=Inbox(), url=f"smtp://127.0.0.1:{port}")
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


@pytest.fixture(scope="module")
def mailing(smtp: SmtpServer) -> Iterator[Server]:
    with Server(smtp_url=smtp.url, mail_dispatch_interval=0.2) as served:
        yield served


@pytest.fixture
def browsing(browser: Any, mailing: Server, screenshots: Path,
             request: pytest.FixtureRequest) -> Iterator[Browsing]:
    yield from _browsing(browser, mailing.url, screenshots, request)


def link_in_mail(smtp: SmtpServer, server: Server, address: str, subject: str,
                 *, count: int = 1) -> str:
    """The link in the `count`-th mail with `subject` to `address`, once the dispatcher sent it."""
    deadline = time.monotonic() + 10
    while True:
        mails = [mail for mail in smtp.inbox.to(address) if mail["Subject"] == subject]
        if len(mails) >= count:
            return _link(mails[count - 1], server)
        assert time.monotonic() < deadline, f"no mail {subject!r} to {address}"
        time.sleep(0.05)


def _link(mail: EmailMessage, server: Server) -> str:
    found = re.search(rf"{re.escape(server.url)}/app/[\w-]+#token=[\w-]+", text_body(mail))
    assert found, text_body(mail)
    return found.group()


def test_register_then_the_link_in_the_mail_verifies_the_address(
        browsing: Browsing, mailing: Server, smtp: SmtpServer) -> None:
    email = "newcomer@example.com"
    page = browsing.page()
    page.goto("/app/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_text(f"Account created for {email}. Please sign in.").wait_for()
    assert mailing.get("/users/me", mailing.bearer(email))["email_verified"] is False

    link = link_in_mail(smtp, mailing, email, VERIFY_SUBJECT)
    assert link.startswith(f"{mailing.url}/app/verify-email#token=")
    page.goto(link)
    page.get_by_text("Your email address is verified. Thank you.").wait_for()
    assert "#" not in page.url  # the token left the address bar
    browsing.shoot(page, "verified")
    assert mailing.get("/users/me", mailing.bearer(email))["email_verified"] is True


def test_forgot_password_then_the_link_in_the_mail_sets_a_new_one(
        browsing: Browsing, mailing: Server, smtp: SmtpServer) -> None:
    browsing.watch.expect(400)
    email = "forgetful@example.com"
    mailing.register(email)
    page = browsing.page()
    page.goto("/app/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Email").press("Enter")
    page.get_by_text("If that address has an account, a reset link has been sent").wait_for()
    browsing.shoot(page, "forgot-password")

    link = link_in_mail(smtp, mailing, email, RESET_SUBJECT)
    assert link.startswith(f"{mailing.url}/app/reset-password#token=")
    page.goto(link)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    assert "#" not in page.url
    page.get_by_label("New password").press("Enter")
    page.get_by_text("Your password was reset and every session signed out.").wait_for()
    assert page.url.endswith("/app/sign-in")

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("alert").filter(has_text="Incorrect email or password").wait_for()
    browsing.sign_in(page, email, NEW_PASSWORD)

    page.goto(link)  # a used link
    page.get_by_label("New password").fill("another fine sentence here")
    page.get_by_role("button", name="Set the new password").click()
    page.get_by_role("alert").filter(has_text="Invalid or expired token.").wait_for()
    browsing.shoot(page, "used-reset-link")
    mailing.bearer(email, NEW_PASSWORD)


def test_a_bad_verification_link_says_so_and_a_new_one_can_be_sent(
        browsing: Browsing, mailing: Server, smtp: SmtpServer) -> None:
    browsing.watch.expect(400)
    email = "mistyped@example.com"
    mailing.register(email)
    first = link_in_mail(smtp, mailing, email, VERIFY_SUBJECT)
    page = browsing.page()
    page.goto(f"{first}broken")
    page.get_by_role("alert").filter(has_text="Invalid or expired token.").wait_for()
    browsing.shoot(page, "bad-verification-link")

    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send").click()
    page.get_by_text("If that address has an unverified account, a verification link has been "
                     "sent").wait_for()
    second = link_in_mail(smtp, mailing, email, VERIFY_SUBJECT, count=2)
    page = browsing.page()  # a new tab, as from a mail client (and not a same-page #fragment)
    page.goto(second)
    page.get_by_text("Your email address is verified. Thank you.").wait_for()
    assert mailing.get("/users/me", mailing.bearer(email))["email_verified"] is True
