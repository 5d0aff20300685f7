"""The markdown report: absolute figures, Roomkey/peer ratios, and each target of issue 5."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from bench.wrk import Run

TUTORIAL, FASTAPI_USERS, CEILING = "tutorial (seed)", "fastapi-users 15", "bare Starlette"


@dataclass
class Results:
    runs: dict[tuple[str, str], list[Run]] = field(default_factory=lambda: defaultdict(list))

    def add(self, app: str, scenario: str, run: Run) -> None:
        self.runs[(app, scenario)].append(run)
        print(f"  {app:28} {scenario:7} {run.requests_per_second:9.0f} req/s  "
              f"p50 {run.p50_ms:7.1f} ms  p99 {run.p99_ms:7.1f} ms  failures {run.failures}",
              flush=True)

    def median(self, app: str, scenario: str) -> Run | None:
        runs = self.runs.get((app, scenario))
        if not runs:
            return None
        return Run(statistics.median(r.requests_per_second for r in runs),
                   statistics.median(r.p50_ms for r in runs),
                   statistics.median(r.p99_ms for r in runs), sum(r.failures for r in runs))


def _cells(run: Run | None, throughput: bool = True) -> list[str]:
    if run is None:
        return ["–"] * (3 if throughput else 2)
    cells = [f"{run.p50_ms:.1f}", f"{run.p99_ms:.1f}"]
    return [f"{run.requests_per_second:,.0f}", *cells] if throughput else cells


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _rps(run: Run | None) -> float | None:
    return None if run is None else run.requests_per_second


def _p99(run: Run | None) -> float | None:
    return None if run is None else run.p99_ms


def _times(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def sqlite_table(results: Results, apps: list[str]) -> list[str]:
    lines = ["| app | reads/s | p50 ms | p99 ms | logins/s | p50 ms | p99 ms "
             "| reads in storm p50 ms | p99 ms | storm p99 ÷ rest p99 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for app in apps:
        read, storm = results.median(app, "read"), results.median(app, "storm")
        cells = [*_cells(read), *_cells(results.median(app, "login")),
                 *_cells(storm, throughput=False), _times(_ratio(_p99(storm), _p99(read)))]
        lines.append(f"| {app} | " + " | ".join(cells) + " |")
    return lines


def ratio_table(results: Results, roomkey: str, peers: list[str]) -> list[str]:
    lines = ["| Roomkey ÷ peer | reads/s | logins/s | read p99 at rest | read p99 in storm |",
             "|---|---:|---:|---:|---:|"]
    mine = {s: results.median(roomkey, s) for s in ("read", "login", "storm")}
    for peer in peers:
        theirs = {s: results.median(peer, s) for s in ("read", "login", "storm")}
        cells = [_times(_ratio(_rps(mine["read"]), _rps(theirs["read"]))),
                 _times(_ratio(_rps(mine["login"]), _rps(theirs["login"]))),
                 _times(_ratio(_p99(mine["read"]), _p99(theirs["read"]))),
                 _times(_ratio(_p99(mine["storm"]), _p99(theirs["storm"])))]
        lines.append(f"| ÷ {peer} | " + " | ".join(cells) + " |")
    return lines


def postgres_table(results: Results, setups: list[str], database: str = "PostgreSQL") -> list[str]:
    lines = [f"| Roomkey on {database} | reads/s | p50 ms | p99 ms | logins/s | p50 ms | p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for setup in setups:
        cells = [*_cells(results.median(setup, "read")), *_cells(results.median(setup, "login"))]
        lines.append(f"| {setup} | " + " | ".join(cells) + " |")
    return lines


def share_lines(worker_shares: list[list[float]]) -> list[str]:
    """Requests per worker in each `--workers 2` read run (wrk's 32 keep-alive connections)."""
    if not worker_shares:
        return []
    runs = "; ".join(" / ".join(f"{share:.0%}" for share in run) for run in worker_shares)
    return [f"Requests per worker, 2 workers, reads (each run): {runs}."]
