"""CSRF: cookie-authenticated writes need the double-submit header; JSON endpoints want JSON."""

import re

import pytest

from interfaces.http.app import create_app
from tests.api.conftest import Api

BOOKING = {"room_id": "00000000-0000-4000-8000-000000000000",
           "date_from": "2030-02-01", "date_to": "2030-02-03"}


async def _logged_in_with_cookies(api: Api) -> None:
    await api.register("csrf@example.com")
    assert (await api.login("csrf@example.com")).status_code == 200


@pytest.mark.parametrize("header", [None, "", "wrong-token"])
async def test_cookie_writes_without_the_matching_header_are_403(
    api: Api, header: str | None
) -> None:
    await _logged_in_with_cookies(api)
    headers = {} if header is None else {"X-CSRF-Token": header}

    booking = await api.client.post("/bookings", json=BOOKING, headers=headers)
    refresh = await api.client.post("/auth/refresh", headers=headers)
    logout = await api.client.post("/auth/logout", headers=headers)

    for response in (booking, refresh, logout):
        assert response.status_code == 403
        assert response.json() == {"detail": "CSRF token missing or invalid"}
    assert (await api.client.get("/users/me")).status_code == 200


async def test_cookie_reads_need_no_csrf_header(api: Api) -> None:
    await _logged_in_with_cookies(api)

    assert (await api.client.get("/bookings")).status_code == 200


async def test_cookie_writes_with_the_matching_header_pass(api: Api) -> None:
    await _logged_in_with_cookies(api)

    response = await api.client.post("/bookings", json=BOOKING, headers=api.csrf())

    assert response.status_code == 404  # past the CSRF check: the room does not exist


async def test_bearer_requests_are_exempt(api: Api) -> None:
    headers = await api.bearer_for("bearer@example.com")

    response = await api.client.post("/bookings", json=BOOKING, headers=headers)

    assert response.status_code == 404


async def test_a_text_plain_form_post_cannot_smuggle_json(api: Api) -> None:
    headers = await api.bearer_for("plain@example.com")
    body = b'{"email": "x@example.com", "password": "correct horse battery"}'

    register = await api.client.post("/auth/register", content=body,
                                     headers={"Content-Type": "text/plain"})
    booking = await api.client.post("/bookings", content=b"{}",
                                    headers={**headers, "Content-Type": "text/plain"})

    assert register.status_code == 415
    assert booking.status_code == 415
    assert register.json() == {"detail": "Content-Type must be application/json"}


async def test_every_route_that_takes_a_body_wants_json(api: Api) -> None:
    # Only the OAuth2 password form (Swagger's Authorize) takes a form body, by its standard.
    form_routes = {"/auth/token"}
    paths = create_app(api.container).openapi()["paths"]
    unsafe = [(method.upper(), path) for path, operations in paths.items()
              if path not in form_routes
              for method in operations if method in ("post", "put", "patch", "delete")]
    assert len(unsafe) >= 10

    for method, path in unsafe:
        concrete = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)
        response = await api.client.request(method, concrete, content=b"{}",
                                            headers={"Content-Type": "text/plain"})
        assert response.status_code == 415, (method, path)
