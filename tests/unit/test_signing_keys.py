"""The signing-key rule: long enough everywhere, unpredictable enough in production."""

import pytest

from infrastructure.settings import (
    ConfigurationError,
    Settings,
    previous_secret_keys,
    resolve_secret_key,
)
from infrastructure.signing_keys import generate_key, key_weakness
from infrastructure.tokens import JoseTokenCodec
from infrastructure.tokens.keys import hs256_keys
from tests.fakes import FakeClock

STRONG = "signing-key-unit-test-Xq4mV8tR2kL6wP9zN3bC7yF1hD5j"


@pytest.mark.parametrize(("key", "reason"), [
    ("a" * 32, "repeats a short pattern"),
    ("password" * 4, "repeats a short pattern"),
    ("Xk9#mQ2$vL7&pR4!" * 2, "repeats a short pattern"),
    ("abcdefghijklmnopqrstuvwxyz012345", "too predictable"),
    ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "too predictable"),
    ("0123456789" * 3 + "xy", "too predictable"),
    ("short", "shorter than 32 bytes"),
])
def test_weak_keys_are_named_with_the_reason(key: str, reason: str) -> None:
    assert reason in (key_weakness(key) or "")


def test_generated_keys_pass_with_room_to_spare() -> None:
    keys = {generate_key() for _ in range(200)}

    assert len(keys) == 200
    assert all(key_weakness(key) is None for key in keys)


@pytest.mark.parametrize("key", ["a" * 32, "password" * 4])
def test_production_refuses_a_weak_key_in_one_line_that_says_how_to_make_one(key: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        resolve_secret_key(Settings(env="production", secret_key=key))  # type: ignore[arg-type]

    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("ROOMKEY_SECRET_KEY ") and "roomkey gen-secret" in message


def test_production_refuses_a_weak_previous_key() -> None:
    settings = Settings(env="production", secret_key=STRONG,  # type: ignore[arg-type]
                        previous_secret_keys=["password" * 4])  # type: ignore[list-item]

    with pytest.raises(ConfigurationError, match="ROOMKEY_PREVIOUS_SECRET_KEYS entry repeats"):
        previous_secret_keys(settings)


def test_development_takes_a_long_hand_made_key_but_not_a_short_one() -> None:
    assert resolve_secret_key(Settings(secret_key="password" * 4)) == "password" * 4  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="shorter than 32 bytes"):
        resolve_secret_key(Settings(secret_key="password"))  # type: ignore[arg-type]


def test_the_codec_keeps_the_same_minimum_length() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        JoseTokenCodec(keys=hs256_keys("x" * 31), clock=FakeClock())
    JoseTokenCodec(keys=hs256_keys("x" * 32), clock=FakeClock())
