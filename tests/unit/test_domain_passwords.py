"""The password policy: 8 to 128 characters after NFKC normalisation."""

import unicodedata

import pytest

from domain.errors import InvalidPassword
from domain.passwords import check_password_policy, normalise_password


@pytest.mark.parametrize("length", [8, 9, 64, 128])
def test_password_within_bounds_is_accepted(length: int) -> None:
    check_password_policy("p" * length)
    assert len(normalise_password("p" * length)) == length


def test_password_of_seven_characters_is_rejected() -> None:
    with pytest.raises(InvalidPassword, match="at least 8"):
        check_password_policy("p" * 7)


def test_empty_password_is_rejected() -> None:
    with pytest.raises(InvalidPassword):
        check_password_policy("")


def test_password_of_129_characters_is_rejected() -> None:
    with pytest.raises(InvalidPassword, match="at most 128"):
        check_password_policy("p" * 129)


def test_policy_error_does_not_echo_the_password() -> None:
    with pytest.raises(InvalidPassword) as raised:
        check_password_policy("s3cr3t!")
    assert "s3cr3t!" not in str(raised.value)


def test_no_composition_rules_only_length() -> None:
    check_password_policy("aaaaaaaa")
    check_password_policy("        ")
    assert normalise_password("aaaaaaaa") == "aaaaaaaa"


def test_nfc_and_nfd_spellings_normalise_alike() -> None:
    nfc = unicodedata.normalize("NFC", "crème brûlée")
    nfd = unicodedata.normalize("NFD", "crème brûlée")
    assert nfc != nfd
    assert normalise_password(nfc) == normalise_password(nfd)


def test_normalisation_is_nfkc_folding_compatibility_characters() -> None:
    assert normalise_password("ﬁ①") == "fi1"


def test_length_is_counted_after_normalisation() -> None:
    # Eight characters once composed, but sixteen code points as NFD.
    nfd = unicodedata.normalize("NFD", "é" * 8)
    assert len(nfd) == 16
    check_password_policy(nfd)
    seven_composed = unicodedata.normalize("NFD", "é" * 7)
    with pytest.raises(InvalidPassword):
        check_password_policy(seven_composed)
