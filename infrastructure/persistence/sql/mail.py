"""The mail persistence in SQL: account tokens and the outbox inside a unit of work, and the
dispatcher's queue, which claims pending messages so that each is sent by one sender."""

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.mail import MailKind, OutboxEntry, OutboxStatus, OutgoingMail, QueuedMail
from application.ports import Clock
from domain.account_tokens import AccountToken, TokenPurpose
from infrastructure.mail.cipher import PayloadCipher
from infrastructure.persistence.backends import sql_backend_named
from infrastructure.persistence.sql.errors import storage_errors
from infrastructure.persistence.sql.statements import Statements
from infrastructure.persistence.tables import account_tokens, mail_outbox

logger = logging.getLogger("roomkey.mail")
# Backends whose SELECT ... FOR UPDATE SKIP LOCKED lets senders pass rows another one holds
# (PostgreSQL, and MariaDB from 10.6). SQLite has one writer; the conditional UPDATE decides.
_SKIP_LOCKED_BACKENDS = frozenset({"postgresql", "mysql"})
MAX_ERROR_LENGTH = 200


class SqlAccountTokenRepository:
    def __init__(self, statements: Statements) -> None:
        self._statements = statements

    async def add(self, token: AccountToken) -> None:
        await self._statements.execute(insert(account_tokens).values(
            digest=token.digest, user_id=token.user_id, purpose=token.purpose.value,
            email=token.email, created_at=token.created_at, expires_at=token.expires_at,
            used_at=token.used_at))

    async def get(self, digest: str) -> AccountToken | None:
        rows = await self._statements.rows(
            select(account_tokens).where(account_tokens.c.digest == digest))
        return _token(rows[0]) if rows else None

    async def use(self, digest: str, now: datetime) -> bool:
        # The conditional UPDATE is the arbiter, as for refresh tokens.
        table = account_tokens.c
        statement = (update(account_tokens)
                     .where(table.digest == digest, table.used_at.is_(None), table.expires_at > now)
                     .values(used_at=now))
        return await self._statements.execute(statement) == 1

    async def revoke_all(self, user_id: uuid.UUID, purpose: TokenPurpose, now: datetime) -> None:
        table = account_tokens.c
        await self._statements.execute(
            update(account_tokens)
            .where(table.user_id == user_id, table.purpose == purpose.value,
                   table.used_at.is_(None))
            .values(used_at=now))


def _token(row: Row[Any]) -> AccountToken:
    return AccountToken(digest=row.digest, user_id=row.user_id, purpose=TokenPurpose(row.purpose),
                        email=row.email, created_at=row.created_at, expires_at=row.expires_at,
                        used_at=row.used_at)


class SqlOutbox:
    def __init__(self, statements: Statements, cipher: PayloadCipher, clock: Clock) -> None:
        self._statements = statements
        self._cipher = cipher
        self._clock = clock

    async def add(self, mail: OutgoingMail) -> uuid.UUID:
        message_id = uuid.uuid4()
        now = self._clock.now()
        await self._statements.execute(insert(mail_outbox).values(
            id=message_id, kind=mail.kind.value, recipient=mail.recipient,
            payload=self._cipher.seal(message_id, mail.data), status=OutboxStatus.PENDING.value,
            attempts=0, created_at=now, next_attempt_at=now, last_error=""))
        return message_id

    async def list(self, *, status: OutboxStatus | None, limit: int) -> list[OutboxEntry]:
        table = mail_outbox.c
        query = select(*[c for c in mail_outbox.c if c.key != "payload"])
        if status is not None:
            query = query.where(table.status == status.value)
        query = query.order_by(table.created_at.desc(), table.id.desc()).limit(limit)
        return [_entry(row) for row in await self._statements.rows(query)]


def _entry(row: Row[Any]) -> OutboxEntry:
    return OutboxEntry(id=row.id, kind=MailKind(row.kind), recipient=row.recipient,
                       status=OutboxStatus(row.status), attempts=row.attempts,
                       created_at=row.created_at, next_attempt_at=row.next_attempt_at,
                       sent_at=row.sent_at, last_error=row.last_error)


class SqlOutboxQueue:
    """The dispatcher's side of the outbox; each call is its own short transaction."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], cipher: PayloadCipher
    ) -> None:
        self._sessions = session_factory
        self._cipher = cipher
        self._backend = sql_backend_named(session_factory.kw["bind"].dialect.name)

    async def claim(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> tuple[str, list[QueuedMail]]:
        """Take up to `limit` due messages for `lease`: until then no other sender takes them,
        and after it (a sender that died mid-send) they are due again."""
        claim = uuid.uuid4().hex
        table = mail_outbox.c
        due = (table.status == OutboxStatus.PENDING.value, table.next_attempt_at <= now)
        candidates = select(table.id).where(*due).order_by(table.next_attempt_at).limit(limit)
        if self._backend.name in _SKIP_LOCKED_BACKENDS:
            candidates = candidates.with_for_update(skip_locked=True)
        with storage_errors(self._backend.is_connection_failure):
            async with self._sessions() as session, session.begin():
                ids = (await session.execute(candidates)).scalars().all()
                if not ids:
                    return claim, []
                # Re-checked by the UPDATE itself, so that two senders that read the same rows
                # (SQLite's reads take no lock) cannot both claim one.
                await session.execute(
                    update(mail_outbox).where(table.id.in_(ids), *due)
                    .values(claimed_by=claim, next_attempt_at=now + lease,
                            attempts=table.attempts + 1))
                # In the order they were queued (InnoDB would return them by their random id).
                rows = (await session.execute(
                    select(mail_outbox).where(table.claimed_by == claim)
                    .order_by(table.created_at, table.id))).all()
        return claim, await self._open(claim, rows, now)

    async def _open(self, claim: str, rows: Sequence[Row[Any]], now: datetime) -> list[QueuedMail]:
        claimed = []
        for row in rows:
            try:
                data = self._cipher.open(row.id, row.payload)
            except ValueError:
                logger.error("mail %s failed: its data was sealed under another signing key",
                             row.id)
                await self.fail(row.id, claim, now, "sealed under another signing key")
                continue
            claimed.append(QueuedMail(id=row.id, attempts=row.attempts, mail=OutgoingMail(
                MailKind(row.kind), row.recipient, data)))
        return claimed

    async def sent(self, message_id: uuid.UUID, claim: str, now: datetime) -> None:
        await self._finish(message_id, claim, status=OutboxStatus.SENT.value, sent_at=now,
                           payload=b"", last_error="")

    async def retry(self, message_id: uuid.UUID, claim: str, at: datetime, error: str) -> None:
        await self._finish(message_id, claim, next_attempt_at=at,
                           last_error=error[:MAX_ERROR_LENGTH])

    async def fail(self, message_id: uuid.UUID, claim: str, now: datetime, error: str) -> None:
        await self._finish(message_id, claim, status=OutboxStatus.FAILED.value, payload=b"",
                           next_attempt_at=now, last_error=error[:MAX_ERROR_LENGTH])

    async def _finish(self, message_id: uuid.UUID, claim: str, **values: Any) -> None:
        table = mail_outbox.c
        with storage_errors(self._backend.is_connection_failure):
            async with self._sessions() as session, session.begin():
                await session.execute(
                    update(mail_outbox).where(table.id == message_id, table.claimed_by == claim)
                    .values(claimed_by=None, **values))
