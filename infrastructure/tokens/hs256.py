"""What both token codecs share: HS256 only, one claim set, and one way to check it."""

import base64
import hashlib
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar

from application.errors import NotAuthenticated
from application.ports import AccessClaims, AccessToken, Clock
from infrastructure.signing_keys import MIN_KEY_BYTES, is_too_short

ALGORITHM = "HS256"
TYPE_CLAIM = "access"
# crit names extensions the reader must understand (python-jose ignores it); jwk, jku, x5u and
# x5c name or carry a key of the sender's choosing (RFC 8725 §2.4, §3.10); b64 changes what is
# signed and only PyJWT knows it. None has a use in our own tokens.
REFUSED_HEADERS = frozenset({"crit", "jwk", "jku", "x5u", "x5c", "b64"})
# Three base64url segments and nothing else: no padding, no "+" or "/" that lenient base64
# decoders would quietly accept as another spelling of the same bytes.
_COMPACT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_MALFORMED_INPUT = (ValueError, TypeError, KeyError)
# 9999-12-31T23:59:59Z: later times do not fit in a datetime.
_MAX_EPOCH_SECONDS = 253_402_300_799
# About a megabyte of verified payloads: a few thousand clients' current tokens.
VERIFIED_TOKENS_KEPT = 4096


class Hs256TokenCodec(ABC):
    """The TokenCodec port; subclasses only sign and verify signatures with their library."""

    # The library's exceptions, each of which means the token is not acceptable.
    library_errors: ClassVar[tuple[type[Exception], ...]]

    def __init__(
        self,
        *,
        secret_key: str,
        previous_keys: Sequence[str] = (),
        issuer: str = "roomkey",
        audience: str = "roomkey",
        lifetime: timedelta = timedelta(minutes=15),
        clock: Clock,
        leeway: timedelta = timedelta(seconds=30),
    ) -> None:
        if any(is_too_short(key) for key in (secret_key, *previous_keys)):
            raise ValueError(f"The token secret key must be at least {MIN_KEY_BYTES} bytes")
        if lifetime < timedelta(seconds=1) or leeway < timedelta(0):
            raise ValueError("The token lifetime must be positive and the leeway not negative")
        self._secret_key = secret_key
        self._key_id = key_id(secret_key)
        # Older keys still verify, so a key rotates without logging everyone out; only the
        # current one signs.
        self._verifying_keys = {key_id(key): key for key in (*previous_keys, secret_key)}
        self._issuer = issuer
        self._audience = audience
        self._lifetime_seconds = int(lifetime.total_seconds())
        self._clock = clock
        self._leeway = leeway
        # A client sends the same token with every request for its whole lifetime: its
        # signature is checked once, then found here. Only verified payloads are kept (a
        # failure raises, and lru_cache keeps no exceptions); the claims, times included, are
        # still checked on every decode, and revocation is the session check's business.
        self._verified_payload_of = lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._verify)

    def issue(self, *, subject: str, session_id: str) -> AccessToken:
        issued_at = int(self._clock.now().timestamp())
        expires_at = issued_at + self._lifetime_seconds
        token_id = secrets.token_urlsafe(16)
        claims = {
            "sub": subject,
            "sid": session_id,
            "exp": expires_at,
            "iat": issued_at,
            "jti": token_id,
            "iss": self._issuer,
            "aud": self._audience,
            "type": TYPE_CLAIM,
        }
        return AccessToken(
            value=self._sign(claims),
            token_id=token_id,
            expires_at=datetime.fromtimestamp(expires_at, UTC),
            lifetime_seconds=self._lifetime_seconds,
        )

    def decode(self, token: str) -> AccessClaims:
        return check_claims(
            self._verified_payload_of(token),
            issuer=self._issuer,
            audience=self._audience,
            now=self._clock.now(),
            leeway=self._leeway,
        )

    def _verify(self, token: str) -> object:
        """The payload of a token whose shape, header and signature are sound."""
        if not _COMPACT_SHAPE.fullmatch(token):
            raise NotAuthenticated()
        # Odd input must not surface as a 500: whatever the library raises means "rejected".
        rejected: tuple[type[Exception], ...] = (*self.library_errors, *_MALFORMED_INPUT)
        try:
            key = self._verifying_key(self._unverified_header(token))
            return self._verified_payload(token, key)
        except rejected as error:
            raise NotAuthenticated() from error

    def _verifying_key(self, header: object) -> str:
        kid = check_header(header).get("kid")
        key = self._verifying_keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise NotAuthenticated()
        return key

    @abstractmethod
    def _sign(self, claims: dict[str, Any]) -> str:
        """Sign with the current key, naming it in the `kid` header."""

    @abstractmethod
    def _unverified_header(self, token: str) -> object: ...

    @abstractmethod
    def _verified_payload(self, token: str, key: str) -> object:
        """The payload once the signature and the HS256 allow-list pass; no claim checks."""


def key_id(key: str) -> str:
    """A key's public name: a digest prefix, so ids need no configuring and reveal nothing."""
    digest = hashlib.sha256(b"roomkey-kid:" + key.encode()).digest()[:9]
    return base64.urlsafe_b64encode(digest).decode()


def check_header(header: object) -> dict[Any, Any]:
    """Refuse every algorithm but HS256 ("none" included) and the key-choosing headers."""
    if (
        not isinstance(header, dict)
        or header.get("alg") != ALGORITHM
        or not REFUSED_HEADERS.isdisjoint(header)
    ):
        raise NotAuthenticated()
    return header


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
