"""PostgreSQL: its engine options, its error classes, and an optional fast reader on asyncpg."""

from typing import Any


def connect_args(timeout: float) -> dict[str, Any]:
    """asyncpg's connect arguments: every wait bounded by `timeout` (asyncpg's default is 60 s).

    The server ends a statement that runs, or waits on a lock, for longer (statement_timeout,
    SQLSTATE 57014); the client's command_timeout covers a server that no longer answers at all.
    """
    return {"timeout": timeout, "command_timeout": timeout,
            "server_settings": {"statement_timeout": str(round(timeout * 1000))}}
