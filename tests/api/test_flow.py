"""The README's walk-through, end to end, on every backend and with either JWT library."""

import pytest

from tests.api.conftest import Api


@pytest.fixture
def jwt_library(both_jwt_libraries: str) -> str:
    return both_jwt_libraries


async def test_the_whole_flow_register_login_book_list_cancel_logout(api: Api) -> None:
    room_id = await api.room()
    api.client.cookies.clear()

    assert (await api.register("flow@example.com")).status_code == 201
    assert (await api.login("flow@example.com")).status_code == 200
    booked = await api.client.post("/bookings", headers=api.csrf(), json={
        "room_id": room_id, "date_from": "2030-03-01", "date_to": "2030-03-03"})
    listed = await api.client.get("/bookings")
    cancelled = await api.client.delete(f"/bookings/{booked.json()['id']}", headers=api.csrf())
    logged_out = await api.client.post("/auth/logout", headers=api.csrf())
    after = await api.client.get("/bookings")

    assert booked.status_code == 201
    assert [b["id"] for b in listed.json()] == [booked.json()["id"]]
    assert cancelled.status_code == 204
    assert logged_out.status_code == 200
    assert after.status_code == 401
