"""A separate service that knows only the JWKS URL verifies Roomkey's tokens, across a rotation.

Roomkey runs as a real uvicorn server in a thread; the verifier is PyJWT's `PyJWKClient`,
which fetches the key set over HTTP and looks keys up by `kid`.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import jwt as pyjwt
import pytest
import uvicorn

from infrastructure.hashing import PasslibPasswordHasher
from infrastructure.persistence.memory import MemoryStore
from infrastructure.settings import Settings
from infrastructure.tokens.keys import new_ec_private_key_pem
from interfaces.http.app import build_container, create_app
from tests.api.conftest import PASSWORD

EMAIL = "verified@example.com"


@contextmanager
def _roomkey(store: MemoryStore, port: int, **settings: object) -> Iterator[str]:
    """A live Roomkey over `store` on `port`; yields its base URL."""
    container = build_container(Settings(database_url="memory://", demo_rooms=False,
                                         **settings))  # type: ignore[arg-type]
    container.memory_store.override(store)
    container.hasher.override(PasslibPasswordHasher(argon2_memory_cost=8, argon2_time_cost=1))
    server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _log_in(base_url: str) -> str:
    with httpx.Client(base_url=base_url) as client:
        client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD})
        response = client.post("/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token


def _verify(client: pyjwt.PyJWKClient, token: str) -> dict[str, object]:
    """What another service does: the key named by the token's kid, from the JWKS URL only."""
    key = client.get_signing_key_from_jwt(token)
    claims: dict[str, object] = pyjwt.decode(token, key.key, algorithms=["ES256"],
                                             audience="roomkey", issuer="roomkey")
    return claims


@pytest.mark.parametrize("jwt_library", ["jose", "pyjwt"])
def test_a_verifier_that_knows_only_the_jwks_url_follows_a_key_rotation(
    tmp_path: Path, jwt_library: str
) -> None:
    store = MemoryStore()
    first_key, next_key = tmp_path / "first.pem", tmp_path / "next.pem"
    first_key.write_bytes(new_ec_private_key_pem())
    next_key.write_bytes(new_ec_private_key_pem())
    port = _free_port()
    common = {"jwt_algorithm": "ES256", "jwt_library": jwt_library}
    # One verifier for the whole test: it caches the key set and fetches it again when a token
    # names a kid it has not seen (at most every `cooldown_duration` seconds; 30 by default).
    verifier = pyjwt.PyJWKClient(f"http://127.0.0.1:{port}/.well-known/jwks.json",
                                 cache_keys=True, cooldown_duration=0)

    with _roomkey(store, port, signing_key_file=first_key, **common) as base_url:
        old_token = _log_in(base_url)
        assert _verify(verifier, old_token)["type"] == "access"
        with pytest.raises(pyjwt.InvalidSignatureError):
            _verify(verifier, old_token[:-4] + ("AAAA" if old_token[-4:] != "AAAA" else "BBBB"))

    with _roomkey(store, port, signing_key_file=next_key,
                  previous_signing_key_files=[first_key], **common) as base_url:
        new_token = _log_in(base_url)
        old_kid = pyjwt.get_unverified_header(old_token)["kid"]
        assert pyjwt.get_unverified_header(new_token)["kid"] != old_kid
        assert _verify(verifier, old_token)["sub"] == _verify(verifier, new_token)["sub"]
        with httpx.Client(base_url=base_url) as client:
            for token in (old_token, new_token):
                me = client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
                assert me.status_code == 200 and me.json()["email"] == EMAIL
