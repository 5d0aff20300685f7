"""Request and response bodies of the second factor, step-up and account deletion."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from application.second_factor import METHODS
from application.start_session import LoginResult
from interfaces.http.schemas import Request

# A TOTP code (six digits, spaces allowed) or a recovery code: short, so a bound is cheap.
Code = Annotated[str, Field(min_length=1, max_length=32)]


class MfaRequiredOut(BaseModel):
    """The first step's answer for an account with a second factor: no session yet."""

    mfa_required: Literal[True] = True
    mfa_token: str
    methods: list[str]

    @classmethod
    def of(cls, result: LoginResult) -> "MfaRequiredOut":
        assert result.mfa_token is not None
        return cls(mfa_token=result.mfa_token.value, methods=[str(m) for m in METHODS])


class MfaVerifyIn(Request):
    """Exactly one of `code` (from the authenticator) and `recovery_code`."""

    mfa_token: str = Field(max_length=128)
    code: Code | None = None
    recovery_code: Code | None = None

    @model_validator(mode="after")
    def _one_code(self) -> "MfaVerifyIn":
        _exactly_one_code(self.code, self.recovery_code)
        return self


class CodeIn(Request):
    code: Code


class AnyCodeIn(Request):
    """Exactly one of `code` and `recovery_code`."""

    code: Code | None = None
    recovery_code: Code | None = None

    @model_validator(mode="after")
    def _one_code(self) -> "AnyCodeIn":
        _exactly_one_code(self.code, self.recovery_code)
        return self


def _exactly_one_code(code: str | None, recovery_code: str | None) -> None:
    if (code is None) == (recovery_code is None):
        raise ValueError("Give exactly one of code and recovery_code")


class ReauthenticateIn(Request):
    """With a second factor, `code` (or `recovery_code`) as well as the password."""

    password: str = Field(max_length=1024)
    code: Code | None = None
    recovery_code: Code | None = None


class PasswordIn(Request):
    password: str = Field(max_length=1024)


class TotpEnrolmentOut(BaseModel):
    """Shown once: add the secret to an authenticator app (scan the QR code), then confirm."""

    secret: str
    otpauth_uri: str
    qr_svg: str


class RecoveryCodesOut(BaseModel):
    """Shown once: each code logs in once in place of an authenticator code."""

    recovery_codes: list[str]
