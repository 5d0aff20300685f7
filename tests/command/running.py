"""The real `roomkey` command in a subprocess: run once, or serve on a loopback port."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOMKEY = Path(sys.executable).with_name("roomkey")
STARTUP_SECONDS = 60  # eight helpers share two cores: an import can take a while


@dataclass
class Served:
    base_url: str
    stdout: Path
    stderr: Path

    def output(self) -> str:
        """What the server has written so far, standard output and error."""
        return self.stdout.read_text() + self.stderr.read_text()


def environment(**variables: str) -> dict[str, str]:
    """The test's environment without any ROOMKEY_ setting of its own, plus `variables`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ROOMKEY_")}
    return inherited | {f"ROOMKEY_{name.upper()}": value for name, value in variables.items()}


def run(*arguments: str, cwd: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(ROOMKEY), *arguments], cwd=cwd, env=environment(**variables), capture_output=True,
        text=True, timeout=STARTUP_SECONDS, check=False)


@contextmanager
def serving(directory: Path, **variables: str) -> Iterator[Served]:
    """`roomkey serve` on a free port, working in `directory`; stopped with SIGINT after."""
    port = _free_port()
    stdout, stderr = directory / "stdout.log", directory / "stderr.log"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [str(ROOMKEY), "serve", "--port", str(port)], cwd=directory,
            env=environment(**variables), stdout=out, stderr=err)
    served = Served(f"http://127.0.0.1:{port}", stdout, stderr)
    try:
        _wait_until_up(served, process)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(served: Served, process: "subprocess.Popen[bytes]") -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"roomkey serve exited early:\n{served.output()[-3000:]}")
        try:
            httpx.get(f"{served.base_url}/health", headers={"Host": "localhost"}, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        return
    raise RuntimeError(f"roomkey serve did not answer in time:\n{served.output()[-3000:]}")
