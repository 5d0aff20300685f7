"""SQLAlchemy Core repositories of the second factor; conditional writes arbitrate races."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from domain.mfa import MfaChallenge, TotpCredential
from infrastructure.persistence.audit_log import Statements
from infrastructure.persistence.tables import mfa_challenges, recovery_codes, totp_credentials


class _SqlRepository:
    def __init__(self, statements: Statements) -> None:
        self._rows = statements.rows
        self._execute = statements.execute


class SqlMfaRepository(_SqlRepository):
    async def get(self, user_id: uuid.UUID) -> TotpCredential | None:
        rows = await self._rows(select(totp_credentials)
                                .where(totp_credentials.c.user_id == user_id))
        return _credential(rows[0]) if rows else None

    async def save(self, credential: TotpCredential) -> None:
        await self._execute(delete(totp_credentials)
                            .where(totp_credentials.c.user_id == credential.user_id))
        await self._execute(insert(totp_credentials).values(
            user_id=credential.user_id, sealed_secret=credential.sealed_secret,
            created_at=credential.created_at, confirmed_at=credential.confirmed_at,
            last_step=credential.last_step))

    async def accept_step(self, user_id: uuid.UUID, step: int) -> bool:
        # Concurrent callers queue on the row lock; only the first finds an earlier step.
        column = totp_credentials.c.last_step
        statement = (update(totp_credentials)
                     .where(totp_credentials.c.user_id == user_id,
                            column.is_(None) | (column < step))
                     .values(last_step=step))
        return await self._execute(statement) == 1

    async def remove(self, user_id: uuid.UUID) -> None:
        await self._execute(delete(totp_credentials).where(totp_credentials.c.user_id == user_id))
        await self.replace_recovery_codes(user_id, [])

    async def replace_recovery_codes(self, user_id: uuid.UUID, digests: list[str]) -> None:
        await self._execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        if digests:
            await self._execute(insert(recovery_codes).values(
                [{"digest": digest, "user_id": user_id} for digest in digests]))

    async def use_recovery_code(self, user_id: uuid.UUID, digest: str) -> bool:
        statement = delete(recovery_codes).where(recovery_codes.c.digest == digest,
                                                 recovery_codes.c.user_id == user_id)
        return await self._execute(statement) == 1


def _credential(row: Row[Any]) -> TotpCredential:
    return TotpCredential(user_id=row.user_id, sealed_secret=bytes(row.sealed_secret),
                          created_at=row.created_at, confirmed_at=row.confirmed_at,
                          last_step=row.last_step)


class SqlMfaChallengeRepository(_SqlRepository):
    async def add(self, challenge: MfaChallenge) -> None:
        await self._execute(insert(mfa_challenges).values(
            digest=challenge.digest, user_id=challenge.user_id, expires_at=challenge.expires_at,
            failed_codes=challenge.failed_codes, used_at=challenge.used_at))

    async def get(self, digest: str) -> MfaChallenge | None:
        rows = await self._rows(select(mfa_challenges).where(mfa_challenges.c.digest == digest))
        if not rows:
            return None
        row = rows[0]
        return MfaChallenge(digest=row.digest, user_id=row.user_id, expires_at=row.expires_at,
                            failed_codes=row.failed_codes, used_at=row.used_at)

    async def use(self, digest: str, now: datetime) -> bool:
        statement = (update(mfa_challenges)
                     .where(mfa_challenges.c.digest == digest, mfa_challenges.c.used_at.is_(None))
                     .values(used_at=now))
        return await self._execute(statement) == 1

    async def count_failure(self, digest: str) -> None:
        await self._execute(update(mfa_challenges).where(mfa_challenges.c.digest == digest)
                            .values(failed_codes=mfa_challenges.c.failed_codes + 1))
