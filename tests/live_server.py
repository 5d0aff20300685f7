"""The real `roomkey` command in a subprocess: one-off commands, and servers on free ports."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOMKEY = str(Path(sys.executable).with_name("roomkey"))
SECRET = "live-server-secret-key-long-enough-0123456789-abcdef"
# Spawned workers import the whole app; on a busy 2-core machine that takes several seconds.
START_SECONDS = 60.0


def roomkey_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any ROOMKEY_ setting but the test ones, plus these."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ROOMKEY_") or key.startswith("ROOMKEY_TEST_")}
    env.update({"ROOMKEY_SECRET_KEY": SECRET, "ROOMKEY_DEMO_ROOMS": "false"})
    env.update({f"ROOMKEY_{key.upper()}": value for key, value in settings.items()})
    return env


def run_roomkey(*args: str, env: Mapping[str, str], cwd: Path, stdin: str = "",
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ROOMKEY, *args], env=dict(env), cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=timeout, check=False)


def run_concurrently(
    *commands: tuple[tuple[str, ...], Mapping[str, str]], cwd: Path
) -> list[subprocess.CompletedProcess[str]]:
    """Several one-off commands at once: each spends most of its time importing."""
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(lambda command: run_roomkey(*command[0], env=command[1], cwd=cwd),
                             commands))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)


@contextmanager
def live_server(env: Mapping[str, str], cwd: Path, *args: str) -> Iterator[LiveServer]:
    """`roomkey serve` on a free port, ready (GET /health/live answers) before it is yielded."""
    port = free_port()
    log = cwd / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([ROOMKEY, "serve", "--port", str(port), *args],
                                   env=dict(env), cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
    server = LiveServer(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_live(server)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_live(server: LiveServer) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"roomkey serve exited:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"roomkey serve did not start:\n{server.output()}")


def worker_pids(server: LiveServer) -> list[int]:
    """The supervisor's worker processes (Linux: /proc lists a process's children)."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    # multiprocessing's resource tracker is a child too; workers are the ones listening.
    return [int(child) for child in children
            if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text()]


def wait_for_workers(server: LiveServer, count: int) -> list[int]:
    """Block until `count` worker start-ups have completed (replacements count too); the pids
    of the workers running then."""
    deadline = time.monotonic() + START_SECONDS
    while server.output().count("Application startup complete") < count:
        if time.monotonic() > deadline or server.process.poll() is not None:
            raise AssertionError(f"{count} workers did not start:\n{server.output()}")
        time.sleep(0.2)
    return worker_pids(server)
