"""Signing-key rotation: a new key signs, retired keys still verify until they are dropped."""

import pytest

from tests.api.conftest import SECRET, AppFactory


@pytest.fixture
def jwt_library(both_jwt_libraries: str) -> str:
    """Every test here runs with python-jose and with PyJWT."""
    return both_jwt_libraries


NEW_SECRET = "the-next-signing-key-which-is-also-long-enough"


async def test_tokens_signed_with_a_retired_key_verify_until_it_is_dropped(
    api_factory: AppFactory,
) -> None:
    before = await api_factory()
    old_token = await before.bearer_for("rot@example.com")

    rotated = await api_factory(secret_key=NEW_SECRET, previous_secret_keys=[SECRET])
    dropped = await api_factory(secret_key=NEW_SECRET)
    new_token = await rotated.bearer_for("rot@example.com")

    assert (await rotated.client.get("/users/me", headers=old_token)).status_code == 200
    assert (await rotated.client.get("/users/me", headers=new_token)).status_code == 200
    assert (await dropped.client.get("/users/me", headers=old_token)).status_code == 401
    assert (await before.client.get("/users/me", headers=new_token)).status_code == 401
