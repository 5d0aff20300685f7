"""The password policy: length after NFKC, the common-password list, one repeated or sequential
pattern, context words (the email's name and domain, the service's name and host), NUL."""

import unicodedata

import pytest

from domain.errors import InvalidPassword
from domain.passwords import PasswordPolicy, context_words, is_one_pattern, normalise_password
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


VARIED = "xq7#vb2!mk9%" * 11  # no run, no repetition within 12 characters


@pytest.mark.parametrize("length", [12, 13, 64, 128])
def test_password_within_bounds_is_accepted(policy: PasswordPolicy, length: int) -> None:
    policy.check(VARIED[:length], email=EMAIL)


@pytest.mark.parametrize("length", [0, 8, 11])
def test_password_shorter_than_twelve_is_refused_by_default(
    policy: PasswordPolicy, length: int,
) -> None:
    """ASVS 4.0.3 2.1.1: at least 12 characters."""
    assert "at least 12 characters" in refusal(policy, VARIED[:length])


def test_password_of_129_characters_is_refused(policy: PasswordPolicy) -> None:
    assert "at most 128 characters" in refusal(policy, VARIED[:129])


def test_the_minimum_is_configurable(policy: PasswordPolicy) -> None:
    laxer = PasswordPolicy(min_length=8)
    laxer.check("zq8#wv3!", email=EMAIL)
    assert "at least 8" in refusal(laxer, "zq8#wv3")
    stricter = PasswordPolicy(min_length=16)
    assert "at least 16" in refusal(stricter, "zq8#wv3!zq8#wv3")


def test_no_composition_rules(policy: PasswordPolicy) -> None:
    policy.check("quietly falling leaves", email=EMAIL)
    policy.check("all lower case words", email=EMAIL)


def test_emoji_are_characters_like_any_other(policy: PasswordPolicy) -> None:
    policy.check("🔑🌧️🐙🎻🧭🍋🚲🪐🦔🧀🎲🪁", email=EMAIL)
    assert "at least 12" in refusal(policy, "🔑🌧️🐙🎻🧭🍋🚲🪐🦔🧀")


@pytest.mark.parametrize("pattern", [
    "aaaaaaaaaaaa", "abcabcabcabc", "123456789012", "qwertyuiop12", "abcdefghijklmnop",
    "987654321098", "zyxwvutsrqpo", "ab12ab12ab12ab12", "1111111111112", "qwertyqwerty",
    "asdfghjkl;'a", "a1a1a1a1a1a1a1", "ZZZZZZZZZZZZZZ", "mnbvcxz!!!!!",
])
def test_one_repeated_or_sequential_pattern_is_refused(pattern: str) -> None:
    """NIST SP 800-63B 5.1.1.2: repetitive or sequential characters (without the common list,
    which names some of them too)."""
    assert "repeated or sequential" in refusal(PasswordPolicy(), pattern)


@pytest.mark.parametrize("password", [
    "abcd-quiet-harvest", "meet me at 1234 elm", "zzz sleepy otter", "qwerty is a keyboard",
    "correct horse battery", "Tr0ub4dor&3x", "2024 was a good year",
])
def test_a_password_that_merely_contains_a_short_run_is_accepted(
    policy: PasswordPolicy, password: str,
) -> None:
    assert not is_one_pattern(password.lower())
    policy.check(password, email=EMAIL)


def test_the_service_name_and_host_are_context_words() -> None:
    policy = PasswordPolicy(service_words=context_words("roomkey", "book.hotel-sun.io"))
    for password in ["roomkey2026!", "RoomKeyRoomKey", "my roomkey pass", "hotel-sun rocks",
                     "book.hotel-sun.io"]:
        assert "service's name, its host" in refusal(policy, password)
    policy.check("quietly falling leaves", email=EMAIL)


def test_the_emails_domain_is_a_context_word(policy: PasswordPolicy) -> None:
    for password in ["example.com!!", "EXAMPLE.COM 2026", "my example password"]:
        assert "the email's domain" in refusal(policy, password)
    policy.check("example.com!!", email=Email("alice.smith@sun.io"))


def test_context_words_are_names_and_their_longer_labels_but_the_top_level_domain() -> None:
    assert context_words("roomkey") == {"roomkey"}
    assert context_words("book.roomkey.io") == {"book.roomkey.io", "book", "roomkey"}
    assert context_words("127.0.0.1") == {"127.0.0.1"}
    assert context_words("x.io", "") == {"x.io"}


def test_a_nul_character_is_refused(policy: PasswordPolicy) -> None:
    assert "NUL" in refusal(policy, "quiet\x00falling")


@pytest.mark.parametrize("listed",
                         ["password1", "PASSWORD1", "PassWord1", "Iloveyou", "QWERTYUIOP"])
def test_a_listed_password_is_refused_in_any_case(listed: str) -> None:
    policy = PasswordPolicy(min_length=8, common_passwords=common_passwords())
    assert "too common" in refusal(policy, listed)


def test_the_bundled_list_has_at_least_ten_thousand_entries() -> None:
    passwords = common_passwords()
    assert len(passwords) >= 10_000
    assert common_passwords() is passwords  # loaded once


@pytest.mark.parametrize("password", ["alice.smith!", "ALICE.SMITH!", "my alice.smith 2024"])
def test_the_email_name_is_refused_alone_or_inside(policy: PasswordPolicy, password: str) -> None:
    assert "name part of the email" in refusal(policy, password)


def test_a_name_of_three_letters_does_not_refuse_every_password_containing_them(
    policy: PasswordPolicy,
) -> None:
    policy.check("annual quiet harvest", email=Email("ann@example.com"))
    assert "name part" in refusal(policy, "ANNUAL quiet", email=Email("annu@example.com"))


def test_the_hashers_byte_limit_is_enforced_when_it_has_one(policy: PasswordPolicy) -> None:
    two_bytes_each = "éàüöñç" * 20
    policy.check(two_bytes_each[:36], email=EMAIL, max_bytes=72)
    assert "at most 72 bytes" in refusal(policy, two_bytes_each[:37], max_bytes=72)
    policy.check(two_bytes_each[:100], email=EMAIL, max_bytes=None)


def test_nfc_and_nfd_spellings_normalise_alike() -> None:
    nfc = unicodedata.normalize("NFC", "crème brûlée")
    nfd = unicodedata.normalize("NFD", "crème brûlée")
    assert nfc != nfd
    assert normalise_password(nfc) == normalise_password(nfd)


def test_normalisation_is_nfkc_folding_compatibility_characters() -> None:
    assert normalise_password("ﬁ①") == "fi1"


def test_length_is_counted_after_normalisation(policy: PasswordPolicy) -> None:
    nfd = unicodedata.normalize("NFD", "crème brûlée")
    assert len(nfd) == 15
    policy.check(nfd, email=EMAIL)
    assert "at least 12" in refusal(policy, unicodedata.normalize("NFD", "crème brûlé"))


def test_a_minimum_outside_the_bounds_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="min_length"):
        PasswordPolicy(min_length=0)
