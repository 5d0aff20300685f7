"""How a multi-worker server's requests split over its workers, read from /proc (Linux).

A worker makes one write system call per response (and one per access-log line), so the growth
of each worker's `syscw` count over a run gives its share of the requests, with no help from the
server itself.
"""

import re
import subprocess
from pathlib import Path
from urllib.parse import urlparse


def worker_pids(base: str) -> list[int]:
    """The worker processes listening on the URL's port (the supervisor holds the sockets too)."""
    port = urlparse(base).port
    listing = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True,
                             text=True, check=True).stdout
    pids = {int(pid) for pid in re.findall(r"pid=(\d+)", listing)}
    return sorted(pid for pid in pids
                  if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"))


def writes(pids: list[int]) -> list[int]:
    counts = []
    for pid in pids:
        match = re.search(r"^syscw: (\d+)$", Path(f"/proc/{pid}/io").read_text(), re.MULTILINE)
        counts.append(int(match.group(1)) if match else 0)
    return counts


def shares(before: list[int], after: list[int]) -> list[float]:
    """Each worker's fraction of the writes made between the two readings."""
    grown = [end - start for start, end in zip(before, after, strict=True)]
    total = sum(grown)
    return [count / total for count in grown] if total else []
