"""The user, room and booking repositories on SQLAlchemy Core, for every SQL backend."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Row, delete, exc, func, insert, select, update

from application.errors import EmailAlreadyRegistered
from domain.bookings import Booking, DateRange, Room
from domain.users import Email, PasswordHash, Role, User
from infrastructure.persistence.sql import queries
from infrastructure.persistence.sql.statements import Statements
from infrastructure.persistence.tables import EMAIL_INDEX, bookings, rooms, users


class SqlRepository:
    """A repository's access to its unit of work's statements and backend."""

    def __init__(self, statements: Statements) -> None:
        self._statements = statements
        self._backend = statements.backend

    async def _execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> int:
        return await self._statements.execute(statement, parameters)

    async def _rows(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        return await self._statements.rows(statement, parameters)


class SqlUserRepository(SqlRepository):
    async def add(self, user: User) -> None:
        await self._write_user(insert(users).values(id=user.id, **_user_values(user)))

    async def get(self, user_id: uuid.UUID) -> User | None:
        rows = await self._rows(queries.USER_BY_ID, {"user_id": user_id})
        return to_user(rows[0]) if rows else None

    async def get_by_email(self, email: Email) -> User | None:
        rows = await self._rows(self._backend.user_by_email, {"email": email.value})
        return to_user(rows[0]) if rows else None

    async def lock(self, user_id: uuid.UUID) -> User | None:
        statement = self._backend.lock(users, users.c.id == user_id, unchanged=users.c.is_active)
        rows = await self._statements.locked_rows(statement)
        return to_user(rows[0]) if rows else None

    async def list(self) -> list[User]:
        query = select(users).order_by(users.c.created_at,
                                       self._backend.codepoint_order(users.c.email))
        return [to_user(row) for row in await self._rows(query)]

    async def update(self, user: User) -> None:
        await self._write_user(
            update(users).where(users.c.id == user.id).values(**_user_values(user))
        )

    async def _write_user(self, statement: Executable) -> None:
        try:
            await self._statements.guarded_write(statement)
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
        "email_verified": user.email_verified,
    }


def to_user(row: Row[Any]) -> User:
    """The User a users row holds."""
    return User(
        id=row.id,
        email=Email(row.email),
        password_hash=PasswordHash(row.password_hash),
        role=Role(row.role),
        is_active=row.is_active,
        created_at=row.created_at,
        mfa_enabled=row.mfa_enabled,
        email_verified=row.email_verified,
    )


class SqlRoomRepository(SqlRepository):
    async def add(self, room: Room) -> None:
        await self._execute(insert(rooms).values(
            id=room.id, name=room.name, description=room.description, price=room.price,
            quantity=room.quantity,
        ))

    async def get(self, room_id: uuid.UUID) -> Room | None:
        rows = await self._rows(select(rooms).where(rooms.c.id == room_id))
        return _room(rows[0]) if rows else None

    async def lock(self, room_id: uuid.UUID) -> Room | None:
        # Later bookings of the room wait here, and then count the earlier ones.
        statement = self._backend.lock(rooms, rooms.c.id == room_id, unchanged=rooms.c.quantity)
        rows = await self._statements.locked_rows(statement)
        return _room(rows[0]) if rows else None

    async def list(self) -> list[Room]:
        query = select(rooms).order_by(self._backend.codepoint_order(rooms.c.name), rooms.c.id)
        return [_room(row) for row in await self._rows(query)]


def _room(row: Row[Any]) -> Room:
    return Room(id=row.id, name=row.name, description=row.description, price=row.price,
                quantity=row.quantity)


class SqlBookingRepository(SqlRepository):
    async def add(self, booking: Booking) -> None:
        await self._execute(insert(bookings).values(
            id=booking.id, user_id=booking.user_id, room_id=booking.room_id,
            date_from=booking.dates.start, date_to=booking.dates.end, price=booking.price,
        ))

    async def get(self, booking_id: uuid.UUID) -> Booking | None:
        rows = await self._rows(select(bookings).where(bookings.c.id == booking_id))
        return _booking(rows[0]) if rows else None

    async def list_for_user(self, user_id: uuid.UUID) -> list[Booking]:
        rows = await self._rows(queries.BOOKINGS_OF_USER, {"user_id": user_id})
        return [_booking(row) for row in rows]

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
