"""Pytest fixtures: the Redis server of ROOMKEY_TEST_REDIS_URL, a key prefix per test, a proxy."""

import os
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest
import redis

from tests.tcp_proxy import TcpProxy

REDIS_URL_VARIABLE = "ROOMKEY_TEST_REDIS_URL"
REQUIRE_REDIS_VARIABLE = "ROOMKEY_TEST_REQUIRE_REDIS"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The server from ROOMKEY_TEST_REDIS_URL, checked once; skips (or fails) without it."""
    url = os.environ.get(REDIS_URL_VARIABLE, "")
    if not url:
        _redis_unavailable("<unset>")
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2) as client:
            client.ping()
    except redis.RedisError:
        _redis_unavailable(url)
    return url


def _redis_unavailable(where: str) -> None:
    reason = f"Redis not reachable at {where}: set {REDIS_URL_VARIABLE}"
    # CI sets the variable so that a broken Redis service fails loudly instead of skipping.
    if os.environ.get(REQUIRE_REDIS_VARIABLE) == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def redis_key_prefix(redis_url: str) -> Iterator[str]:
    """A prefix no other test uses; its keys are deleted afterwards."""
    prefix = f"roomkey-test-{secrets.token_hex(6)}"
    yield prefix
    with redis.Redis.from_url(redis_url) as client:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
async def redis_proxy_url(redis_url: str) -> AsyncIterator[tuple[str, TcpProxy]]:
    """A URL to the test Redis through a proxy the test can cut."""
    parsed = redis.connection.parse_url(redis_url)
    proxy = TcpProxy(parsed.get("host", "127.0.0.1"), int(parsed.get("port", 6379)))
    port = await proxy.start()
    yield f"redis://127.0.0.1:{port}/{parsed.get('db', 0)}", proxy
    await proxy.cut()
