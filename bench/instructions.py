"""Instructions per `GET /bookings`, counted by cachegrind with the app driven in-process.

`python -m bench.instructions sqlite|postgres|mariadb [--requests 200]` seeds one user with ten
bookings on a fresh migrated database and calls the ASGI app directly (no server, no HTTP
client in the loop), once with a few warm-up reads and once with `--requests` more, each under
`valgrind --tool=cachegrind`. The difference of the two totals, divided by `--requests`, is the
cost of one read: start-up, imports and seeding cancel out. Unlike wall or CPU time on a shared
VM, the count repeats to a fraction of a percent, so it can tell a 2 % change apart.
"""

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WARM_UP = 20
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery"


async def _drive(database_url: str, reads: int) -> None:
    import httpx

    from infrastructure.hashing import PasslibPasswordHasher
    from infrastructure.settings import Settings
    from interfaces.http.app import build_container, create_app

    container = build_container(Settings(database_url=database_url, secret_key=SECRET_KEY,
                                         env="development", demo_rooms=True))
    # Cheap parameters: the seeding's hashes are the same in both runs, but slow under valgrind.
    container.hasher.override(PasslibPasswordHasher(argon2_memory_cost=8, argon2_time_cost=1))
    app = create_app(container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            cookie = await _seed(client)
        await _reads(app, cookie, reads)


async def _seed(client: Any) -> str:
    """One user, ten bookings; the Cookie header of its session."""
    email = "bench@example.com"
    body = {"email": email, "password": PASSWORD}
    (await client.post("/auth/register", json=body)).raise_for_status()
    (await client.post("/auth/login", json=body)).raise_for_status()
    cookies = dict(client.cookies.items())
    csrf = next(value for name, value in cookies.items() if name.endswith("csrf_token"))
    room_id = (await client.get("/rooms")).json()[0]["id"]
    for night in range(0, 30, 3):
        answer = await client.post("/bookings", headers={"X-CSRF-Token": csrf}, json={
            "room_id": room_id, "date_from": f"2031-05-{night + 1:02d}",
            "date_to": f"2031-05-{night + 3:02d}"})
        answer.raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


async def _reads(app: Any, cookie: str, count: int) -> None:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/bookings", "raw_path": b"/bookings", "query_string": b"",
             "root_path": "", "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {}}
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for _ in range(count):
        await app(dict(scope), receive, send)
    if set(statuses) - {200}:
        raise RuntimeError(f"GET /bookings answered {sorted(set(statuses))}")


@contextmanager
def _database(backend: str) -> Iterator[str]:
    from infrastructure.persistence.database import run_migrations

    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="roomkey-instructions-") as directory:
            url = f"sqlite+aiosqlite:///{Path(directory) / 'roomkey.db'}"
            run_migrations(url)
            yield url
        return
    if backend == "postgres":
        from bench import postgres as server
    else:
        from bench import mariadb as server  # type: ignore[no-redef]
    # A name of its own, so that runs side by side do not drop each other's database.
    with server.database(f"roomkey_instructions_{os.getpid()}", 0, "") as url:
        yield url


def _instructions(database_url: str, reads: int) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, "-m", "bench.instructions", "--drive", database_url,
               "--requests", str(reads)]
    # A fixed hash seed: string hashing, and so dict and set work, is then the same every run.
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    finished = subprocess.run(command, capture_output=True, text=True, check=False,
                              env=environment)
    found = re.search(r"I\s+refs:\s+([\d,]+)", finished.stderr)
    if finished.returncode != 0 or found is None:
        raise RuntimeError(f"{' '.join(command)} failed:\n{finished.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", nargs="?", choices=["sqlite", "postgres", "mariadb"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--drive", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        asyncio.run(_drive(args.drive, args.requests))
        return
    if args.backend is None:
        parser.error("name a backend")
    totals = []
    for reads in (WARM_UP, WARM_UP + args.requests):
        with _database(args.backend) as url:
            totals.append(_instructions(url, reads))
    per_read = (totals[1] - totals[0]) / args.requests
    print(f"{args.backend}: {per_read / 1e6:.3f} M instructions per GET /bookings "
          f"({args.requests} reads; totals {totals[0]:,} and {totals[1]:,})")


if __name__ == "__main__":
    main()
