"""Signing keys: each has one algorithm and a `kid`; the current key signs, every key verifies."""

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from infrastructure.signing_keys import MIN_KEY_BYTES, is_too_short

HS256 = "HS256"
ES256 = "ES256"
# RFC 7518 §3.2: an HMAC key must be at least as long as the hash output, 256 bits for HS256.
# How long other services may keep the published key set before asking again.
JWKS_CACHE_CONTROL = "public, max-age=300"

Jwk = dict[str, str]


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A key bound to one algorithm, so that a token can never choose how it is checked.

    `signing` is None for a retired public key, which only verifies. Keys are masked in repr.
    """

    kid: str
    algorithm: str
    verifying: str | ec.EllipticCurvePublicKey = field(repr=False)
    signing: str | ec.EllipticCurvePrivateKey | None = field(default=None, repr=False)

    @property
    def private(self) -> str | ec.EllipticCurvePrivateKey:
        """What signs; a retired public key cannot."""
        if self.signing is None:
            raise ValueError(f"The key {self.kid} only verifies")
        return self.signing

    def public_jwk(self) -> Jwk | None:
        """The key as a JWK others may hold (RFC 7517); None for a shared HMAC secret."""
        if not isinstance(self.verifying, ec.EllipticCurvePublicKey):
            return None
        return {**_ec_members(self.verifying), "kid": self.kid, "alg": self.algorithm,
                "use": "sig"}


class SigningKeys:
    """The current key, which signs, and the retired ones that still verify (key rotation)."""

    def __init__(self, current: SigningKey, previous: Sequence[SigningKey] = ()) -> None:
        if current.signing is None:
            raise ValueError("The current signing key needs its private part")
        self.current = current
        self._by_kid = {key.kid: key for key in (*previous, current)}

    def named(self, kid: str) -> SigningKey | None:
        return self._by_kid.get(kid)

    def jwks(self) -> dict[str, list[Jwk]]:
        """The public keys, current first; an HMAC secret is never published."""
        keys = [self.current, *(key for key in self._by_kid.values() if key is not self.current)]
        return {"keys": [jwk for jwk in (key.public_jwk() for key in keys) if jwk is not None]}


def hmac_key(secret: str) -> SigningKey:
    if is_too_short(secret):
        raise ValueError(f"The token secret key must be at least {MIN_KEY_BYTES} bytes")
    return SigningKey(kid=key_id(secret), algorithm=HS256, verifying=secret, signing=secret)


def hs256_keys(secret: str, previous: Sequence[str] = ()) -> SigningKeys:
    return SigningKeys(hmac_key(secret), [hmac_key(key) for key in previous])


def ec_key(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> SigningKey:
    """An ES256 key: a private key signs and verifies, a public one only verifies."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    if not isinstance(public.curve, ec.SECP256R1):
        raise ValueError(f"ES256 needs a P-256 key, not {public.curve.name}")
    signing = key if isinstance(key, ec.EllipticCurvePrivateKey) else None
    return SigningKey(kid=thumbprint(public), algorithm=ES256, verifying=public, signing=signing)


def load_pem_key(data: bytes) -> SigningKey:
    """An ES256 key from PEM: a private key (PKCS#8 or SEC1) or a public one."""
    loaded: object
    try:
        loaded = serialization.load_pem_private_key(data, password=None)
    except ValueError:
        loaded = serialization.load_pem_public_key(data)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        raise ValueError("not an elliptic-curve (P-256) key")
    return ec_key(loaded)


def new_ec_private_key_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


def key_id(secret: str) -> str:
    """An HMAC key's name: a digest prefix, so ids need no configuring and reveal nothing."""
    digest = hashlib.sha256(b"roomkey-kid:" + secret.encode()).digest()[:9]
    return base64.urlsafe_b64encode(digest).decode()


def thumbprint(public: ec.EllipticCurvePublicKey) -> str:
    """The RFC 7638 JWK thumbprint: a name any holder of the public key computes alike."""
    canonical = json.dumps(_ec_members(public), sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def _ec_members(public: ec.EllipticCurvePublicKey) -> Jwk:
    numbers = public.public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big"))}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
