"""A request id on every response (X-Request-ID) and in every log line about the request."""

import re
import uuid
from contextvars import ContextVar, Token

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# A client-sent id is kept only when it is short and plain, so it cannot forge log lines.
# fullmatch, not `$`, which would let a trailing newline through.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id() -> str:
    return _request_id.get()


def start_request(sent: bytes | None) -> tuple[str, Token[str]]:
    """The request's id (`sent`, the client's X-Request-ID, if it is safe, else a new one),
    made current for this request's log lines; pass the token to `end_request`."""
    text = sent.decode("latin-1") if sent else ""
    request_id = text if _SAFE_ID.fullmatch(text) else uuid.uuid4().hex
    return request_id, _request_id.set(request_id)


def end_request(token: Token[str]) -> None:
    _request_id.reset(token)


class RequestIdLogFilter:
    """Puts the current request id on every log record as `request_id`."""

    def filter(self, record: object) -> bool:
        record.request_id = current_request_id()  # type: ignore[attr-defined]
        return True
