"""Liveness and readiness: the database, its schema and Redis, each named when it fails."""

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy import make_url

from infrastructure.persistence.database import alembic_config, run_migrations
from infrastructure.persistence.schema import code_heads
from infrastructure.settings import Settings
from interfaces.http.app import build_container, create_app
from tests.api.conftest import SECRET
from tests.databases import sqlite_url_for
from tests.tcp_proxy import TcpProxy

ClientFor = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def client_for() -> AsyncIterator[ClientFor]:
    """Makes clients of apps (lifespan started) with these settings; closes them afterwards."""
    opened: list[tuple[httpx.AsyncClient, AbstractAsyncContextManager[None]]] = []

    async def make(**settings: object) -> httpx.AsyncClient:
        options = {"secret_key": SECRET, "demo_rooms": False} | settings
        app = create_app(build_container(Settings(**options)))  # type: ignore[arg-type]
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="https://testserver")
        opened.append((client, lifespan))
        return client

    yield make
    for client, lifespan in reversed(opened):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


def _migrated_to(path: Path, revision: str) -> str:
    url = sqlite_url_for(path)
    command.upgrade(alembic_config(url), revision)
    return url


async def test_live_is_200_whatever_the_database(client_for: ClientFor) -> None:
    client = await client_for(database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none")

    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/health/ready", "/health"])
async def test_ready_is_200_with_every_check_ok(client_for: ClientFor, sqlite_url: str,
                                                path: str) -> None:
    client = await client_for(database_url=sqlite_url)

    response = await client.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "schema": "ok"}}


@pytest.mark.parametrize(("revision", "state"), [(None, "empty"), ("0003", "behind")])
async def test_ready_is_503_naming_a_schema_that_is_not_at_head(
    client_for: ClientFor, tmp_path: Path, revision: str | None, state: str
) -> None:
    url = _migrated_to(tmp_path / "db.sqlite", revision) if revision else sqlite_url_for(
        tmp_path / "db.sqlite")
    client = await client_for(database_url=url)

    response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable",
                               "checks": {"database": "ok", "schema": state}}
    assert response.headers["retry-after"].isdigit()
    # Migrated while the instance runs: the next probe sees it, without a restart.
    run_migrations(url)
    assert (await client.get("/health/ready")).status_code == 200


async def test_ready_is_503_for_a_schema_ahead_of_the_code(
    client_for: ClientFor, sqlite_url: str
) -> None:
    with sqlite3.connect(make_url(sqlite_url).database or "") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    client = await client_for(database_url=sqlite_url)

    response = await client.get("/health")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "schema": "ahead"}
    assert code_heads() != ("9999_from_the_future",)


async def test_ready_is_503_when_the_database_does_not_answer(client_for: ClientFor) -> None:
    url = "postgresql+asyncpg://operator:hunter2-secret@127.0.0.1:9/roomkey"
    client = await client_for(database_url=url, db_timeout=1)

    response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable",
                               "checks": {"database": "unavailable", "schema": "unknown"}}
    assert "hunter2" not in response.text and "127.0.0.1" not in response.text


@pytest.mark.redis
async def test_ready_checks_redis_when_configured(
    client_for: ClientFor, sqlite_url: str, redis_proxy_url: tuple[str, TcpProxy],
    redis_key_prefix: str,
) -> None:
    url, proxy = redis_proxy_url
    client = await client_for(database_url=sqlite_url, redis_url=url,
                              redis_key_prefix=redis_key_prefix)

    answering = await client.get("/health/ready")
    await proxy.cut()
    cut = await client.get("/health/ready")

    assert answering.status_code == 200
    assert answering.json()["checks"] == {"database": "ok", "schema": "ok", "redis": "ok"}
    assert cut.status_code == 503
    assert cut.json()["checks"] == {"database": "ok", "schema": "ok", "redis": "unavailable"}
    assert "127.0.0.1" not in cut.text
