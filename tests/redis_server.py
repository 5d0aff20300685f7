"""Pytest fixtures: the Redis server of ROOMKEY_TEST_REDIS_URL, a key prefix per test, a proxy."""

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest
import redis

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


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server until cut(): then every connection breaks and new
    ones are refused, as when Redis goes away, without touching the real server."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers |= {writer, upstream_writer}
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@pytest.fixture
async def redis_proxy_url(redis_url: str) -> AsyncIterator[tuple[str, TcpProxy]]:
    """A URL to the test Redis through a proxy the test can cut."""
    parsed = redis.connection.parse_url(redis_url)
    proxy = TcpProxy(parsed.get("host", "127.0.0.1"), int(parsed.get("port", 6379)))
    port = await proxy.start()
    yield f"redis://127.0.0.1:{port}/{parsed.get('db', 0)}", proxy
    await proxy.cut()
