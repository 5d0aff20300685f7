"""The admin pages: users and the audit log for admins, a refusal in words for anyone else."""

import pytest

from tests.api.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.browser.conftest import Browsing, Server

pytestmark = pytest.mark.browser


def test_an_admin_deactivates_a_user_and_pages_through_the_audit_log(
    browsing: Browsing, server: Server
) -> None:
    target = "deactivate-me@example.com"
    server.register(target)
    for n in range(21):  # more events than one page of the audit log holds
        server.register(f"crowd-{n}@example.com")
    page = browsing.page()
    browsing.sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.get_by_role("link", name="Users").click()
    row = page.get_by_role("row").filter(has_text=target)
    row.get_by_role("button", name=f"Deactivate {target}").click()
    row.get_by_role("cell", name="deactivated", exact=True).wait_for()
    row.get_by_label(f"Role of {target}").select_option("admin")
    page.get_by_text(f"{target}: deactivated, admin.").wait_for()
    browsing.shoot(page, "admin-users")
    admin = server.bearer(ADMIN_EMAIL, ADMIN_PASSWORD)
    stored = next(u for u in server.get("/admin/users", admin) if u["email"] == target)
    assert (stored["is_active"], stored["role"]) == (False, "admin")
    assert page.get_by_label(f"Role of {ADMIN_EMAIL}").is_disabled()

    page.get_by_role("link", name="Audit log").click()
    newest = page.get_by_role("button", name="Newest events")
    older = page.get_by_role("button", name="Older events")
    page.locator("tbody tr").nth(19).wait_for()
    first_page = page.locator("tbody tr").all_inner_texts()
    assert len(first_page) == 20
    assert "role_change" in first_page[0] or "role_change" in first_page[1]
    assert newest.is_disabled()
    browsing.shoot(page, "admin-audit")
    older.click()
    page.wait_for_function(
        "first => document.querySelector('tbody tr')?.innerText !== first", arg=first_page[0])
    assert newest.is_enabled()
    assert not set(page.locator("tbody tr").all_inner_texts()) & set(first_page)
    newest.click()
    page.wait_for_function(
        "first => document.querySelector('tbody tr')?.innerText === first", arg=first_page[0])


def test_a_plain_user_is_refused_the_admin_pages_in_words(browsing: Browsing,
                                                          server: Server) -> None:
    browsing.watch.expect(403)
    email = "plain@example.com"
    server.register(email)
    page = browsing.page()
    browsing.sign_in(page, email)

    assert page.get_by_role("link", name="Users").count() == 0
    for path, title in [("/app/admin/users", "Users"), ("/app/admin/audit", "Audit log")]:
        page.goto(path)
        page.get_by_role("heading", name=title, level=1).wait_for()
        page.get_by_role("alert").filter(
            has_text="Refused: You are not allowed to do this.").wait_for()
        assert page.locator("table").count() == 0
    browsing.shoot(page, "admin-refused")


def test_the_policy_stops_a_script_injected_into_a_page(browsing: Browsing) -> None:
    page = browsing.page()
    page.goto("/app/rooms")
    page.get_by_role("heading", name="Rooms", level=1).wait_for()

    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
    }""")

    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert any(problem.startswith("CSP: script-src") for problem in browsing.watch.problems)
    browsing.watch.problems.clear()  # this one was provoked on purpose
