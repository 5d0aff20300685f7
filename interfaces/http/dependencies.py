"""FastAPI dependencies: use cases from the app's container, JSON-only bodies, the current user."""

from email.message import Message
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from application.authenticate_user import AuthenticateUser, Authentication
from application.ports import ThrottleScope
from application.throttle_client import ThrottleClient
from domain.errors import SecondFactorRequired
from domain.policy import lacks_required_second_factor
from domain.users import User
from infrastructure.container import Container
from interfaces.http.client_context import Context
from interfaces.http.cookies import access_cookie


class _SessionToken(OAuth2PasswordBearer):
    """The presented access token: the bearer header wins over the cookie, and a cookie on an
    unsafe request needs CSRF proof. As an OAuth2 scheme it is what Swagger's Authorize sets.

    Subclasses answer with what routes want from the token in this one dependency: FastAPI
    resolves each level of a dependency chain at a cost comparable to the session check itself.
    """

    def __init__(self) -> None:
        # auto_error=False: a missing or odd Authorization header must end as our 401, never
        # FastAPI's. One scheme name for every subclass, so OpenAPI shows one scheme.
        super().__init__(tokenUrl="/auth/token", scheme_name="OAuth2PasswordBearer",
                         auto_error=False)

    # Request, not the base's HTTPConnection: these only ever serve HTTP routes.
    async def __call__(self, request: Request) -> str | None:  # type: ignore[override]
        return await super().__call__(request) or access_cookie(request)


class _SessionAuthentication(_SessionToken):
    async def __call__(self, request: Request) -> Authentication:  # type: ignore[override]
        authenticate: AuthenticateUser = container(request).authenticate_user()
        return await authenticate.execute(token=await super().__call__(request))


class _SessionUser(_SessionAuthentication):
    async def __call__(self, request: Request) -> User:  # type: ignore[override]
        return (await super().__call__(request)).user


class _RecentAuthentication(_SessionAuthentication):
    """Step-up: the user proved who they are recently (see RequireRecentAuthentication)."""

    async def __call__(self, request: Request) -> Authentication:  # type: ignore[override]
        authentication = await super().__call__(request)
        await container(request).require_recent_authentication().execute(
            session_id=authentication.session_id)
        return authentication


class _AdminUser(_SessionUser):
    """The actor of an admin route; where admins must have a second factor, one without it is
    refused here (enrolling stays open to them, as it is no admin route)."""

    async def __call__(self, request: Request) -> User:  # type: ignore[override]
        user = await super().__call__(request)
        _require_admin_second_factor(request, user)
        return user


class _RecentAdminAuthentication(_RecentAuthentication):
    async def __call__(self, request: Request) -> Authentication:  # type: ignore[override]
        authentication = await super().__call__(request)
        _require_admin_second_factor(request, authentication.user)
        return authentication


def _require_admin_second_factor(request: Request, user: User) -> None:
    if container(request).settings().require_mfa_for_admins and lacks_required_second_factor(
            user):
        raise SecondFactorRequired()


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


async def require_json(request: Request) -> None:
    """415 for a body that is not JSON: a cross-site `text/plain` form post cannot smuggle JSON
    in, since FastAPI would otherwise parse a body without a Content-Type as JSON."""
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers)
    if has_body and not _is_json(request.headers.get("content-type", "")):
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            detail="Content-Type must be application/json")


def _is_json(content_type: str) -> bool:
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json"))


JSON_ONLY = [Depends(require_json)]


CurrentAuthentication = Annotated[Authentication, Depends(_SessionAuthentication())]
CurrentUser = Annotated[User, Depends(_SessionUser())]
# For sensitive actions (password, email, second factor, account deletion): 403 with
# `WWW-Authenticate: Bearer error="insufficient_user_authentication"` unless recent.
RecentAuthentication = Annotated[Authentication, Depends(_RecentAuthentication())]
AdminUser = Annotated[User, Depends(_AdminUser())]
RecentAdminAuthentication = Annotated[Authentication, Depends(_RecentAdminAuthentication())]
Token = Annotated[str | None, Depends(_SessionToken())]


def throttled(scope: ThrottleScope) -> Any:
    """`Depends` that counts the request against the client's per-IP limit for `scope`; over it,
    the route never runs and the answer is 429 with Retry-After. Use it in `dependencies=[...]`.
    """

    async def check(
        context: Context, throttle_client: Annotated[ThrottleClient, use_case("throttle_client")]
    ) -> None:
        await throttle_client.execute(scope=scope, context=context)

    return Depends(check)
