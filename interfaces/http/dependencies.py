"""FastAPI dependencies: use cases from the app's container, and the current user."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from application.ports import ThrottleScope
from application.throttle_client import ThrottleClient
from domain.users import User
from infrastructure.container import Container
from interfaces.http.client_context import Context

ACCESS_COOKIE = "access_token"

# auto_error=False: a missing or odd Authorization header must end as our 401, never FastAPI's.
_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def container(request: Request) -> Container:
    resolved: Container = request.app.state.container
    return resolved


def use_case(name: str) -> Any:
    """`Depends` on a fresh use case built by the container provider called `name`."""

    def build(request: Request) -> Any:
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


def throttled(scope: ThrottleScope) -> Any:
    """`Depends` that counts the request against the client's per-IP limit for `scope`; over it,
    the route never runs and the answer is 429 with Retry-After. Use it in `dependencies=[...]`.
    """

    async def check(
        context: Context, throttle_client: Annotated[ThrottleClient, use_case("throttle_client")]
    ) -> None:
        await throttle_client.execute(scope=scope, context=context)

    return Depends(check)
