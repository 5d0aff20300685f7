"""Signing keys: how long and how unpredictable a key must be, and how to make a good one."""

import math
import secrets
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

# RFC 7518 §3.2: an HMAC key must be at least as long as the hash output, 256 bits for HS256.
MIN_KEY_BYTES = 32
# RFC 8725 §3.5 asks for keys with enough entropy; 128 bits is beyond any guessing.
MIN_KEY_BITS = 128
HOW_TO_MAKE_ONE = "make one with `roomkey gen-secret`"


def generate_key() -> str:
    """384 random bits, URL-safe base64: 64 characters that paste anywhere."""
    return secrets.token_urlsafe(48)


def is_too_short(key: str) -> bool:
    return len(key.encode()) < MIN_KEY_BYTES


def key_weakness(key: str) -> str | None:
    """Why the key is unfit to sign tokens, or None when it is fit.

    The estimate is conservative: it sees repeated characters, repeated patterns and runs
    (`aaaa`, `passwordpassword`, `abcdef`), not words, so a human-made key can pass it and
    still be weak. Keys from `generate_key` estimate at 250 bits and more.
    """
    if is_too_short(key):
        return f"is shorter than {MIN_KEY_BYTES} bytes"
    if _period(key) <= len(key) // 2:
        return "repeats a short pattern"
    bits = estimated_bits(key)
    if bits < MIN_KEY_BITS:
        return f"is too predictable (about {bits:.0f} bits of entropy, {MIN_KEY_BITS} needed)"
    return None


def estimated_bits(key: str) -> float:
    """The key's length times the lesser of two per-character entropies: of its characters,
    and of the steps between neighbours (which is near zero for a run like `abcdef`)."""
    codes = [ord(char) for char in key]
    steps = [after - before for before, after in pairwise(codes)]
    return min(_shannon_bits(codes), _shannon_bits(steps))


def _shannon_bits(symbols: Sequence[int]) -> float:
    total = len(symbols)
    if total == 0:
        return 0.0
    return -sum(count * math.log2(count / total) for count in Counter(symbols).values())


def _period(key: str) -> int:
    """The shortest p such that the key is its first p characters repeated (the last time
    perhaps cut short); the key's length when it repeats nothing."""
    for period in range(1, len(key)):
        if key[period:] == key[:-period]:
            return period
    return len(key)
