"""HeadLimitedProtocol: uvicorn's httptools protocol with a limit on a request's head."""

import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from infrastructure.settings import DEFAULT_MAX_HEADER_BYTES

logger = logging.getLogger("roomkey.http")

TOO_LARGE_BODY = b'{"detail":"Request header fields too large"}'
TOO_LARGE_RESPONSE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json\r\n"
    b"content-length: " + str(len(TOO_LARGE_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + TOO_LARGE_BODY
)


class HeadLimitedProtocol(HttpToolsProtocol):
    """A request whose line and headers pass `max_head_bytes` is answered 431 and its
    connection closed, before the app sees it.

    httptools has no such limit (h11's is a 400), and a server buffers a head in full before
    any ASGI middleware runs: the limit can only be kept here. Two counts: the bytes of a head
    still arriving, so that an endless header is cut off without being buffered; and, once the
    head is complete, its exact size, for a head that arrived in one read.

    The limit is uvicorn's own option for h11's heads (`h11_max_incomplete_event_size`), so
    it reaches every worker process with the rest of uvicorn's configuration.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_head_bytes = self.config.h11_max_incomplete_event_size or DEFAULT_MAX_HEADER_BYTES
        self._reading_head = True
        self._arrived = 0  # bytes read while the current head was incomplete
        self._head = 0  # URL and header bytes httptools has handed over so far
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        if self._reading_head and not self._refused:
            # Counted whole: a read that also ends the previous pipelined request counts a
            # little of that one too, which errs on the safe side.
            self._arrived += len(data)
            if self._arrived > self.max_head_bytes:
                self._refuse()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._arrived = self._head = 0

    def on_url(self, url: bytes) -> None:
        self._head += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head += len(name) + len(value) + 4  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        if self._head > self.max_head_bytes:
            self._refuse()
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    def _refuse(self) -> None:
        self._refused = True
        logger.warning("request head over %d bytes refused (431)", self.max_head_bytes)
        self.transport.write(TOO_LARGE_RESPONSE)
        self.transport.close()

