"""Routes under /auth: register, login (JSON and OAuth2 form), logout."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from application.login_user import LoginResult, LoginUser
from application.logout_user import LogoutUser
from application.ports import ThrottleScope
from application.register_user import RegisterUser
from interfaces.http.client_context import Context
from interfaces.http.dependencies import ACCESS_COOKIE, Token, container, throttled, use_case
from interfaces.http.schemas import Credentials, ErrorOut, StatusOut, TokenOut, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "Too many attempts; see Retry-After"}}
UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Incorrect email or password"}, **THROTTLED}


@router.post("/register", status_code=status.HTTP_201_CREATED,
             responses={409: {"model": ErrorOut, "description": "User already exists"},
                        **THROTTLED},
             dependencies=[throttled(ThrottleScope.REGISTER_PER_IP)],
             description=RegisterUser.__doc__)
async def register(
    body: Credentials, context: Context,
    register_user: Annotated[RegisterUser, use_case("register_user")],
) -> UserOut:
    user = await register_user.execute(email=body.email, password=body.password, context=context)
    return UserOut.of(user)


@router.post("/login", responses=UNAUTHORIZED, description=LoginUser.__doc__,
             dependencies=[throttled(ThrottleScope.LOGIN_PER_IP)])
async def login(
    body: Credentials, context: Context, request: Request, response: Response,
    login_user: Annotated[LoginUser, use_case("login_user")],
) -> TokenOut:
    result = await login_user.execute(email=body.email, password=body.password, context=context)
    return _issue(result, request, response)


@router.post("/token", responses=UNAUTHORIZED,
             description="The OAuth2 password flow (`username` is the email), for Swagger UI.",
             dependencies=[throttled(ThrottleScope.LOGIN_PER_IP)])
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], context: Context, request: Request,
    response: Response, login_user: Annotated[LoginUser, use_case("login_user")],
) -> TokenOut:
    result = await login_user.execute(email=form.username, password=form.password,
                                      context=context)
    return _issue(result, request, response)


@router.post("/logout", description=LogoutUser.__doc__)
async def logout(
    token: Token, context: Context, request: Request, response: Response,
    logout_user: Annotated[LogoutUser, use_case("logout_user")],
) -> StatusOut:
    await logout_user.execute(token=token, context=context)
    settings = container(request).settings()
    response.delete_cookie(ACCESS_COOKIE, path="/", secure=settings.secure_cookies,
                           httponly=True, samesite=settings.cookie_samesite)
    return StatusOut(status="logged out")


def _issue(result: LoginResult, request: Request, response: Response) -> TokenOut:
    settings = container(request).settings()
    access = result.access_token
    response.set_cookie(
        ACCESS_COOKIE, access.value, max_age=access.lifetime_seconds, path="/", httponly=True,
        secure=settings.secure_cookies, samesite=settings.cookie_samesite,
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenOut(access_token=access.value, expires_in=access.lifetime_seconds)
