"""ListAuditEvents: read the audit trail a page at a time (admins only)."""

import uuid
from dataclasses import dataclass

from application.ports import AuditCursor, AuditEvent, AuditEventType, AuditQuery, UnitOfWork
from domain.policy import Permission, require
from domain.users import User

MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: list[AuditEvent]
    next_cursor: AuditCursor | None


class ListAuditEvents:
    """Newest first, optionally for one user or one event type.

    - Only users allowed to read the audit log may.
    - Pages are keyset-paginated on (time, id): events recorded while an admin pages through
      neither shift nor repeat the pages that follow.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, *, actor: User, limit: int, user_id: uuid.UUID | None = None,
        event_type: AuditEventType | None = None, after: AuditCursor | None = None,
    ) -> AuditPage:
        require(actor, Permission.READ_AUDIT_LOG)
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        # One more than asked tells whether another page follows, without counting.
        query = AuditQuery(limit=limit + 1, user_id=user_id, type=event_type, after=after)
        async with self._uow:
            events = await self._uow.audit_log.list(query)
        if len(events) <= limit:
            return AuditPage(events=events, next_cursor=None)
        last = events[limit - 1]
        return AuditPage(events=events[:limit],
                         next_cursor=AuditCursor(occurred_at=last.occurred_at, id=last.id))
