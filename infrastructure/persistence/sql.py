"""SQLAlchemy Core repositories and unit of work for SQLite and PostgreSQL."""

import uuid
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import (
    ColumnElement,
    Executable,
    Result,
    Row,
    delete,
    exc,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.errors import EmailAlreadyRegistered
from application.ports import (
    AuditLog,
    BookingRepository,
    Clock,
    RevokedTokenRepository,
    RoomRepository,
    UserRepository,
)
from domain.bookings import Booking, DateRange, Room
from domain.users import Email, PasswordHash, Role, User
from infrastructure.clock import SystemClock
from infrastructure.persistence.audit_log import SqlAuditLog, log_committed
from infrastructure.persistence.database import is_connection_failure, storage_errors
from infrastructure.persistence.tables import EMAIL_INDEX, bookings, revoked_tokens, rooms, users


class _SqlRepository:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def _execute(self, statement: Executable) -> Result[Any]:
        with storage_errors():
            return await self._session.execute(statement)

    def _codepoint_order(self, column: ColumnElement[str]) -> ColumnElement[str]:
        # Sort strings by code point, as Python (and the memory adapter) does; a linguistic
        # collation such as en_US would put "a" before "B". SQLite's BINARY collation agrees.
        return column.collate("C") if self._dialect == "postgresql" else column


class SqlUserRepository(_SqlRepository):
    async def add(self, user: User) -> None:
        await self._write_user(insert(users).values(id=user.id, **_user_values(user)))

    async def get(self, user_id: uuid.UUID) -> User | None:
        row = (await self._execute(select(users).where(users.c.id == user_id))).first()
        return None if row is None else _user(row)

    async def get_by_email(self, email: Email) -> User | None:
        query = select(users).where(func.lower(users.c.email) == email.value)
        row = (await self._execute(query)).first()
        return None if row is None else _user(row)

    async def list(self) -> list[User]:
        query = select(users).order_by(users.c.created_at, self._codepoint_order(users.c.email))
        return [_user(row) for row in (await self._execute(query)).all()]

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
                    await self._session.execute(statement)
                else:
                    # PostgreSQL aborts the whole transaction on an error unless a savepoint
                    # contains it, and the caller may want to go on with the transaction.
                    async with self._session.begin_nested():
                        await self._session.execute(statement)
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
    }


def _user(row: Row[Any]) -> User:
    return User(
        id=row.id,
        email=Email(row.email),
        password_hash=PasswordHash(row.password_hash),
        role=Role(row.role),
        is_active=row.is_active,
        created_at=row.created_at,
    )


class SqlRoomRepository(_SqlRepository):
    async def add(self, room: Room) -> None:
        await self._execute(insert(rooms).values(
            id=room.id, name=room.name, description=room.description, price=room.price,
            quantity=room.quantity,
        ))

    async def get(self, room_id: uuid.UUID) -> Room | None:
        row = (await self._execute(select(rooms).where(rooms.c.id == room_id))).first()
        return None if row is None else _room(row)

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
        row = (await self._execute(statement)).first()
        return None if row is None else _room(row)

    async def list(self) -> list[Room]:
        query = select(rooms).order_by(self._codepoint_order(rooms.c.name), rooms.c.id)
        return [_room(row) for row in (await self._execute(query)).all()]


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
        row = (await self._execute(select(bookings).where(bookings.c.id == booking_id))).first()
        return None if row is None else _booking(row)

    async def list_for_user(self, user_id: uuid.UUID) -> list[Booking]:
        return await self._list(bookings.c.user_id == user_id)

    async def list_all(self) -> list[Booking]:
        return await self._list()

    async def count_overlapping(self, room_id: uuid.UUID, dates: DateRange) -> int:
        query = select(func.count()).select_from(bookings).where(
            bookings.c.room_id == room_id,
            bookings.c.date_from < dates.end,
            dates.start < bookings.c.date_to,
        )
        return int((await self._execute(query)).scalar_one())

    async def delete(self, booking_id: uuid.UUID) -> None:
        await self._execute(delete(bookings).where(bookings.c.id == booking_id))

    async def _list(self, *conditions: ColumnElement[bool]) -> list[Booking]:
        query = select(bookings).where(*conditions).order_by(bookings.c.date_from, bookings.c.id)
        return [_booking(row) for row in (await self._execute(query)).all()]


def _booking(row: Row[Any]) -> Booking:
    return Booking(id=row.id, user_id=row.user_id, room_id=row.room_id,
                   dates=DateRange(row.date_from, row.date_to), price=row.price)


class SqlRevokedTokenRepository(_SqlRepository):
    async def add(self, token_id: str, expires_at: datetime) -> None:
        # Revoking twice is harmless, as in memory: the later expiry wins.
        upsert = postgresql_insert if self._dialect == "postgresql" else sqlite_insert
        statement = upsert(revoked_tokens).values(token_id=token_id, expires_at=expires_at)
        await self._execute(statement.on_conflict_do_update(
            index_elements=[revoked_tokens.c.token_id],
            set_={"expires_at": statement.excluded.expires_at},
        ))

    async def contains(self, token_id: str) -> bool:
        query = select(revoked_tokens.c.token_id).where(revoked_tokens.c.token_id == token_id)
        return (await self._execute(query)).first() is not None


class SqlUnitOfWork:
    """One session and transaction per `async with` block; re-enterable one block at a time."""

    # Typed as the ports: the Protocol's attributes are mutable, hence invariant.
    users: UserRepository
    rooms: RoomRepository
    bookings: BookingRepository
    revoked_tokens: RevokedTokenRepository
    audit_log: AuditLog

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock | None = None
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock or SystemClock()
        self._session: AsyncSession | None = None
        self._audit: SqlAuditLog | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("This unit of work is already in a transaction")
        # The session only carries Core statements: no ORM objects, no identity map to go stale.
        session = self._session_factory()
        dialect = session.get_bind().dialect.name
        self._session = session
        self.users = SqlUserRepository(session, dialect)
        self.rooms = SqlRoomRepository(session, dialect)
        self.bookings = SqlBookingRepository(session, dialect)
        self.revoked_tokens = SqlRevokedTokenRepository(session, dialect)
        self.audit_log = self._audit = SqlAuditLog(session, self._clock)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
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
        if self._session is None:
            raise RuntimeError("commit() outside of a transaction")
        with storage_errors():
            await self._session.commit()
        if self._audit is not None:
            log_committed(self._audit.recorded)
            self._audit.recorded.clear()
