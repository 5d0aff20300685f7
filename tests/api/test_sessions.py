"""Sessions over HTTP: refresh rotation, reuse detection, logout everywhere, password change."""

import asyncio
from datetime import timedelta

import pytest

from tests.api.conftest import PASSWORD, Api, set_cookie


@pytest.fixture
def jwt_library(both_jwt_libraries: str) -> str:
    """Every test here runs with python-jose and with PyJWT."""
    return both_jwt_libraries


NEW_PASSWORD = "a brand new passphrase"


async def _cookie_login(api: Api, email: str) -> dict[str, str]:
    await api.register(email)
    response = await api.login(email)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _refresh_with_cookie(api: Api) -> int:
    return (await api.client.post("/auth/refresh", headers=api.csrf())).status_code


async def _bearer_pair(api: Api, email: str) -> dict[str, str]:
    await api.register(email)
    response = await api.client.post("/auth/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    pair: dict[str, str] = response.json()
    return pair


async def test_login_sets_refresh_and_csrf_cookies_and_keeps_the_refresh_token_out_of_the_body(
    api: Api,
) -> None:
    await api.register("ann@example.com")

    response = await api.login("ann@example.com")

    refresh = set_cookie(response, api.cookie_names.refresh).lower()
    csrf = set_cookie(response, api.cookie_names.csrf).lower()
    for attribute in ("httponly", "samesite=strict", "path=/auth", "secure", "max-age=2592000"):
        assert attribute in refresh
    assert "httponly" not in csrf and "path=/;" in csrf
    assert "refresh_token" not in response.json()


async def test_refresh_rotates_both_tokens(api: Api) -> None:
    await _cookie_login(api, "bob@example.com")
    old_refresh = api.client.cookies.get(api.cookie_names.refresh)

    response = await api.client.post("/auth/refresh", headers=api.csrf())

    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "token_type", "expires_in"}
    assert api.client.cookies.get(api.cookie_names.refresh) != old_refresh
    assert (await api.client.get("/users/me")).status_code == 200
    assert response.headers["cache-control"] == "no-store"


async def test_replaying_a_rotated_out_refresh_token_kills_the_whole_session(api: Api) -> None:
    access = await _cookie_login(api, "cat@example.com")
    stolen = api.client.cookies.get(api.cookie_names.refresh)
    assert await _refresh_with_cookie(api) == 200
    successor = api.client.cookies.get(api.cookie_names.refresh)

    replay = await api.client.post("/auth/refresh", json={"refresh_token": stolen})
    successor_try = await api.client.post("/auth/refresh", json={"refresh_token": successor})

    assert replay.status_code == 401
    assert replay.json() == {"detail": "Not authenticated"}
    assert successor_try.status_code == 401
    assert (await api.client.get("/users/me", headers=access)).status_code == 401


async def test_bearer_clients_get_and_refresh_the_pair_in_the_body(api: Api) -> None:
    pair = await _bearer_pair(api, "dan@example.com")

    response = await api.client.post("/auth/refresh",
                                      json={"refresh_token": pair["refresh_token"]})

    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    renewed = response.json()
    assert renewed["refresh_token"] != pair["refresh_token"]
    assert renewed["refresh_expires_in"] == 30 * 24 * 3600
    me = await api.client.get("/users/me",
                              headers={"Authorization": f"Bearer {renewed['access_token']}"})
    assert me.status_code == 200


async def test_tokens_are_not_interchangeable(api: Api) -> None:
    pair = await _bearer_pair(api, "eve@example.com")

    access_as_refresh = await api.client.post("/auth/refresh",
                                              json={"refresh_token": pair["access_token"]})
    refresh_as_access = await api.client.get(
        "/users/me", headers={"Authorization": f"Bearer {pair['refresh_token']}"})

    assert access_as_refresh.status_code == 401
    assert refresh_as_access.status_code == 401


async def test_refresh_without_any_token_is_401(api: Api) -> None:
    assert (await api.client.post("/auth/refresh")).status_code == 401


async def test_the_absolute_session_expiry_holds_however_often_it_is_refreshed(api: Api) -> None:
    await _cookie_login(api, "fay@example.com")
    for _ in range(3):
        api.clock.advance(timedelta(days=9, hours=23))
        assert await _refresh_with_cookie(api) == 200

    api.clock.advance(timedelta(days=1))

    assert await _refresh_with_cookie(api) == 401
    assert (await api.client.get("/users/me")).status_code == 401


async def test_logout_stops_the_access_and_refresh_tokens_at_once(api: Api) -> None:
    access = await _cookie_login(api, "gus@example.com")
    refresh = api.client.cookies.get(api.cookie_names.refresh)

    await api.client.post("/auth/logout", headers=api.csrf())

    assert (await api.client.get("/users/me", headers=access)).status_code == 401
    assert (await api.client.post("/auth/refresh",
                                  json={"refresh_token": refresh})).status_code == 401


async def test_logout_all_ends_every_session_of_the_user(api: Api) -> None:
    laptop = await api.bearer_for("hal@example.com")
    phone = await api.bearer_for("hal@example.com")

    response = await api.client.post("/auth/logout-all", headers=laptop)

    assert response.status_code == 200
    assert (await api.client.get("/users/me", headers=laptop)).status_code == 401
    assert (await api.client.get("/users/me", headers=phone)).status_code == 401


async def test_list_and_revoke_own_sessions(api: Api) -> None:
    laptop = await api.bearer_for("ida@example.com")
    phone = await api.bearer_for("ida@example.com")

    listed = (await api.client.get("/auth/sessions", headers=laptop)).json()
    other = next(session for session in listed if not session["current"])
    revoked = await api.client.delete(f"/auth/sessions/{other['id']}", headers=laptop)

    assert len(listed) == 2
    assert [session["current"] for session in listed].count(True) == 1
    assert "python-httpx" in listed[0]["description"]
    assert revoked.status_code == 204
    assert (await api.client.get("/users/me", headers=phone)).status_code == 401
    assert (await api.client.get("/users/me", headers=laptop)).status_code == 200
    assert len((await api.client.get("/auth/sessions", headers=laptop)).json()) == 1


async def test_someone_elses_session_is_404(api: Api) -> None:
    ida = await api.bearer_for("ida@example.com")
    jon = await api.bearer_for("jon@example.com")
    jons_session = (await api.client.get("/auth/sessions", headers=jon)).json()[0]["id"]

    response = await api.client.delete(f"/auth/sessions/{jons_session}", headers=ida)

    assert response.status_code == 404
    assert response.json() == {"detail": "Session not found"}
    assert (await api.client.get("/users/me", headers=jon)).status_code == 200


async def test_password_change_keeps_this_session_and_ends_the_others(api: Api) -> None:
    here = await api.bearer_for("kay@example.com")
    elsewhere = await api.bearer_for("kay@example.com")

    response = await api.client.post("/auth/change-password", headers=here, json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 200
    assert (await api.client.get("/users/me", headers=here)).status_code == 200
    assert (await api.client.get("/users/me", headers=elsewhere)).status_code == 401
    assert (await api.login("kay@example.com", PASSWORD)).status_code == 401
    assert (await api.login("kay@example.com", NEW_PASSWORD)).status_code == 200


async def test_password_change_needs_the_current_password_and_a_valid_new_one(api: Api) -> None:
    headers = await api.bearer_for("lou@example.com")

    wrong = await api.client.post("/auth/change-password", headers=headers, json={
        "current_password": "not my password", "new_password": NEW_PASSWORD})
    weak = await api.client.post("/auth/change-password", headers=headers, json={
        "current_password": PASSWORD, "new_password": "short"})

    assert wrong.status_code == 403
    assert wrong.json() == {"detail": "The current password is incorrect"}
    assert weak.status_code == 422
    assert "short" not in weak.text
    assert (await api.login("lou@example.com", PASSWORD)).status_code == 200


async def test_role_changes_take_effect_on_the_next_request(api: Api) -> None:
    headers = await api.bearer_for("max@example.com")
    max_id = (await api.client.get("/users/me", headers=headers)).json()["id"]
    admin = await api.admin()
    room = {"name": "Attic", "description": "", "price": 5, "quantity": 1}

    await api.client.patch(f"/admin/users/{max_id}", json={"role": "admin"}, headers=admin)
    promoted = await api.client.post("/rooms", json=room, headers=headers)
    await api.client.patch(f"/admin/users/{max_id}", json={"role": "user"}, headers=admin)
    demoted = await api.client.post("/rooms", json=room, headers=headers)

    assert promoted.status_code == 201
    assert demoted.status_code == 403


async def test_parallel_refreshes_with_one_token_let_exactly_one_through(api: Api) -> None:
    pair = await _bearer_pair(api, "ned@example.com")

    responses = await asyncio.gather(*(
        api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        for _ in range(10)))

    assert sorted(response.status_code for response in responses) == [200] + [401] * 9
