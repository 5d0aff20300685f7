"""The audit trail over HTTP: an event per action with its client, pages for admins, no secrets."""

import logging
from datetime import timedelta

import pytest

from tests.api.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, Api, AppFactory

AGENT = {"User-Agent": "audit-test/1.0"}


async def audit(api: Api, admin: dict[str, str], query: str = "") -> dict[str, object]:
    response = await api.client.get(f"/admin/audit{query}", headers=admin)
    assert response.status_code == 200, response.text
    page: dict[str, object] = response.json()
    return page


async def admin_login(api: Api) -> dict[str, str]:
    """Log the admin in without registering first (which the register limit would count)."""
    response = await api.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    api.client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_each_action_is_audited_with_the_client_and_request_id(api: Api) -> None:
    # The clock moves between actions: events of one instant come in no particular order.
    registered = await api.client.post(
        "/auth/register", json={"email": "alice@example.com", "password": PASSWORD},
        headers=AGENT | {"X-Request-ID": "reg-1"})
    api.clock.advance(timedelta(seconds=1))
    await api.client.post("/auth/login", json={"email": "alice@example.com", "password": "nope"},
                          headers=AGENT)
    api.clock.advance(timedelta(seconds=1))
    token = (await api.login("alice@example.com")).json()["access_token"]
    api.client.cookies.clear()  # a bearer client: no cookie, so no CSRF token either
    api.clock.advance(timedelta(seconds=1))
    logout = await api.client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert logout.status_code == 200, logout.text
    api.clock.advance(timedelta(seconds=1))
    admin = await admin_login(api)
    await api.client.patch(f"/admin/users/{registered.json()['id']}", headers=admin,
                           json={"is_active": False})

    page = await audit(api, admin, f"?user_id={registered.json()['id']}")

    events = page["events"]
    assert isinstance(events, list)
    assert [e["type"] for e in reversed(events)] == [
        "register", "login_failed", "login_succeeded", "logout", "user_deactivated"]
    first = events[-1]
    assert (first["client_ip"], first["user_agent"], first["request_id"]) == (
        "127.0.0.1", "audit-test/1.0", "reg-1")
    assert events[0]["actor_id"] is not None
    assert page["next_cursor"] is None


async def test_throttling_is_audited(api_factory: AppFactory) -> None:
    api = await api_factory(register_limit_per_ip="1/hour")
    await api.register("a@example.com")
    await api.register("b@example.com")

    page = await audit(api, await admin_login(api), "?type=throttled")

    assert [(e["type"], e["detail"]) for e in page["events"]] == [  # type: ignore[attr-defined]
        ("throttled", "register_per_ip")]


async def test_pages_are_walked_with_the_cursor(api: Api) -> None:
    for number in range(5):
        await api.register(f"user{number}@example.com")
    admin = await api.admin()

    first = await audit(api, admin, "?type=register&limit=3")
    second = await audit(api, admin, f"?type=register&limit=3&cursor={first['next_cursor']}")

    ids = [e["id"] for e in first["events"] + second["events"]]  # type: ignore[operator]
    assert len(ids) == len(set(ids)) == 5
    assert second["next_cursor"] is None


@pytest.mark.parametrize("query", ["?cursor=not-a-cursor", "?limit=0", "?limit=1000",
                                   "?type=no_such_type", "?user_id=42"])
async def test_bad_queries_are_422(api: Api, query: str) -> None:
    response = await api.client.get(f"/admin/audit{query}", headers=await api.admin())

    assert response.status_code == 422


async def test_only_admins_read_the_trail(api: Api) -> None:
    anonymous = await api.client.get("/admin/audit")
    user = await api.client.get("/admin/audit", headers=await api.bearer_for("u@example.com"))

    assert (anonymous.status_code, user.status_code) == (401, 403)


async def test_no_password_hash_or_token_reaches_a_log_line_or_an_event(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await api.register("alice@example.com")
    await api.login("alice@example.com", "a wrong password 9")
    token = (await api.login("alice@example.com")).json()["access_token"]
    refresh_token, csrf_token = (api.client.cookies[name]
                                 for name in (api.cookie_names.refresh, api.cookie_names.csrf))
    logout = await api.client.post("/auth/logout", headers=api.csrf())  # the cookie client's way
    assert logout.status_code == 200, logout.text
    admin = await api.admin()
    trail = (await api.client.get("/admin/audit?limit=200", headers=admin)).text
    store = api.container.memory_store()
    hashes = [user.password_hash.value for user in store.users.values()]
    stored_events = repr(store.audit_events)

    assert '"type":"logout"' in caplog.text
    secrets = [PASSWORD, "a wrong password 9", ADMIN_PASSWORD, token, refresh_token, csrf_token,
               admin["Authorization"].removeprefix("Bearer "), *hashes]
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in trail
        assert secret not in stored_events
    assert '"type":"login_succeeded"' in caplog.text  # the audit lines were captured
