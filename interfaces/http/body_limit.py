"""Request bodies over a size limit get 413, before anything parses them."""

from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope

TOO_LARGE = "Request body too large"


def declared_length(scope: Scope) -> int:
    """The Content-Length the client declared; 0 when there is none."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                # The server refuses a malformed Content-Length before we would see it.
                return 0
    return 0


def receive_within(receive: Receive, max_bytes: int) -> Receive:
    """`receive`, counting a body without a Content-Length (chunked) as it streams in: the read
    that crosses the limit raises a 413 inside the app, answered like any HTTPException."""
    received = 0

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise HTTPException(status_code=413, detail=TOO_LARGE)
        return message

    return receive_within_limit
