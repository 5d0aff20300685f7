"""Throttling over HTTP: per account and per IP, in memory or shared through Redis, and the
fall-back to memory when Redis goes away."""

import logging

import httpx
import pytest

from tests.api.conftest import PASSWORD, Api, AppFactory
from tests.redis_server import TcpProxy

WRONG = "not the password 1"


async def wrong_logins(api: Api, email: str, times: int) -> list[int]:
    return [(await api.login(email, WRONG)).status_code for _ in range(times)]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def storage(request: pytest.FixtureRequest) -> dict[str, str]:
    """Settings for each rate-limit storage."""
    if request.param == "memory":
        return {}
    return {"redis_url": request.getfixturevalue("redis_url"),
            "redis_key_prefix": request.getfixturevalue("redis_key_prefix")}


async def test_eleven_wrong_passwords_end_in_429_with_retry_after(
    api_factory: AppFactory, storage: dict[str, str]
) -> None:
    api = await api_factory(**storage)
    await api.register("alice@example.com")

    statuses = await wrong_logins(api, "alice@example.com", 11)
    response = await api.login("alice@example.com", WRONG)

    assert statuses == [401] * 10 + [429]
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many attempts; try again later"}
    assert 1 <= int(response.headers["retry-after"]) <= 15 * 60


async def test_a_lockout_answers_alike_for_the_right_password_and_an_unknown_email(
    api: Api,
) -> None:
    await api.register("alice@example.com")
    await wrong_logins(api, "alice@example.com", 10)
    await wrong_logins(api, "nobody@example.com", 10)

    right_password = await api.login("alice@example.com", PASSWORD)
    unknown = await api.login("nobody@example.com", PASSWORD)
    form = await api.client.post("/auth/token",
                                 data={"username": "alice@example.com", "password": PASSWORD})

    assert right_password.status_code == unknown.status_code == form.status_code == 429
    assert right_password.content == unknown.content == form.content
    assert "set-cookie" not in right_password.headers


async def test_a_success_clears_the_accounts_count(api: Api) -> None:
    await api.register("alice@example.com")
    await wrong_logins(api, "alice@example.com", 9)
    assert (await api.login("alice@example.com")).status_code == 200

    assert await wrong_logins(api, "alice@example.com", 10) == [401] * 10


async def test_one_address_is_limited_across_accounts(api_factory: AppFactory) -> None:
    api = await api_factory(login_limit_per_ip="3/minute")

    statuses = [(await api.login(f"user{n}@example.com", WRONG)).status_code for n in range(4)]

    assert statuses == [401, 401, 401, 429]


async def test_registrations_are_limited_per_address(api_factory: AppFactory) -> None:
    api = await api_factory(register_limit_per_ip="3/hour")

    invalid = await api.client.post("/auth/register", json={"email": 1})
    statuses = [(await api.register(f"user{n}@example.com")).status_code for n in range(3)]

    assert invalid.status_code == 422
    assert statuses == [201, 201, 429]
    assert "retry-after" in (await api.register("late@example.com")).headers


@pytest.mark.parametrize(("trusted", "expected"), [
    ("127.0.0.1", [401, 401, 401]),  # each forwarded address has its own count
    ("", [401, 401, 429]),           # untrusted: the header is ignored, the peer counts
])
async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    api_factory: AppFactory, trusted: str, expected: list[int]
) -> None:
    api = await api_factory(login_limit_per_ip="2/minute", trusted_proxies=trusted)

    statuses = [(await api.client.post(
        "/auth/login", json={"email": f"u{n}@example.com", "password": WRONG},
        headers={"X-Forwarded-For": f"198.51.100.{n}"})).status_code for n in range(3)]

    assert statuses == expected


@pytest.mark.redis
async def test_two_instances_on_one_redis_share_the_count(
    api_factory: AppFactory, redis_url: str, redis_key_prefix: str
) -> None:
    first = await api_factory(redis_url=redis_url, redis_key_prefix=redis_key_prefix)
    second = await api_factory(redis_url=redis_url, redis_key_prefix=redis_key_prefix)

    statuses = (await wrong_logins(first, "alice@example.com", 5)
                + await wrong_logins(second, "alice@example.com", 5)
                + await wrong_logins(first, "alice@example.com", 1))

    assert statuses == [401] * 10 + [429]


async def test_an_unreachable_redis_falls_back_to_memory_without_a_500(
    api_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    api = await api_factory(redis_url="redis://127.0.0.1:9/0")

    statuses = await wrong_logins(api, "alice@example.com", 11)

    assert statuses == [401] * 10 + [429]
    outage_lines = [r for r in caplog.records
                    if r.name == "roomkey.throttle" and r.levelno >= logging.ERROR]
    assert len(outage_lines) == 1


@pytest.mark.redis
async def test_redis_lost_mid_test_falls_back_without_a_500(
    api_factory: AppFactory, redis_proxy_url: tuple[str, TcpProxy], redis_key_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, proxy = redis_proxy_url
    api = await api_factory(redis_url=url, redis_key_prefix=redis_key_prefix)
    before = await wrong_logins(api, "alice@example.com", 6)

    await proxy.cut()
    after = await wrong_logins(api, "alice@example.com", 11)

    assert before == [401] * 6
    # The in-process count starts afresh: ten more failures, then the limit.
    assert after == [401] * 10 + [429]
    assert sum(r.name == "roomkey.throttle" and r.levelno >= logging.ERROR
               for r in caplog.records) == 1


async def test_the_health_check_is_not_throttled(api_factory: AppFactory) -> None:
    api = await api_factory(login_limit_per_ip="1/minute")
    await api.login("a@example.com", WRONG)

    responses: list[httpx.Response] = [await api.client.get("/health") for _ in range(3)]

    assert {r.status_code for r in responses} == {200}
