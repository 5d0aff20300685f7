"""The system clock, always timezone-aware UTC (never the naive utcnow())."""

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
