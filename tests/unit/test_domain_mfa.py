"""The second factor's domain rules: the MFA challenge's life, recovery codes, step-up, erasure."""

import re
import uuid
from dataclasses import replace
from datetime import timedelta

from domain.mfa import (
    MAX_FAILED_CODES,
    MFA_TOKEN_LIFETIME,
    RECOVERY_CODE_COUNT,
    MfaToken,
    mfa_token_digest,
    new_recovery_codes,
    recovery_code_digest,
)
from domain.sessions import Session
from domain.users import ERASED_EMAIL_DOMAIN, Email, PasswordHash, Role, User
from tests.fakes import FIXED_NOW

TICK = timedelta(microseconds=1)


def test_an_mfa_token_is_stored_only_as_its_digest_and_is_bound_to_its_user() -> None:
    user_id = uuid.uuid4()
    token = MfaToken.mint(user_id=user_id, now=FIXED_NOW)

    assert token.challenge.digest == mfa_token_digest(token.value) != token.value
    assert token.challenge.user_id == user_id
    assert token.value not in repr(token)
    assert MfaToken.mint(user_id=user_id, now=FIXED_NOW).value != token.value


def test_the_challenge_dies_at_its_expiry() -> None:
    challenge = MfaToken.mint(user_id=uuid.uuid4(), now=FIXED_NOW).challenge

    assert challenge.is_open(FIXED_NOW + MFA_TOKEN_LIFETIME - TICK)
    assert not challenge.is_open(FIXED_NOW + MFA_TOKEN_LIFETIME)
    assert timedelta(minutes=5) == MFA_TOKEN_LIFETIME


def test_the_challenge_dies_after_five_wrong_codes_and_once_used() -> None:
    challenge = MfaToken.mint(user_id=uuid.uuid4(), now=FIXED_NOW).challenge

    assert replace(challenge, failed_codes=MAX_FAILED_CODES - 1).is_open(FIXED_NOW)
    assert not replace(challenge, failed_codes=MAX_FAILED_CODES).is_open(FIXED_NOW)
    assert not replace(challenge, used_at=FIXED_NOW).is_open(FIXED_NOW)
    assert MAX_FAILED_CODES == 5


def test_recovery_codes_are_ten_distinct_codes_of_80_bits() -> None:
    codes = new_recovery_codes()

    assert len(codes) == RECOVERY_CODE_COUNT == 10
    assert len(set(codes)) == 10
    for code in codes:
        # 16 characters of a 32-letter alphabet: 80 bits.
        assert re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", code), code
    assert set(codes).isdisjoint(new_recovery_codes())


def test_a_recovery_code_digest_ignores_case_spaces_and_dashes_but_nothing_else() -> None:
    code = new_recovery_codes()[0]
    digest = recovery_code_digest(code)

    assert recovery_code_digest(code.upper()) == digest
    assert recovery_code_digest(f" {code.replace('-', ' ')} ") == digest
    assert recovery_code_digest(code.replace("-", "")) == digest
    assert recovery_code_digest(code[:-1] + ("a" if code[-1] != "a" else "b")) != digest
    assert code not in digest


def test_a_new_session_counts_as_just_authenticated() -> None:
    session = Session.start(user_id=uuid.uuid4(), now=FIXED_NOW, lifetime=timedelta(days=1),
                            description="")
    max_age = timedelta(minutes=10)

    assert session.authenticated_at == FIXED_NOW
    assert session.authenticated_within(max_age, FIXED_NOW + max_age)
    assert not session.authenticated_within(max_age, FIXED_NOW + max_age + TICK)


def test_reauthenticating_renews_the_step_up_time() -> None:
    session = Session.start(user_id=uuid.uuid4(), now=FIXED_NOW, lifetime=timedelta(days=1),
                            description="")
    later = FIXED_NOW + timedelta(hours=1)

    session.reauthenticate(later)

    assert session.authenticated_within(timedelta(minutes=10), later + timedelta(minutes=10))


def test_a_session_without_an_authentication_time_is_never_recent() -> None:
    session = Session.start(user_id=uuid.uuid4(), now=FIXED_NOW, lifetime=timedelta(days=1),
                            description="")
    session.authenticated_at = None  # as sessions stored before step-up existed

    assert not session.authenticated_within(timedelta(days=365), FIXED_NOW)


def test_erasing_a_user_leaves_nothing_that_identifies_or_authenticates() -> None:
    user = User.register(email=Email("ada@example.com"), password_hash=PasswordHash("fake$x$y"),
                         now=FIXED_NOW, role=Role.ADMIN)
    user.mfa_enabled = True
    other = User.register(email=Email("bob@example.com"), password_hash=PasswordHash("fake$x$y"),
                          now=FIXED_NOW)

    user.erase()
    other.erase()

    assert "ada" not in user.email.value
    assert user.email.value.endswith("@" + ERASED_EMAIL_DOMAIN)
    assert user.email != other.email  # unique, so the unique index holds
    assert user.password_hash.value == "!"
    assert (user.role, user.is_active, user.mfa_enabled) == (Role.USER, False, False)
