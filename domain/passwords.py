"""The password policy (NIST SP 800-63B, ASVS V2.1): length, blocklist, patterns, context words."""

import unicodedata
from collections.abc import Callable, Container
from dataclasses import dataclass, field

from domain.errors import InvalidPassword
from domain.users import Email

DEFAULT_MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
# A shorter word ("al@...", "io") would refuse every password that merely contains two common
# letters; and it cannot equal a password of the minimum length anyway.
MIN_CONTEXT_WORD = 4
# A password built of this few distinct pieces (runs such as "aaaa", "abcd", "4321", "qwerty",
# or single characters) is one pattern, however long: "aaaaaaaaaaaa", "qwertyuiop12".
MAX_PATTERN_PIECES = 3
MIN_RUN = 2
_KEYBOARD_ROWS = ("`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./")


def normalise_password(password: str) -> str:
    """NFKC, so that the NFC and NFD spellings of one password hash alike."""
    return unicodedata.normalize("NFKC", password)


def context_words(*names: str) -> frozenset[str]:
    """The words a guesser tries first for a service or an address: each name whole, and each
    of its dot-separated labels of MIN_CONTEXT_WORD characters or more but the last (a
    top-level domain such as "com"). `book.roomkey.io` gives itself, "book" and "roomkey"."""
    words: set[str] = set()
    for name in (name.lower() for name in names if name):
        labels = name.split(".")
        words.update([name, *labels[:-1]] if len(labels) > 1 else [name])
    return frozenset(word for word in words if len(word) >= MIN_CONTEXT_WORD)


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """What a new password must meet. Every refusal says what is wrong, never the password.

    `common_passwords` holds lower-cased entries; any container works (a frozenset, a lazy
    loader), so the list itself stays outside the domain. `service_words` are the
    context-specific words of the service (its name, its host; see `context_words`); the
    email's name and domain are added for each check.
    """

    min_length: int = DEFAULT_MIN_PASSWORD_LENGTH
    common_passwords: Container[str] = field(default=frozenset(), repr=False)
    service_words: frozenset[str] = frozenset()

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
        if is_one_pattern(lowered):
            raise InvalidPassword("The password is one repeated or sequential pattern (such as "
                                  "aaaa, abcabc, 1234 or qwerty); choose a less guessable one")
        name = email.local_part
        if len(name) >= MIN_CONTEXT_WORD and name in lowered:
            raise InvalidPassword("The password must not contain the name part of the email")
        if any(word in lowered for word in self.service_words | context_words(email.domain)):
            raise InvalidPassword("The password must not contain the service's name, its host "
                                  "or the email's domain")


def is_one_pattern(password: str) -> bool:
    """Whether the password is essentially one repeated or sequential pattern.

    It is cut into runs (a character repeated, or stepping by one through the alphabet, the
    digits or a keyboard row, either way) and single characters; a run repeated counts once.
    Few distinct pieces mean a pattern ("abcabcabcabc", "123456789012"); a password that only
    contains a short run among other characters has many.
    """
    pieces: set[str] = set()
    start = 0
    while start < len(password):
        end = start + max(_run_length(password, start), 1)
        pieces.add(password[start:end])
        start = end
    return len(pieces) <= MAX_PATTERN_PIECES


def _run_length(text: str, start: int) -> int:
    """The length of the longest run starting at `start` (0 when shorter than MIN_RUN)."""
    best = 0
    for step in _STEPS:
        end = start + 1
        while end < len(text) and step(text[end - 1], text[end]):
            end += 1
        best = max(best, end - start)
    return best if best >= MIN_RUN else 0


def _same(a: str, b: str) -> bool:
    return a == b


def _up(a: str, b: str) -> bool:
    return ord(b) - ord(a) == 1


def _down(a: str, b: str) -> bool:
    return ord(a) - ord(b) == 1


def _keyboard_up(a: str, b: str) -> bool:
    return any(a + b in row for row in _KEYBOARD_ROWS)


def _keyboard_down(a: str, b: str) -> bool:
    return any(b + a in row for row in _KEYBOARD_ROWS)


_STEPS: tuple[Callable[[str, str], bool], ...] = (
    _same, _up, _down, _keyboard_up, _keyboard_down)
