"""Two `roomkey serve` instances on one PostgreSQL and one Redis agree at once: what one does
(logout, logout-all, a refresh token's reuse, a deactivation, a role change, failed logins
counted against the limit) holds on the other at the very next request."""

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.api.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD
from tests.databases import throwaway_postgres_database
from tests.live_server import live_server, roomkey_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LOGIN_LIMIT = 4


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str,
              redis_url: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Started once for the module (each test uses its own accounts): a start takes seconds."""
    tmp_path = tmp_path_factory.mktemp("instances")
    prefix = f"roomkey-test-{secrets.token_hex(6)}"
    with throwaway_postgres_database(postgres_server_url) as database_url:
        yield from _two_instances(tmp_path, database_url, redis_url, prefix)
    with redis.Redis.from_url(redis_url) as client:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


def _two_instances(tmp_path: Path, database_url: str, redis_url: str,
                   prefix: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    env = roomkey_environment(database_url=database_url, redis_url=redis_url,
                              redis_key_prefix=prefix, admin_email=ADMIN_EMAIL,
                              admin_password=ADMIN_PASSWORD,
                              login_limit_per_account=f"{LOGIN_LIMIT}/minute")
    with live_server(env, tmp_path) as a, live_server(env, tmp_path) as b, \
            httpx.Client(base_url=a.url, timeout=30) as first, \
            httpx.Client(base_url=b.url, timeout=30) as second:
        yield first, second


def _tokens(client: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, str]:
    """A bearer client's login: access and refresh tokens in the body, no cookies."""
    response = client.post("/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


def _bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _me(client: httpx.Client, tokens: dict[str, str]) -> int:
    return client.get("/users/me", headers=_bearer(tokens)).status_code


def test_sessions_end_on_both_instances_at_once(
    instances: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = instances
    assert a.post("/auth/register", json={"email": "i@example.com",
                                          "password": PASSWORD}).status_code == 201
    one, two, three = (_tokens(a, "i@example.com") for _ in range(3))

    assert a.post("/auth/logout", headers=_bearer(one)).status_code == 200
    logged_out = _me(b, one), _me(b, two)
    assert b.post("/auth/logout-all", headers=_bearer(two)).status_code == 200
    everywhere = _me(a, two), _me(a, three)

    assert logged_out == (401, 200)
    assert everywhere == (401, 401)


def test_a_refresh_token_replayed_on_the_other_instance_ends_the_session(
    instances: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = instances
    a.post("/auth/register", json={"email": "r@example.com", "password": PASSWORD})
    first = _tokens(a, "r@example.com")
    rotated = a.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200

    replayed = b.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    successor = a.post("/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})

    assert replayed.status_code == 401
    assert successor.status_code == 401  # the whole session went with the replay
    assert _me(a, rotated.json()) == 401


def test_deactivation_and_role_changes_hold_on_the_other_instance(
    instances: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = instances
    user_id = a.post("/auth/register", json={"email": "d@example.com",
                                             "password": PASSWORD}).json()["id"]
    user = _tokens(a, "d@example.com")
    admin = _bearer(_tokens(a, ADMIN_EMAIL, ADMIN_PASSWORD))

    before = b.get("/admin/users", headers=_bearer(user)).status_code
    assert a.patch(f"/admin/users/{user_id}", headers=admin,
                   json={"role": "admin"}).status_code == 200
    promoted = b.get("/admin/users", headers=_bearer(user)).status_code
    assert b.patch(f"/admin/users/{user_id}", headers=admin,
                   json={"role": "user"}).status_code == 200
    demoted = a.get("/admin/users", headers=_bearer(user)).status_code
    assert a.patch(f"/admin/users/{user_id}", headers=admin,
                   json={"is_active": False}).status_code == 200
    deactivated = _me(b, user)

    assert (before, promoted, demoted, deactivated) == (403, 200, 403, 401)


def test_failed_logins_count_against_one_limit_across_instances(
    instances: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = instances
    a.post("/auth/register", json={"email": "t@example.com", "password": PASSWORD})
    wrong = {"email": "t@example.com", "password": "not-the-password-at-all"}

    failures = [(a if attempt % 2 else b).post("/auth/login", json=wrong).status_code
                for attempt in range(LOGIN_LIMIT)]
    over = [a.post("/auth/login", json=wrong), b.post("/auth/login", json=wrong)]

    assert failures == [401] * LOGIN_LIMIT
    assert [response.status_code for response in over] == [429, 429]
    assert all(response.headers["retry-after"].isdigit() for response in over)
