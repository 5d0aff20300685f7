"""Find (or, as root, install) wrk, run it with request.lua, and parse its one-line report."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk") / "request.lua"


@dataclass(frozen=True)
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failures: int  # socket errors, timeouts and non-2xx answers


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("make bench needs wrk (HTTP load generator): install the Debian/Ubuntu package "
             "with `sudo apt-get install wrk` (or build it from its sources) and run again.")


def start(
    wrk: str, url: str, *, seconds: float, threads: int, connections: int, method: str = "GET",
    content_type: str = "", body: str = "", users: int = 1, cookie: str = "",
) -> "subprocess.Popen[str]":
    """Start wrk without waiting, so that two loads can overlap (the login storm)."""
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{round(seconds)}s",
               # A stalled request must count in the percentiles, not vanish as a timeout.
               "--timeout", "20s", "-s", str(SCRIPT), url,
               "--", method, content_type, body, str(users), cookie]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def result(process: "subprocess.Popen[str]") -> Run:
    output, _ = process.communicate()
    for line in output.splitlines():
        if line.startswith("BENCH "):
            data = json.loads(line.removeprefix("BENCH "))
            failures = data["errors"] + data["non_2xx"]
            p50_us, p99_us = data["p50_us"], data["p99_us"]
            if data["requests"] == 0:
                # Nothing answered within the run (a peer hashing on its event loop): wrk reports
                # 0, but every request took at least the whole run, the figure kept instead.
                p50_us = p99_us = data["duration_us"]
            return Run(requests_per_second=data["requests"] / (data["duration_us"] / 1e6),
                       p50_ms=p50_us / 1000, p99_ms=p99_us / 1000, failures=failures)
    raise RuntimeError(f"wrk gave no report:\n{output}")


def run(wrk: str, url: str, **options: object) -> Run:
    return result(start(wrk, url, **options))  # type: ignore[arg-type]
