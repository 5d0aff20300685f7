"""The password policy (NIST SP 800-63B, ASVS V2.1): length, a blocklist, no composition rules."""

import unicodedata
from collections.abc import Container
from dataclasses import dataclass, field

from domain.errors import InvalidPassword
from domain.users import Email

DEFAULT_MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
# A shorter local part ("al@...") would refuse every password that merely contains two common
# letters; and it cannot equal a password of the minimum length anyway.
MIN_LOCAL_PART_TO_SEARCH = 4


def normalise_password(password: str) -> str:
    """NFKC, so that the NFC and NFD spellings of one password hash alike."""
    return unicodedata.normalize("NFKC", password)


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """What a new password must meet. Every refusal says what is wrong, never the password.

    `common_passwords` holds lower-cased entries; any container works (a frozenset, a lazy
    loader), so the list itself stays outside the domain.
    """

    min_length: int = DEFAULT_MIN_PASSWORD_LENGTH
    common_passwords: Container[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.min_length <= MAX_PASSWORD_LENGTH:
            raise ValueError(f"min_length must be between 1 and {MAX_PASSWORD_LENGTH}")

    def check(self, password: str, *, email: Email, max_bytes: int | None = None) -> None:
        """`max_bytes` is the active hasher's limit (bcrypt reads only 72 bytes), if it has one."""
        password = normalise_password(password)
        if len(password) < self.min_length:
            raise InvalidPassword(f"The password must have at least {self.min_length} characters")
        if len(password) > MAX_PASSWORD_LENGTH:
            raise InvalidPassword(
                f"The password must have at most {MAX_PASSWORD_LENGTH} characters")
        if "\x00" in password:
            # Never typed by a person, and C-based hashers (bcrypt) stop reading at it.
            raise InvalidPassword("The password must not contain a NUL character")
        if max_bytes is not None and len(password.encode()) > max_bytes:
            raise InvalidPassword(
                f"The password must be at most {max_bytes} bytes long in UTF-8 "
                "(a limit of the password hashing scheme)")
        lowered = password.lower()
        if lowered in self.common_passwords:
            raise InvalidPassword("The password is too common; choose a less guessable one")
        name = email.local_part
        if len(name) >= MIN_LOCAL_PART_TO_SEARCH and name in lowered:
            raise InvalidPassword("The password must not contain the name part of the email")
