"""Keys, codecs and hand-signed tokens shared by the token contract suites."""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from jose import jwt as jose_jwt

from application.ports import AccessToken
from infrastructure.tokens import JoseTokenCodec, JwtTokenCodec, PyJwtTokenCodec
from infrastructure.tokens.keys import SigningKey, SigningKeys, ec_key, hmac_key
from tests.fakes import FakeClock

SECRET = "a test secret that is long enough for HS256"
OLD_SECRET = "the secret that signed until the last rotation"
OLDER_SECRET = "the secret that signed before that, also long"
# Fixed scalars, so that kids and failures replay; P-256 keys as real as generated ones.
EC_KEY = ec.derive_private_key(0x5EC2E7_0001_C0FFEE, ec.SECP256R1())
OLD_EC_KEY = ec.derive_private_key(0x5EC2E7_0002_C0FFEE, ec.SECP256R1())
OLDER_EC_KEY = ec.derive_private_key(0x5EC2E7_0003_C0FFEE, ec.SECP256R1())
ALGORITHMS = ("HS256", "ES256")
# The current, previous and the one before, per algorithm.
KEYS: dict[str, tuple[SigningKey, SigningKey, SigningKey]] = {
    "HS256": (hmac_key(SECRET), hmac_key(OLD_SECRET), hmac_key(OLDER_SECRET)),
    "ES256": (ec_key(EC_KEY), ec_key(OLD_EC_KEY), ec_key(OLDER_EC_KEY)),
}
CODECS: dict[str, type[JwtTokenCodec]] = {"jose": JoseTokenCodec, "pyjwt": PyJwtTokenCodec}
Signer = Callable[[dict[str, Any], SigningKey], str]
SIGNERS: dict[str, Signer] = {
    "jose": lambda claims, key: jose_jwt.encode(claims, key.signing, algorithm=key.algorithm,
                                                headers={"kid": key.kid}),
    "pyjwt": lambda claims, key: pyjwt.encode(claims, key.signing, algorithm=key.algorithm,
                                              headers={"kid": key.kid}),
}


def make_codec(
    kind: str, clock: FakeClock, *, current: SigningKey | None = None,
    previous: tuple[SigningKey, ...] | list[SigningKey] = (), algorithm: str = "HS256",
    **options: Any,
) -> JwtTokenCodec:
    keys = SigningKeys(current or KEYS[algorithm][0], previous)
    return CODECS[kind](keys=keys, clock=clock, **options)


def issue(codec: JwtTokenCodec) -> AccessToken:
    return codec.issue(subject="user-1", session_id="session-1")


def valid_claims(now: datetime, **changes: Any) -> dict[str, Any]:
    issued_at = int(now.timestamp())
    claims = {"sub": "user-1", "sid": "session-1", "exp": issued_at + 900, "iat": issued_at,
              "jti": "token-1", "iss": "roomkey", "aud": "roomkey", "type": "access"}
    return {**claims, **changes}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(
    header: dict[str, Any], claims: dict[str, Any], digest: Any = hashlib.sha256, *,
    key: SigningKey = KEYS["HS256"][0], name_the_key: bool = True, hmac_secret: bytes | None = None,
) -> str:
    """Sign by hand, so any header or algorithm can be tried.

    An HMAC key (or `hmac_secret`, any bytes) signs by HMAC with `digest`, an EC key by ECDSA
    P-256 as JWS wants it (r ‖ s). The header names the key in `kid` unless it sets its own or
    `name_the_key` is False.
    """
    if name_the_key:
        header = {"kid": key.kid, **header}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    if hmac_secret is None and isinstance(key.signing, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.signing.sign(signing_input.encode(),
                                                     ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        secret = hmac_secret if hmac_secret is not None else str(key.signing).encode()
        signature = hmac.new(secret, signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64url(signature)}"
