"""What both audit logs share: stamping and remembering events, and the line logged per event."""

import json
import logging
import uuid
from abc import ABC, abstractmethod
from typing import Any

from application.ports import AuditEvent, AuditEventType, Clock, RequestContext

audit_logger = logging.getLogger("roomkey.audit")


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


class RecordingAuditLog(ABC):
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
