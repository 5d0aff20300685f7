"""JoseTokenCodec: the TokenCodec port over python-jose."""

from typing import Any

from jose import JOSEError, jwt

from infrastructure.tokens.codec import JwtTokenCodec
from infrastructure.tokens.keys import SigningKey

# check_claims checks every claim against the injected clock; python-jose only checks the
# signature, since its own time checks would read the wall clock.
_SIGNATURE_ONLY = {
    "verify_signature": True,
    "verify_aud": False,
    "verify_iat": False,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iss": False,
    "verify_sub": False,
    "verify_jti": False,
    "verify_at_hash": False,
}


class JoseTokenCodec(JwtTokenCodec):
    # JOSEError, not just JWTError: jws and jwk errors derive from it too.
    library_errors = (JOSEError,)

    def _sign(self, claims: dict[str, Any], key: SigningKey) -> str:
        token: str = jwt.encode(claims, key.private, algorithm=key.algorithm,
                                headers={"kid": key.kid})
        return token

    def _unverified_header(self, token: str) -> object:
        header: object = jwt.get_unverified_header(token)
        return header

    def _verified_payload(self, token: str, key: SigningKey) -> object:
        payload: object = jwt.decode(token, key.verifying, algorithms=[key.algorithm],
                                     options=_SIGNATURE_ONLY)
        return payload
