"""The password policy (NIST SP 800-63B): length bounds, no composition rules."""

import unicodedata

from domain.errors import InvalidPassword

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


def normalise_password(password: str) -> str:
    """NFKC, so that the NFC and NFD spellings of one password hash alike."""
    return unicodedata.normalize("NFKC", password)


def check_password_policy(password: str) -> None:
    """Raise InvalidPassword, saying what is wrong and never echoing the password."""
    length = len(normalise_password(password))
    if length < MIN_PASSWORD_LENGTH:
        raise InvalidPassword(f"The password must have at least {MIN_PASSWORD_LENGTH} characters")
    if length > MAX_PASSWORD_LENGTH:
        raise InvalidPassword(f"The password must have at most {MAX_PASSWORD_LENGTH} characters")
