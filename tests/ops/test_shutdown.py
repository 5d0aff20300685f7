"""SIGTERM during a burst of requests: what was sent before it is answered in full.

What the test asserts, precisely: every request written in full, on its own connection, before
SIGTERM, on a connection the server had accepted, is answered with its normal 2xx status: none
reset, none 5xx; at least one of them finishes after SIGTERM, so the burst was really in flight;
a connection attempted after the server has stopped listening is refused; the process exits
cleanly (0, or by the SIGTERM it re-raises) within the grace period, after the application's
shutdown (background tasks, Redis and the database pools closed).

Not asserted: a connection still in the kernel's accept queue when the listening socket closes
is reset by the kernel, whatever the server does; a load balancer that stops sending once
/health/ready fails (or once the instance is deregistered) avoids that.
"""

import json
import re
import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import PASSWORD
from tests.live_server import live_server, roomkey_environment, wait_for_workers

BURST = 16
GRACE_SECONDS = 20


def _login(port: int, sent: threading.Semaphore, results: list[object],
           finished: list[float]) -> None:
    """One login on its own connection, written in full before `sent` is released; the answer
    is read to the end of its body."""
    body = json.dumps({"email": "s@example.com", "password": PASSWORD}).encode()
    request = (f"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall(request.encode() + body)
            sent.release()
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, content = answer.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length: (\d+)", head)
        complete = length is not None and len(content) == int(length.group(1))
        results.append(int(head.split()[1]) if complete else f"incomplete: {answer!r}")
    except OSError as error:
        sent.release()
        results.append(error)
    finished.append(time.monotonic())


def _accept_queue(port: int) -> int:
    """Connections the kernel has completed on the listening sockets of `port` that no worker
    has accepted yet (/proc/net/tcp: rx_queue of a socket in LISTEN state, 0A)."""
    queued = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
            queued += int(fields[4].split(":")[1], 16)
    return queued


def _wait_until_accepted(port: int) -> None:
    deadline = time.monotonic() + 30
    while _accept_queue(port) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # and read by the server, one turn of its event loop later


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_lets_in_flight_requests_finish(tmp_path: Path, workers: int) -> None:
    env = roomkey_environment(database_url=f"sqlite+aiosqlite:///{tmp_path / 'roomkey.db'}",
                              shutdown_grace=str(GRACE_SECONDS), workers=str(workers),
                              login_limit_per_account="1000/minute")
    with live_server(env, tmp_path) as server:
        if workers > 1:
            wait_for_workers(server, workers)
        registered = httpx.post(f"{server.url}/auth/register", timeout=30,
                                json={"email": "s@example.com", "password": PASSWORD})
        assert registered.status_code == 201
        results: list[object] = []
        finished: list[float] = []
        sent = threading.Semaphore(0)
        port = int(server.url.rsplit(":", 1)[1])
        burst = [threading.Thread(target=_login, args=(port, sent, results, finished))
                 for _ in range(BURST)]
        for thread in burst:
            thread.start()
        for _ in burst:
            assert sent.acquire(timeout=30)
        _wait_until_accepted(port)

        terminated = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        for thread in burst:
            thread.join(GRACE_SECONDS + 10)
        exit_code = server.process.wait(GRACE_SECONDS + 10)
        stopped_after = time.monotonic() - terminated
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/health/live", timeout=5)

    print(f"{workers} worker(s): {results.count(200)}/{BURST} answered 200, "
          f"{sum(end > terminated for end in finished)} of them after SIGTERM; exit "
          f"{exit_code} {stopped_after:.2f} s after SIGTERM")
    assert results == [200] * BURST, results
    assert max(finished) > terminated, "the burst was over before SIGTERM: nothing was tested"
    assert exit_code in (0, -signal.SIGTERM), server.output()
    assert stopped_after < GRACE_SECONDS
    assert server.output().count("Application shutdown complete") == workers
