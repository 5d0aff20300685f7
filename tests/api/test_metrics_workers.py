"""`roomkey serve --workers 2`: whichever worker answers GET /metrics counts every worker's work."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

REQUESTS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ROOMKEY_") and key != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {"ROOMKEY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'roomkey.db'}",
            "ROOMKEY_SECRET_KEY_FILE": str(tmp_path / ".roomkey-secret")}
    command = [str(Path(sys.executable).parent / "roomkey"), "serve", "--workers", "2",
               "--port", str(port)]
    log = tmp_path / "serve.log"
    # The command is this venv's own entry point, with fixed arguments.
    process = subprocess.Popen(command, env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base_url}/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        process.wait()
        pytest.fail(f"roomkey serve did not start: {log.read_text()[-2000:]}")
    try:
        yield base_url, process
    finally:
        process.terminate()
        process.wait(20)


def _counter(text: str, name: str, **labels: str) -> float:
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == name and labels.items() <= sample.labels.items())


def _workers(process: subprocess.Popen[bytes]) -> list[int]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    # uvicorn's supervisor also starts a resource tracker; the workers are the ones serving.
    return [int(pid) for pid in children
            if b"multiprocessing.resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads worker processes from /proc")
def test_every_scrape_sums_the_work_of_both_workers(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base_url, process = server

    def fetch_rooms(_: int) -> int:
        # A connection per request, so the kernel hands them to either worker.
        with httpx.Client(base_url=base_url) as client:
            return client.get("/rooms").status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(fetch_rooms, range(REQUESTS))) == {200}

    scraped = []
    for _ in range(6):
        with httpx.Client(base_url=base_url) as client:
            scraped.append(client.get("/metrics").text)
    assert [_counter(text, "roomkey_http_requests_total", route="/rooms", status="200")
            for text in scraped] == [REQUESTS] * 6
    # Each scrape sees every earlier one, whichever worker answered it.
    assert [_counter(text, "roomkey_http_requests_total", route="/metrics")
            for text in scraped] == [0, 1, 2, 3, 4, 5]

    workers = _workers(process)
    assert len(workers) == 2
    directory = next(entry.split(b"=", 1)[1].decode() for entry in
                     Path(f"/proc/{workers[0]}/environ").read_bytes().split(b"\0")
                     if entry.startswith(b"PROMETHEUS_MULTIPROC_DIR="))
    # A worker writes its counter file when it first counts a request: both served some.
    assert {f"counter_{pid}.db" for pid in workers} <= set(os.listdir(directory))
