"""Routes of the second factor (enrol, confirm, disable, recovery codes, the login's second
step) and of step-up re-authentication."""

from typing import Annotated

import segno
from fastapi import APIRouter, Request, Response

from application.confirm_totp import ConfirmTotp
from application.disable_totp import DisableTotp
from application.enrol_totp import EnrolTotp
from application.ports import ThrottleScope
from application.reauthenticate import Reauthenticate
from application.replace_recovery_codes import ReplaceRecoveryCodes
from application.verify_mfa_login import VerifyMfaLogin
from interfaces.http.client_context import Context
from interfaces.http.cookies import set_session_cookies
from interfaces.http.dependencies import (
    JSON_ONLY,
    CurrentAuthentication,
    CurrentUser,
    RecentAuthentication,
    container,
    throttled,
    use_case,
)
from interfaces.http.routes_auth import UNAUTHORIZED, device
from interfaces.http.schemas import StatusOut, TokenOut
from interfaces.http.schemas_mfa import (
    AnyCodeIn,
    CodeIn,
    MfaVerifyIn,
    ReauthenticateIn,
    RecoveryCodesOut,
    TotpEnrolmentOut,
)

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/mfa/verify", responses=UNAUTHORIZED, description=VerifyMfaLogin.__doc__,
             dependencies=[*JSON_ONLY, throttled(ThrottleScope.LOGIN_PER_IP)])
async def verify(
    body: MfaVerifyIn, context: Context, request: Request, response: Response,
    verify_mfa_login: Annotated[VerifyMfaLogin, use_case("verify_mfa_login")],
) -> TokenOut:
    """The answer of POST /auth/login for an account without a second factor: access token in
    the body, session cookies set."""
    result = await verify_mfa_login.execute(
        mfa_token=body.mfa_token, code=body.code, recovery_code=body.recovery_code,
        device=device(context), context=context)
    assert result.tokens is not None  # the second factor is verified: a session
    set_session_cookies(response, result.tokens, container(request).settings())
    return TokenOut.of(result.tokens)


@router.post("/reauthenticate", dependencies=JSON_ONLY, description=Reauthenticate.__doc__)
async def reauthenticate(
    body: ReauthenticateIn, auth: CurrentAuthentication, context: Context,
    reauthenticate: Annotated[Reauthenticate, use_case("reauthenticate")],
) -> StatusOut:
    await reauthenticate.execute(actor=auth.user, session_id=auth.session_id,
                                 password=body.password, code=body.code,
                                 recovery_code=body.recovery_code, context=context)
    return StatusOut(status="reauthenticated")


@router.post("/mfa/totp", dependencies=JSON_ONLY, description=EnrolTotp.__doc__)
async def enrol_totp(
    auth: RecentAuthentication, enrol_totp: Annotated[EnrolTotp, use_case("enrol_totp")],
) -> TotpEnrolmentOut:
    enrolment = await enrol_totp.execute(actor=auth.user)
    qr_code = segno.make(enrolment.provisioning_uri, error="m")
    return TotpEnrolmentOut(secret=enrolment.secret, otpauth_uri=enrolment.provisioning_uri,
                            qr_svg=qr_code.svg_inline(scale=4))


@router.post("/mfa/totp/confirm", dependencies=JSON_ONLY, description=ConfirmTotp.__doc__)
async def confirm_totp(
    body: CodeIn, actor: CurrentUser, context: Context,
    confirm_totp: Annotated[ConfirmTotp, use_case("confirm_totp")],
) -> RecoveryCodesOut:
    codes = await confirm_totp.execute(actor=actor, code=body.code, context=context)
    return RecoveryCodesOut(recovery_codes=codes)


@router.delete("/mfa/totp", dependencies=JSON_ONLY, description=DisableTotp.__doc__)
async def disable_totp(
    body: AnyCodeIn, auth: RecentAuthentication, context: Context,
    disable_totp: Annotated[DisableTotp, use_case("disable_totp")],
) -> StatusOut:
    await disable_totp.execute(actor=auth.user, code=body.code,
                               recovery_code=body.recovery_code, context=context)
    return StatusOut(status="second factor disabled")


@router.post("/mfa/recovery-codes", dependencies=JSON_ONLY,
             description=ReplaceRecoveryCodes.__doc__)
async def replace_recovery_codes(
    auth: RecentAuthentication, context: Context,
    replace_recovery_codes: Annotated[ReplaceRecoveryCodes, use_case("replace_recovery_codes")],
) -> RecoveryCodesOut:
    codes = await replace_recovery_codes.execute(actor=auth.user, context=context)
    return RecoveryCodesOut(recovery_codes=codes)
