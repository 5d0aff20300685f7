"""Sessions, signing out, the password, and what a signed-out browser sees."""

import re

import pytest

from tests.api.conftest import PASSWORD
from tests.browser.conftest import Browsing, Server

pytestmark = pytest.mark.browser

PROTECTED = ["/app/bookings", "/app/sessions", "/app/password", "/app/admin/users",
             "/app/admin/audit"]


def test_sessions_mark_this_device_and_revoke_the_other(browsing: Browsing,
                                                        server: Server) -> None:
    email = "two-devices@example.com"
    server.register(email)
    laptop = browsing.page()
    phone = browsing.other_device()
    browsing.sign_in(laptop, email)
    browsing.sign_in(phone, email)

    laptop.get_by_role("link", name="My sessions").click()
    rows = laptop.get_by_role("row").filter(has=laptop.get_by_role("cell"))
    rows.nth(1).wait_for()
    assert rows.count() == 2
    assert rows.filter(has_text="this device").count() == 1
    browsing.shoot(laptop, "sessions")
    rows.get_by_role("button", name="Revoke").click()
    laptop.get_by_text("That session is signed out.").wait_for()
    assert rows.count() == 1

    phone.get_by_role("link", name="My bookings").click()
    phone.get_by_role("heading", name="Sign in", level=1).wait_for()
    assert "Your session has ended" in phone.get_by_role("status").first.inner_text()
    browsing.shoot(phone, "revoked-device")

    laptop.get_by_role("button", name="Log out everywhere").click()
    laptop.get_by_text("You are signed out on every device.").wait_for()
    laptop.goto("/app/bookings")
    laptop.get_by_role("heading", name="Sign in", level=1).wait_for()


def test_signed_out_the_protected_pages_show_sign_in(browsing: Browsing, server: Server) -> None:
    browsing.watch.expect(403)  # the last page it goes back to is for admins
    email = "leaver@example.com"
    server.register(email)
    page = browsing.page()
    browsing.sign_in(page, email)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    assert page.locator("#who").inner_text() == ""
    for path in PROTECTED:
        page.goto(path)
        page.get_by_role("heading", name="Sign in", level=1).wait_for()
        assert page.url.endswith(f"/app/sign-in?next={path.replace('/', '%2F')}"), page.url
    browsing.shoot(page, "signed-out")

    page.get_by_label("Email").fill(email)  # signing in goes where the last attempt was going
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("heading", name="Audit log", level=1).wait_for()
    assert page.url.endswith("/app/admin/audit")


def test_sign_in_failure_and_a_password_change_in_words(browsing: Browsing,
                                                        server: Server) -> None:
    browsing.watch.expect(403)
    email = "changer@example.com"
    new_password = "a whole new sentence here"
    server.register(email)
    page = browsing.page()
    page.goto("/app/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").filter(has_text="Incorrect email or password").wait_for()
    browsing.sign_in(page, email)

    page.get_by_role("link", name="Password").click()
    page.get_by_label("Current password").fill("not the password at all")
    page.get_by_label("New password").fill(new_password)
    page.get_by_label("New password").press("Enter")
    page.get_by_role("alert").filter(
        has_text="Refused: The current password is incorrect.").wait_for()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill(new_password)
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Password changed. Your other sessions were signed out.").wait_for()
    browsing.shoot(page, "password-changed")

    page.get_by_role("button", name="Sign out").click()
    browsing.sign_in(page, email, new_password)


def test_forms_have_labels_and_the_right_input_types(browsing: Browsing) -> None:
    page = browsing.page()
    page.goto("/app/sign-in")

    assert page.get_by_label("Email").get_attribute("type") == "email"
    assert page.get_by_label("Password").get_attribute("type") == "password"
    name_of_focused = ("(e => e.labels?.[0]?.textContent ?? e.textContent)"
                       "(document.activeElement)")
    focused = []
    for _ in range(9):
        page.keyboard.press("Tab")
        focused.append(page.evaluate(name_of_focused))
    assert {"Email", "Password", "Sign in"} <= set(focused), focused


def test_a_throttled_sign_in_says_when_to_try_again(browsing: Browsing, server: Server) -> None:
    browsing.watch.expect(429)
    email = "hammered@example.com"
    server.register(email)
    with server.client() as client:  # someone else guessing, up to the account's limit
        statuses = [client.post("/auth/login", json={"email": email, "password": "guess " * 3}
                                ).status_code for _ in range(11)]
    assert statuses[-1] == 429, statuses
    page = browsing.page()
    page.goto("/app/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")

    alert = page.get_by_role("alert")
    alert.filter(has_text="Too many attempts. Please try again in").wait_for()
    assert re.search(r"in \d+ seconds\.$", alert.inner_text()), alert.inner_text()
    browsing.shoot(page, "throttled")
