"""Median answer times of POST /auth/password-reset for registered and for unknown addresses.

`python -m bench.password_reset [--database-url URL] [--tries 50]` starts `roomkey serve` as
`make bench` does (a temp directory, SQLite by default), registers one account per try, then
asks for resets in pairs, a registered address and an unknown one, each first in turn. The
limits are lifted, so that every registered address gets its mail queued, and the in-app
dispatcher is off, so that sending does not disturb the timings.
"""

import argparse
import statistics
import time

import httpx

from bench.servers import BIN, SECRET_KEY, App, serving


def measure(database_url: str | None, tries: int) -> tuple[float, float]:
    env = {"ROOMKEY_ENV": "development", "ROOMKEY_SECRET_KEY": SECRET_KEY,
           "ROOMKEY_REGISTER_LIMIT_PER_IP": "1000000/minute",
           "ROOMKEY_PASSWORD_RESET_LIMIT_PER_IP": "1000000/minute",
           "ROOMKEY_PASSWORD_RESET_LIMIT_PER_ACCOUNT": "1000000/minute",
           "ROOMKEY_MAIL_DISPATCH_INTERVAL": "0"}
    if database_url:
        env["ROOMKEY_DATABASE_URL"] = database_url
    app = App("Roomkey", [str(BIN / "roomkey"), "serve", "--port", "{port}"], env)
    registered: list[float] = []
    unknown: list[float] = []
    # A connection per request, as a prober would use: on a kept-alive connection the server
    # takes the next request only after the previous one's after-the-answer work.
    with serving(app) as base, httpx.Client(
            base_url=base, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        run = time.time_ns()
        for i in range(tries):
            response = client.post("/auth/register", json={
                "email": f"member{i}.{run}@example.com", "password": "quiet meadow lantern 42"})
            response.raise_for_status()
        for i in range(-5, tries):  # five warm-up rounds, not counted
            pair = [(f"member{max(i, 0)}.{run}@example.com", registered),
                    (f"stranger{i}.{run}@example.com", unknown)]
            # Alternate which goes first: the second may meet the first's after-answer work.
            for email, times in pair if i % 2 else reversed(pair):
                started = time.perf_counter()
                response = client.post("/auth/password-reset", json={"email": email})
                elapsed = time.perf_counter() - started
                assert response.status_code == 202, response.text
                if i >= 0:
                    times.append(elapsed * 1000)
    return statistics.median(registered), statistics.median(unknown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--tries", type=int, default=50)
    options = parser.parse_args()
    registered, unknown = measure(options.database_url, options.tries)
    print(f"median of {options.tries}: registered {registered:.2f} ms, "
          f"unknown {unknown:.2f} ms, difference {registered - unknown:+.2f} ms")


if __name__ == "__main__":
    main()
