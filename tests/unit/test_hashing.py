"""PasslibPasswordHasher: argon2id by default, legacy bcrypt accepted and upgraded, never a 500."""

import asyncio
import importlib.metadata
import logging
import secrets

import argon2
import bcrypt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version
from passlib.context import CryptContext

from domain.users import PasswordHash
from infrastructure.hashing import BCRYPT_MAX_BYTES, PasslibPasswordHasher

CHEAP = {"argon2_memory_cost": 8, "argon2_time_cost": 1}
CHEAP_PREFIX = "$argon2id$v=19$m=8,t=1,p=1$"
# Lone surrogates cannot be encoded as UTF-8, so no client can send them as a password.
passwords = st.text(st.characters(exclude_categories=["Cs"]), max_size=64)


def cheap_hasher() -> PasslibPasswordHasher:
    return PasslibPasswordHasher(**CHEAP)


def phc_parameters(value: str) -> tuple[str, dict[str, int]]:
    _, variant, _version, parameters, _salt, _digest = value.split("$")
    return variant, {key: int(number) for key, number in
                     (pair.split("=") for pair in parameters.split(","))}


def legacy_bcrypt(password: str, rounds: int = 4) -> PasswordHash:
    return PasswordHash(bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode())


def test_the_original_passlib_is_not_installed_and_libpass_is() -> None:
    # passlib 1.7.4 crashes on bcrypt 5; libpass is the maintained fork with the same import.
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("passlib")
    assert Version(importlib.metadata.version("libpass")) >= Version("1.9.4")
    assert importlib.metadata.packages_distributions()["passlib"] == ["libpass"]


@settings(max_examples=15, deadline=None)
@given(password=passwords, other=passwords)
async def test_any_password_round_trips_and_any_other_is_rejected(
    password: str, other: str
) -> None:
    hasher = cheap_hasher()
    password_hash = await hasher.hash(password)
    assert await hasher.verify(password, password_hash)
    assert await hasher.verify(other, password_hash) is (other == password)


async def test_a_wrong_password_is_rejected() -> None:
    hasher = cheap_hasher()
    password_hash = await hasher.hash("correct horse battery staple")
    assert not await hasher.verify("correct horse battery stapler", password_hash)


async def test_each_hash_has_its_own_salt() -> None:
    hasher = cheap_hasher()
    assert (await hasher.hash("same password")).value != (await hasher.hash("same password")).value


@pytest.mark.hashing
async def test_the_default_hash_is_argon2id_with_owasp_parameters() -> None:
    hasher = PasslibPasswordHasher()
    password_hash = await hasher.hash("correct horse battery staple")
    expected = ("argon2id", {"m": 19456, "t": 2, "p": 1})
    assert phc_parameters(password_hash.value) == expected
    assert phc_parameters(hasher.dummy_hash.value) == expected
    assert await hasher.verify("correct horse battery staple", password_hash)
    assert not hasher.needs_rehash(password_hash)


async def test_a_legacy_bcrypt_hash_verifies_and_needs_rehash() -> None:
    hasher = cheap_hasher()
    legacy = legacy_bcrypt("an old password")
    assert await hasher.verify("an old password", legacy)
    assert not await hasher.verify("another password", legacy)
    assert hasher.needs_rehash(legacy)


@pytest.mark.hashing
async def test_a_cost_12_bcrypt_hash_from_an_older_system_verifies() -> None:
    legacy = legacy_bcrypt("an old password", rounds=12)
    assert legacy.value.startswith("$2b$12$")
    hasher = cheap_hasher()
    assert await hasher.verify("an old password", legacy)
    assert hasher.needs_rehash(legacy)


async def test_a_password_over_72_bytes_against_bcrypt_fails_instead_of_raising() -> None:
    # bcrypt 5 raises ValueError above 72 bytes, where older versions silently truncated.
    hasher = cheap_hasher()
    legacy = legacy_bcrypt("x" * 72)
    assert await hasher.verify("x" * 72, legacy)
    assert not await hasher.verify("x" * 73, legacy)
    assert not await hasher.verify("é" * 40, legacy_bcrypt("é" * 36))


async def test_a_password_passlib_will_not_hash_fails_verification_instead_of_raising() -> None:
    hasher = cheap_hasher()
    assert not await hasher.verify("a\0b", legacy_bcrypt("a"))
    assert not await hasher.verify("\ud800", await hasher.hash("a password"))
    assert not await hasher.verify("x" * 5000, await hasher.hash("a password"))


async def test_a_hash_of_the_current_parameters_needs_no_rehash() -> None:
    hasher = cheap_hasher()
    assert not hasher.needs_rehash(await hasher.hash("a password"))


@pytest.mark.parametrize(
    "old",
    [
        argon2.PasswordHasher(memory_cost=16, time_cost=1, parallelism=1),
        argon2.PasswordHasher(memory_cost=8, time_cost=2, parallelism=1),
        argon2.PasswordHasher(memory_cost=16, time_cost=1, parallelism=2),
        argon2.PasswordHasher(memory_cost=8, time_cost=1, parallelism=1, type=argon2.Type.I),
    ],
    ids=["memory", "time", "parallelism", "argon2i"],
)
async def test_an_argon2_hash_of_other_parameters_verifies_and_needs_rehash(
    old: argon2.PasswordHasher,
) -> None:
    hasher = cheap_hasher()
    old_hash = PasswordHash(old.hash("a password"))
    assert await hasher.verify("a password", old_hash)
    assert hasher.needs_rehash(old_hash)


@settings(max_examples=50, deadline=None)
@given(garbage=st.text() | st.sampled_from(["", "$argon2id$", "$argon2id$v=19$m=8,t=1,p=1$abc",
                                            "$2b$12$abc", "$2b$99$" + "." * 53]))
async def test_an_unreadable_hash_fails_verification_and_needs_rehash(garbage: str) -> None:
    hasher = cheap_hasher()
    assert not await hasher.verify("a password", PasswordHash(garbage))
    assert hasher.needs_rehash(PasswordHash(garbage))


@settings(max_examples=10, deadline=None)
@given(password=passwords)
async def test_the_dummy_hash_is_current_argon2id_and_matches_no_password(password: str) -> None:
    hasher = cheap_hasher()
    assert hasher.dummy_hash.value.startswith(CHEAP_PREFIX)
    assert not hasher.needs_rehash(hasher.dummy_hash)
    assert not await hasher.verify(password, hasher.dummy_hash)


def test_every_hasher_has_its_own_dummy_hash() -> None:
    assert cheap_hasher().dummy_hash != cheap_hasher().dummy_hash


async def test_the_plaintext_appears_in_no_hash_repr_or_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    password = secrets.token_urlsafe(12)
    hasher = cheap_hasher()
    password_hash = await hasher.hash(password)
    await hasher.verify(password, password_hash)
    await hasher.verify(password, PasswordHash("not a hash"))
    for text in (password_hash.value, repr(password_hash), str(password_hash), repr(hasher),
                 caplog.text):
        assert password not in text


@pytest.mark.hashing
async def test_hashing_runs_off_the_event_loop() -> None:
    hasher = PasslibPasswordHasher()
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticking = asyncio.create_task(ticker())
    hashes = await asyncio.gather(*(hasher.hash(f"password {n}") for n in range(4)))
    done.set()
    await ticking
    assert len({h.value for h in hashes}) == 4
    # Hashing on the loop would let the ticker run at most once between two hashes.
    assert ticks > 20


async def test_concurrent_hashes_beyond_the_limit_wait_their_turn() -> None:
    hasher = PasslibPasswordHasher(**CHEAP, max_concurrency=1)
    hashes = await asyncio.gather(*(hasher.hash(f"password {n}") for n in range(5)))
    assert [await hasher.verify(f"password {n}", h) for n, h in enumerate(hashes)] == [True] * 5


def test_a_concurrency_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        PasslibPasswordHasher(**CHEAP, max_concurrency=0)


def test_argon2id_has_no_password_byte_limit_and_bcrypt_would() -> None:
    argon2_first = cheap_hasher()
    bcrypt_first = cheap_hasher()
    # No setting makes bcrypt the active scheme; the capability must follow if one ever does.
    bcrypt_first._context.update(default="bcrypt")

    assert argon2_first.max_password_bytes is None
    assert bcrypt_first.max_password_bytes == BCRYPT_MAX_BYTES == 72


@settings(max_examples=50, deadline=None)
@given(edit=st.tuples(st.integers(min_value=0, max_value=120), st.sampled_from([0, 1]),
                     st.text(max_size=2)))
async def test_the_quick_rehash_answer_is_passlibs(edit: tuple[int, int, str]) -> None:
    # needs_rehash answers current-looking hashes without passlib; it must agree with it on
    # current hashes, and on small edits of one (a parameter, a length, junk).
    hasher = cheap_hasher()
    context = CryptContext(schemes=["argon2", "bcrypt"], deprecated="auto", argon2__type="ID",
                           argon2__memory_cost=8, argon2__rounds=1, argon2__parallelism=1,
                           argon2__min_rounds=1, argon2__max_rounds=1)
    current = (await hasher.hash("a password")).value
    position, removed, inserted = edit
    changed = current[:position] + inserted + current[position + removed:]

    for value in (current, changed):
        try:
            expected = bool(context.needs_update(value))
        except (ValueError, TypeError):
            expected = True
        assert hasher.needs_rehash(PasswordHash(value)) == expected, value
