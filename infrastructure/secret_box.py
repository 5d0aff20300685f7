"""AesGcmSecretBox: secrets at rest under the data key, with AES-256-GCM from `cryptography`."""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DATA_KEY_BYTES = 32
NONCE_BYTES = 12
# Leads every sealed value, so that a later scheme (or key) can be told apart from this one.
VERSION = b"\x01"


class AesGcmSecretBox:
    """Each value sealed with a fresh random nonce: `version | nonce | ciphertext and tag`."""

    def __init__(self, key: bytes) -> None:
        if len(key) != DATA_KEY_BYTES:
            raise ValueError(f"the data key must be {DATA_KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, *, associated: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, plaintext, associated)

    def open(self, sealed: bytes, *, associated: bytes) -> bytes:
        version, nonce, body = sealed[:1], sealed[1:1 + NONCE_BYTES], sealed[1 + NONCE_BYTES:]
        if version != VERSION:
            raise ValueError("not sealed by this box")
        try:
            return self._aead.decrypt(nonce, body, associated)
        except InvalidTag:
            raise ValueError("not sealed by this box, or tampered with") from None
