"""The edge of the app: allowed hosts, no redirect built from Host, request ids a client may
set, Retry-After on 503s, and the prefixed cookie names of Secure cookies."""

import httpx
import pytest

from infrastructure.settings import ConfigurationError, Settings
from interfaces.http.app import build_container, create_app
from interfaces.http.cookies import PLAIN_COOKIE_NAMES, SECURE_COOKIE_NAMES
from interfaces.http.request_id import end_request, start_request
from tests.api.conftest import SECRET, Api, AppFactory, set_cookie
from tests.production import PRODUCTION_ESSENTIALS


async def test_a_host_not_allowed_is_400(api_factory: AppFactory) -> None:
    api = await api_factory(allowed_hosts="api.example.com, [2001:db8::1]")

    evil = await api.client.get("/rooms", headers={"Host": "evil.example"})
    allowed = await api.client.get("/rooms", headers={"Host": "API.example.com:8443"})
    by_address = await api.client.get("/rooms", headers={"Host": "[2001:db8::1]:8000"})

    assert evil.status_code == 400
    assert evil.json() == {"detail": "Invalid Host header"}
    assert evil.headers["x-request-id"] and evil.headers["x-content-type-options"] == "nosniff"
    assert (allowed.status_code, by_address.status_code) == (200, 200)


async def test_any_host_is_answered_in_development_by_default(api: Api) -> None:
    response = await api.client.get("/rooms", headers={"Host": "whatever.example"})

    assert response.status_code == 200


async def test_no_redirect_is_built_from_the_host_header(api: Api) -> None:
    # The reproduction: a 307 to http://evil.example/rooms.
    response = await api.client.get("/rooms/", headers={"Host": "evil.example"})

    assert response.status_code == 404
    assert "location" not in response.headers


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    settings = Settings(env="production", secret_key=SECRET, database_url="memory://",
                        **PRODUCTION_ESSENTIALS)  # type: ignore[arg-type]

    with pytest.raises(ConfigurationError, match="ROOMKEY_ALLOWED_HOSTS is not set"):
        create_app(build_container(settings))


async def test_a_long_or_odd_request_id_is_replaced(api: Api) -> None:
    longest = "r" * 64
    kept = await api.client.get("/health", headers={"X-Request-ID": longest})
    too_long = await api.client.get("/health", headers={"X-Request-ID": "r" * 65})
    odd = await api.client.get("/health", headers={"X-Request-ID": "id<script>"})

    assert kept.headers["x-request-id"] == longest
    assert too_long.headers["x-request-id"] != "r" * 65
    assert odd.headers["x-request-id"] != "id<script>"


def test_a_trailing_newline_does_not_pass_for_a_safe_request_id() -> None:
    request_id, token = start_request(b"abc\n")
    end_request(token)

    assert request_id != "abc\n" and len(request_id) == 32


@pytest.mark.parametrize(("proxies", "kept"), [("10.0.0.0/8", False), ("127.0.0.1", True)])
async def test_behind_proxies_only_they_may_set_the_request_id(
    api_factory: AppFactory, proxies: str, kept: bool
) -> None:
    # httpx's in-process transport calls from 127.0.0.1.
    api = await api_factory(trusted_proxies=proxies)

    response = await api.client.get("/health", headers={"X-Request-ID": "from-a-client"})

    assert (response.headers["x-request-id"] == "from-a-client") is kept


async def test_every_503_carries_retry_after() -> None:
    settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
                        secret_key=SECRET, demo_rooms=False)
    transport = httpx.ASGITransport(app=create_app(build_container(settings)))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        health = await client.get("/health")
        rooms = await client.get("/rooms")

    assert (health.status_code, rooms.status_code) == (503, 503)
    assert health.headers["retry-after"] == rooms.headers["retry-after"] == "5"


async def test_secure_cookies_carry_host_and_secure_prefixes(api: Api) -> None:
    await api.register("hana@example.com")

    response = await api.login("hana@example.com")

    access = set_cookie(response, "__Host-access_token").lower()
    csrf = set_cookie(response, "__Host-csrf_token").lower()
    refresh = set_cookie(response, "__Secure-refresh_token").lower()
    for host_only in (access, csrf):
        assert "secure" in host_only and "path=/;" in host_only and "domain" not in host_only
    assert "secure" in refresh and "path=/auth" in refresh
    assert api.cookie_names == SECURE_COOKIE_NAMES
    # The prefixed cookies authenticate, and the CSRF check reads the prefixed name.
    assert (await api.client.get("/users/me")).status_code == 200
    assert (await api.client.post("/auth/refresh")).status_code == 403
    assert (await api.client.post("/auth/refresh", headers=api.csrf())).status_code == 200


async def test_plain_cookies_keep_their_names(api_factory: AppFactory) -> None:
    api = await api_factory(cookie_secure=False)
    await api.register("ivo@example.com")

    response = await api.login("ivo@example.com")

    names = [header.split("=")[0] for header in response.headers.get_list("set-cookie")]
    assert sorted(names) == ["access_token", "csrf_token", "refresh_token"]
    assert api.cookie_names == PLAIN_COOKIE_NAMES
    assert (await api.client.post("/auth/refresh", headers=api.csrf())).status_code == 200


@pytest.mark.parametrize(("env", "names"), [("production", SECURE_COOKIE_NAMES),
                                             ("development", PLAIN_COOKIE_NAMES)])
def test_production_uses_the_prefixed_names_and_development_the_plain_ones(
    env: str, names: object
) -> None:
    settings = Settings(env=env, secret_key=SECRET, database_url="memory://",  # type: ignore[arg-type]
                        allowed_hosts="api.example.com",  # type: ignore[arg-type]
                        **PRODUCTION_ESSENTIALS)  # type: ignore[arg-type]

    assert create_app(build_container(settings)).state.cookie_names == names
