"""What both token codecs share: one header rule, one claim set, and one way to check them."""

from datetime import UTC, datetime, timedelta
from typing import Any

from application.errors import NotAuthenticated
from application.ports import AccessClaims
from infrastructure.tokens.keys import SigningKey, SigningKeys

TYPE_CLAIM = "access"
# crit names extensions the reader must understand (python-jose ignores it); jwk, jku, x5u and
# x5c name or carry a key of the sender's choosing (RFC 8725 §2.4, §3.10); b64 changes what is
# signed and only PyJWT knows it. None has a use in our own tokens.
REFUSED_HEADERS = frozenset({"crit", "jwk", "jku", "x5u", "x5c", "b64"})
# 9999-12-31T23:59:59Z: later times do not fit in a datetime.
_MAX_EPOCH_SECONDS = 253_402_300_799


def check_header(header: object, keys: SigningKeys) -> SigningKey:
    """The key the header names, if the header asks for exactly that key's algorithm.

    Each key has one algorithm: "none", any other algorithm, an HMAC token naming a public key
    (or the reverse) and the key-choosing headers are all refused before any signature check.
    """
    if not isinstance(header, dict) or not REFUSED_HEADERS.isdisjoint(header):
        raise NotAuthenticated()
    kid = header.get("kid")
    key = keys.named(kid) if isinstance(kid, str) else None
    if key is None or header.get("alg") != key.algorithm:
        raise NotAuthenticated()
    return key


def check_claims(
    payload: object, *, issuer: str, audience: str, now: datetime, leeway: timedelta
) -> AccessClaims:
    """Check every claim, the times against `now` (the injected clock, not the wall clock).

    Both codecs decode through this one function, which is what makes them agree.
    """
    if not isinstance(payload, dict):
        raise NotAuthenticated()
    subject = _text(payload, "sub")
    session_id = _text(payload, "sid")
    token_id = _text(payload, "jti")
    issued_at = _epoch_seconds(payload, "iat")
    expires_at = _epoch_seconds(payload, "exp")
    if (
        payload.get("iss") != issuer
        or payload.get("aud") != audience
        or payload.get("type") != TYPE_CLAIM
    ):
        raise NotAuthenticated()
    current, slack = now.timestamp(), leeway.total_seconds()
    not_before = _epoch_seconds(payload, "nbf") if "nbf" in payload else issued_at
    if expires_at <= current - slack or max(issued_at, not_before) > current + slack:
        raise NotAuthenticated()
    return AccessClaims(
        subject=subject,
        session_id=session_id,
        token_id=token_id,
        issued_at=datetime.fromtimestamp(issued_at, UTC),
        expires_at=datetime.fromtimestamp(expires_at, UTC),
    )


def _text(payload: dict[Any, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise NotAuthenticated()
    return value


def _epoch_seconds(payload: dict[Any, Any], name: str) -> int:
    value = payload.get(name)
    # bool is an int subclass, and JSON true is no time.
    if type(value) is not int or not 0 <= value <= _MAX_EPOCH_SECONDS:
        raise NotAuthenticated()
    return value
