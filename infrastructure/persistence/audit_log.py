"""The AuditLog port in memory and in SQL, and the JSON log line written for committed events."""

import json
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Executable, Row, and_, insert, or_, select

from application.ports import (
    AuditEvent,
    AuditEventType,
    AuditQuery,
    Clock,
    RequestContext,
)
from infrastructure.persistence.tables import audit_events

audit_logger = logging.getLogger("roomkey.audit")
# Built once: every login, logout and refresh stores an event.
_INSERT_EVENT = insert(audit_events)


def log_committed(events: list[AuditEvent]) -> None:
    """One JSON object per line, for log shippers; called only after the commit succeeded."""
    for event in events:
        audit_logger.info(json.dumps(_fields(event), separators=(",", ":")))


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "event": "audit", "id": str(event.id), "type": event.type.value,
        "occurred_at": event.occurred_at.isoformat(),
        "user_id": _text(event.user_id), "actor_id": _text(event.actor_id),
        "client_ip": event.context.client_ip, "user_agent": event.context.user_agent,
        "request_id": event.context.request_id, "detail": event.detail,
    }


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


class _RecordingAuditLog(ABC):
    """Stamps events and remembers them, so the unit of work can log them after committing."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.recorded: list[AuditEvent] = []

    async def record(
        self, event_type: AuditEventType, *, context: RequestContext,
        user_id: uuid.UUID | None = None, actor_id: uuid.UUID | None = None, detail: str = "",
    ) -> AuditEvent:
        event = AuditEvent(id=uuid.uuid4(), type=event_type, occurred_at=self._clock.now(),
                           context=context, user_id=user_id, actor_id=actor_id, detail=detail)
        await self._store(event)
        self.recorded.append(event)
        return event

    @abstractmethod
    async def _store(self, event: AuditEvent) -> None: ...


class MemoryAuditLog(_RecordingAuditLog):
    def __init__(self, events: list[AuditEvent], clock: Clock) -> None:
        super().__init__(clock)
        self._events = events

    async def _store(self, event: AuditEvent) -> None:
        self._events.append(event)

    async def list(self, query: AuditQuery) -> list[AuditEvent]:
        matching = [
            event for event in self._events
            if (query.user_id is None or event.user_id == query.user_id)
            and (query.type is None or event.type is query.type)
            and (query.after is None
                 or (event.occurred_at, event.id) < (query.after.occurred_at, query.after.id))
        ]
        matching.sort(key=lambda event: (event.occurred_at, event.id), reverse=True)
        return matching[:query.limit]


class Statements(Protocol):
    """Where a SQL unit of work runs its statements (see sql.py)."""

    async def rows(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]: ...

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> int: ...


class SqlAuditLog(_RecordingAuditLog):
    def __init__(self, statements: Statements, clock: Clock) -> None:
        super().__init__(clock)
        self._statements = statements

    async def _store(self, event: AuditEvent) -> None:
        context = event.context
        await self._statements.execute(_INSERT_EVENT, {
            "id": event.id, "type": event.type.value, "occurred_at": event.occurred_at,
            "user_id": event.user_id, "actor_id": event.actor_id, "detail": event.detail,
            "client_ip": context.client_ip, "user_agent": context.user_agent,
            "request_id": context.request_id,
        })

    async def list(self, query: AuditQuery) -> list[AuditEvent]:
        table = audit_events.c
        conditions = []
        if query.user_id is not None:
            conditions.append(table.user_id == query.user_id)
        if query.type is not None:
            conditions.append(table.type == query.type.value)
        if query.after is not None:
            at, last_id = query.after.occurred_at, query.after.id
            conditions.append(or_(table.occurred_at < at,
                                  and_(table.occurred_at == at, table.id < last_id)))
        statement = (select(audit_events).where(*conditions)
                     .order_by(table.occurred_at.desc(), table.id.desc()).limit(query.limit))
        return [_event(row) for row in await self._statements.rows(statement)]


def _event(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        id=row.id, type=AuditEventType(row.type), occurred_at=row.occurred_at,
        user_id=row.user_id, actor_id=row.actor_id, detail=row.detail,
        context=RequestContext(client_ip=row.client_ip, user_agent=row.user_agent,
                               request_id=row.request_id),
    )
