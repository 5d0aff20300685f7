"""Properties of Email normalisation over generated addresses."""

import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidEmail
from domain.users import MAX_EMAIL_LENGTH, Email

_local_parts = st.text(string.ascii_letters + string.digits + "._%+-", min_size=1, max_size=40)
_labels = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=20)
_domains = st.lists(_labels, min_size=2, max_size=4).map(".".join)
_padding = st.sampled_from(["", " ", "  ", "\t", "\n", " \r\n"])


@st.composite
def valid_emails(draw: st.DrawFn) -> str:
    return f"{draw(_padding)}{draw(_local_parts)}@{draw(_domains)}{draw(_padding)}"


@settings(max_examples=100)
@given(valid_emails())
def test_email_normalisation_is_idempotent(raw: str) -> None:
    email = Email(raw)

    assert Email(email.value) == email
    assert Email(email.value).value == email.value


@settings(max_examples=100)
@given(valid_emails())
def test_valid_email_is_stored_trimmed_and_lower_cased(raw: str) -> None:
    assert Email(raw).value == raw.strip().lower()


@settings(max_examples=100)
@given(valid_emails(), st.randoms(use_true_random=False))
def test_case_changes_do_not_change_the_email(raw: str, rng: random.Random) -> None:
    shuffled_case = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in raw)

    assert Email(shuffled_case) == Email(raw)


# Text over a small alphabet rich in "@", dots and spaces hits both outcomes often.
_email_like_text = st.text("aZé@. \t\n-_", max_size=40)


@settings(max_examples=200)
@given(st.one_of(_email_like_text, st.text(max_size=300), valid_emails()))
def test_any_accepted_text_is_a_normalised_one_at_sign_address(raw: str) -> None:
    try:
        email = Email(raw)
    except InvalidEmail:
        return

    assert email.value.count("@") == 1
    assert "." in email.value.split("@")[1]
    assert not any(c.isspace() for c in email.value)
    assert len(email.value) <= MAX_EMAIL_LENGTH
    assert email.value == raw.strip().lower()
    assert Email(email.value) == email


@given(st.text(string.ascii_lowercase, min_size=MAX_EMAIL_LENGTH - 11, max_size=400))
@settings(max_examples=50)
def test_addresses_longer_than_the_maximum_are_rejected(local: str) -> None:
    raw = f"{local}@example.com"
    if len(raw) > MAX_EMAIL_LENGTH:
        with pytest.raises(InvalidEmail):
            Email(raw)
    else:
        assert Email(raw).value == raw
