"""Routes that end in a mail: password reset, email verification and change, the outbox."""

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, status

from application.list_outbox import MAX_OUTBOX_PAGE, ListOutbox
from application.mail import OutboxStatus
from application.ports import ThrottleScope
from application.request_email_change import RequestEmailChange
from application.request_password_reset import RequestPasswordReset
from application.resend_verification import ResendVerification
from application.reset_password import ResetPassword
from application.verify_email import VerifyEmail
from interfaces.http.client_context import Context
from interfaces.http.dependencies import (
    JSON_ONLY,
    AdminUser,
    RecentAuthentication,
    throttled,
    use_case,
)
from interfaces.http.request_id import current_request_id
from interfaces.http.schemas import (
    DetailOut,
    EmailChangeIn,
    EmailIn,
    ErrorOut,
    OutboxEntryOut,
    PasswordResetIn,
    StatusOut,
    TokenIn,
    UserOut,
)

logger = logging.getLogger("roomkey.http")
router = APIRouter()
RESET_ACCEPTED = "If that address has an account, a reset link has been sent"
RESEND_ACCEPTED = "If that address has an unverified account, a verification link has been sent"
CHANGE_ACCEPTED = "If that address is free, a confirmation link has been sent to it"
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "Too many attempts; see Retry-After"}}
BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Invalid or expired token"}}


@router.post("/auth/password-reset", status_code=status.HTTP_202_ACCEPTED, tags=["auth"],
             responses=THROTTLED, description=RequestPasswordReset.__doc__,
             dependencies=[*JSON_ONLY, throttled(ThrottleScope.PASSWORD_RESET_PER_IP)])
async def request_password_reset(
    body: EmailIn, context: Context, background: BackgroundTasks,
    request_password_reset: Annotated[RequestPasswordReset, use_case("request_password_reset")],
) -> DetailOut:
    _after_the_answer(background, lambda: request_password_reset.execute(email=body.email,
                                                                         context=context))
    return DetailOut(detail=RESET_ACCEPTED)


@router.post("/auth/password-reset/confirm", tags=["auth"], responses=BAD_TOKEN,
             dependencies=JSON_ONLY, description=ResetPassword.__doc__)
async def reset_password(
    body: PasswordResetIn, context: Context,
    reset_password: Annotated[ResetPassword, use_case("reset_password")],
) -> StatusOut:
    await reset_password.execute(token=body.token, new_password=body.new_password,
                                 context=context)
    return StatusOut(status="password reset")


@router.post("/auth/verify-email", tags=["auth"], dependencies=JSON_ONLY,
             responses={**BAD_TOKEN, 409: {"model": ErrorOut,
                                           "description": "The new address was taken meanwhile"}},
             description=VerifyEmail.__doc__)
async def verify_email(
    body: TokenIn, context: Context,
    verify_email: Annotated[VerifyEmail, use_case("verify_email")],
) -> UserOut:
    return UserOut.of(await verify_email.execute(token=body.token, context=context))


@router.post("/auth/verify-email/resend", status_code=status.HTTP_202_ACCEPTED, tags=["auth"],
             responses=THROTTLED, description=ResendVerification.__doc__,
             dependencies=[*JSON_ONLY, throttled(ThrottleScope.VERIFICATION_PER_IP)])
async def resend_verification(
    body: EmailIn, context: Context, background: BackgroundTasks,
    resend_verification: Annotated[ResendVerification, use_case("resend_verification")],
) -> DetailOut:
    _after_the_answer(background, lambda: resend_verification.execute(email=body.email,
                                                                      context=context))
    return DetailOut(detail=RESEND_ACCEPTED)


@router.post("/users/me/email", status_code=status.HTTP_202_ACCEPTED, tags=["users"],
             dependencies=JSON_ONLY, description=RequestEmailChange.__doc__)
async def request_email_change(
    body: EmailChangeIn, auth: RecentAuthentication, context: Context,
    request_email_change: Annotated[RequestEmailChange, use_case("request_email_change")],
) -> DetailOut:
    await request_email_change.execute(actor=auth.user, new_email=body.new_email,
                                       current_password=body.current_password, context=context)
    return DetailOut(detail=CHANGE_ACCEPTED)


@router.get("/admin/outbox", tags=["mail"], description=ListOutbox.__doc__)
async def list_outbox(
    actor: AdminUser, list_outbox: Annotated[ListOutbox, use_case("list_outbox")],
    wanted: Annotated[OutboxStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_OUTBOX_PAGE)] = 50,
) -> list[OutboxEntryOut]:
    entries = await list_outbox.execute(actor=actor, status=wanted, limit=limit)
    return [OutboxEntryOut.of(entry) for entry in entries]


def _after_the_answer(background: BackgroundTasks, work: Callable[[], Awaitable[None]]) -> None:
    """Run `work` once the answer is sent. For an address that has an account it stores a token
    and queues a mail, for any other it records the request only: done before answering, that
    difference would show in the response time and tell which addresses are registered."""

    async def run() -> None:
        try:
            await work()
        except Exception:
            logger.exception("request after the answer failed (request id %s)",
                             current_request_id())

    background.add_task(run)
