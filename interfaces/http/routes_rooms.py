"""Routes for room types: anyone lists them, admins create them."""

from typing import Annotated

from fastapi import APIRouter, status

from application.create_room import CreateRoom
from application.list_rooms import ListRooms
from interfaces.http.dependencies import JSON_ONLY, AdminUser, use_case
from interfaces.http.schemas import RoomIn, RoomOut

router = APIRouter(prefix="/rooms", tags=["rooms"])


@router.get("")
async def list_rooms(list_rooms: Annotated[ListRooms, use_case("list_rooms")]) -> list[RoomOut]:
    return [RoomOut.of(room) for room in await list_rooms.execute()]


@router.post("", dependencies=JSON_ONLY,
             status_code=status.HTTP_201_CREATED, description=CreateRoom.__doc__)
async def create_room(
    body: RoomIn, actor: AdminUser, create_room: Annotated[CreateRoom, use_case("create_room")]
) -> RoomOut:
    room = await create_room.execute(actor=actor, name=body.name, description=body.description,
                                     price=body.price, quantity=body.quantity)
    return RoomOut.of(room)
