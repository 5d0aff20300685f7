"""PyotpTotpVerifier: RFC 6238 codes with pyotp, at the injected clock's time."""

import pyotp
from pyotp.exceptions import OTPVerificationError

from application.ports import Clock

DIGITS = 6
STEP_SECONDS = 30
# One step either side of now: a phone's clock may be a little off, and the user a little slow.
VALID_WINDOW = 1


class PyotpTotpVerifier:
    """SHA-1, six digits, 30-second steps: what every authenticator app reads from a QR code."""

    def __init__(self, clock: Clock, *, issuer: str) -> None:
        self._clock = clock
        self._issuer = issuer

    def new_secret(self) -> str:
        return pyotp.random_base32(length=32)  # 160 bits, RFC 4226's recommended length

    def provisioning_uri(self, secret: str, *, account: str) -> str:
        return self._totp(secret).provisioning_uri(name=account, issuer_name=self._issuer)

    def matching_step(self, secret: str, code: str) -> int | None:
        code = "".join(code.split())
        if len(code) != DIGITS or not code.isascii() or not code.isdigit():
            return None
        try:
            return self._totp(secret).verify_and_get_timecode(
                code, for_time=self._clock.now(), valid_window=VALID_WINDOW)
        except OTPVerificationError:
            return None

    @staticmethod
    def _totp(secret: str) -> pyotp.TOTP:
        return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
