"""SQLAlchemy Core repositories and unit of work for SQLite and PostgreSQL."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import (
    ColumnElement,
    Executable,
    Row,
    Select,
    bindparam,
    delete,
    exc,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.errors import EmailAlreadyRegistered
from application.mfa_ports import MfaChallengeRepository, MfaRepository
from application.ports import (
    AuditLog,
    BookingRepository,
    Clock,
    RefreshTokenRepository,
    RoomRepository,
    SessionRepository,
    UserRepository,
)
from domain.bookings import Booking, DateRange, Room
from domain.sessions import RefreshTokenRecord, Session
from domain.users import Email, PasswordHash, Role, User
from infrastructure.clock import SystemClock
from infrastructure.persistence.audit_log import SqlAuditLog, log_committed
from infrastructure.persistence.database import is_connection_failure, storage_errors
from infrastructure.persistence.mfa_sql import SqlMfaChallengeRepository, SqlMfaRepository
from infrastructure.persistence.readers import Reader
from infrastructure.persistence.tables import (
    EMAIL_INDEX,
    bookings,
    refresh_tokens,
    rooms,
    sessions,
    users,
)

# The per-request queries, built once: SQLAlchemy memoises a statement's cache key, which it
# would otherwise compute anew for every freshly built statement.
_USER_BY_ID = select(users).where(users.c.id == bindparam("user_id"))
_USER_BY_EMAIL = select(users).where(func.lower(users.c.email) == bindparam("email"))
_REFRESH_TOKEN = select(refresh_tokens).where(refresh_tokens.c.digest == bindparam("digest"))
# The per-request session check: a primary-key lookup joined to its user, one round trip.
_LIVE_SESSION_USER = (
    select(users)
    .join(sessions, sessions.c.user_id == users.c.id)
    .where(
        sessions.c.id == bindparam("session_id"),
        sessions.c.user_id == bindparam("user_id"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > bindparam("now", type_=sessions.c.expires_at.type),
        users.c.is_active.is_(True),
    )
)
_BOOKINGS_OF_USER = (select(bookings).where(bookings.c.user_id == bindparam("user_id"))
                     .order_by(bookings.c.date_from, bookings.c.id))
# A login's writes, given their values as parameters (see _Statements.execute).
_INSERT_SESSION = insert(sessions)
_INSERT_REFRESH_TOKEN = insert(refresh_tokens)


class _Statements:
    """Where one unit-of-work block's statements run.

    Reads that come before the block's first write go to the database's Reader, if it has one,
    and run outside any transaction. On a SQLite file the driver sends BEGIN only before the first
    write, so the session would run them outside a transaction too; the reader just skips the
    thread hop. On PostgreSQL, READ COMMITTED gives each statement a fresh snapshot anyway, so a
    read outside the transaction sees what it would have seen inside; the reader skips the
    engine's checkout and execution machinery. From the first write on, everything runs in the
    session, inside the transaction.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], reader: Reader | None
    ) -> None:
        self._session_factory = session_factory
        self._reader = reader
        self.session: AsyncSession | None = None

    def in_session(self) -> AsyncSession:
        if self.session is None:
            self.session = self._session_factory()
        return self.session

    async def rows(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        if self._reader is not None and self.session is None and isinstance(statement, Select):
            found = await self._reader.rows(statement, parameters)
            if found is not None:
                return found
        with storage_errors():
            return (await self.in_session().execute(statement, parameters)).all()

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> int:
        """Run a write in the transaction; the number of rows it matched.

        A prebuilt statement with `parameters` skips building and keying a statement per call,
        which costs more than the write itself on SQLite.
        """
        with storage_errors():
            result = await self.in_session().execute(statement, parameters)
        return int(getattr(result, "rowcount", 0))


class _SqlRepository:
    def __init__(self, statements: _Statements, dialect: str) -> None:
        self._statements = statements
        self._dialect = dialect

    async def _execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> int:
        return await self._statements.execute(statement, parameters)

    async def _rows(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        return await self._statements.rows(statement, parameters)

    def _codepoint_order(self, column: ColumnElement[str]) -> ColumnElement[str]:
        # Sort strings by code point, as Python (and the memory adapter) does; a linguistic
        # collation such as en_US would put "a" before "B". SQLite's BINARY collation agrees.
        return column.collate("C") if self._dialect == "postgresql" else column


class SqlUserRepository(_SqlRepository):
    async def add(self, user: User) -> None:
        await self._write_user(insert(users).values(id=user.id, **_user_values(user)))

    async def get(self, user_id: uuid.UUID) -> User | None:
        rows = await self._rows(_USER_BY_ID, {"user_id": user_id})
        return _user(rows[0]) if rows else None

    async def get_by_email(self, email: Email) -> User | None:
        rows = await self._rows(_USER_BY_EMAIL, {"email": email.value})
        return _user(rows[0]) if rows else None

    async def lock(self, user_id: uuid.UUID) -> User | None:
        statement = (update(users).where(users.c.id == user_id)
                     .values(is_active=users.c.is_active).returning(*users.c))
        rows = await self._rows(statement)
        return _user(rows[0]) if rows else None

    async def list(self) -> list[User]:
        query = select(users).order_by(users.c.created_at, self._codepoint_order(users.c.email))
        return [_user(row) for row in await self._rows(query)]

    async def update(self, user: User) -> None:
        await self._write_user(
            update(users).where(users.c.id == user.id).values(**_user_values(user))
        )

    async def _write_user(self, statement: Executable) -> None:
        try:
            with storage_errors():
                if self._dialect == "sqlite":
                    # SQLite undoes just the failed statement. A SAVEPOINT would even be harmful
                    # there: opened before the driver's implicit BEGIN, its RELEASE commits.
                    await self._statements.in_session().execute(statement)
                else:
                    # PostgreSQL aborts the whole transaction on an error unless a savepoint
                    # contains it, and the caller may want to go on with the transaction.
                    session = self._statements.in_session()
                    async with session.begin_nested():
                        await session.execute(statement)
        except exc.IntegrityError as error:
            # The unique index decides, so that concurrent registrations cannot both win.
            if EMAIL_INDEX in str(error.orig):
                raise EmailAlreadyRegistered() from error
            raise


def _user_values(user: User) -> dict[str, Any]:
    return {
        "email": user.email.value,
        "password_hash": user.password_hash.value,
        "role": user.role.value,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "mfa_enabled": user.mfa_enabled,
    }


def _user(row: Row[Any]) -> User:
    return User(
        id=row.id,
        email=Email(row.email),
        password_hash=PasswordHash(row.password_hash),
        role=Role(row.role),
        is_active=row.is_active,
        created_at=row.created_at,
        mfa_enabled=row.mfa_enabled,
    )


class SqlRoomRepository(_SqlRepository):
    async def add(self, room: Room) -> None:
        await self._execute(insert(rooms).values(
            id=room.id, name=room.name, description=room.description, price=room.price,
            quantity=room.quantity,
        ))

    async def get(self, room_id: uuid.UUID) -> Room | None:
        rows = await self._rows(select(rooms).where(rooms.c.id == room_id))
        return _room(rows[0]) if rows else None

    async def lock(self, room_id: uuid.UUID) -> Room | None:
        # A no-op write, because a write locks on both backends: the row on PostgreSQL, the
        # whole database on SQLite (which has no SELECT ... FOR UPDATE), where waiters queue
        # for up to the driver's busy timeout. Later bookings of the room see earlier ones.
        statement = (
            update(rooms)
            .where(rooms.c.id == room_id)
            .values(quantity=rooms.c.quantity)
            .returning(*rooms.c)
        )
        rows = await self._rows(statement)
        return _room(rows[0]) if rows else None

    async def list(self) -> list[Room]:
        query = select(rooms).order_by(self._codepoint_order(rooms.c.name), rooms.c.id)
        return [_room(row) for row in await self._rows(query)]


def _room(row: Row[Any]) -> Room:
    return Room(id=row.id, name=row.name, description=row.description, price=row.price,
                quantity=row.quantity)


class SqlBookingRepository(_SqlRepository):
    async def add(self, booking: Booking) -> None:
        await self._execute(insert(bookings).values(
            id=booking.id, user_id=booking.user_id, room_id=booking.room_id,
            date_from=booking.dates.start, date_to=booking.dates.end, price=booking.price,
        ))

    async def get(self, booking_id: uuid.UUID) -> Booking | None:
        rows = await self._rows(select(bookings).where(bookings.c.id == booking_id))
        return _booking(rows[0]) if rows else None

    async def list_for_user(self, user_id: uuid.UUID) -> list[Booking]:
        return [_booking(row) for row in await self._rows(_BOOKINGS_OF_USER, {"user_id": user_id})]

    async def list_all(self) -> list[Booking]:
        query = select(bookings).order_by(bookings.c.date_from, bookings.c.id)
        return [_booking(row) for row in await self._rows(query)]

    async def count_overlapping(self, room_id: uuid.UUID, dates: DateRange) -> int:
        query = select(func.count()).select_from(bookings).where(
            bookings.c.room_id == room_id,
            bookings.c.date_from < dates.end,
            dates.start < bookings.c.date_to,
        )
        return int((await self._rows(query))[0][0])

    async def delete(self, booking_id: uuid.UUID) -> None:
        await self._execute(delete(bookings).where(bookings.c.id == booking_id))



def _booking(row: Row[Any]) -> Booking:
    return Booking(id=row.id, user_id=row.user_id, room_id=row.room_id,
                   dates=DateRange(row.date_from, row.date_to), price=row.price)


class SqlSessionRepository(_SqlRepository):
    async def add(self, session: Session) -> None:
        await self._execute(_INSERT_SESSION, {"id": session.id, **_session_values(session)})

    async def get(self, session_id: uuid.UUID) -> Session | None:
        rows = await self._rows(select(sessions).where(sessions.c.id == session_id))
        return _session(rows[0]) if rows else None

    async def lock(self, session_id: uuid.UUID) -> Session | None:
        # A no-op write locks, as RoomRepository.lock explains.
        statement = (update(sessions).where(sessions.c.id == session_id)
                     .values(revoked_at=sessions.c.revoked_at).returning(*sessions.c))
        rows = await self._rows(statement)
        return _session(rows[0]) if rows else None

    async def update(self, session: Session) -> None:
        await self._execute(
            update(sessions).where(sessions.c.id == session.id).values(**_session_values(session))
        )

    async def list_for_user(self, user_id: uuid.UUID) -> list[Session]:
        query = (select(sessions).where(sessions.c.user_id == user_id)
                 .order_by(sessions.c.created_at.desc(), sessions.c.id.desc()))
        return [_session(row) for row in await self._rows(query)]

    async def revoke_all(
        self, user_id: uuid.UUID, now: datetime, *, keep: uuid.UUID | None = None
    ) -> None:
        conditions = [sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None)]
        if keep is not None:
            conditions.append(sessions.c.id != keep)
        await self._execute(update(sessions).where(*conditions).values(revoked_at=now))

    async def live_user(
        self, session_id: uuid.UUID, user_id: uuid.UUID, now: datetime
    ) -> User | None:
        rows = await self._rows(_LIVE_SESSION_USER,
                                {"session_id": session_id, "user_id": user_id, "now": now})
        return _user(rows[0]) if rows else None


def _session_values(session: Session) -> dict[str, Any]:
    return {
        "user_id": session.user_id,
        "created_at": session.created_at,
        "last_used_at": session.last_used_at,
        "expires_at": session.expires_at,
        "revoked_at": session.revoked_at,
        "description": session.description,
        "authenticated_at": session.authenticated_at,
    }


def _session(row: Row[Any]) -> Session:
    return Session(id=row.id, user_id=row.user_id, created_at=row.created_at,
                   last_used_at=row.last_used_at, expires_at=row.expires_at,
                   revoked_at=row.revoked_at, description=row.description,
                   authenticated_at=row.authenticated_at)


class SqlRefreshTokenRepository(_SqlRepository):
    async def add(self, record: RefreshTokenRecord) -> None:
        await self._execute(_INSERT_REFRESH_TOKEN, {
            "digest": record.digest, "session_id": record.session_id,
            "created_at": record.created_at, "used_at": record.used_at,
        })

    async def get(self, digest: str) -> RefreshTokenRecord | None:
        rows = await self._rows(_REFRESH_TOKEN, {"digest": digest})
        return None if not rows else RefreshTokenRecord(
            digest=rows[0].digest, session_id=rows[0].session_id,
            created_at=rows[0].created_at, used_at=rows[0].used_at)

    async def use(self, digest: str, now: datetime) -> bool:
        # The conditional UPDATE is the arbiter: concurrent callers queue on the row (or, on
        # SQLite, the database) lock, and only the first still finds used_at empty.
        statement = (update(refresh_tokens)
                     .where(refresh_tokens.c.digest == digest, refresh_tokens.c.used_at.is_(None))
                     .values(used_at=now))
        return await self._execute(statement) == 1


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

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock | None = None,
        reader: Reader | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock or SystemClock()
        self._reader = reader
        self._dialect: str = session_factory.kw["bind"].dialect.name
        self._statements: _Statements | None = None
        self._audit: SqlAuditLog | None = None

    async def __aenter__(self) -> Self:
        if self._statements is not None:
            raise RuntimeError("This unit of work is already in a transaction")
        # The session only carries Core statements: no ORM objects, no identity map to go stale.
        statements = _Statements(self._session_factory, self._reader)
        self._statements = statements
        self.users = SqlUserRepository(statements, self._dialect)
        self.rooms = SqlRoomRepository(statements, self._dialect)
        self.bookings = SqlBookingRepository(statements, self._dialect)
        self.sessions = SqlSessionRepository(statements, self._dialect)
        self.refresh_tokens = SqlRefreshTokenRepository(statements, self._dialect)
        self.audit_log = self._audit = SqlAuditLog(statements, self._clock)
        self.mfa = SqlMfaRepository(statements)
        self.mfa_challenges = SqlMfaChallengeRepository(statements)
        return self

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
            if not is_connection_failure(error):
                raise
        finally:
            await session.close()

    async def commit(self) -> None:
        if self._statements is None:
            raise RuntimeError("commit() outside of a transaction")
        if self._statements.session is None:
            return  # nothing was written
        with storage_errors():
            await self._statements.session.commit()
        if self._audit is not None:
            log_committed(self._audit.recorded)
            self._audit.recorded.clear()
