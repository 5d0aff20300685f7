"""GET /admin/audit: the audit trail, newest first, a page at a time (admins only)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError

from application.list_audit_events import MAX_PAGE_SIZE, ListAuditEvents
from application.ports import AuditCursor, AuditEventType
from interfaces.http.dependencies import AdminUser, use_case
from interfaces.http.schemas import AuditPageOut, decode_cursor

router = APIRouter(tags=["audit"])


async def audit_cursor(
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AuditCursor | None:
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor)
    except ValueError:
        raise RequestValidationError([{"type": "value_error", "loc": ("query", "cursor"),
                                       "msg": "Not a cursor from a previous page"}]) from None


@router.get("/admin/audit", description=ListAuditEvents.__doc__)
async def list_audit_events(
    actor: AdminUser,
    list_audit_events: Annotated[ListAuditEvents, use_case("list_audit_events")],
    user_id: uuid.UUID | None = None,
    event_type: Annotated[AuditEventType | None, Query(alias="type")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[AuditCursor | None, Depends(audit_cursor)] = None,
) -> AuditPageOut:
    page = await list_audit_events.execute(actor=actor, limit=limit, user_id=user_id,
                                           event_type=event_type, after=cursor)
    return AuditPageOut.of(page)
