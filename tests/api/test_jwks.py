"""GET /.well-known/jwks.json, and ES256 tokens through HTTP with either JWT library."""

from pathlib import Path

import jwt as pyjwt
import pytest

from infrastructure.tokens.keys import JWKS_CACHE_CONTROL, new_ec_private_key_pem
from tests.api.conftest import AppFactory


@pytest.fixture
def jwt_library(both_jwt_libraries: str) -> str:
    """Every test here runs with python-jose and with PyJWT."""
    return both_jwt_libraries


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "signing-key.pem"
    path.write_bytes(new_ec_private_key_pem())
    return path


def _kid(headers: dict[str, str]) -> str:
    token = headers["Authorization"].removeprefix("Bearer ")
    kid: str = pyjwt.get_unverified_header(token)["kid"]
    return kid


async def test_hs256_publishes_an_empty_key_set(api_factory: AppFactory) -> None:
    api = await api_factory()
    response = await api.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.json() == {"keys": []}
    assert response.headers["cache-control"] == JWKS_CACHE_CONTROL


async def test_es256_tokens_carry_the_published_kid_and_authenticate(
    api_factory: AppFactory, key_file: Path
) -> None:
    api = await api_factory(jwt_algorithm="ES256", signing_key_file=key_file)
    headers = await api.bearer_for("es@example.com")
    published = (await api.client.get("/.well-known/jwks.json")).json()["keys"]
    token = headers["Authorization"].removeprefix("Bearer ")

    assert pyjwt.get_unverified_header(token)["alg"] == "ES256"
    assert [jwk["kid"] for jwk in published] == [_kid(headers)]
    assert "d" not in published[0]
    assert (await api.client.get("/users/me", headers=headers)).status_code == 200


async def test_neither_algorithm_accepts_the_others_tokens(
    api_factory: AppFactory, key_file: Path
) -> None:
    hmac_app = await api_factory()
    ec_app = await api_factory(jwt_algorithm="ES256", signing_key_file=key_file)
    hmac_token = await hmac_app.bearer_for("hs@example.com")
    ec_token = await ec_app.bearer_for("es@example.com")

    assert (await ec_app.client.get("/users/me", headers=hmac_token)).status_code == 401
    assert (await hmac_app.client.get("/users/me", headers=ec_token)).status_code == 401


async def test_an_es256_rotation_keeps_old_tokens_until_their_key_is_dropped(
    api_factory: AppFactory, key_file: Path, tmp_path: Path
) -> None:
    before = await api_factory(jwt_algorithm="ES256", signing_key_file=key_file)
    old_token = await before.bearer_for("rot@example.com")
    new_file = tmp_path / "next.pem"
    new_file.write_bytes(new_ec_private_key_pem())
    rotated = await api_factory(jwt_algorithm="ES256", signing_key_file=new_file,
                                previous_signing_key_files=[key_file])
    dropped = await api_factory(jwt_algorithm="ES256", signing_key_file=new_file)
    new_token = await rotated.bearer_for("rot@example.com")

    published = (await rotated.client.get("/.well-known/jwks.json")).json()["keys"]
    assert [jwk["kid"] for jwk in published] == [_kid(new_token), _kid(old_token)]
    assert (await rotated.client.get("/users/me", headers=old_token)).status_code == 200
    assert (await rotated.client.get("/users/me", headers=new_token)).status_code == 200
    assert (await dropped.client.get("/users/me", headers=old_token)).status_code == 401
    assert (await before.client.get("/users/me", headers=new_token)).status_code == 401
