"""The session actions in the audit trail over HTTP, on every backend: refresh, refresh-token
reuse, password change and role change each leave an event an admin reads at GET /admin/audit,
and no token, password or hash ever reaches it. Refreshing is throttled per address."""

from datetime import timedelta

from tests.api.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, Api, AppFactory

NEW_PASSWORD = "a new and longer passphrase"
AGENT = {"User-Agent": "session-audit-test/1.0"}


async def signed_up(api: Api, email: str) -> str:
    """Register and log in as a cookie client (the client keeps the session cookies); the user's
    id. The clock moves after each step: events of one instant come in no particular order."""
    assert (await api.register(email)).status_code == 201
    api.clock.advance(timedelta(seconds=1))
    response = await api.login(email)
    assert response.status_code == 200, response.text
    api.clock.advance(timedelta(seconds=1))
    return await user_id(api)


async def user_id(api: Api, headers: dict[str, str] | None = None) -> str:
    me = await api.client.get("/users/me", headers=headers)
    assert me.status_code == 200, me.text
    found: str = me.json()["id"]
    return found


async def trail(api: Api, query: str) -> tuple[list[dict[str, object]], str]:
    """Read the trail as the admin: its events, newest first, and the whole response text for
    the scan for secrets. The admin logs in by the OAuth2 form, which sets no cookie, so the
    client keeps the cookies of the user under test (a bearer header wins over them)."""
    login = await api.client.post("/auth/token",
                                  data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert login.status_code == 200, login.text
    pair = login.json()
    response = await api.client.get(f"/admin/audit?limit=200&{query}",
                                    headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert response.status_code == 200, response.text
    for token in (pair["access_token"], pair["refresh_token"]):
        assert token not in response.text
    events: list[dict[str, object]] = response.json()["events"]
    assert response.json()["next_cursor"] is None
    return events, response.text


async def assert_no_secrets(api: Api, text: str, *secrets: str | None) -> None:
    """Neither the given secrets nor any stored password hash appear in `text`."""
    async with api.container.uow() as uow:
        hashes = [user.password_hash.value for user in await uow.users.list()]
    known = [PASSWORD, NEW_PASSWORD, ADMIN_PASSWORD, *hashes, *secrets]
    for secret in known:
        assert secret, "a secret to look for is missing"
        assert secret not in text
    assert "$argon2" not in text


def cookie_secrets(api: Api) -> list[str | None]:
    names = api.cookie_names
    return [api.client.cookies.get(name) for name in (names.access, names.refresh, names.csrf)]


async def test_a_refresh_is_audited_without_its_tokens(api: Api) -> None:
    ada = await signed_up(api, "ada@example.com")
    before = cookie_secrets(api)

    refreshed = await api.client.post("/auth/refresh", headers=api.csrf() | AGENT)

    assert refreshed.status_code == 200, refreshed.text
    events, text = await trail(api, f"user_id={ada}")
    assert [e["type"] for e in reversed(events)] == ["register", "login_succeeded", "refresh"]
    assert (events[0]["user_agent"], events[0]["actor_id"]) == (AGENT["User-Agent"], None)
    await assert_no_secrets(api, text, *before, *cookie_secrets(api),
                            refreshed.json()["access_token"])


async def test_a_reused_refresh_token_is_audited_without_it(api: Api) -> None:
    ada = await signed_up(api, "ada@example.com")
    stolen = api.client.cookies.get(api.cookie_names.refresh)
    assert (await api.client.post("/auth/refresh", headers=api.csrf())).status_code == 200
    successor = api.client.cookies.get(api.cookie_names.refresh)
    api.clock.advance(timedelta(seconds=1))

    replay = await api.client.post("/auth/refresh", json={"refresh_token": stolen})

    assert replay.status_code == 401
    events, text = await trail(api, f"user_id={ada}")
    assert [e["type"] for e in reversed(events)] == [
        "register", "login_succeeded", "refresh", "refresh_reuse"]
    reuse, _ = await trail(api, "type=refresh_reuse")
    assert [e["user_id"] for e in reuse] == [ada]
    await assert_no_secrets(api, text, stolen, successor)


async def test_a_password_change_is_audited_without_either_password(api: Api) -> None:
    ada = await signed_up(api, "ada@example.com")
    secrets_before = cookie_secrets(api)

    changed = await api.client.post(
        "/auth/change-password", headers=api.csrf(),
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert changed.status_code == 200, changed.text
    events, text = await trail(api, f"user_id={ada}")
    assert [e["type"] for e in reversed(events)] == [
        "register", "login_succeeded", "password_change"]
    assert events[0]["actor_id"] is None
    await assert_no_secrets(api, text, *secrets_before)


async def test_a_refused_password_change_is_not_audited(api: Api) -> None:
    ada = await signed_up(api, "ada@example.com")

    refused = await api.client.post(
        "/auth/change-password", headers=api.csrf(),
        json={"current_password": "not the password 1", "new_password": NEW_PASSWORD})

    assert refused.status_code == 403, refused.text
    events, _ = await trail(api, f"user_id={ada}&type=password_change")
    assert events == []


async def test_a_role_change_is_audited_naming_the_admin(api: Api) -> None:
    ada_headers = await api.bearer_for("ada@example.com")
    ada = await user_id(api, ada_headers)
    admin = await api.admin()
    admin_id = await user_id(api, admin)
    api.clock.advance(timedelta(seconds=1))

    promoted = await api.client.patch(f"/admin/users/{ada}", headers=admin,
                                      json={"role": "admin"})
    again = await api.client.patch(f"/admin/users/{ada}", headers=admin, json={"role": "admin"})

    assert (promoted.status_code, again.status_code) == (200, 200)
    events, text = await trail(api, f"user_id={ada}&type=role_change")
    # One event: the second request changed nothing.
    assert [(e["actor_id"], e["detail"]) for e in events] == [(admin_id, "user -> admin")]
    await assert_no_secrets(api, text, ada_headers["Authorization"].removeprefix("Bearer "),
                            admin["Authorization"].removeprefix("Bearer "))


async def test_refresh_is_throttled_per_address_with_retry_after(
    api_factory: AppFactory,
) -> None:
    api = await api_factory(refresh_limit_per_ip="2/minute")
    await signed_up(api, "ada@example.com")

    statuses = [(await api.client.post("/auth/refresh", headers=api.csrf())).status_code
                for _ in range(2)]
    # Over the limit, even a valid refresh token (and a bearer client's body) is refused.
    cookie = await api.client.post("/auth/refresh", headers=api.csrf())
    body = await api.client.post("/auth/refresh", json={"refresh_token": "anything"})

    assert statuses == [200, 200]
    for response in (cookie, body):
        assert response.status_code == 429, response.text
        assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "set-cookie" not in cookie.headers
    events, _ = await trail(api, "type=throttled")
    assert {(e["detail"], e["client_ip"]) for e in events} == {("refresh_per_ip", "127.0.0.1")}
    # The refused request did not spend the refresh token: elsewhere (another instance, its own
    # in-memory counts, the same data) it still works, once.
    other = await api_factory()
    later = await other.client.post(
        "/auth/refresh", json={"refresh_token": api.client.cookies.get(api.cookie_names.refresh)})
    assert later.status_code == 200, later.text
