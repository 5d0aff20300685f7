"""SqlUnitOfWork: one transaction per block, the same for every SQL backend."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.mfa_ports import MfaChallengeRepository, MfaRepository
from application.ports import (
    AccountTokenRepository,
    AuditLog,
    BookingRepository,
    Clock,
    Outbox,
    RefreshTokenRepository,
    RoomRepository,
    SessionRepository,
    UserRepository,
)
from infrastructure.clock import SystemClock
from infrastructure.mail.cipher import PayloadCipher
from infrastructure.persistence.audit import log_committed
from infrastructure.persistence.backends import sql_backend_named
from infrastructure.persistence.sql.audit_log import SqlAuditLog
from infrastructure.persistence.sql.errors import storage_errors
from infrastructure.persistence.sql.mail import SqlAccountTokenRepository, SqlOutbox
from infrastructure.persistence.sql.mfa import SqlMfaChallengeRepository, SqlMfaRepository
from infrastructure.persistence.sql.reader import Reader
from infrastructure.persistence.sql.repositories import (
    SqlBookingRepository,
    SqlRoomRepository,
    SqlUserRepository,
)
from infrastructure.persistence.sql.sessions import SqlRefreshTokenRepository, SqlSessionRepository
from infrastructure.persistence.sql.statements import Statements


class SqlUnitOfWork:
    """One transaction per `async with` block; re-enterable one block at a time.

    The session (and its pooled connection) is only taken once a statement needs it, so a block
    served entirely by the reader costs no session, connection or rollback at all.
    """

    # Typed as the ports: the Protocol's attributes are mutable, hence invariant.
    users: UserRepository
    rooms: RoomRepository
    bookings: BookingRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository
    audit_log: AuditLog
    mfa: MfaRepository
    mfa_challenges: MfaChallengeRepository
    account_tokens: AccountTokenRepository
    outbox: Outbox

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock | None = None,
        reader: Reader | None = None, cipher: PayloadCipher | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock or SystemClock()
        self._cipher = cipher or PayloadCipher.ephemeral()
        self._reader = reader
        self._backend = sql_backend_named(session_factory.kw["bind"].dialect.name)
        self._statements: Statements | None = None
        self._audit: SqlAuditLog | None = None

    async def __aenter__(self) -> Self:
        if self._statements is not None:
            raise RuntimeError("This unit of work is already in a transaction")
        # The session only carries Core statements: no ORM objects, no identity map to go stale.
        statements = Statements(self._session_factory, self._backend, self._reader)
        self._statements = statements
        self._open_repositories(statements)
        return self

    def _open_repositories(self, statements: Statements) -> None:
        """Every repository of the block, over its statements: a new repository goes here."""
        self.users = SqlUserRepository(statements)
        self.rooms = SqlRoomRepository(statements)
        self.bookings = SqlBookingRepository(statements)
        self.sessions = SqlSessionRepository(statements)
        self.refresh_tokens = SqlRefreshTokenRepository(statements)
        self.audit_log = self._audit = SqlAuditLog(statements, self._clock)
        self.mfa = SqlMfaRepository(statements)
        self.mfa_challenges = SqlMfaChallengeRepository(statements)
        self.account_tokens = SqlAccountTokenRepository(statements)
        self.outbox = SqlOutbox(statements, self._cipher, self._clock)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        statements, self._statements = self._statements, None
        session = None if statements is None else statements.session
        if session is None:
            return
        try:
            await session.rollback()
        except Exception as error:
            # The server rolls back the transaction of a connection it lost: nothing is left to
            # undo, and the block's own outcome (or its error) is what the caller should see.
            if not self._backend.is_connection_failure(error):
                raise
        finally:
            await session.close()

    async def commit(self) -> None:
        if self._statements is None:
            raise RuntimeError("commit() outside of a transaction")
        if self._statements.session is None:
            return  # nothing was written
        with storage_errors(self._backend.is_connection_failure):
            await self._statements.session.commit()
        if self._audit is not None:
            log_committed(self._audit.recorded)
            self._audit.recorded.clear()
