"""Run the benchmark: `python -m bench [--quick] [--only sqlite|postgres|mariadb] [--seconds S]`."""

import argparse
import os
import platform
import sqlite3
import statistics
import time
from contextlib import ExitStack
from importlib.metadata import version
from pathlib import Path

from bench import hashing, mariadb, postgres, report, shares, targets, workload, wrk
from bench.report import CEILING, FASTAPI_USERS, TUTORIAL, Results
from bench.servers import App, peer, roomkey, serving

RESULTS = Path(__file__).with_name("results") / "latest.md"
EMAIL = "bench@example.com"


def sqlite_suite(tool: str, results: Results, seconds: float, rounds: int,
                 hash_timings: list[float]) -> None:
    apps = [roomkey(), roomkey(algorithm="ES256"), peer(TUTORIAL, "tutorial"),
            peer(FASTAPI_USERS, "fastapi_users_app", login_form=True),
            peer(CEILING, "starlette_bare", has_login=False)]
    with ExitStack() as stack:
        running = [(app, stack.enter_context(serving(app))) for app in apps]
        cookies = {app.name: workload.seed(app, base, EMAIL) if app.has_login else ""
                   for app, base in running}
        for app, base in running:
            workload.reads(tool, base, cookies[app.name], 2)  # warm caches and pools
        for round_number in range(1, rounds + 1):
            print(f"SQLite round {round_number}/{rounds}", flush=True)
            # A B A B: each scenario visits every app before the next scenario or round.
            for app, base in running:
                results.add(app.name, "read", workload.reads(tool, base, cookies[app.name],
                                                             seconds))
            # The bound, measured next to the logins it is compared with: this VM's speed drifts
            # with its neighbours by more than the gap the login target is about.
            hash_timings.append(hashing.single_hash()[0])
            logging_in = [(app, base) for app, base in running
                          if app.has_login and not app.reads_only]
            for app, base in logging_in:
                results.add(app.name, "login", workload.logins(tool, app, base, EMAIL, seconds))
            for app, base in logging_in:
                results.add(app.name, "storm", workload.reads_during_storm(
                    tool, app, base, cookies[app.name], EMAIL, seconds))


def postgres_suite(tool: str, results: Results, password_hash: str, seconds: float,
                   rounds: int, worker_shares: list[list[float]]) -> None:
    with ExitStack() as stack:
        small = stack.enter_context(postgres.database("roomkey_bench_small", 100, password_hash))
        large = stack.enter_context(
            postgres.database("roomkey_bench_large", 100_000, password_hash))
        setups: list[tuple[str, App, int]] = [
            (targets.PG_ONE, roomkey(small), 100), (targets.PG_TWO, roomkey(small, 2), 100),
            (targets.PG_LARGE, roomkey(large), 100_000)]
        running = [(name, app, users, stack.enter_context(serving(app)))
                   for name, app, users in setups]
        cookies = {small: workload.seed(running[0][1], running[0][3], "user1@bench.test",
                                        register=False),
                   large: workload.seed(running[2][1], running[2][3], "user1@bench.test",
                                        register=False)}
        cookie_of = {targets.PG_ONE: cookies[small], targets.PG_TWO: cookies[small],
                     targets.PG_LARGE: cookies[large]}
        for _, _, _, base in running:
            workload.reads(tool, base, cookies[small if base != running[2][3] else large], 2)
        for round_number in range(1, rounds + 1):
            print(f"PostgreSQL round {round_number}/{rounds}", flush=True)
            for name, _, _, base in running:
                workers = shares.worker_pids(base) if name == targets.PG_TWO else []
                before = shares.writes(workers)
                results.add(name, "read", workload.reads(tool, base, cookie_of[name], seconds))
                if workers:
                    worker_shares.append(shares.shares(before, shares.writes(workers)))
                    print(f"  requests per worker: "
                          f"{' / '.join(f'{s:.0%}' for s in worker_shares[-1])}", flush=True)
            for name, app, users, base in running:
                results.add(name, "login", workload.logins(
                    tool, app, base, "user%d@bench.test", seconds, users=users))


def mariadb_suite(tool: str, results: Results, password_hash: str, seconds: float,
                  rounds: int) -> None:
    with ExitStack() as stack:
        url = stack.enter_context(mariadb.database("roomkey_bench_mariadb", 100, password_hash))
        app = roomkey(url)
        base = stack.enter_context(serving(app))
        cookie = workload.seed(app, base, "user1@bench.test", register=False)
        workload.reads(tool, base, cookie, 2)
        for round_number in range(1, rounds + 1):
            print(f"MariaDB round {round_number}/{rounds}", flush=True)
            results.add(targets.MARIADB_ONE, "read", workload.reads(tool, base, cookie, seconds))
            results.add(targets.MARIADB_ONE, "login", workload.logins(
                tool, app, base, "user%d@bench.test", seconds, users=100))


def machine(seconds: float, rounds: int) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    return (f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
            f"every app on uvicorn {version('uvicorn')} with httptools {version('httptools')} "
            "and the asyncio event loop; "
            f"wrk {workload.READ_LOAD['threads']} threads × {workload.READ_LOAD['connections']} "
            f"connections for reads, {workload.LOGIN_LOAD['connections']} for logins; "
            f"{seconds:g} s per run, {rounds} rounds alternating (medians shown)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 s runs (a smoke test)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (≥ 2)")
    parser.add_argument("--only", choices=["sqlite", "postgres", "mariadb"], help="run one suite")
    args = parser.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    tool = wrk.ensure_wrk()
    started = time.monotonic()
    first_timing, password_hash = hashing.single_hash()
    print(f"one argon2id verification: {first_timing * 1000:.1f} ms")
    hash_timings = [first_timing]
    results = Results()
    worker_shares: list[list[float]] = []
    if args.only in (None, "sqlite"):
        sqlite_suite(tool, results, seconds, args.rounds, hash_timings)
        hash_timings.pop(0)  # those measured beside the login runs are the ones that count
    hash_seconds = statistics.median(hash_timings)
    bound = hashing.bound(hash_seconds)
    if args.only in (None, "postgres"):
        if postgres.available():
            postgres_suite(tool, results, password_hash, seconds, args.rounds, worker_shares)
        else:
            print(f"PostgreSQL not reachable at {postgres.ADMIN_URL} (set BENCH_POSTGRES_URL): "
                  "its suite is skipped")
    if args.only in (None, "mariadb"):
        if mariadb.available():
            mariadb_suite(tool, results, password_hash, seconds, args.rounds)
        else:
            print(f"MariaDB not reachable at {mariadb.ADMIN_URL} (set BENCH_MARIADB_URL): "
                  "its suite is skipped")
    lines = [f"Machine: {machine(seconds, args.rounds)}.", "",
             f"Hashing bound: {os.cpu_count()} cores ÷ {hash_seconds * 1000:.1f} ms per argon2id "
             f"verification (median of {len(hash_timings)}, each measured just before a round of "
             f"login runs) = {bound:.0f} logins/s.", "", "### SQLite, one uvicorn worker", "",
             *report.sqlite_table(results, ["Roomkey", targets.ROOMKEY_ES256, TUTORIAL,
                                           FASTAPI_USERS, CEILING]), "",
             *report.ratio_table(results, "Roomkey", [TUTORIAL, FASTAPI_USERS, CEILING]), "",
             "### PostgreSQL", "",
             *report.postgres_table(results, [targets.PG_ONE, targets.PG_TWO, targets.PG_LARGE]),
             "", *report.share_lines(worker_shares),
             "", "### MariaDB", "",
             *report.postgres_table(results, [targets.MARIADB_ONE], database="MariaDB"),
             "", "### Targets", "", *targets.table(results, bound, worker_shares), "",
             f"Run took {time.monotonic() - started:.0f} s."]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)
    print("\n" + text + f"\n(written to {RESULTS})")


if __name__ == "__main__":
    main()
