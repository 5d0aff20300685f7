"""Issue 5's targets, each with the figure this run measured and whether it is met."""

from bench.report import CEILING, FASTAPI_USERS, TUTORIAL, Results

ROOMKEY = "Roomkey"
ROOMKEY_ES256 = "Roomkey, ES256"
PG_ONE, PG_TWO, PG_LARGE = "1 worker, 100 users", "2 workers, 100 users", "1 worker, 100,000 users"
MARIADB_ONE = "MariaDB, 1 worker, 100 users"


def _rps(results: Results, app: str, scenario: str) -> float | None:
    run = results.median(app, scenario)
    return None if run is None else run.requests_per_second


def _row(target: str, measured: float | None, goal: float, higher_is_better: bool = True,
         unit: str = "×") -> str:
    if measured is None:
        return f"| {target} | not measured | – |"
    met = measured >= goal if higher_is_better else measured <= goal
    shown = f"{measured:.0%}" if unit == "%" else f"{measured:.2f}×"
    return f"| {target} | {shown} | {'yes' if met else '**no**'} |"


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def table(results: Results, hashing_bound: float,
          worker_shares: list[list[float]] | None = None) -> list[str]:
    reads = _rps(results, ROOMKEY, "read")
    best_peer = max((r for r in (_rps(results, TUTORIAL, "read"),
                                 _rps(results, FASTAPI_USERS, "read")) if r), default=None)
    rest, storm = results.median(ROOMKEY, "read"), results.median(ROOMKEY, "storm")
    storm_ratio = _div(storm.p99_ms if storm else None, rest.p99_ms if rest else None)
    rows = ["| target (issue 5) | measured | met |", "|---|---:|---|",
            _row("SQLite reads ≥ 5× tutorial", _div(reads, _rps(results, TUTORIAL, "read")), 5),
            _row("SQLite reads ≥ 5× fastapi-users",
                 _div(reads, _rps(results, FASTAPI_USERS, "read")), 5),
            _row("SQLite reads ≥ 0.25× bare Starlette",
                 _div(reads, _rps(results, CEILING, "read")), 0.25),
            _row("PostgreSQL reads ≥ 4× the better peer on SQLite",
                 _div(_rps(results, PG_ONE, "read"), best_peer), 4),
            _row("read p99 in login storm ≤ 3× at rest", storm_ratio, 3, higher_is_better=False),
            _row("logins ≥ 80 % of the hashing bound",
                 _div(_rps(results, ROOMKEY, "login"), hashing_bound), 0.8, unit="%"),
            _row("ES256 reads ≥ 80 % of HS256 reads (issue 13)",
                 _div(_rps(results, ROOMKEY_ES256, "read"), reads), 0.8, unit="%")]
    for scenario, word in (("login", "login"), ("read", "read")):
        # Cost per request is 1 / throughput, so cost(100k) ÷ cost(100) = rps(100) ÷ rps(100k).
        rows.append(_row(f"100,000 users cost ≤ 1.2× 100 users ({word})",
                         _div(_rps(results, PG_ONE, scenario), _rps(results, PG_LARGE, scenario)),
                         1.2, higher_is_better=False))
    for scenario, word in (("read", "reads"), ("login", "logins")):
        rows.append(_row(f"2 workers ≥ 1.6× 1 worker on PostgreSQL ({word})",
                         _div(_rps(results, PG_TWO, scenario), _rps(results, PG_ONE, scenario)),
                         1.6))
    busiest = max((max(run) for run in worker_shares or [] if run), default=None)
    rows.append(_row("2 workers: no worker > 60 % of the reads (issue 13)", busiest, 0.6,
                     higher_is_better=False, unit="%"))
    return rows
