"""GET /.well-known/jwks.json: the public keys other services verify Roomkey's tokens with."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from infrastructure.tokens.keys import JWKS_CACHE_CONTROL
from interfaces.http.dependencies import container

router = APIRouter(tags=["auth"])


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> JSONResponse:
    """The current and retired ES256 public keys (RFC 7517), each named by its `kid`; an empty
    set under HS256, whose shared secret is never published."""
    return JSONResponse(container(request).signing_keys().jwks(),
                        headers={"Cache-Control": JWKS_CACHE_CONTROL})
