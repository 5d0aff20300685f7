"""PostgreSQL unreachable mid-load (a proxy the test cuts): 503s within ROOMKEY_DB_TIMEOUT, never
a 500 or a hang; readiness says so; and when the proxy is back, Roomkey recovers by itself with
everything committed before the outage still there."""

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import make_url

from application.errors import StorageUnavailable
from infrastructure.hashing import PasslibPasswordHasher
from infrastructure.settings import Settings
from interfaces.http.app import build_container, create_app
from tests.api.conftest import PASSWORD, SECRET
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

TIMEOUT = 1.0
# A request may meet the outage at each of its steps (a pooled connection found dead, then a
# new connection refused); each step is bounded by the timeout.
BOUND = 3 * TIMEOUT
CLIENTS = 6


@pytest.fixture
async def proxied(postgres_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, TcpProxy]]:
    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    port = await proxy.start()
    settings = Settings(database_url=url.set(host="127.0.0.1", port=port)
                        .render_as_string(hide_password=False),
                        secret_key=SECRET, demo_rooms=False, db_timeout=TIMEOUT,
                        login_limit_per_account="1000/minute", login_limit_per_ip="1000/minute")
    container = build_container(settings)
    container.hasher.override(PasslibPasswordHasher(argon2_memory_cost=8, argon2_time_cost=1))
    app = create_app(container)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://testserver") as client:
        yield client, proxy
    await proxy.cut()


async def _load(client: httpx.AsyncClient, headers: dict[str, str], stop: asyncio.Event,
                answers: list[tuple[int, float, str]]) -> None:
    """Reads and logins, one after another, until told to stop."""
    while not stop.is_set():
        for request in (client.get("/bookings", headers=headers),
                        client.post("/auth/login", json={"email": "o@example.com",
                                                         "password": PASSWORD})):
            started = time.monotonic()
            response = await request
            answers.append((response.status_code, time.monotonic() - started,
                            response.headers.get("retry-after", "")))
            if response.status_code == 503:
                assert response.json() == {"detail": StorageUnavailable.message}


@pytest.mark.parametrize("outage", ["cut", "stall"])
async def test_an_outage_is_503_within_the_timeout_and_recovers_without_a_restart(
    proxied: tuple[httpx.AsyncClient, TcpProxy], outage: str
) -> None:
    """cut: connections reset and refused (the server is down); stall: packets go nowhere
    (a network partition), so that only Roomkey's timeouts can end the waits."""
    client, proxy = proxied
    assert (await client.post("/auth/register", json={"email": "o@example.com",
                                                      "password": PASSWORD})).status_code == 201
    login = await client.post("/auth/login", json={"email": "o@example.com", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    client.cookies.clear()
    before = (await client.get("/users/me", headers=headers)).json()

    answers: list[tuple[int, float, str]] = []
    stop = asyncio.Event()
    load = [asyncio.create_task(_load(client, headers, stop, answers)) for _ in range(CLIENTS)]
    await asyncio.sleep(0.5)
    await (proxy.cut() if outage == "cut" else proxy.stall())
    cut_at = len(answers)
    await asyncio.sleep(3 * TIMEOUT)
    ready_during = await client.get("/health/ready")
    during = answers[cut_at:]
    await proxy.resume()
    resumed = time.monotonic()
    while (await client.get("/users/me", headers=headers)).status_code != 200:
        assert time.monotonic() - resumed < 10 * TIMEOUT, "no recovery"
    recovered_after = time.monotonic() - resumed
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*load)

    statuses = {status for status, _, _ in answers}
    outage = [(seconds, retry) for status, seconds, retry in during if status == 503]
    print(f"{len(during)} answers during the outage, {len(outage)} of them 503, slowest "
          f"{max(seconds for seconds, _ in outage):.2f} s; recovered {recovered_after:.2f} s "
          f"after the proxy came back")
    assert statuses <= {200, 503}, statuses  # never a 500
    assert outage, "the outage was not seen"
    assert all(seconds < BOUND for seconds, _ in outage), outage
    assert all(retry.isdigit() for _, retry in outage)
    assert ready_during.status_code == 503
    assert ready_during.json()["checks"]["database"] == "unavailable"
    assert answers[-1][0] == 200
    assert (await client.get("/users/me", headers=headers)).json() == before
    assert (await client.get("/health/ready")).status_code == 200
