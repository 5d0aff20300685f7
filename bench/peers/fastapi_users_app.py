"""The same endpoints with fastapi-users 15: SQLAlchemy adapter, cookie transport, JWT strategy."""

import os
import uuid
from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, CookieTransport, JWTStrategy
from fastapi_users.db import SQLAlchemyBaseUserTableUUID, SQLAlchemyUserDatabase
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SECRET = os.environ.get("BENCH_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123")
engine = create_async_engine(os.environ.get("BENCH_DATABASE_URL", "sqlite+aiosqlite:///./fu.db"))
async_session_maker = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(SQLAlchemyBaseUserTableUUID, Base):
    pass


class Booking(Base):
    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"), index=True)
    room_id: Mapped[str]
    date_from: Mapped[date]
    date_to: Mapped[date]
    price: Mapped[int]


class UserRead(schemas.BaseUser[uuid.UUID]):
    pass


class UserCreate(schemas.BaseUserCreate):
    pass


class BookingIn(BaseModel):
    room_id: str
    date_from: date
    date_to: date


class BookingOut(BookingIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    price: int


async def get_async_session() -> AsyncGenerator[AsyncSession, None]:
    async with async_session_maker() as session:
        yield session


async def get_user_db(
    session: Annotated[AsyncSession, Depends(get_async_session)],
) -> AsyncGenerator[SQLAlchemyUserDatabase[User, uuid.UUID], None]:
    yield SQLAlchemyUserDatabase(session, User)


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET


async def get_user_manager(
    user_db: Annotated[SQLAlchemyUserDatabase[User, uuid.UUID], Depends(get_user_db)],
) -> AsyncGenerator[UserManager, None]:
    yield UserManager(user_db)


def get_jwt_strategy() -> JWTStrategy[User, uuid.UUID]:
    return JWTStrategy(secret=SECRET, lifetime_seconds=1800)


auth_backend = AuthenticationBackend(
    name="cookie", transport=CookieTransport(cookie_max_age=1800, cookie_secure=False),
    get_strategy=get_jwt_strategy)
fastapi_users = FastAPIUsers[User, uuid.UUID](get_user_manager, [auth_backend])
current_active_user = fastapi_users.current_user(active=True)


async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield


app = FastAPI(lifespan=lifespan)  # type: ignore[arg-type]
app.include_router(fastapi_users.get_auth_router(auth_backend), prefix="/auth")
app.include_router(fastapi_users.get_register_router(UserRead, UserCreate), prefix="/auth")


@app.get("/bookings")
async def list_bookings(
    user: Annotated[User, Depends(current_active_user)],
    session: Annotated[AsyncSession, Depends(get_async_session)],
) -> list[BookingOut]:
    result = await session.execute(select(Booking).where(Booking.user_id == user.id))
    return [BookingOut.model_validate(booking) for booking in result.scalars()]


@app.post("/bookings", status_code=201)
async def add_booking(
    body: BookingIn, user: Annotated[User, Depends(current_active_user)],
    session: Annotated[AsyncSession, Depends(get_async_session)],
) -> None:
    session.add(Booking(user_id=user.id, price=100, **body.model_dump()))
    await session.commit()
