"""PyJwtTokenCodec: the TokenCodec port over PyJWT."""

from typing import Any

import jwt

from infrastructure.tokens.hs256 import ALGORITHM, Hs256TokenCodec

# check_claims checks every claim against the injected clock; PyJWT only checks the signature,
# since its own time checks would read the wall clock.
_SIGNATURE_ONLY: jwt.types.Options = {
    "verify_signature": True,
    "verify_aud": False,
    "verify_iat": False,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iss": False,
    "verify_sub": False,
    "verify_jti": False,
    "enforce_minimum_key_length": True,
}


class PyJwtTokenCodec(Hs256TokenCodec):
    library_errors = (jwt.PyJWTError,)

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._secret_key, algorithm=ALGORITHM,
                          headers={"kid": self._key_id})

    def _unverified_header(self, token: str) -> object:
        return jwt.get_unverified_header(token)

    def _verified_payload(self, token: str, key: str) -> object:
        return jwt.decode(token, key, algorithms=[ALGORITHM], options=_SIGNATURE_ONLY)
