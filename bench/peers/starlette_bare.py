"""The ceiling: a bare Starlette endpoint answering the same ten bookings, no auth, no database."""

import json
import uuid
from datetime import date, timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_START = date(2031, 1, 1)
_BODY = json.dumps([
    {"id": str(uuid.uuid4()), "room_id": str(uuid.uuid4()),
     "date_from": str(_START + timedelta(days=3 * i)),
     "date_to": str(_START + timedelta(days=3 * i + 2)), "price": 100, "total_cost": 200}
    for i in range(10)
]).encode()


async def bookings(request: Request) -> Response:
    return Response(_BODY, media_type="application/json")


app = Starlette(routes=[Route("/bookings", bookings)])
