"""In-memory repositories of the second factor, over the MemoryStore's transaction snapshot."""

import uuid
from dataclasses import replace
from datetime import datetime

from domain.mfa import MfaChallenge, TotpCredential


class MemoryMfaRepository:
    """Over the transaction snapshot's credentials (by user) and recovery codes (digest: user).
    The values are frozen, so every change replaces them, never mutates the committed ones."""

    def __init__(
        self, credentials: dict[uuid.UUID, TotpCredential], codes: dict[str, uuid.UUID]
    ) -> None:
        self._credentials = credentials
        self._codes = codes

    async def get(self, user_id: uuid.UUID) -> TotpCredential | None:
        return self._credentials.get(user_id)

    async def save(self, credential: TotpCredential) -> None:
        self._credentials[credential.user_id] = credential

    async def accept_step(self, user_id: uuid.UUID, step: int) -> bool:
        credential = self._credentials.get(user_id)
        if credential is None or (credential.last_step is not None
                                  and step <= credential.last_step):
            return False
        self._credentials[user_id] = replace(credential, last_step=step)
        return True

    async def remove(self, user_id: uuid.UUID) -> None:
        self._credentials.pop(user_id, None)
        await self.replace_recovery_codes(user_id, [])

    async def replace_recovery_codes(self, user_id: uuid.UUID, digests: list[str]) -> None:
        for digest in [d for d, owner in self._codes.items() if owner == user_id]:
            del self._codes[digest]
        self._codes.update(dict.fromkeys(digests, user_id))

    async def use_recovery_code(self, user_id: uuid.UUID, digest: str) -> bool:
        if self._codes.get(digest) != user_id:
            return False
        del self._codes[digest]
        return True


class MemoryMfaChallengeRepository:
    def __init__(self, challenges: dict[str, MfaChallenge]) -> None:
        self._challenges = challenges

    async def add(self, challenge: MfaChallenge) -> None:
        self._challenges[challenge.digest] = challenge

    async def get(self, digest: str) -> MfaChallenge | None:
        return self._challenges.get(digest)

    async def use(self, digest: str, now: datetime) -> bool:
        challenge = self._challenges.get(digest)
        if challenge is None or challenge.used_at is not None:
            return False
        self._challenges[digest] = replace(challenge, used_at=now)
        return True

    async def count_failure(self, digest: str) -> None:
        challenge = self._challenges.get(digest)
        if challenge is not None:
            self._challenges[digest] = replace(challenge, failed_codes=challenge.failed_codes + 1)
