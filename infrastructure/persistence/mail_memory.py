"""The mail persistence in memory, with the contract of mail_sql.py."""

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from application.mail import OutboxEntry, OutboxStatus, OutgoingMail, QueuedMail
from application.ports import Clock
from domain.account_tokens import AccountToken, TokenPurpose
from infrastructure.mail.cipher import PayloadCipher

if TYPE_CHECKING:
    from infrastructure.persistence.memory import MemoryStore

logger = logging.getLogger("roomkey.mail")


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRecord:
    """A row of the outbox: the entry admins see, its sealed data, and who holds it."""

    entry: OutboxEntry
    payload: bytes
    claimed_by: str | None = None


class MemoryAccountTokenRepository:
    def __init__(self, tokens: dict[str, AccountToken]) -> None:
        self._tokens = tokens

    async def add(self, token: AccountToken) -> None:
        self._tokens[token.digest] = token

    async def get(self, digest: str) -> AccountToken | None:
        return self._tokens.get(digest)

    async def use(self, digest: str, now: datetime) -> bool:
        token = self._tokens.get(digest)
        if token is None or not token.is_usable(now):
            return False
        self._tokens[digest] = replace(token, used_at=now)
        return True

    async def revoke_all(self, user_id: uuid.UUID, purpose: TokenPurpose, now: datetime) -> None:
        for digest, token in list(self._tokens.items()):
            if token.user_id == user_id and token.purpose is purpose and token.used_at is None:
                self._tokens[digest] = replace(token, used_at=now)


class MemoryOutbox:
    def __init__(
        self, records: dict[uuid.UUID, OutboxRecord], cipher: PayloadCipher, clock: Clock
    ) -> None:
        self._records = records
        self._cipher = cipher
        self._clock = clock

    async def add(self, mail: OutgoingMail) -> uuid.UUID:
        message_id = uuid.uuid4()
        now = self._clock.now()
        entry = OutboxEntry(id=message_id, kind=mail.kind, recipient=mail.recipient,
                            status=OutboxStatus.PENDING, attempts=0, created_at=now,
                            next_attempt_at=now, sent_at=None, last_error="")
        self._records[message_id] = OutboxRecord(
            entry=entry, payload=self._cipher.seal(message_id, mail.data))
        return message_id

    async def list(self, *, status: OutboxStatus | None, limit: int) -> list[OutboxEntry]:
        entries = [r.entry for r in self._records.values()
                   if status is None or r.entry.status is status]
        entries.sort(key=lambda e: (e.created_at, e.id), reverse=True)
        return entries[:limit]


class MemoryOutboxQueue:
    """Works on the store under its lock, so never inside a unit of work's transaction."""

    def __init__(self, store: "MemoryStore", cipher: PayloadCipher) -> None:
        self._store = store
        self._cipher = cipher

    async def claim(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> tuple[str, list[QueuedMail]]:
        claim = uuid.uuid4().hex
        claimed: list[QueuedMail] = []
        async with self._store.lock:
            records = self._store.outbox
            due = sorted((r for r in records.values()
                          if r.entry.status is OutboxStatus.PENDING
                          and r.entry.next_attempt_at <= now),
                         key=lambda r: r.entry.next_attempt_at)[:limit]
            for record in due:
                entry = replace(record.entry, attempts=record.entry.attempts + 1,
                                next_attempt_at=now + lease)
                records[entry.id] = replace(record, entry=entry, claimed_by=claim)
                try:
                    data = self._cipher.open(entry.id, record.payload)
                except ValueError:
                    logger.error("mail %s failed: its data was sealed under another key",
                                 entry.id)
                    self._update(entry.id, claim, status=OutboxStatus.FAILED, payload=b"",
                                 last_error="sealed under another signing key")
                    continue
                claimed.append(QueuedMail(id=entry.id, attempts=entry.attempts,
                                          mail=OutgoingMail(entry.kind, entry.recipient, data)))
        return claim, claimed

    async def sent(self, message_id: uuid.UUID, claim: str, now: datetime) -> None:
        async with self._store.lock:
            self._update(message_id, claim, status=OutboxStatus.SENT, sent_at=now, payload=b"",
                         last_error="")

    async def retry(self, message_id: uuid.UUID, claim: str, at: datetime, error: str) -> None:
        async with self._store.lock:
            self._update(message_id, claim, next_attempt_at=at, last_error=error[:200])

    async def fail(self, message_id: uuid.UUID, claim: str, now: datetime, error: str) -> None:
        async with self._store.lock:
            self._update(message_id, claim, status=OutboxStatus.FAILED, payload=b"",
                         next_attempt_at=now, last_error=error[:200])

    def _update(self, message_id: uuid.UUID, claim: str, *, payload: bytes | None = None,
                **changes: Any) -> None:
        record = self._store.outbox.get(message_id)
        if record is None or record.claimed_by != claim:
            return
        self._store.outbox[message_id] = OutboxRecord(
            entry=replace(record.entry, **changes), claimed_by=None,
            payload=record.payload if payload is None else payload)
