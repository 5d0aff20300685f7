"""HmacFingerprint: the Fingerprint port as HMAC-SHA256 under a key derived from the secret."""

import hashlib
import hmac

# A key of its own, derived from the signing key: fingerprints and token signatures never share
# one, and no second secret needs configuring.
DERIVATION_LABEL = b"roomkey fingerprint v1"


class HmacFingerprint:
    """A plain SHA-256 of an email is reversed by hashing a list of addresses; an HMAC is not,
    without the key. 128 bits of the digest: collisions stay out of reach.

    Rotating the signing key changes every fingerprint: rate-limit counts start afresh, and
    audit events before and after the rotation no longer group together.
    """

    def __init__(self, secret_key: str) -> None:
        self._key = hmac.digest(secret_key.encode(), DERIVATION_LABEL, hashlib.sha256)

    def of(self, value: str) -> str:
        return hmac.digest(self._key, value.encode(), hashlib.sha256)[:16].hex()

    def __repr__(self) -> str:
        return "HmacFingerprint(<key>)"
