"""Access tokens: HS256 JWTs that python-jose and PyJWT issue and check alike."""

from infrastructure.tokens.jose import JoseTokenCodec
from infrastructure.tokens.pyjwt import PyJwtTokenCodec

__all__ = ["JoseTokenCodec", "PyJwtTokenCodec"]
