"""`roomkey serve` as run in production: what its access log holds, and the head-size limit
that only the server itself can keep (the in-process client never reaches it)."""

import contextlib
import re
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.command.running import Served, serving

SECRET_KEY = "serve-edge-test-key-J7q2Vx9LmP4sT8wZ3nB6yC1dF5gH0k"
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ [\w.]+ \[[^\]]+\] ")
# One value per parameter name a client might put a credential under.
SECRETS = {"password": "pw-SECRET-5b1e", "token": "tok-SECRET-77a0",
           "access_token": "at-SECRET-c3d9", "code": "code-SECRET-91f4"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("serve"), database_url="memory://",
                 secret_key=SECRET_KEY) as served:
        yield served


def wait_for(served: Served, text: str) -> str:
    """The server's output once it holds `text` (the access line follows the response)."""
    deadline = time.monotonic() + 10
    while text not in (output := served.output()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return output


def send_head(served: Served, head: bytes) -> bytes:
    """Send a raw request head; the server's answer (it may hang up while we still send)."""
    host, port = served.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(head)
        answer = b""
        while chunk := _recv(connection):
            answer += chunk
        return answer


def _recv(connection: socket.socket) -> bytes:
    try:
        return connection.recv(65536)
    except ConnectionResetError:
        return b""


@pytest.mark.parametrize("name", list(SECRETS))
def test_no_query_string_reaches_the_access_log(server: Served, name: str) -> None:
    value = SECRETS[name]
    # The reproduction: credentials in the query string of an empty login request.
    login = httpx.post(f"{server.base_url}/auth/login",
                       params={"email": "eve@example.com", name: value})
    me = httpx.get(f"{server.base_url}/users/me", params={name: value})

    assert (login.status_code, me.status_code) == (422, 401)
    output = wait_for(server, '"GET /users/me HTTP/1.1" 401')
    assert '"POST /auth/login HTTP/1.1" 422' in output
    assert value not in output
    assert "?" not in "".join(line for line in output.splitlines() if "roomkey.access" in line)


def test_the_default_log_format_is_readable_text(server: Served) -> None:
    httpx.get(f"{server.base_url}/rooms", headers={"X-Request-ID": "text-line-1"})

    output = wait_for(server, "[text-line-1]")

    [line] = [line for line in output.splitlines() if "[text-line-1]" in line]
    assert LINE.match(line)
    assert line.endswith("ms") and '"GET /rooms HTTP/1.1" 200 ' in line


@pytest.mark.parametrize("size", [20_000, 4_000_000])
def test_a_request_head_over_the_limit_is_431(server: Served, size: int) -> None:
    head = b"GET /rooms HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * size + b"\r\n\r\n"

    answer = send_head(server, head)

    assert answer.startswith(b"HTTP/1.1 431 ")
    assert answer.endswith(b'{"detail":"Request header fields too large"}')
    assert httpx.get(f"{server.base_url}/rooms").status_code == 200  # the server lives on


def test_many_headers_that_add_up_over_the_limit_are_431(server: Served) -> None:
    headers = b"".join(b"X-Part-%d: %s\r\n" % (number, b"b" * 1000) for number in range(20))

    answer = send_head(server, b"GET /rooms HTTP/1.1\r\nHost: localhost\r\n" + headers + b"\r\n")

    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_head_within_the_limit_is_served(server: Served) -> None:
    response = httpx.get(f"{server.base_url}/rooms", headers={"X-Big": "c" * 12_000})

    assert response.status_code == 200



def test_bodies_and_kept_alive_connections_do_not_count_against_the_head(server: Served) -> None:
    body = {"email": "kept@example.com", "password": "x" * 40_000}  # a 40 KB body, 422

    with httpx.Client(base_url=server.base_url) as client:
        statuses = [client.post("/auth/register", json=body).status_code for _ in range(5)]
        statuses += [client.get("/rooms", headers={"X-Big": "g" * 10_000}).status_code
                     for _ in range(20)]

    assert statuses == [422] * 5 + [200] * 20
