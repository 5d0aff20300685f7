"""Email, PasswordHash and User: the normal form's invariant, validation and secrecy.

What a valid address is, and how one is normalised, is tested in test_email_addresses.py."""

import uuid
from datetime import UTC, datetime

import pytest

from domain.errors import InvalidEmail
from domain.users import MAX_EMAIL_LENGTH, Email, PasswordHash, Role, User


@pytest.mark.parametrize("spelling", ["Alice@example.com", "alice@Example.com",
                                      " alice@example.com", "alice@example.com\n"])
def test_an_email_refuses_any_spelling_but_its_normal_form(spelling: str) -> None:
    """It does not fix a spelling: parse_email, the one rule, makes the normal form."""
    with pytest.raises(InvalidEmail):
        Email(spelling)


def test_email_str_is_the_address() -> None:
    assert str(Email("carol@example.com")) == "carol@example.com"


def test_email_local_part_is_everything_before_the_at_sign() -> None:
    assert Email("first.last+tag@example.com").local_part == "first.last+tag"


def test_email_domain_is_everything_after_the_at_sign() -> None:
    assert Email("first.last+tag@mail.example.com").domain == "mail.example.com"


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "   ",
        "plainaddress",
        "@example.com",
        "alice@",
        "alice@example",
        "alice@@example.com",
        "alice@exa@mple.com",
        "ali ce@example.com",
        "alice@exa mple.com",
        "alice@.com",
    ],
)
def test_malformed_email_is_rejected(malformed: str) -> None:
    with pytest.raises(InvalidEmail):
        Email(malformed)


def _email_of_length(length: int) -> str:
    domain = "@example.com"
    return "a" * (length - len(domain)) + domain


def test_email_of_exactly_the_maximum_length_is_accepted() -> None:
    assert len(Email(_email_of_length(MAX_EMAIL_LENGTH)).value) == MAX_EMAIL_LENGTH == 254


def test_email_over_254_characters_is_rejected() -> None:
    with pytest.raises(InvalidEmail):
        Email(_email_of_length(MAX_EMAIL_LENGTH + 1))


def test_password_hash_repr_masks_the_hash() -> None:
    secret = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
    password_hash = PasswordHash(secret)
    assert secret not in repr(password_hash)
    assert secret not in str(password_hash)
    assert "****" in repr(password_hash)


def test_user_repr_does_not_leak_the_password_hash() -> None:
    user = User.register(email=Email("a@example.com"), password_hash=PasswordHash("fake$s$d1g3st"),
                         now=datetime(2030, 1, 1, tzinfo=UTC))
    assert "d1g3st" not in repr(user)


def test_registered_user_is_an_active_user_created_now() -> None:
    now = datetime(2030, 1, 1, 9, 30, tzinfo=UTC)
    user = User.register(email=Email("a@example.com"), password_hash=PasswordHash("h"), now=now)
    assert user.role is Role.USER
    assert user.is_active
    assert user.created_at == now


def test_user_registered_as_admin_is_admin() -> None:
    user = User.register(email=Email("a@example.com"), password_hash=PasswordHash("h"),
                         now=datetime(2030, 1, 1, tzinfo=UTC), role=Role.ADMIN)
    assert user.role is Role.ADMIN


def test_register_rejects_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        User.register(email=Email("a@example.com"), password_hash=PasswordHash("h"),
                      now=datetime(2030, 1, 1, 9, 30))  # noqa: DTZ001


def test_users_are_equal_by_id_not_by_attributes() -> None:
    user_id = uuid.uuid4()
    now = datetime(2030, 1, 1, tzinfo=UTC)
    first = User(id=user_id, email=Email("a@example.com"), password_hash=PasswordHash("h1"),
                 created_at=now)
    same_id = User(id=user_id, email=Email("b@example.com"), password_hash=PasswordHash("h2"),
                   created_at=now)
    other_id = User(id=uuid.uuid4(), email=Email("a@example.com"),
                    password_hash=PasswordHash("h1"), created_at=now)
    assert first == same_id
    assert hash(first) == hash(same_id)
    assert first != other_id


def test_each_registration_gets_a_new_id() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    email, password_hash = Email("a@example.com"), PasswordHash("h")
    assert User.register(email=email, password_hash=password_hash, now=now) != User.register(
        email=email, password_hash=password_hash, now=now)
