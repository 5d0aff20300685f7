"""parse_email, the one rule for email addresses: the refusals of issue 9, the normal form, and
its properties over generated addresses."""

import random
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidEmail
from domain.users import MAX_EMAIL_LENGTH, Email
from infrastructure.email_addresses import parse_email

_local_parts = st.text(string.ascii_letters + string.digits + "_%+-", min_size=1, max_size=40)
_labels = st.text(string.ascii_letters + string.digits, min_size=1, max_size=20)
_top_level = st.text(string.ascii_letters, min_size=2, max_size=6)
_domains = st.tuples(st.lists(_labels, min_size=1, max_size=3), _top_level).map(
    lambda parts: ".".join([*parts[0], parts[1]]))
_padding = st.sampled_from(["", " ", "  "])


@st.composite
def valid_emails(draw: st.DrawFn) -> str:
    return f"{draw(_padding)}{draw(_local_parts)}@{draw(_domains)}{draw(_padding)}"


@pytest.mark.parametrize("address", [
    "<script>alert(1)</script>@x.io",
    "a@b.c",                                   # a one-letter top-level domain
    "a" * 65 + "@x.io",                        # RFC 5321: 64 characters before the @
    "a@" + "b" * 64 + ".io",                   # RFC 1035: 63 characters a label
    "a\x00b@x.io", "a@x.io\x00", "a\tb@x.io", "a\nb@x.io",
    '"john doe"@x.io',                         # quoted local parts are refused
    "a@localhost", "a@[127.0.0.1]", "a..b@x.io", ".a@x.io", "a.@x.io", "a@-x.io",
    "Alice <alice@x.io>", "alice@", "@x.io", "plainaddress", "", "a@@x.io", "a@x..io",
    "x@" + ".".join(["a" * 63] * 4) + ".io",   # over 254 in all
])
def test_loose_addresses_are_refused_with_a_reason(address: str) -> None:
    with pytest.raises(InvalidEmail) as raised:
        parse_email(address)
    assert raised.value.detail


@pytest.mark.parametrize(("typed", "normal"), [
    ("  Alice.Smith@Example.COM ", "alice.smith@example.com"),
    ("a" * 64 + "@x.io", "a" * 64 + "@x.io"),
    ("José@BÜCHER.de", "josé@bücher.de"),
    ("x@xn--bcher-kva.de", "x@bücher.de"),
    (unicodedata.normalize("NFD", "josé@example.com"), "josé@example.com"),
    ("first.last+tag@mail.example.co.uk", "first.last+tag@mail.example.co.uk"),
])
def test_the_normal_form_is_lower_case_nfc_with_a_unicode_domain(typed: str, normal: str) -> None:
    assert parse_email(typed) == Email(normal)
    assert parse_email(typed).value == unicodedata.normalize("NFC", normal)


@settings(max_examples=100)
@given(valid_emails())
def test_parsing_is_idempotent(raw: str) -> None:
    email = parse_email(raw)

    assert parse_email(email.value) == email


@settings(max_examples=100)
@given(valid_emails())
def test_a_plain_address_is_stored_trimmed_and_lower_cased(raw: str) -> None:
    assert parse_email(raw).value == raw.strip(" ").lower()


@settings(max_examples=100)
@given(valid_emails(), st.randoms(use_true_random=False))
def test_case_changes_do_not_change_the_email(raw: str, rng: random.Random) -> None:
    shuffled_case = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in raw)

    assert parse_email(shuffled_case) == parse_email(raw)


# Text over a small alphabet rich in "@", dots, spaces and controls hits both outcomes often.
_email_like_text = st.text("aZé@.x \t\n\x00-_<>\"", max_size=40)


@settings(max_examples=200)
@given(st.one_of(_email_like_text, st.text(max_size=300), valid_emails()))
def test_any_accepted_text_is_a_normal_one_at_sign_address(raw: str) -> None:
    try:
        email = parse_email(raw)
    except InvalidEmail:
        return

    local, domain = email.value.split("@")
    assert "." in domain
    assert len(local) <= 64
    assert len(email.value) <= MAX_EMAIL_LENGTH
    assert not any(c.isspace() or unicodedata.category(c) == "Cc" for c in email.value)
    assert email.value == email.value.lower()
    assert unicodedata.is_normalized("NFC", email.value)
    assert parse_email(email.value) == email


@pytest.mark.parametrize("address", ["a@x.local", "a@x.localhost", "a@x.invalid", "a@x.onion"])
def test_special_use_domains_that_never_receive_mail_are_refused(address: str) -> None:
    with pytest.raises(InvalidEmail, match="special-use"):
        parse_email(address)


def test_the_test_domain_stays_open_for_test_and_staging_accounts() -> None:
    assert parse_email("admin@roomkey.test").value == "admin@roomkey.test"
