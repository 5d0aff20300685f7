"""PayloadCipher: seals the outbox's template data, which may hold a reset or verification token.

A queued message must carry its link until it is sent, yet no token may be stored readable:
the data is kept encrypted (AES-256-GCM, the message id as associated data, so a payload cannot
be moved to another row) under a key derived from the signing key with HKDF. Keys derived from
retired signing keys still open what was sealed before a rotation.
"""

import json
import os
import uuid
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12
_KEY_INFO = b"roomkey mail outbox payload"


class PayloadCipher:
    def __init__(self, key: bytes, *retired_keys: bytes) -> None:
        self._aead = AESGCM(key)
        self._openers = [self._aead, *(AESGCM(retired) for retired in retired_keys)]

    @classmethod
    def from_secret(cls, secret: str, previous: Sequence[str] = ()) -> "PayloadCipher":
        return cls(_derive(secret), *(_derive(old) for old in previous))

    @classmethod
    def ephemeral(cls) -> "PayloadCipher":
        """A key of this process only: for units of work whose mail this process sends."""
        return cls(AESGCM.generate_key(bit_length=256))

    def seal(self, message_id: uuid.UUID, data: Mapping[str, str]) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps(dict(data), separators=(",", ":")).encode()
        return nonce + self._aead.encrypt(nonce, plain, message_id.bytes)

    def open(self, message_id: uuid.UUID, sealed: bytes) -> dict[str, str]:
        """Raise ValueError when the payload was sealed under another key or altered."""
        if not sealed:
            return {}
        for aead in self._openers:
            try:
                plain = aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:],
                                     message_id.bytes)
            except InvalidTag:
                continue
            data: dict[str, str] = json.loads(plain)
            return data
        raise ValueError("the payload cannot be opened with these keys")


def _derive(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
        secret.encode())
