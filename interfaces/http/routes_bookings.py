"""Routes for bookings: each user's own, and every booking for admins."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from application.cancel_booking import CancelBooking
from application.create_booking import CreateBooking
from application.list_bookings import ListBookings
from interfaces.http.dependencies import JSON_ONLY, AdminUser, CurrentUser, use_case
from interfaces.http.schemas import AdminBookingOut, BookingIn, BookingOut, ErrorOut

router = APIRouter(tags=["bookings"])


@router.get("/bookings", description=ListBookings.__doc__)
async def list_bookings(
    actor: CurrentUser, list_bookings: Annotated[ListBookings, use_case("list_bookings")]
) -> list[BookingOut]:
    return [BookingOut.of(booking) for booking in await list_bookings.execute(actor=actor)]


@router.post("/bookings", dependencies=JSON_ONLY,
             status_code=status.HTTP_201_CREATED, description=CreateBooking.__doc__,
             responses={409: {"model": ErrorOut, "description": "Room is not available"}})
async def create_booking(
    body: BookingIn, actor: CurrentUser,
    create_booking: Annotated[CreateBooking, use_case("create_booking")],
) -> BookingOut:
    booking = await create_booking.execute(actor=actor, room_id=body.room_id,
                                           date_from=body.date_from, date_to=body.date_to)
    return BookingOut.of(booking)


@router.delete("/bookings/{booking_id}", dependencies=JSON_ONLY,
               status_code=status.HTTP_204_NO_CONTENT, description=CancelBooking.__doc__)
async def cancel_booking(
    booking_id: uuid.UUID, actor: CurrentUser,
    cancel_booking: Annotated[CancelBooking, use_case("cancel_booking")],
) -> Response:
    await cancel_booking.execute(actor=actor, booking_id=booking_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/admin/bookings")
async def list_all_bookings(
    actor: AdminUser, list_bookings: Annotated[ListBookings, use_case("list_bookings")]
) -> list[AdminBookingOut]:
    bookings = await list_bookings.execute(actor=actor, everyone=True)
    return [AdminBookingOut.of(booking) for booking in bookings]
