"""PyJwtTokenCodec: the TokenCodec port over PyJWT."""

from typing import Any

import jwt

from infrastructure.tokens.codec import JwtTokenCodec
from infrastructure.tokens.keys import SigningKey

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


class PyJwtTokenCodec(JwtTokenCodec):
    library_errors = (jwt.PyJWTError,)

    def _sign(self, claims: dict[str, Any], key: SigningKey) -> str:
        return jwt.encode(claims, key.private, algorithm=key.algorithm,
                          headers={"kid": key.kid})

    def _unverified_header(self, token: str) -> object:
        return jwt.get_unverified_header(token)

    def _verified_payload(self, token: str, key: SigningKey) -> object:
        return jwt.decode(token, key.verifying, algorithms=[key.algorithm], options=_SIGNATURE_ONLY)
