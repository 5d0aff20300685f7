"""The second factor's repository contract, against memory, SQLite and PostgreSQL: what is
stored reads back, and each single-use write succeeds once."""

import asyncio
import uuid
from dataclasses import replace
from datetime import timedelta

from domain.mfa import MfaToken, TotpCredential, new_recovery_codes, recovery_code_digest
from domain.sessions import Session
from domain.users import User
from tests.contract.test_repositories import make_user, store
from tests.databases import UnitOfWorkFactory
from tests.fakes import FIXED_NOW

SEALED = bytes(range(256))[:61]  # what an AES-GCM box makes of a 32-character secret


async def with_credential(uow_factory: UnitOfWorkFactory, user: User) -> TotpCredential:
    credential = TotpCredential(user_id=user.id, sealed_secret=SEALED, created_at=FIXED_NOW)
    await store(uow_factory, users=(user,))
    async with uow_factory() as uow:
        await uow.mfa.save(credential)
        await uow.commit()
    return credential


async def test_a_credential_reads_back_and_is_replaced_by_a_save(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    credential = await with_credential(uow_factory, user)
    confirmed = replace(credential, confirmed_at=FIXED_NOW + timedelta(minutes=1), last_step=7)

    async with uow_factory() as uow:
        first = await uow.mfa.get(user.id)
        await uow.mfa.save(confirmed)
        await uow.commit()
    async with uow_factory() as uow:
        second = await uow.mfa.get(user.id)
        unknown = await uow.mfa.get(uuid.uuid4())

    assert first == credential
    assert second == confirmed
    assert unknown is None


async def test_a_time_step_is_accepted_only_when_later_than_the_last(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    await with_credential(uow_factory, user)

    async with uow_factory() as uow:
        outcomes = [await uow.mfa.accept_step(user.id, step) for step in (10, 10, 9, 11)]
        unknown = await uow.mfa.accept_step(uuid.uuid4(), 12)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.mfa.get(user.id)

    assert outcomes == [True, False, False, True]
    assert unknown is False
    assert found is not None and found.last_step == 11


async def test_of_concurrent_acceptances_of_one_step_exactly_one_wins(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    await with_credential(uow_factory, user)

    async def accept() -> bool:
        async with uow_factory() as uow:
            accepted = await uow.mfa.accept_step(user.id, 42)
            await uow.commit()
            return accepted

    assert sorted(await asyncio.gather(*(accept() for _ in range(6)))) == [False] * 5 + [True]


async def test_a_recovery_code_is_spent_once_by_its_owner_only(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ada, bob = make_user(), make_user("bob@example.com")
    await store(uow_factory, users=(bob,))
    await with_credential(uow_factory, ada)
    digests = [recovery_code_digest(code) for code in new_recovery_codes()]

    async with uow_factory() as uow:
        await uow.mfa.replace_recovery_codes(ada.id, digests)
        await uow.commit()
    async with uow_factory() as uow:
        by_bob = await uow.mfa.use_recovery_code(bob.id, digests[0])
        once = await uow.mfa.use_recovery_code(ada.id, digests[0])
        twice = await uow.mfa.use_recovery_code(ada.id, digests[0])
        await uow.commit()

    assert (by_bob, once, twice) == (False, True, False)


async def test_replacing_or_removing_drops_the_old_codes(uow_factory: UnitOfWorkFactory) -> None:
    user = make_user()
    await with_credential(uow_factory, user)
    old = [recovery_code_digest(code) for code in new_recovery_codes()]
    new = [recovery_code_digest(code) for code in new_recovery_codes()]

    async with uow_factory() as uow:
        await uow.mfa.replace_recovery_codes(user.id, old)
        await uow.mfa.replace_recovery_codes(user.id, new)
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.mfa.use_recovery_code(user.id, old[0])
        assert await uow.mfa.use_recovery_code(user.id, new[0])
        await uow.mfa.remove(user.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.mfa.get(user.id) is None
        assert not await uow.mfa.use_recovery_code(user.id, new[1])


async def test_a_challenge_reads_back_counts_failures_and_is_used_once(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    challenge = MfaToken.mint(user_id=user.id, now=FIXED_NOW).challenge
    await store(uow_factory, users=(user,))

    async with uow_factory() as uow:
        await uow.mfa_challenges.add(challenge)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.mfa_challenges.get(challenge.digest) == challenge
        await uow.mfa_challenges.count_failure(challenge.digest)
        await uow.mfa_challenges.count_failure(challenge.digest)
        used = [await uow.mfa_challenges.use(challenge.digest, FIXED_NOW) for _ in range(2)]
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.mfa_challenges.get(challenge.digest)
        unknown = await uow.mfa_challenges.get("0" * 64)

    assert used == [True, False]
    assert found == replace(challenge, failed_codes=2, used_at=FIXED_NOW)
    assert unknown is None


async def test_the_user_and_the_session_keep_their_new_fields(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = make_user()
    user.mfa_enabled = True
    session = Session.start(user_id=user.id, now=FIXED_NOW, lifetime=timedelta(days=1),
                            description="")
    session.reauthenticate(FIXED_NOW + timedelta(hours=1))
    await store(uow_factory, users=(user,), sessions=(session,))

    async with uow_factory() as uow:
        found_user = await uow.users.get(user.id)
        found_session = await uow.sessions.get(session.id)

    assert found_user is not None and found_user.mfa_enabled is True
    assert found_session is not None
    assert found_session.authenticated_at == FIXED_NOW + timedelta(hours=1)
