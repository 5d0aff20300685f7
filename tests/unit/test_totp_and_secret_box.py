"""The TOTP adapter (RFC 6238 with pyotp at the injected clock), the AES-GCM secret box, and
the data key's resolution."""

import base64
import os
import stat
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest

from infrastructure.secret_box import AesGcmSecretBox
from infrastructure.settings import ConfigurationError, Settings, resolve_data_key
from infrastructure.totp import PyotpTotpVerifier
from tests.fakes import FakeClock

STEP = timedelta(seconds=30)


@pytest.fixture
def verifier(clock: FakeClock) -> PyotpTotpVerifier:
    return PyotpTotpVerifier(clock, issuer="Roomkey Test")


def code_at(secret: str, clock: FakeClock, offset: timedelta = timedelta(0)) -> str:
    return pyotp.TOTP(secret).at(clock.now() + offset)


def test_a_code_of_now_matches_its_time_step(verifier: PyotpTotpVerifier, clock: FakeClock) -> None:
    secret = verifier.new_secret()

    step = verifier.matching_step(secret, code_at(secret, clock))

    assert step == int(clock.now().timestamp()) // 30


def test_codes_one_step_either_side_match_and_two_steps_do_not(
    verifier: PyotpTotpVerifier, clock: FakeClock,
) -> None:
    secret = verifier.new_secret()
    now_step = int(clock.now().timestamp()) // 30

    assert verifier.matching_step(secret, code_at(secret, clock, -STEP)) == now_step - 1
    assert verifier.matching_step(secret, code_at(secret, clock, STEP)) == now_step + 1
    assert verifier.matching_step(secret, code_at(secret, clock, -2 * STEP)) is None
    assert verifier.matching_step(secret, code_at(secret, clock, 2 * STEP)) is None


def test_the_window_moves_with_the_injected_clock_at_the_step_edge(
    verifier: PyotpTotpVerifier, clock: FakeClock,
) -> None:
    secret = verifier.new_secret()
    code = code_at(secret, clock)  # FIXED_NOW starts a step
    clock.advance(2 * STEP - timedelta(microseconds=1))  # still the next step

    assert verifier.matching_step(secret, code) is not None
    clock.advance(timedelta(microseconds=1))  # two steps later: out of the window
    assert verifier.matching_step(secret, code) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5"])
def test_anything_but_six_ascii_digits_is_refused(verifier: PyotpTotpVerifier, code: str) -> None:
    assert verifier.matching_step(verifier.new_secret(), code) is None


def test_spaces_in_a_code_are_ignored(verifier: PyotpTotpVerifier, clock: FakeClock) -> None:
    secret = verifier.new_secret()
    code = code_at(secret, clock)

    assert verifier.matching_step(secret, f"{code[:3]} {code[3:]}") is not None


def test_another_secrets_code_does_not_match(verifier: PyotpTotpVerifier, clock: FakeClock) -> None:
    code = code_at(verifier.new_secret(), clock)
    secret = verifier.new_secret()

    assert code_at(secret, clock) == code or verifier.matching_step(secret, code) is None


def test_the_provisioning_uri_names_issuer_account_and_secret(
    verifier: PyotpTotpVerifier,
) -> None:
    secret = verifier.new_secret()

    uri = verifier.provisioning_uri(secret, account="ada@example.com")

    assert uri.startswith("otpauth://totp/Roomkey%20Test:ada%40example.com?")
    assert f"secret={secret}" in uri and "issuer=Roomkey%20Test" in uri
    assert len(base64.b32decode(secret)) == 20  # 160 bits


def test_the_box_opens_what_it_sealed_for_the_same_owner_only() -> None:
    box = AesGcmSecretBox(os.urandom(32))
    sealed = box.seal(b"JBSWY3DPEHPK3PXP", associated=b"owner-1")

    assert box.open(sealed, associated=b"owner-1") == b"JBSWY3DPEHPK3PXP"
    assert b"JBSWY3DPEHPK3PXP" not in sealed
    with pytest.raises(ValueError, match="tampered"):
        box.open(sealed, associated=b"owner-2")


def test_the_box_refuses_a_tampered_value_another_key_and_another_version() -> None:
    box = AesGcmSecretBox(os.urandom(32))
    sealed = box.seal(b"secret", associated=b"x")
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])

    for bad_box, value in [(box, flipped), (AesGcmSecretBox(os.urandom(32)), sealed),
                           (box, b"\x02" + sealed[1:])]:
        with pytest.raises(ValueError):
            bad_box.open(value, associated=b"x")


def test_each_seal_uses_a_fresh_nonce() -> None:
    box = AesGcmSecretBox(os.urandom(32))

    assert box.seal(b"same", associated=b"x") != box.seal(b"same", associated=b"x")


def test_the_box_wants_a_256_bit_key() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        AesGcmSecretBox(os.urandom(16))


def test_production_refuses_to_start_without_a_data_key(tmp_path: Path) -> None:
    settings = Settings(env="production", secret_key_file=tmp_path / "secret")

    with pytest.raises(ConfigurationError, match="ROOMKEY_DATA_KEY is not set") as error:
        resolve_data_key(settings)
    assert "\n" not in str(error.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["short", "!" * 44, base64.urlsafe_b64encode(b"x" * 31).decode()])
def test_a_data_key_that_is_not_32_bytes_of_base64url_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="ROOMKEY_DATA_KEY must be 32 random bytes"):
        resolve_data_key(Settings(data_key=value))  # type: ignore[arg-type]


def test_a_given_data_key_is_decoded() -> None:
    key = os.urandom(32)
    encoded = base64.urlsafe_b64encode(key).decode()

    assert resolve_data_key(Settings(data_key=encoded)) == key  # type: ignore[arg-type]


def test_development_keeps_a_generated_key_beside_the_signing_key(tmp_path: Path) -> None:
    settings = Settings(secret_key_file=tmp_path / ".roomkey-secret")

    first = resolve_data_key(settings)
    key_file = tmp_path / ".roomkey-data-key"

    assert len(first) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert resolve_data_key(settings) == first  # kept across restarts
