"""The client's address behind trusted proxies, and the request id in every log line."""

import io
import logging

import pytest

from interfaces.http.client_context import client_ip, networks
from interfaces.http.request_id import RequestIdLogFilter, _request_id
from interfaces.logging_config import LINE, logging_config

PROXIES = networks(["10.0.0.0/8", "2001:db8::/32"])


def scope(peer: str | None, *forwarded: str) -> dict[str, object]:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"client": (peer, 5000) if peer else None, "headers": headers}


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),          # untrusted peer: header ignored
    ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),            # one trusted proxy
    ("10.0.0.2", ["6.6.6.6, 198.51.100.1, 10.0.0.3"], "198.51.100.1"),  # spoofed hop on the left
    ("10.0.0.2", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # two header lines, in order
    ("10.0.0.2", ["10.0.0.5, 10.0.0.3"], "10.0.0.5"),          # only proxies: the farthest
    ("10.0.0.2", [], "10.0.0.2"),                              # no header: the proxy itself
    ("10.0.0.2", ["garbage"], "10.0.0.2"),                     # a broken header proves nothing
    ("2001:db8::7", ["2001:db8::8, 2a00::1"], "2a00::1"),
    (None, ["198.51.100.1"], None),
])
def test_the_nearest_untrusted_hop_is_the_client(
    peer: str | None, forwarded: list[str], expected: str | None
) -> None:
    assert client_ip(scope(peer, *forwarded), PROXIES) == expected


def test_every_handler_of_the_logging_config_adds_the_request_id() -> None:
    config = logging_config()

    for handler in config["handlers"].values():
        assert handler["filters"] == ["request_id"]
        assert "%(request_id)s" in str(config["formatters"][handler["formatter"]])


def test_a_line_logged_during_a_request_names_it() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LINE))
    handler.addFilter(RequestIdLogFilter())
    logger = logging.getLogger("roomkey.test.request_id")
    logger.addHandler(handler)
    token = _request_id.set("req-42")
    try:
        logger.warning("something happened")
    finally:
        _request_id.reset(token)
        logger.removeHandler(handler)

    assert "[req-42] something happened" in stream.getvalue()


def test_an_access_line_shows_the_request_its_status_and_its_id() -> None:
    config = logging_config()
    handler = config["handlers"]["access"]
    formatter = logging.Formatter(config["formatters"][handler["formatter"]]["format"])
    # As uvicorn logs each response.
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5555", "GET", "/bookings", "1.1", 200), None)
    record.request_id = "abc123"

    line = formatter.format(record)

    assert line.endswith(
        'INFO uvicorn.access [abc123] 127.0.0.1:5555 - "GET /bookings HTTP/1.1" 200')
