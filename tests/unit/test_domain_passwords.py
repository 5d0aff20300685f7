"""The password policy: length after NFKC, the common-password list, the email's name, NUL."""

import unicodedata

import pytest

from domain.errors import InvalidPassword
from domain.passwords import PasswordPolicy, normalise_password
from domain.users import Email
from infrastructure.common_passwords import common_passwords

EMAIL = Email("alice.smith@example.com")


@pytest.fixture
def policy() -> PasswordPolicy:
    return PasswordPolicy(common_passwords=common_passwords())


def refusal(policy: PasswordPolicy, password: str, *, email: Email = EMAIL,
            max_bytes: int | None = None) -> str:
    with pytest.raises(InvalidPassword) as raised:
        policy.check(password, email=email, max_bytes=max_bytes)
    message = str(raised.value)
    assert not password or password not in message
    return message


@pytest.mark.parametrize("length", [8, 9, 64, 128])
def test_password_within_bounds_is_accepted(policy: PasswordPolicy, length: int) -> None:
    policy.check("xq7#" * 32 if length == 128 else ("xq7#" * 32)[:length], email=EMAIL)


@pytest.mark.parametrize("length", [0, 7])
def test_password_shorter_than_eight_is_refused(policy: PasswordPolicy, length: int) -> None:
    assert "at least 8 characters" in refusal(policy, "zq8#wv3!"[:length])


def test_password_of_129_characters_is_refused(policy: PasswordPolicy) -> None:
    assert "at most 128 characters" in refusal(policy, "xq7#" * 32 + "x")


def test_the_minimum_is_configurable(policy: PasswordPolicy) -> None:
    stricter = PasswordPolicy(min_length=12)
    stricter.check("zq8#wv3!zq8#", email=EMAIL)
    assert "at least 12" in refusal(stricter, "zq8#wv3!zq8")


def test_no_composition_rules(policy: PasswordPolicy) -> None:
    policy.check("quietly falling leaves", email=EMAIL)
    policy.check("        ", email=EMAIL)


def test_emoji_are_characters_like_any_other(policy: PasswordPolicy) -> None:
    policy.check("🔑🌧️🐙🎻🧭🍋🚲🪐", email=EMAIL)
    assert "at least 8" in refusal(policy, "🔑" * 7)


def test_a_nul_character_is_refused(policy: PasswordPolicy) -> None:
    assert "NUL" in refusal(policy, "quiet\x00falling")


@pytest.mark.parametrize("listed",
                         ["password1", "PASSWORD1", "PassWord1", "Iloveyou", "QWERTYUIOP"])
def test_a_listed_password_is_refused_in_any_case(policy: PasswordPolicy, listed: str) -> None:
    assert "too common" in refusal(policy, listed)


def test_the_bundled_list_has_at_least_ten_thousand_entries() -> None:
    passwords = common_passwords()
    assert len(passwords) >= 10_000
    assert common_passwords() is passwords  # loaded once


@pytest.mark.parametrize("password", ["alice.smith", "ALICE.SMITH", "my alice.smith 2024"])
def test_the_email_name_is_refused_alone_or_inside(policy: PasswordPolicy, password: str) -> None:
    assert "name part of the email" in refusal(policy, password)


def test_a_name_of_three_letters_does_not_refuse_every_password_containing_them(
    policy: PasswordPolicy,
) -> None:
    policy.check("annual quiet harvest", email=Email("ann@example.com"))
    assert "name part" in refusal(policy, "ANNUAL quiet", email=Email("annu@example.com"))


def test_the_hashers_byte_limit_is_enforced_when_it_has_one(policy: PasswordPolicy) -> None:
    policy.check("é" * 36, email=EMAIL, max_bytes=72)
    assert "at most 72 bytes" in refusal(policy, "é" * 37, max_bytes=72)
    policy.check("é" * 100, email=EMAIL, max_bytes=None)


def test_nfc_and_nfd_spellings_normalise_alike() -> None:
    nfc = unicodedata.normalize("NFC", "crème brûlée")
    nfd = unicodedata.normalize("NFD", "crème brûlée")
    assert nfc != nfd
    assert normalise_password(nfc) == normalise_password(nfd)


def test_normalisation_is_nfkc_folding_compatibility_characters() -> None:
    assert normalise_password("ﬁ①") == "fi1"


def test_length_is_counted_after_normalisation(policy: PasswordPolicy) -> None:
    nfd = unicodedata.normalize("NFD", "é" * 8)
    assert len(nfd) == 16
    policy.check(nfd, email=EMAIL)
    assert "at least 8" in refusal(policy, unicodedata.normalize("NFD", "é" * 7))


def test_a_minimum_outside_the_bounds_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="min_length"):
        PasswordPolicy(min_length=0)
