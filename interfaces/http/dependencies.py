"""FastAPI dependencies: use cases from the app's container, and the current user."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from domain.users import User
from infrastructure.container import Container

ACCESS_COOKIE = "access_token"

# auto_error=False: a missing or odd Authorization header must end as our 401, never FastAPI's.
_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def container(request: Request) -> Container:
    resolved: Container = request.app.state.container
    return resolved


def use_case(name: str) -> Any:
    """`Depends` on a fresh use case built by the container provider called `name`."""

    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop per request for
    # what is only a few object constructions.
    async def build(request: Request) -> Any:
        return getattr(container(request), name)()

    return Depends(build)


async def presented_token(
    request: Request, bearer: Annotated[str | None, Depends(_bearer)]
) -> str | None:
    """The bearer header wins over the cookie: an explicit header is what the client meant."""
    return bearer or request.cookies.get(ACCESS_COOKIE)


async def current_user(
    token: Annotated[str | None, Depends(presented_token)],
    authenticate: Annotated[Any, use_case("authenticate_user")],
) -> User:
    user: User = await authenticate.execute(token=token)
    return user


CurrentUser = Annotated[User, Depends(current_user)]
Token = Annotated[str | None, Depends(presented_token)]
