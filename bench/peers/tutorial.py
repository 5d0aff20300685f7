"""The seed document's pattern: passlib bcrypt inside async def, python-jose, async ORM."""

import os
from datetime import date, datetime, timedelta

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from jose import jwt
from passlib.context import CryptContext
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Module-level globals, as the tutorial has them; kept on purpose, this is the peer.
SECRET_KEY = os.environ.get("BENCH_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123")
ALGORITHM = "HS256"
engine = create_async_engine(os.environ.get("BENCH_DATABASE_URL", "sqlite+aiosqlite:///./t.db"))
async_session_maker = async_sessionmaker(engine, expire_on_commit=False)
pwd_context = CryptContext(schemes=["bcrypt"])


class Base(DeclarativeBase):
    pass


class Users(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(unique=True)
    hashed_password: Mapped[str]


class Bookings(Base):
    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    room_id: Mapped[str]
    date_from: Mapped[date]
    date_to: Mapped[date]
    price: Mapped[int]


class UserAuth(BaseModel):
    email: str
    password: str


class BookingIn(BaseModel):
    room_id: str
    date_from: date
    date_to: date


class SBooking(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    room_id: str
    date_from: date
    date_to: date
    price: int


class BaseDAO:
    model: type[Base]

    @classmethod
    async def find_one_or_none(cls, **filter_by: object) -> object:
        async with async_session_maker() as session:
            result = await session.execute(select(cls.model).filter_by(**filter_by))
            return result.scalar_one_or_none()

    @classmethod
    async def find_all(cls, **filter_by: object) -> list[object]:
        async with async_session_maker() as session:
            result = await session.execute(select(cls.model).filter_by(**filter_by))
            return list(result.scalars().all())

    @classmethod
    async def add(cls, **data: object) -> None:
        async with async_session_maker() as session:
            session.add(cls.model(**data))
            await session.commit()


class UserDAO(BaseDAO):
    model = Users


class BookingDAO(BaseDAO):
    model = Bookings


def create_access_token(data: dict[str, object]) -> str:
    to_encode = data.copy()
    to_encode["exp"] = datetime.utcnow() + timedelta(minutes=30)  # noqa: DTZ003 - the seed's code
    return str(jwt.encode(to_encode, SECRET_KEY, algorithm=ALGORITHM))


async def get_current_user(request: Request) -> Users:
    token = request.cookies.get("access_token")
    if not token:
        raise HTTPException(status_code=401)
    try:
        payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    except jwt.JWTError:
        raise HTTPException(status_code=401) from None
    user = await UserDAO.find_one_or_none(id=int(payload["sub"]))
    if not isinstance(user, Users):
        raise HTTPException(status_code=401)
    return user


async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield


app = FastAPI(lifespan=lifespan)  # type: ignore[arg-type]


@app.post("/auth/register", status_code=201)
async def register(user_data: UserAuth) -> dict[str, str]:
    if await UserDAO.find_one_or_none(email=user_data.email):
        raise HTTPException(status_code=409, detail="User already exists")
    await UserDAO.add(email=user_data.email,
                      hashed_password=pwd_context.hash(user_data.password))
    return {"status": "registered"}


@app.post("/auth/login")
async def login(response: Response, user_data: UserAuth) -> dict[str, str]:
    user = await UserDAO.find_one_or_none(email=user_data.email)
    if not isinstance(user, Users) or not pwd_context.verify(user_data.password,
                                                             user.hashed_password):
        raise HTTPException(status_code=401, detail="Incorrect email or password")
    token = create_access_token({"sub": str(user.id)})
    response.set_cookie("access_token", token, httponly=True)
    return {"access_token": token}


@app.get("/bookings")
async def get_bookings(user: Users = Depends(get_current_user)) -> list[SBooking]:  # noqa: B008
    return await BookingDAO.find_all(user_id=user.id)  # type: ignore[return-value]


@app.post("/bookings", status_code=201)
async def add_booking(body: BookingIn, user: Users = Depends(get_current_user)) -> None:  # noqa: B008
    await BookingDAO.add(user_id=user.id, room_id=body.room_id, date_from=body.date_from,
                         date_to=body.date_to, price=100)
