"""SetUserActive: deactivate or reactivate an account (admins only)."""

import uuid

from application.errors import UserNotFound
from application.ports import NO_REQUEST_CONTEXT, AuditEventType, RequestContext, UnitOfWork
from domain.errors import PermissionDenied
from domain.policy import Permission, require
from domain.users import User


class SetUserActive:
    """Only users allowed to manage users may do this, and never to their own account
    (an admin who deactivates themself could lock every admin out). The change is audited,
    naming the admin, in its transaction."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, *, actor: User, user_id: uuid.UUID, is_active: bool,
        context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> User:
        require(actor, Permission.MANAGE_USERS)
        if user_id == actor.id:
            raise PermissionDenied("You cannot change whether your own account is active")
        async with self._uow:
            user = await self._uow.users.get(user_id)
            if user is None:
                raise UserNotFound()
            user.is_active = is_active
            await self._uow.users.update(user)
            event = (AuditEventType.USER_REACTIVATED if is_active
                     else AuditEventType.USER_DEACTIVATED)
            await self._uow.audit_log.record(event, context=context, user_id=user.id,
                                             actor_id=actor.id)
            await self._uow.commit()
        return user
