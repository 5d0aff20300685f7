"""Routes under /auth: register, login (JSON and OAuth2 form), refresh, logout."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, status

from application.login_user import LoginUser
from application.logout_user import LogoutUser
from application.ports import RequestContext, ThrottleScope
from application.refresh_session import RefreshSession
from application.register_user import RegisterUser
from interfaces.http.client_context import Context
from interfaces.http.cookies import clear_session_cookies, refresh_cookie
from interfaces.http.cookies import set_session_cookies as set_cookies
from interfaces.http.dependencies import JSON_ONLY, Token, container, throttled, use_case
from interfaces.http.schemas import (
    Credentials,
    ErrorOut,
    RefreshIn,
    StatusOut,
    TokenForm,
    TokenOut,
    TokenPairOut,
    UserOut,
)
from interfaces.http.schemas_mfa import MfaRequiredOut

router = APIRouter(prefix="/auth", tags=["auth"])
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "Too many attempts; see Retry-After"}}
UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Incorrect email or password"}, **THROTTLED}


@router.post("/register", status_code=status.HTTP_201_CREATED,
             responses={409: {"model": ErrorOut, "description": "User already exists"},
                        **THROTTLED},
             dependencies=[*JSON_ONLY, throttled(ThrottleScope.REGISTER_PER_IP)],
             description=RegisterUser.__doc__)
async def register(
    body: Credentials, context: Context,
    register_user: Annotated[RegisterUser, use_case("register_user")],
) -> UserOut:
    user = await register_user.execute(email=body.email, password=body.password, context=context)
    return UserOut.of(user)


@router.post("/login", responses=UNAUTHORIZED, description=LoginUser.__doc__,
             dependencies=[*JSON_ONLY, throttled(ThrottleScope.LOGIN_PER_IP)])
async def login(
    body: Credentials, context: Context, request: Request, response: Response,
    login_user: Annotated[LoginUser, use_case("login_user")],
) -> TokenOut | MfaRequiredOut:
    """Cookie clients: the refresh token travels only in its HttpOnly cookie. With a second
    factor: no session yet, but an MFA token for POST /auth/mfa/verify."""
    result = await login_user.execute(email=body.email, password=body.password,
                                      device=device(context), context=context)
    if result.tokens is None:
        return MfaRequiredOut.of(result)
    set_cookies(response, result.tokens, container(request).settings())
    return TokenOut.of(result.tokens)


@router.post("/token", responses=UNAUTHORIZED,
             description="The OAuth2 password flow (`username` is the email) for bearer clients "
                         "and Swagger UI: both tokens come back in the body, no cookie is set. "
                         "An account with a second factor is told (401) to log in in two steps.",
             dependencies=[throttled(ThrottleScope.LOGIN_PER_IP)])
async def token(
    form: Annotated[TokenForm, Form()], context: Context,
    login_user: Annotated[LoginUser, use_case("login_user")],
) -> TokenPairOut:
    result = await login_user.execute(email=form.username, password=form.password,
                                      device=device(context), context=context, two_step=False)
    assert result.tokens is not None  # two_step=False: a session, or an error
    return TokenPairOut.of(result.tokens)


@router.post("/refresh", responses=UNAUTHORIZED, description=RefreshSession.__doc__,
             dependencies=[*JSON_ONLY, throttled(ThrottleScope.REFRESH_PER_IP)])
async def refresh(
    context: Context, request: Request, response: Response,
    refresh_session: Annotated[RefreshSession, use_case("refresh_session")],
    body: RefreshIn | None = None,
) -> TokenOut | TokenPairOut:
    """Cookie clients send the refresh cookie (and X-CSRF-Token); bearer clients send
    `{"refresh_token": ...}` and get the new pair in the body."""
    if body is not None:
        tokens = await refresh_session.execute(refresh_token=body.refresh_token, context=context)
        return TokenPairOut.of(tokens)
    cookie = refresh_cookie(request)
    tokens = await refresh_session.execute(refresh_token=cookie, context=context)
    set_cookies(response, tokens, container(request).settings())
    return TokenOut.of(tokens)


@router.post("/logout", dependencies=JSON_ONLY, description=LogoutUser.__doc__)
async def logout(
    token: Token, context: Context, request: Request, response: Response,
    logout_user: Annotated[LogoutUser, use_case("logout_user")],
) -> StatusOut:
    await logout_user.execute(access_token=token,
                              refresh_token=refresh_cookie(request),
                              context=context)
    clear_session_cookies(response, container(request).settings())
    return StatusOut(status="logged out")


def device(context: RequestContext) -> str:
    """What the sessions list shows to tell devices apart."""
    agent = (context.user_agent or "unknown client")[:150]
    return f"{agent} from {context.client_ip or 'unknown address'}"
