"""The AuditLog port on SQLAlchemy Core, for every SQL backend."""

from typing import Any

from sqlalchemy import Row, and_, insert, or_, select

from application.ports import AuditEvent, AuditEventType, AuditQuery, Clock, RequestContext
from infrastructure.persistence.audit import RecordingAuditLog
from infrastructure.persistence.sql.statements import Statements
from infrastructure.persistence.tables import audit_events

# Built once: every login, logout and refresh stores an event.
_INSERT_EVENT = insert(audit_events)


class SqlAuditLog(RecordingAuditLog):
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
