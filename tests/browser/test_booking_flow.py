"""A new user in a real browser: register, sign in, book, see the booking, cancel it."""

import datetime

import pytest

from tests.api.conftest import PASSWORD
from tests.browser.conftest import Browsing, Server

pytestmark = pytest.mark.browser


def test_register_sign_in_book_see_and_cancel(browsing: Browsing, server: Server) -> None:
    email = "walker@example.com"
    start = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=30)
    end = start + datetime.timedelta(days=3)
    page = browsing.page()

    page.goto("/")
    assert page.url.endswith("/app/")
    page.get_by_role("link", name="Register").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    browsing.shoot(page, "register")
    page.get_by_label("Password").press("Enter")
    page.get_by_text(f"Account created for {email}. Please sign in.").wait_for()
    assert page.url.endswith("/app/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    browsing.shoot(page, "sign-in")
    page.get_by_label("Password").press("Enter")

    page.get_by_role("heading", name="Rooms", level=1).wait_for()
    assert page.locator("#who").inner_text().startswith(email)
    room = page.get_by_role("listitem").filter(has=page.get_by_role("heading", level=2)).first
    name = room.get_by_role("heading", level=2).inner_text()
    room.get_by_label("From").fill(start.isoformat())
    room.get_by_label("To").fill(end.isoformat())
    room.get_by_role("button", name=f"Book {name}").click()
    room.get_by_text(f"Booked {name} from {start} to {end}").wait_for()
    browsing.shoot(page, "rooms-booked")

    page.get_by_role("link", name="My bookings").click()
    row = page.get_by_role("row").filter(has_text=name)
    row.wait_for()
    assert row.get_by_role("cell").all_inner_texts()[:3] == [name, str(start), str(end)]
    browsing.shoot(page, "my-bookings")
    bookings = server.get("/bookings", server.bearer(email))
    assert [(b["date_from"], b["date_to"]) for b in bookings] == [(str(start), str(end))]

    row.get_by_role("button", name=f"Cancel {name} from {start} to {end}").click()
    page.get_by_text(f"Cancelled {name} from {start} to {end}.").wait_for()
    assert server.get("/bookings", server.bearer(email)) == []


def test_a_taken_room_is_refused_in_words(browsing: Browsing, server: Server) -> None:
    browsing.watch.expect(409, 422)
    email = "crowded@example.com"
    server.register(email)
    page = browsing.page()
    browsing.sign_in(page, email)
    day = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=60)
    rooms = server.get("/rooms", {})
    smallest = min(rooms, key=lambda room: room["quantity"])
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=smallest["name"], level=2))

    for _ in range(smallest["quantity"] + 1):
        card.get_by_label("From").fill(day.isoformat())
        card.get_by_label("To").fill((day + datetime.timedelta(days=1)).isoformat())
        card.get_by_role("button", name=f"Book {smallest['name']}").click()
        card.locator(".notice:not([hidden])").wait_for()

    card.get_by_role("alert").filter(
        has_text="Conflict: Room is not available for these dates.").wait_for()
    card.get_by_label("From").fill((day + datetime.timedelta(days=5)).isoformat())
    card.get_by_role("button", name=f"Book {smallest['name']}").click()
    card.get_by_role("alert").filter(has_text="Please check your input").wait_for()
    browsing.shoot(page, "refused")
