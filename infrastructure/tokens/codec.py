"""JwtTokenCodec: the TokenCodec port; subclasses only sign and check signatures by library."""

import re
import secrets
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar

from application.errors import NotAuthenticated
from application.ports import AccessClaims, AccessToken, Clock
from infrastructure.tokens.claims import TYPE_CLAIM, check_claims, check_header
from infrastructure.tokens.keys import SigningKey, SigningKeys

# Three base64url segments and nothing else: no padding, no "+" or "/" that lenient base64
# decoders would quietly accept as another spelling of the same bytes.
_COMPACT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_MALFORMED_INPUT = (ValueError, TypeError, KeyError)
# About a megabyte of verified payloads: a few thousand clients' current tokens.
VERIFIED_TOKENS_KEPT = 4096


class JwtTokenCodec(ABC):
    """Issues tokens signed by the current key (named in `kid`) and decodes those of any key
    in the set, each by its own algorithm (HS256 or ES256)."""

    # The library's exceptions, each of which means the token is not acceptable.
    library_errors: ClassVar[tuple[type[Exception], ...]]

    def __init__(
        self,
        *,
        keys: SigningKeys,
        issuer: str = "roomkey",
        audience: str = "roomkey",
        lifetime: timedelta = timedelta(minutes=15),
        clock: Clock,
        leeway: timedelta = timedelta(seconds=30),
    ) -> None:
        if lifetime < timedelta(seconds=1) or leeway < timedelta(0):
            raise ValueError("The token lifetime must be positive and the leeway not negative")
        self.keys = keys
        self._issuer = issuer
        self._audience = audience
        self._lifetime_seconds = int(lifetime.total_seconds())
        self._clock = clock
        self._leeway = leeway
        # A client sends the same token with every request for its whole lifetime: its
        # signature is checked once, then found here (an ES256 check costs far more than an
        # HMAC). Only verified payloads are kept (a failure raises, and lru_cache keeps no
        # exceptions); the claims, times included, are still checked on every decode, and
        # revocation is the session check's business.
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
            value=self._sign(claims, self.keys.current),
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
            key = check_header(self._unverified_header(token), self.keys)
            return self._verified_payload(token, key)
        except rejected as error:
            raise NotAuthenticated() from error

    @abstractmethod
    def _sign(self, claims: dict[str, Any], key: SigningKey) -> str:
        """Sign with `key` by its algorithm, naming it in the `kid` header."""

    @abstractmethod
    def _unverified_header(self, token: str) -> object: ...

    @abstractmethod
    def _verified_payload(self, token: str, key: SigningKey) -> object:
        """The payload once the signature checks with `key`, allowing only its algorithm; no
        claim checks."""
