"""Rooms and bookings over HTTP: who may do what, and the booking rules' status codes."""

import uuid

import pytest

from tests.api.conftest import Api

STAY = {"date_from": "2030-02-01", "date_to": "2030-02-04"}


async def test_anyone_lists_rooms(api: Api) -> None:
    room_id = await api.room(quantity=3, price=90)

    response = await api.client.get("/rooms")

    assert response.status_code == 200
    assert response.json() == [{"id": room_id, "name": "Room", "description": "", "price": 90,
                                "quantity": 3}]


async def test_only_admins_create_rooms(api: Api) -> None:
    body = {"name": "Loft", "description": "", "price": 10, "quantity": 1}

    anonymous = await api.client.post("/rooms", json=body)
    user = await api.client.post("/rooms", json=body, headers=await api.bearer_for("u@x.io"))

    assert anonymous.status_code == 401
    assert user.status_code == 403
    assert user.json() == {"detail": "You are not allowed to do this"}
    assert (await api.client.get("/rooms")).json() == []


@pytest.mark.parametrize("body", [
    {"name": " ", "description": "", "price": 10, "quantity": 1},
    {"name": "Loft", "description": "", "price": -1, "quantity": 1},
    {"name": "Loft", "description": "", "price": 10, "quantity": 0},
    {"name": "Loft", "description": "", "price": "ten", "quantity": 1},
])
async def test_invalid_rooms_are_422(api: Api, body: dict[str, object]) -> None:
    response = await api.client.post("/rooms", json=body, headers=await api.admin())

    assert response.status_code == 422
    assert response.json()["detail"]


async def test_book_a_room_and_see_it_in_my_list(api: Api) -> None:
    room_id = await api.room(price=120)
    headers = await api.bearer_for("amy@example.com")

    created = await api.client.post("/bookings", json={"room_id": room_id, **STAY},
                                    headers=headers)

    assert created.status_code == 201
    booking = created.json()
    assert set(booking) == {"id", "room_id", "date_from", "date_to", "price", "total_cost"}
    assert (booking["room_id"], booking["price"], booking["total_cost"]) == (room_id, 120, 360)
    listed = await api.client.get("/bookings", headers=headers)
    assert listed.json() == [booking]


async def test_users_see_only_their_own_bookings(api: Api) -> None:
    room_id = await api.room(quantity=2)
    amy = await api.bearer_for("amy@example.com")
    ben = await api.bearer_for("ben@example.com")
    await api.client.post("/bookings", json={"room_id": room_id, **STAY}, headers=amy)

    assert (await api.client.get("/bookings", headers=ben)).json() == []
    assert len((await api.client.get("/bookings", headers=amy)).json()) == 1


async def test_a_full_room_is_409(api: Api) -> None:
    room_id = await api.room(quantity=1)
    await api.client.post("/bookings", json={"room_id": room_id, **STAY},
                          headers=await api.bearer_for("amy@example.com"))

    response = await api.client.post(
        "/bookings", json={"room_id": room_id, "date_from": "2030-02-03", "date_to": "2030-02-05"},
        headers=await api.bearer_for("ben@example.com"))

    assert response.status_code == 409
    assert response.json() == {"detail": "Room is not available for these dates"}


@pytest.mark.parametrize(("date_from", "date_to"), [
    ("2030-01-10", "2030-01-12"),   # in the past by the fixed clock (2030-01-15)
    ("2030-02-04", "2030-02-01"),   # backwards
    ("2030-02-01", "2030-02-01"),   # zero nights
    ("2030-02-01", "2030-03-04"),   # 31 nights
    ("2030-02-30", "2030-03-02"),   # no such date
    ("tomorrow", "2030-03-02"),
])
async def test_invalid_dates_are_422(api: Api, date_from: str, date_to: str) -> None:
    room_id = await api.room()

    response = await api.client.post(
        "/bookings", json={"room_id": room_id, "date_from": date_from, "date_to": date_to},
        headers=await api.bearer_for("amy@example.com"))

    assert response.status_code == 422
    assert response.json()["detail"]


async def test_booking_an_unknown_room_is_404(api: Api) -> None:
    response = await api.client.post(
        "/bookings", json={"room_id": str(uuid.uuid4()), **STAY},
        headers=await api.bearer_for("amy@example.com"))

    assert response.status_code == 404
    assert response.json() == {"detail": "Room not found"}


async def test_bookings_need_authentication(api: Api) -> None:
    assert (await api.client.get("/bookings")).status_code == 401
    assert (await api.client.post("/bookings", json={})).status_code == 401


async def test_cancel_my_booking(api: Api) -> None:
    room_id = await api.room()
    headers = await api.bearer_for("amy@example.com")
    booking = (await api.client.post("/bookings", json={"room_id": room_id, **STAY},
                                     headers=headers)).json()

    response = await api.client.delete(f"/bookings/{booking['id']}", headers=headers)

    assert response.status_code == 204
    assert response.content == b""
    assert (await api.client.get("/bookings", headers=headers)).json() == []
    again = await api.client.post("/bookings", json={"room_id": room_id, **STAY}, headers=headers)
    assert again.status_code == 201


async def test_someone_elses_booking_is_404_and_survives(api: Api) -> None:
    room_id = await api.room()
    amy = await api.bearer_for("amy@example.com")
    booking = (await api.client.post("/bookings", json={"room_id": room_id, **STAY},
                                     headers=amy)).json()

    response = await api.client.delete(f"/bookings/{booking['id']}",
                                       headers=await api.bearer_for("ben@example.com"))

    assert response.status_code == 404
    assert response.json() == {"detail": "Booking not found"}
    assert len((await api.client.get("/bookings", headers=amy)).json()) == 1


async def test_cancelling_an_unknown_or_malformed_id(api: Api) -> None:
    headers = await api.bearer_for("amy@example.com")

    unknown = await api.client.delete(f"/bookings/{uuid.uuid4()}", headers=headers)
    malformed = await api.client.delete("/bookings/42", headers=headers)

    assert unknown.status_code == 404
    assert malformed.status_code == 422


async def test_admins_list_and_cancel_every_booking(api: Api) -> None:
    room_id = await api.room()
    amy = await api.bearer_for("amy@example.com")
    booking = (await api.client.post("/bookings", json={"room_id": room_id, **STAY},
                                     headers=amy)).json()
    admin = await api.admin()

    listed = await api.client.get("/admin/bookings", headers=admin)
    cancelled = await api.client.delete(f"/bookings/{booking['id']}", headers=admin)

    assert [b["id"] for b in listed.json()] == [booking["id"]]
    assert "user_id" in listed.json()[0]
    assert cancelled.status_code == 204
    assert (await api.client.get("/admin/bookings", headers=amy)).status_code == 403
