"""Start an app as a user would (its own temp directory, loopback port), and stop it after."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
DATA_KEY = "YmVuY2gtZGF0YS1rZXktdGhpcnR5LXR3by1ieXRlcyE="  # 32 bytes, base64url


@dataclass(frozen=True)
class App:
    name: str
    command: list[str]  # "{port}" is replaced by the port
    env: dict[str, str] = field(default_factory=dict)
    login_form: bool = False  # fastapi-users takes the OAuth2 form, the others JSON
    has_login: bool = True
    reads_only: bool = False  # logs in to seed, but only the read runs measure it


def roomkey(database_url: str | None = None, workers: int = 1, algorithm: str = "HS256") -> App:
    # `roomkey serve` with its defaults, in development so that it migrates and adds rooms.
    env = {"ROOMKEY_ENV": "development", "ROOMKEY_SECRET_KEY": SECRET_KEY,
           "ROOMKEY_DATA_KEY": DATA_KEY,
           # A login storm from one address is what the login limits exist to stop; lifted
           # here so that the login figures measure hashing, as they do for the peers.
           "ROOMKEY_LOGIN_LIMIT_PER_ACCOUNT": "1000000/minute",
           "ROOMKEY_LOGIN_LIMIT_PER_IP": "1000000/minute"}
    if database_url:
        env["ROOMKEY_DATABASE_URL"] = database_url
    command = [str(BIN / "roomkey"), "serve", "--port", "{port}"]
    if workers > 1:
        command += ["--workers", str(workers)]
    name = "Roomkey" if workers == 1 else f"Roomkey, {workers} workers"
    if algorithm != "HS256":
        # Development generates the signing key in the app's temp directory.
        env["ROOMKEY_JWT_ALGORITHM"] = algorithm
        return App(f"{name}, {algorithm}", command, env, reads_only=True)
    return App(name, command, env)


def peer(name: str, module: str, **options: bool) -> App:
    # `uvicorn module:app`, as the peers' own documentation runs them, on the same HTTP parser
    # and event loop as `roomkey serve` (which pins asyncio's loop), so that only the apps differ.
    command = [str(BIN / "uvicorn"), f"bench.peers.{module}:app", "--port", "{port}",
               "--http", "httptools", "--loop", "asyncio"]
    return App(name, command, {"BENCH_SECRET_KEY": SECRET_KEY}, **options)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(app: App) -> Iterator[str]:
    """Yield the base URL of the running app; its working directory is a fresh temp dir."""
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in app.command]
    env = {**os.environ, **app.env, "PYTHONPATH": str(REPOSITORY)}
    with tempfile.TemporaryDirectory(prefix="roomkey-bench-") as workdir:
        log = Path(workdir) / "server.log"
        with log.open("w") as output:
            process = subprocess.Popen(command, cwd=workdir, env=env, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process, log)
            yield base
        finally:
            _stop(process)


def _wait_until_up(base: str, process: "subprocess.Popen[bytes]", log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{base} exited early:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{base}/bookings", timeout=1)  # noqa: S310 - our loopback URL
            return
        except urllib.error.HTTPError:
            return  # 401 without a cookie: the app answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer within 60 s:\n{log.read_text()[-3000:]}")


def _stop(process: "subprocess.Popen[bytes]") -> None:
    # The whole session: `--workers 2` forks worker processes of its own.
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass
