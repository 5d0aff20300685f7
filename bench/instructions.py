"""Instructions per `GET /bookings`, counted by cachegrind, with the app driven in-process.

    python -m bench.instructions [--requests 200] [--algorithm HS256|ES256]

Runs itself twice under `valgrind --tool=cachegrind`, once with no requests and once with
`--requests`, on a fresh SQLite file (one user, ten bookings, one bearer token), and prints the
difference divided by the number of requests: set-up, imports and interpreter start cancel out.
Unlike CPU time on a shared VM, the count repeats to a fraction of a percent (fixed hash seed,
the set-up's objects frozen out of the garbage collector's way). The requests go
straight to the ASGI app (no server, no socket), so what is counted is Roomkey and its framework.
"""

import argparse
import asyncio
import gc
import os
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EMAIL = "instructions@bench.test"
PASSWORD = "a bench password of some length"


async def _drive(requests: int, algorithm: str, directory: Path) -> None:
    import httpx

    from infrastructure.hashing import PasslibPasswordHasher
    from infrastructure.persistence.database import run_migrations
    from infrastructure.settings import Settings
    from interfaces.http.app import build_container, create_app

    url = f"sqlite+aiosqlite:///{directory / 'roomkey.db'}"
    await asyncio.to_thread(run_migrations, url)
    options: dict[str, Any] = {"database_url": url, "secret_key_file": directory / "secret"}
    if algorithm != "HS256":
        options["jwt_algorithm"] = algorithm
    container = build_container(Settings(**options))
    # Cheap hashing: the set-up is the same in both runs and cancels out, but argon2id's default
    # parameters are slow under valgrind.
    container.hasher.override(PasslibPasswordHasher(argon2_memory_cost=8, argon2_time_cost=1))
    app = create_app(container)
    async with app.router.lifespan_context(app):
        token, room = await _seed(httpx, app)
        scope = _scope(token)
        # The set-up's objects out of the collector's way: otherwise whether a full collection
        # of them falls inside the requests or not moves the count by several percent.
        gc.collect()
        gc.freeze()
        for _ in range(requests):
            await app(dict(scope), _receive, _discard)
        assert room


async def _seed(httpx: Any, app: Any) -> tuple[str, str]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        await client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD})
        login = await client.post("/auth/login", json={"email": EMAIL, "password": PASSWORD})
        token: str = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        room: str = (await client.get("/rooms")).json()[0]["id"]
        start = datetime.now(UTC).date() + timedelta(days=10)
        for week in range(10):
            first = start + timedelta(days=7 * week)
            response = await client.post("/bookings", headers=headers, json={
                "room_id": room, "date_from": first.isoformat(),
                "date_to": (first + timedelta(days=2)).isoformat()})
            assert response.status_code == 201, response.text
        listed = await client.get("/bookings", headers=headers)
        assert listed.status_code == 200 and len(listed.json()) == 10, listed.text
        return token, room


def _scope(token: str) -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "https", "path": "/bookings", "raw_path": b"/bookings", "root_path": "",
            "query_string": b"", "server": ("testserver", 443), "client": ("127.0.0.1", 50000),
            "headers": [(b"host", b"testserver"), (b"accept", b"application/json"),
                        (b"authorization", f"Bearer {token}".encode())]}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message: dict[str, Any]) -> None:
    if message["type"] == "http.response.start" and message["status"] != 200:
        raise RuntimeError(f"GET /bookings answered {message['status']}")


def _count(requests: int, algorithm: str) -> int:
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "cachegrind.out"
        command = ["valgrind", "--tool=cachegrind", "--cache-sim=no",
                   f"--cachegrind-out-file={output}", sys.executable, "-m", "bench.instructions",
                   "--drive", str(requests), "--algorithm", algorithm, "--directory", directory]
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        finished = subprocess.run(command, capture_output=True, text=True, check=True,
                                  env=environment)
        refs = re.search(r"I\s+refs:\s+([\d,]+)", finished.stderr)
        if refs is None:
            raise RuntimeError(finished.stderr[-2000:])
        return int(refs.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--algorithm", choices=["HS256", "ES256"], default="HS256")
    parser.add_argument("--drive", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.drive is not None:
        os.environ.setdefault("ROOMKEY_LOG_LEVEL", "warning")
        asyncio.run(_drive(arguments.drive, arguments.algorithm, arguments.directory))
        return
    baseline = _count(0, arguments.algorithm)
    loaded = _count(arguments.requests, arguments.algorithm)
    per_request = (loaded - baseline) / arguments.requests
    print(f"{arguments.algorithm}: {per_request:,.0f} instructions per GET /bookings "
          f"({arguments.requests} requests; {baseline:,} set-up, {loaded:,} in all)")


if __name__ == "__main__":
    main()
