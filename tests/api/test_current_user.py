"""The current-user dependency: cookie or bearer, and one fixed 401 for every defect."""

import base64
import json
from datetime import timedelta

import pytest
from jose import jwt

from infrastructure.tokens.keys import key_id
from tests.api.conftest import SECRET, Api


@pytest.fixture
def jwt_library(both_jwt_libraries: str) -> str:
    """Every test here runs with python-jose and with PyJWT."""
    return both_jwt_libraries


FIXED_401 = {"detail": "Not authenticated"}


async def _login(api: Api, email: str) -> tuple[str, str]:
    """The user id and session id of a fresh login."""
    headers = await api.bearer_for(email)
    claims = jwt.get_unverified_claims(headers["Authorization"].removeprefix("Bearer "))
    return claims["sub"], claims["sid"]


def _claims(api: Api, login: tuple[str, str], **changes: object) -> dict[str, object]:
    now = int(api.clock.now().timestamp())
    subject, session_id = login
    claims: dict[str, object] = {"sub": subject, "sid": session_id, "iat": now, "exp": now + 600,
                                 "jti": "t-1", "iss": "roomkey", "aud": "roomkey",
                                 "type": "access"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, object], key: str = SECRET, **headers: object) -> str:
    kid: dict[str, object] = {"kid": key_id(SECRET)}
    token: str = jwt.encode(claims, key, algorithm=headers.pop("alg", "HS256"),  # type: ignore[arg-type]
                            headers={k: v for k, v in (kid | headers).items() if v is not None})
    return token


def _unsigned(claims: dict[str, object]) -> str:
    encode = lambda part: base64.urlsafe_b64encode(  # noqa: E731
        json.dumps(part).encode()).rstrip(b"=").decode()
    return f"{encode({'alg': 'none', 'typ': 'JWT'})}.{encode(claims)}."


async def test_me_with_the_login_cookie(api: Api) -> None:
    await api.register("mia@example.com")
    await api.login("mia@example.com")

    response = await api.client.get("/users/me")

    assert response.status_code == 200
    assert response.json()["email"] == "mia@example.com"


async def test_me_with_a_bearer_header_and_no_cookie(api: Api) -> None:
    headers = await api.bearer_for("ned@example.com")

    response = await api.client.get("/users/me", headers=headers)

    assert response.status_code == 200
    assert response.json()["email"] == "ned@example.com"


async def test_a_token_signed_by_either_library_is_accepted(api: Api) -> None:
    token = _sign(_claims(api, await _login(api, "ola@example.com")))

    response = await api.client.get("/users/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200


@pytest.mark.parametrize("defect", [
    "missing", "empty bearer", "basic scheme", "malformed", "bad signature", "alg none",
    "HS512", "wrong issuer", "wrong audience", "refresh type", "no jti", "no exp", "expired",
    "unknown user", "subject not a uuid", "garbage cookie", "no sid", "unknown session",
    "someone else's session", "no kid", "unknown kid",
])
async def test_every_token_defect_is_the_same_401(api: Api, defect: str) -> None:
    login = await _login(api, "pat@example.com")
    other = await _login(api, "quentin@example.com")
    signed = lambda **changes: _sign(_claims(api, login, **changes))  # noqa: E731
    headers: dict[str, str] = {}
    token = {
        "missing": None,
        "empty bearer": "",
        "malformed": "a.b.c",
        "bad signature": _sign(_claims(api, login), "another-secret-of-enough-length!!"),
        "alg none": _unsigned(_claims(api, login)),
        "HS512": _sign(_claims(api, login), alg="HS512"),
        "wrong issuer": signed(iss="someone-else"),
        "wrong audience": signed(aud="someone-else"),
        "refresh type": signed(type="refresh"),
        "no jti": signed(jti=None),
        "no exp": signed(exp=None),
        "expired": signed(exp=int((api.clock.now() - timedelta(minutes=5)).timestamp())),
        "unknown user": signed(sub="00000000-0000-4000-8000-000000000000"),
        "subject not a uuid": signed(sub="1"),
        "basic scheme": None,
        "garbage cookie": None,
        "no sid": signed(sid=None),
        "unknown session": signed(sid="00000000-0000-4000-8000-000000000000"),
        "someone else's session": signed(sid=other[1]),
        "no kid": _sign(_claims(api, login), kid=None),
        "unknown kid": _sign(_claims(api, login), kid="not-a-key"),
    }[defect]
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if defect == "basic scheme":
        headers["Authorization"] = "Basic dXNlcjpwYXNz"
    api.client.cookies.clear()
    if defect == "garbage cookie":
        api.client.cookies.set(api.cookie_names.access, "not-a-token", domain="testserver")

    response = await api.client.get("/users/me", headers=headers)

    assert response.status_code == 401
    assert response.json() == FIXED_401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_token_expires_with_the_clock(api: Api) -> None:
    headers = await api.bearer_for("quinn@example.com")

    api.clock.advance(timedelta(minutes=15, seconds=31))

    assert (await api.client.get("/users/me", headers=headers)).status_code == 401


async def test_a_token_within_the_leeway_still_works(api: Api) -> None:
    headers = await api.bearer_for("rae@example.com")

    api.clock.advance(timedelta(minutes=15, seconds=20))

    assert (await api.client.get("/users/me", headers=headers)).status_code == 200
