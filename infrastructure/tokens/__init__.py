"""Access tokens: JWTs (HS256 or ES256) that python-jose and PyJWT issue and check alike."""

from infrastructure.tokens.codec import JwtTokenCodec
from infrastructure.tokens.jose import JoseTokenCodec
from infrastructure.tokens.pyjwt import PyJwtTokenCodec

__all__ = ["JoseTokenCodec", "JwtTokenCodec", "PyJwtTokenCodec"]
