"""PostgreSQL: its engine options, its error classes, and an optional fast reader on asyncpg."""

from typing import Any

# asyncpg waits 60 s by default; an unreachable server should answer 503 quickly.
CONNECT_ARGS: dict[str, Any] = {"timeout": 5, "command_timeout": 30}
