"""Every operation of the OpenAPI document, walked with values in, just outside and far outside
what it declares (property-based): no answer is a 5xx, on every backend."""

from dataclasses import dataclass

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, Api, AppFactory
from tests.api.openapi_requests import Operation, Values, operations, requests_for

# The walk is about input, not throttling: limits high enough never to answer 429 first.
NO_LIMITS = {name: "1000000/hour" for name in (
    "login_limit_per_account", "login_limit_per_ip", "register_limit_per_ip",
    "refresh_limit_per_ip")}
USER_EMAIL = "walker@example.com"
# Each example sends every operation a valid request and one per field with that field missed:
# about 45 requests an example.
EXAMPLES = 10


@dataclass
class Walk:
    api: Api
    operations: list[Operation]
    values: Values


@pytest.fixture
async def walk(api_factory: AppFactory) -> Walk:
    api = await api_factory(**NO_LIMITS)
    document = (await api.client.get("/openapi.json")).json()
    admin = await api.admin()
    user = await api.bearer_for(USER_EMAIL)
    room_id = await api.room()
    booking = await api.client.post("/bookings", headers=user, json={
        "room_id": room_id, "date_from": "2031-05-01", "date_to": "2031-05-03"})
    sessions = await api.client.get("/auth/sessions", headers=user)
    users = await api.client.get("/admin/users", headers=admin)
    # Ids that exist, so that some requests get past "not found" to the rules behind it.
    ids = [room_id, booking.json()["id"], *(s["id"] for s in sessions.json()),
           *(u["id"] for u in users.json())]
    return Walk(api, operations(document),
                Values(document, ids=ids, email=USER_EMAIL, password=PASSWORD))


async def bearer(api: Api, email: str, password: str) -> dict[str, str]:
    """A fresh session each example: an earlier one may have logged the last one out."""
    response = await api.client.post("/auth/login", json={"email": email, "password": password})
    api.client.cookies.clear()
    if response.status_code != 200:  # deactivated by an earlier request of the walk
        return {}
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
async def test_no_request_to_any_operation_is_answered_with_a_5xx(
    walk: Walk, data: st.DataObject,
) -> None:
    api = walk.api
    credentials = {"admin": await bearer(api, ADMIN_EMAIL, ADMIN_PASSWORD),
                   "user": await bearer(api, USER_EMAIL, PASSWORD), "anonymous": {}}
    for operation in walk.operations:
        requests = data.draw(requests_for(operation, walk.values),
                             label=f"{operation.method} {operation.path}")
        who = data.draw(st.sampled_from(["admin", "admin", "user", "anonymous"]))
        for request in requests:
            arguments = request.send_arguments()
            arguments["headers"] = {**credentials[who], **arguments.get("headers", {})}

            response = await api.client.request(request.method, request.url, **arguments)
            api.client.cookies.clear()

            assert response.status_code < 500, _describe(request.method, request.url, arguments,
                                                          response)


def _describe(method: str, url: str, arguments: dict[str, object],
              response: httpx.Response) -> str:
    return f"{method} {url} {arguments!r} -> {response.status_code} {response.text[:200]}"
