"""Races through the whole stack: the database, not luck, decides who wins."""

import asyncio

from tests.api.conftest import Api


async def test_parallel_registrations_of_one_email_give_exactly_one_201(api: Api) -> None:
    responses = await asyncio.gather(*(api.register("race@example.com") for _ in range(20)))

    codes = sorted(response.status_code for response in responses)
    assert codes == [201] + [409] * 19


async def test_parallel_bookings_never_overbook_a_room(api: Api) -> None:
    room_id = await api.room(quantity=2)
    guests = [await api.bearer_for(f"guest{i}@example.com") for i in range(8)]
    stay = {"room_id": room_id, "date_from": "2030-04-01", "date_to": "2030-04-05"}

    responses = await asyncio.gather(
        *(api.client.post("/bookings", json=stay, headers=guest) for guest in guests))

    codes = sorted(response.status_code for response in responses)
    assert codes == [201, 201] + [409] * 6
    all_bookings = await api.client.get("/admin/bookings", headers=await api.admin())
    assert len(all_bookings.json()) == 2
