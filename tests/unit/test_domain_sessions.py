"""Session, RefreshToken and RefreshTokenRecord: lifetimes, revocation, entropy, digests."""

import base64
import hashlib
import uuid
from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta

import pytest

from domain.sessions import (
    MAX_DESCRIPTION_LENGTH,
    REFRESH_TOKEN_BYTES,
    RefreshToken,
    RefreshTokenRecord,
    Session,
    refresh_token_digest,
)
from tests.fakes import FIXED_NOW

DAY = timedelta(days=1)


def start(now: datetime = FIXED_NOW, lifetime: timedelta = 30 * DAY,
          description: str = "Firefox on Linux") -> Session:
    return Session.start(user_id=uuid.uuid4(), now=now, lifetime=lifetime,
                         description=description)


def test_a_session_starts_live_used_now_and_ending_after_its_lifetime() -> None:
    user_id = uuid.uuid4()
    session = Session.start(user_id=user_id, now=FIXED_NOW, lifetime=30 * DAY,
                            description="phone")

    assert session.user_id == user_id
    assert session.created_at == session.last_used_at == FIXED_NOW
    assert session.expires_at == FIXED_NOW + 30 * DAY
    assert session.revoked_at is None
    assert session.description == "phone"
    assert session.is_live(FIXED_NOW)


def test_each_session_gets_its_own_id() -> None:
    assert len({start().id for _ in range(20)}) == 20


def test_a_session_needs_a_timezone_aware_start() -> None:
    with pytest.raises(ValueError):
        start(now=FIXED_NOW.replace(tzinfo=None))


@pytest.mark.parametrize(("elapsed", "live"), [
    (timedelta(0), True), (30 * DAY - timedelta(microseconds=1), True),
    (30 * DAY, False), (31 * DAY, False),
], ids=["at-start", "just-before-expiry", "at-expiry", "after-expiry"])
def test_a_session_is_live_until_its_absolute_expiry(elapsed: timedelta, live: bool) -> None:
    assert start().is_live(FIXED_NOW + elapsed) is live


def test_touching_moves_last_used_but_never_the_expiry() -> None:
    session = start()

    session.touch(FIXED_NOW + 29 * DAY)

    assert session.last_used_at == FIXED_NOW + 29 * DAY
    assert session.expires_at == FIXED_NOW + 30 * DAY
    assert not session.is_live(FIXED_NOW + 30 * DAY)


def test_a_revoked_session_is_dead_from_then_on() -> None:
    session = start()
    revoked_at = FIXED_NOW + DAY

    session.revoke(revoked_at)

    assert session.revoked_at == revoked_at
    assert not session.is_live(revoked_at)
    assert not session.is_live(FIXED_NOW)


def test_revoking_twice_keeps_the_first_time() -> None:
    session = start()
    session.revoke(FIXED_NOW + DAY)

    session.revoke(FIXED_NOW + 2 * DAY)

    assert session.revoked_at == FIXED_NOW + DAY


@pytest.mark.parametrize(("elapsed", "remaining"), [
    (timedelta(0), 30 * DAY), (29 * DAY, DAY), (30 * DAY, timedelta(0)), (365 * DAY, timedelta(0)),
])
def test_remaining_counts_down_to_zero_and_never_below(
    elapsed: timedelta, remaining: timedelta
) -> None:
    assert start().remaining(FIXED_NOW + elapsed) == remaining


@pytest.mark.parametrize("length", [0, 1, MAX_DESCRIPTION_LENGTH])
def test_a_short_description_is_kept_whole(length: int) -> None:
    assert start(description="d" * length).description == "d" * length


def test_a_long_description_is_cut_to_the_maximum() -> None:
    user_agent = "Mozilla/5.0 " + "é" * 1000

    description = start(description=user_agent).description

    assert len(description) == MAX_DESCRIPTION_LENGTH == 200
    assert user_agent.startswith(description)


def test_sessions_are_equal_by_id() -> None:
    session = start()
    twin = Session(id=session.id, user_id=uuid.uuid4(), created_at=FIXED_NOW,
                   last_used_at=FIXED_NOW, expires_at=FIXED_NOW)

    assert session == twin
    assert hash(session) == hash(twin)
    assert session != start()


def test_a_refresh_token_carries_256_random_bits_in_url_safe_text() -> None:
    token = RefreshToken.mint()

    raw = base64.urlsafe_b64decode(token.value + "=" * (-len(token.value) % 4))
    assert REFRESH_TOKEN_BYTES == 32
    assert len(raw) == 32
    assert len(token.value) == 43
    assert set(token.value) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_every_refresh_token_is_new() -> None:
    values = {RefreshToken.mint().value for _ in range(100)}
    assert len(values) == 100


def test_a_refresh_token_stores_the_sha256_of_its_value() -> None:
    token = RefreshToken.mint()

    assert token.digest == refresh_token_digest(token.value)
    assert token.digest == hashlib.sha256(token.value.encode()).hexdigest()
    assert len(token.digest) == 64
    assert token.value not in token.digest


def test_the_refresh_token_value_stays_out_of_its_repr() -> None:
    token = RefreshToken.mint()

    assert token.value not in repr(token)
    assert token.digest in repr(token)


def test_refresh_tokens_and_their_records_are_immutable() -> None:
    token = RefreshToken.mint()
    record = RefreshTokenRecord(digest=token.digest, session_id=uuid.uuid4(), created_at=FIXED_NOW)

    assert record.used_at is None
    with pytest.raises(FrozenInstanceError):
        token.value = "x"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        record.used_at = FIXED_NOW  # type: ignore[misc]
