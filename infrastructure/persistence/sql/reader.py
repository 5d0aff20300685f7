"""Reader: an optional faster path for a backend's per-request reads."""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Select


class Reader(Protocol):
    """What a backend's fast read path offers the unit of work. A backend without one is
    correct through the session alone; a reader only saves the session's per-read overhead."""

    async def rows(
        self, statement: Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Any] | None:
        """Every row, as SQLAlchemy would give them; None when the reader cannot serve the
        read, and the session should run it instead."""
        ...

    async def dispose(self) -> None: ...
